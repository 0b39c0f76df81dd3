"""The ontology and the shapes: they parse, they declare every term the data model uses, every
declared term is labelled and defined, and the shapes are valid SHACL."""
from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph
import pyshacl
import pytest
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS, XSD

from jha_graph.namespaces import ONTOLOGY, ONTOLOGY_IRI

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY_FILE = ROOT / "ontology" / "jha.ttl"
SHAPES_FILE = ROOT / "ontology" / "shapes.ttl"
VOCABULARY_DOC = ROOT / "docs" / "vocabulary.md"
QC_DIR = ROOT / "queries" / "qc"

CLASS_TYPES = {OWL.Class, RDFS.Class}
PROPERTY_TYPES = {OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property}


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


def declared(g: Graph, types: set) -> set[URIRef]:
    return {s for t in types for s in g.subjects(RDF.type, t) if isinstance(s, URIRef)}


def test_parses_in_pyoxigraph():
    store = pyoxigraph.Store()
    store.load(path=str(ONTOLOGY_FILE), format=pyoxigraph.RdfFormat.TURTLE)
    assert len(store) > 500
    assert store.query(f"ASK {{ <{ONTOLOGY_IRI}> a <http://www.w3.org/2002/07/owl#Ontology> }}")


def test_ontology_header(onto):
    iri = URIRef(ONTOLOGY_IRI)
    assert (iri, RDF.type, OWL.Ontology) in onto
    assert onto.value(iri, OWL.versionInfo) is not None
    assert onto.value(iri, DCTERMS.title) is not None
    assert onto.value(iri, DCTERMS.description) is not None
    assert onto.value(iri, DCTERMS.creator) is not None
    assert onto.value(iri, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")


def test_every_vocabulary_term_is_declared(onto):
    used = set(re.findall(r"\bjha:(\w+)", VOCABULARY_DOC.read_text(encoding="utf-8")))
    assert len(used) > 50  # the doc parses as expected
    terms = declared(onto, CLASS_TYPES | PROPERTY_TYPES)
    missing = sorted(t for t in used if URIRef(ONTOLOGY + t) not in terms)
    assert not missing, f"used in docs/vocabulary.md but not declared in ontology/jha.ttl: {missing}"


def test_vocabulary_kinds(onto):
    """Classes start upper-case, properties lower-case; a few kinds the data relies on."""
    for term in declared(onto, CLASS_TYPES):
        if term.startswith(ONTOLOGY):
            assert term[len(ONTOLOGY)][0].isupper(), term
    for term in declared(onto, PROPERTY_TYPES):
        if term.startswith(ONTOLOGY):
            assert term[len(ONTOLOGY)][0].islower(), term
    jha = lambda n: URIRef(ONTOLOGY + n)  # noqa: E731
    assert (jha("startDate"), RDF.type, OWL.DatatypeProperty) in onto
    assert (jha("underPresidency"), RDF.type, OWL.ObjectProperty) in onto
    assert (jha("CouncilPresidency"), RDFS.subClassOf, URIRef("http://www.w3.org/ns/org#Membership")) in onto
    assert (jha("country"), RDFS.subPropertyOf, URIRef("http://www.w3.org/ns/org#member")) in onto
    assert (jha("MemberState"), RDFS.subClassOf, jha("Country")) in onto
    assert (jha("Regulation"), RDFS.subClassOf, jha("LegalAct")) in onto
    assert (jha("LegalAct"), RDFS.subClassOf, URIRef("http://data.europa.eu/eli/ontology#LegalResource")) in onto


def test_every_declared_term_has_label_and_definition(onto):
    terms = declared(onto, CLASS_TYPES | PROPERTY_TYPES)
    assert len(terms) > 80
    problems = []
    for term in sorted(terms):
        labels = [lbl for lbl in onto.objects(term, RDFS.label) if isinstance(lbl, Literal) and lbl.language == "en"]
        definitions = [d for d in onto.objects(term, SKOS.definition) if isinstance(d, Literal) and d.language == "en"]
        if len(labels) != 1 or len(definitions) != 1 or not str(definitions[0]).strip():
            problems.append(str(term))
    assert not problems, f"terms without exactly one English rdfs:label and skos:definition: {problems}"


def test_external_terms_are_defined_elsewhere(onto):
    """Stubs of imported terms say which vocabulary defines them."""
    for term in declared(onto, CLASS_TYPES | PROPERTY_TYPES):
        if not term.startswith(ONTOLOGY):
            assert onto.value(term, RDFS.isDefinedBy) is not None, term


def test_no_term_is_both_class_and_property(onto):
    both = declared(onto, CLASS_TYPES) & declared(onto, PROPERTY_TYPES)
    assert not both
    kinds = {}
    for t in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty):
        for p in declared(onto, {t}):
            kinds.setdefault(p, set()).add(t)
    assert not {p for p, k in kinds.items() if len(k) > 1}, "a property declared of two kinds"


def test_every_referenced_term_is_declared(onto):
    """Every IRI used as a superclass, superproperty, domain or range is declared, so OWL tools
    need no import."""
    terms = declared(onto, CLASS_TYPES | PROPERTY_TYPES | {RDFS.Datatype})
    builtin = {RDFS.Literal, OWL.Thing, XSD.string, XSD.integer, XSD.boolean}  # in the OWL 2 datatype map
    referenced = set()
    for p in (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.inverseOf):
        referenced |= {o for o in onto.objects(None, p) if isinstance(o, URIRef)}
    for lst in onto.objects(None, OWL.unionOf):
        referenced |= {o for o in onto.items(lst) if isinstance(o, URIRef)}
    assert not sorted(referenced - terms - builtin)


def test_domains_and_ranges_are_kinds_of_the_right_sort(onto):
    """Object properties range over classes, datatype properties over datatypes."""
    classes = declared(onto, CLASS_TYPES)
    for p in declared(onto, {OWL.ObjectProperty}):
        for r in onto.objects(p, RDFS.range):
            assert isinstance(r, BNode) or r in classes, (p, r)
    for p in declared(onto, {OWL.DatatypeProperty}):
        for r in onto.objects(p, RDFS.range):
            assert isinstance(r, BNode) or r == RDFS.Literal or r.startswith(str(XSD)), (p, r)


def test_shapes_parse_and_are_valid_shacl():
    shapes = Graph().parse(SHAPES_FILE, format="turtle")
    store = pyoxigraph.Store()
    store.load(path=str(SHAPES_FILE), format=pyoxigraph.RdfFormat.TURTLE)
    assert len(store) == len(shapes)
    # meta_shacl: pyshacl validates the shapes graph against SHACL-SHACL first and raises if invalid
    conforms, _, text = pyshacl.validate(Graph(), shacl_graph=shapes, meta_shacl=True)
    assert conforms, text


def test_shapes_only_use_declared_jha_terms(onto):
    shapes = Graph().parse(SHAPES_FILE, format="turtle")
    used = {t for triple in shapes for t in triple if isinstance(t, URIRef) and t.startswith(ONTOLOGY)}
    assert used
    assert not sorted(used - declared(onto, CLASS_TYPES | PROPERTY_TYPES))


def test_qc_queries_parse_and_declare_jha_prefix():
    files = sorted(QC_DIR.glob("*.rq"))
    assert len(files) >= 9
    store = pyoxigraph.Store()
    for f in files:
        assert f.name.endswith(("-violation.rq", "-warning.rq", "-info.rq")), f.name
        text = f.read_text(encoding="utf-8")
        assert re.search(r"^SELECT .*\?s\b", text, re.M), f"{f.name}: no ?s column"
        assert "?message" in text, f"{f.name}: no ?message column"
        if "jha:" in text:
            assert f"PREFIX jha: <{ONTOLOGY}>" in text, f.name
        list(store.query(text, use_default_graph_as_union=True))  # parses and runs
