"""Namespaces and the only place where jha-graph mints IRIs.

Every IRI of the graph is built here from a stable key (an article's file stem, a country code,
a date and a kind, a normalised title), so that rebuilding the graph gives every article and
every entity the same IRI again.  The data base IRI comes from the settings; the ontology
namespace is fixed, because terms must not change meaning with the place a graph is served.

>>> m = Minter("https://example.org/jha/")
>>> m.article("seed-article").value
'https://example.org/jha/id/article/seed-article'
>>> m.presidency("BE", 2024, 1).value
'https://example.org/jha/id/presidency/2024-1-be'
>>> m.meeting("JHA Council", "2024-03-04", "2024-03-05").value
'https://example.org/jha/id/meeting/2024-03-04--2024-03-05-jha-council'
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

from pyoxigraph import NamedNode

ONTOLOGY = "https://w3id.org/jha-graph/ontology#"
ONTOLOGY_IRI = "https://w3id.org/jha-graph/ontology"
DEFAULT_BASE = "https://w3id.org/jha-graph/"

PREFIXES: dict[str, str] = {
    "jha": ONTOLOGY,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "time": "http://www.w3.org/2006/time#",
    "bibo": "http://purl.org/ontology/bibo/",
    "cito": "http://purl.org/spar/cito/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "https://schema.org/",
    "eli": "http://data.europa.eu/eli/ontology#",
    "eli-dl": "http://data.europa.eu/eli/eli-draft-legislation-ontology#",
    "sh": "http://www.w3.org/ns/shacl#",
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "wd": "http://www.wikidata.org/entity/",
}


class Namespace:
    """A namespace whose attributes and items are NamedNodes (not a str: `DCTERMS.title` must be a term).

    >>> Namespace("http://example.org/#").Thing.value
    'http://example.org/#Thing'
    >>> Namespace("http://purl.org/dc/terms/").title.value
    'http://purl.org/dc/terms/title'
    """

    def __init__(self, iri: str) -> None:
        self.iri = iri

    def __getattr__(self, name: str) -> NamedNode:
        if name.startswith("__"):
            raise AttributeError(name)
        # made once and kept as an attribute: the next access is a plain lookup (the graph writer
        # asks for a term about 190 times per article)
        term = NamedNode(self.iri + name)
        setattr(self, name, term)
        return term

    def __getitem__(self, name: str) -> NamedNode:
        return NamedNode(self.iri + name)

    def __str__(self) -> str:
        return self.iri


JHA = Namespace(ONTOLOGY)
RDF = Namespace(PREFIXES["rdf"])
RDFS = Namespace(PREFIXES["rdfs"])
OWL = Namespace(PREFIXES["owl"])
XSD = Namespace(PREFIXES["xsd"])
SKOS = Namespace(PREFIXES["skos"])
DCTERMS = Namespace(PREFIXES["dcterms"])
PROV = Namespace(PREFIXES["prov"])
ORG = Namespace(PREFIXES["org"])
TIME = Namespace(PREFIXES["time"])
BIBO = Namespace(PREFIXES["bibo"])
CITO = Namespace(PREFIXES["cito"])
FOAF = Namespace(PREFIXES["foaf"])
SCHEMA = Namespace(PREFIXES["schema"])
ELI = Namespace(PREFIXES["eli"])
VOID = Namespace(PREFIXES["void"])
DCAT = Namespace(PREFIXES["dcat"])
WD = Namespace(PREFIXES["wd"])


def sparql_prefixes() -> str:
    """The PREFIX block every query of the project may rely on."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def slugify(text: str, limit: int = 80) -> str:
    """A lower-case ASCII slug, cut at a word boundary, never empty.

    >>> slugify("Conclusions on the Europol report “Decoding …”")
    'conclusions-on-the-europol-report-decoding'
    """
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(slug) > limit:
        cut = slug[:limit]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug or "x" + hashlib.sha1(text.encode()).hexdigest()[:8]


class Minter:
    """Mints every IRI of the data graph under one base."""

    def __init__(self, base: str = DEFAULT_BASE) -> None:
        self.base = base if base.endswith(("/", "#")) else base + "/"

    def _id(self, *parts: str) -> NamedNode:
        return NamedNode(self.base + "id/" + "/".join(parts))

    # graphs
    def article_graph(self, slug: str) -> NamedNode:
        return NamedNode(self.base + "graph/article/" + slug)

    @property
    def reference_graph(self) -> NamedNode:
        return NamedNode(self.base + "graph/reference")

    @property
    def ontology_graph(self) -> NamedNode:
        return NamedNode(self.base + "graph/ontology")

    @property
    def dataset(self) -> NamedNode:
        """The dataset as a whole, as VoID and DCAT describe it."""
        return NamedNode(self.base + "dataset")

    @property
    def links_graph(self) -> NamedNode:
        """Facts that join articles (resolved cross-references): rebuilt after every ingest."""
        return NamedNode(self.base + "graph/links")

    # entities
    def article(self, slug: str) -> NamedNode:
        return self._id("article", slug)

    def crossref(self, article_slug: str, n: int) -> NamedNode:
        return self._id("article", article_slug, "ref", str(n))

    def evidence(self, article_slug: str, n: int) -> NamedNode:
        return self._id("article", article_slug, "evidence", str(n))

    def extraction(self, article_slug: str) -> NamedNode:
        return self._id("article", article_slug, "extraction")

    def issue(self, number: int, year: int) -> NamedNode:
        return self._id("issue", f"{year}-{number}")

    def journal(self) -> NamedNode:
        return self._id("journal", "eucrim")

    def person(self, name: str) -> NamedNode:
        return self._id("person", slugify(name))

    def country(self, code: str) -> NamedNode:
        return self._id("country", code.lower())

    def presidency(self, code: str, year: int, half: int) -> NamedNode:
        return self._id("presidency", f"{year}-{half}-{code.lower()}")

    def trio(self, first_year: int, first_half: int) -> NamedNode:
        return self._id("trio", f"{first_year}-{first_half}")

    def organisation(self, key: str) -> NamedNode:
        return self._id("org", slugify(key))

    def meeting(self, kind: str, start: str, end: str | None = None, label: str | None = None) -> NamedNode:
        span = start if not end or end == start else f"{start}--{end}"
        key = f"{span}-{slugify(kind)}"
        if label and kind not in ("JHA Council", "Informal JHA", "European Council"):
            key += "-" + slugify(label, 40)  # two high-level meetings may share a day
        return self._id("meeting", key)

    def document(self, doc_type: str, title: str, scope: str | None = None) -> NamedNode:
        """A document by type and title; `scope` (an article slug) keeps generic titles apart."""
        key = f"{slugify(doc_type)}/{slugify(title)}"
        if scope:
            key += "--" + scope
        return self._id("document", key)

    def topic(self, key: str) -> NamedNode:
        return self._id("topic", slugify(key))

    def place(self, name: str) -> NamedNode:
        return self._id("place", slugify(name))

    def slug_of(self, iri: str) -> str | None:
        """The article slug of an article or article-graph IRI, else None."""
        for prefix in (self.base + "id/article/", self.base + "graph/article/"):
            if iri.startswith(prefix):
                return iri[len(prefix):].split("/", 1)[0]
        return None
