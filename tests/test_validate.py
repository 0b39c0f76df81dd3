"""validate(): a conforming store built by hand, then broken variants one by one.

Every variant asserts the exact set of problems the report holds, so that each test fails when
the check it exercises is missing (and when a check fires where it should not).
"""
from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import NamedNode, RdfFormat, Store

from jha_graph.validate import Report, validate

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology" / "jha.ttl"
DEFAULT_BASE = "https://w3id.org/jha-graph/"

PREFIXES = """
PREFIX jha: <https://w3id.org/jha-graph/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX bibo: <http://purl.org/ontology/bibo/>
PREFIX cito: <http://purl.org/spar/cito/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
"""

# {B} is the data base IRI. Two articles: `a` (web, 1/2024) reports a JHA Council meeting and the
# conclusions it adopted; `b` (print, 4/2023, pp. 316-318) names the same meeting and document
# with another label, title and date, as articles do; a's cross-reference resolves to b.
FIXTURE = """
GRAPH <{B}graph/reference> {
  <{B}id/country/es> a jha:Country, jha:MemberState ; skos:prefLabel "Spain"@en ; skos:notation "ES" .
  <{B}id/country/be> a jha:Country, jha:MemberState ; skos:prefLabel "Belgium"@en ; skos:notation "BE" ;
      jha:demonym "Belgian"@en .
  <{B}id/country/hu> a jha:Country, jha:MemberState ; skos:prefLabel "Hungary"@en ; skos:notation "HU" .
  <{B}id/presidency/2023-2-es> a jha:CouncilPresidency ; rdfs:label "Spanish Council presidency 2023"@en ;
      jha:country <{B}id/country/es> ; jha:startDate "2023-07-01"^^xsd:date ; jha:endDate "2023-12-31"^^xsd:date ;
      jha:partOfTrio <{B}id/trio/2023-2> .
  <{B}id/presidency/2024-1-be> a jha:CouncilPresidency ; rdfs:label "Belgian Council presidency 2024"@en ;
      jha:country <{B}id/country/be> ; jha:startDate "2024-01-01"^^xsd:date ; jha:endDate "2024-06-30"^^xsd:date ;
      jha:partOfTrio <{B}id/trio/2023-2> .
  <{B}id/presidency/2024-2-hu> a jha:CouncilPresidency ; rdfs:label "Hungarian Council presidency 2024"@en ;
      jha:country <{B}id/country/hu> ; jha:startDate "2024-07-01"^^xsd:date ; jha:endDate "2024-12-31"^^xsd:date ;
      jha:partOfTrio <{B}id/trio/2023-2> .
  <{B}id/trio/2023-2> a jha:TrioPresidency ; rdfs:label "Trio presidency Spain, Belgium, Hungary"@en ;
      jha:hasPresidency <{B}id/presidency/2023-2-es>, <{B}id/presidency/2024-1-be>, <{B}id/presidency/2024-2-hu> .
  <{B}id/org/council-of-the-european-union> a jha:Institution ;
      skos:prefLabel "Council of the European Union"@en ; skos:altLabel "Council"@en .
  <{B}id/org/jha-council> a jha:CouncilConfiguration ; skos:prefLabel "Justice and Home Affairs Council"@en ;
      org:unitOf <{B}id/org/council-of-the-european-union> .
  <{B}id/org/europol> a jha:Agency ; skos:prefLabel "Europol"@en ; jha:acronym "Europol" .
  <{B}id/topic/scheme> a skos:ConceptScheme ; skos:prefLabel "jha-graph topics"@en .
  <{B}id/topic/organised-crime> a skos:Concept ; skos:prefLabel "organised crime"@en ;
      skos:inScheme <{B}id/topic/scheme> .
  <{B}id/journal/eucrim> a bibo:Periodical ; dcterms:title "eucrim" ; bibo:issn "1862-6947" .
}
GRAPH <{B}graph/article/a> {
  <{B}graph/article/a> prov:wasGeneratedBy <{B}id/article/a/extraction> .
  <{B}id/article/a/extraction> a prov:Activity ; prov:used <{B}id/article/a> ;
      prov:wasAssociatedWith <{B}id/software/jha-graph> ; jha:extractorVersion "0.1.0" .
  <{B}id/software/jha-graph> a prov:SoftwareAgent ; rdfs:label "jha-graph" .
  <{B}id/article/a> a jha:Article ; dcterms:title "Council adopts conclusions on organised crime" ;
      dcterms:date "2024-03-06"^^xsd:date ; jha:sourceFile "a.md" ; jha:sourceFormat "web" ;
      jha:sha256 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" ;
      dcterms:creator <{B}id/person/thomas-wahl> ; jha:authorName "Thomas Wahl" ;
      dcterms:isPartOf <{B}id/issue/2024-1> ; dcterms:subject <{B}id/topic/organised-crime> ;
      jha:mentions <{B}id/presidency/2024-1-be>, <{B}id/meeting/2024-03-04--2024-03-05-jha-council>,
          <{B}id/document/conclusions/organised-crime>, <{B}id/org/council-of-the-european-union>,
          <{B}id/org/europol>, <{B}id/place/brussels> ;
      jha:hasCrossReference <{B}id/article/a/ref/1> .
  <{B}id/person/thomas-wahl> a foaf:Person ; foaf:name "Thomas Wahl" .
  <{B}id/issue/2024-1> a bibo:Issue ; bibo:issue 1 ; bibo:volume 19 ; jha:issueLabel "1/2024" ;
      dcterms:isPartOf <{B}id/journal/eucrim> .
  <{B}id/meeting/2024-03-04--2024-03-05-jha-council> a jha:JHACouncilMeeting ; rdfs:label "JHA Council" ;
      jha:startDate "2024-03-04"^^xsd:date ; jha:endDate "2024-03-05"^^xsd:date ;
      jha:heldIn <{B}id/place/brussels> ; jha:underPresidency <{B}id/presidency/2024-1-be> .
  <{B}id/place/brussels> a jha:Place ; rdfs:label "Brussels" .
  <{B}id/document/conclusions/organised-crime> a jha:Conclusions ;
      dcterms:title "Conclusions on organised crime" ; jha:date "2024-03-04"^^xsd:date ;
      jha:adoptedAt <{B}id/meeting/2024-03-04--2024-03-05-jha-council> ;
      jha:issuedBy <{B}id/org/council-of-the-european-union> ;
      jha:underPresidency <{B}id/presidency/2024-1-be> ; dcterms:subject <{B}id/topic/organised-crime> .
  <{B}id/article/a/ref/1> a jha:CrossReference ; jha:marker "→ eucrim 4/2023, 317" ; jha:position 1 ;
      jha:citedIssue "4/2023" ; jha:citedPages "317" ; jha:separateItem false ;
      jha:context "The Council had prepared the ground." .
  <{B}id/article/a/evidence/1> a jha:Evidence ; jha:sentence "On 4-5 March 2024, the JHA Council met in Brussels." ;
      jha:offset 0 ; prov:wasQuotedFrom <{B}id/article/a> ;
      jha:about <{B}id/meeting/2024-03-04--2024-03-05-jha-council> .
  <{B}id/article/a/evidence/2> a jha:Evidence ; jha:sentence "The Council had prepared the ground." ;
      jha:offset 52 ; prov:wasQuotedFrom <{B}id/article/a> ; jha:about <{B}id/article/a/ref/1> .
}
GRAPH <{B}graph/article/b> {
  <{B}graph/article/b> prov:wasGeneratedBy <{B}id/article/b/extraction> .
  <{B}id/article/b/extraction> a prov:Activity ; prov:used <{B}id/article/b> ;
      prov:wasAssociatedWith <{B}id/software/jha-graph> ; jha:extractorVersion "0.1.0" .
  <{B}id/software/jha-graph> a prov:SoftwareAgent ; rdfs:label "jha-graph" .
  <{B}id/article/b> a jha:Article ; dcterms:title "Fight against organised crime" ;
      jha:sourceFile "b.md" ; jha:sourceFormat "print" ; bibo:pages "316-318" ;
      jha:sha256 "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" ;
      dcterms:isPartOf <{B}id/issue/2023-4> ;
      jha:mentions <{B}id/meeting/2024-03-04--2024-03-05-jha-council>, <{B}id/document/conclusions/organised-crime> .
  <{B}id/issue/2023-4> a bibo:Issue ; jha:issueLabel "4/2023" ; dcterms:isPartOf <{B}id/journal/eucrim> .
  <{B}id/meeting/2024-03-04--2024-03-05-jha-council> a jha:JHACouncilMeeting ;
      rdfs:label "Justice and Home Affairs Council" ;
      jha:startDate "2024-03-04"^^xsd:date ; jha:underPresidency <{B}id/presidency/2024-1-be> .
  <{B}id/document/conclusions/organised-crime> a jha:Conclusions ;
      dcterms:title "Council conclusions on organised crime" ; jha:date "2024-03"^^xsd:gYearMonth ;
      jha:underPresidency <{B}id/presidency/2024-1-be> .
}
GRAPH <{B}graph/links> {
  <{B}id/article/a/ref/1> jha:refersTo <{B}id/article/b> .
  <{B}id/article/a> cito:cites <{B}id/article/b> .
}
"""

A = "{B}id/article/a"
B_ART = "{B}id/article/b"
MEETING = "{B}id/meeting/2024-03-04--2024-03-05-jha-council"
DOC = "{B}id/document/conclusions/organised-crime"
BE = "{B}id/presidency/2024-1-be"
HU = "{B}id/presidency/2024-2-hu"
JHA = "https://w3id.org/jha-graph/ontology#"
DCT = "http://purl.org/dc/terms/"


def build(base: str = DEFAULT_BASE, update: str | None = None) -> Store:
    """The conforming store under `base`, then the SPARQL `update` (with {B} for the base)."""
    store = Store()
    store.load(path=str(ONTOLOGY), format=RdfFormat.TURTLE, to_graph=NamedNode(base + "graph/ontology"))
    store.update(PREFIXES + "INSERT DATA {" + FIXTURE.replace("{B}", base) + "}")
    if update:
        store.update(PREFIXES + update.replace("{B}", base))
    return store


def problems(report: Report) -> set[tuple]:
    """Every problem of the report: ('shacl', focus, path, component) and ('qc', rule, ?s)."""
    found = {("shacl", v.focus_node, v.path, v.constraint) for v in report.shacl_results}
    found |= {("qc", rule, row.get("s")) for rule, rows in report.qc_results.items() for row in rows}
    return found


def expect(*items: tuple, base: str = DEFAULT_BASE) -> set[tuple]:
    return {tuple(x.replace("{B}", base) if isinstance(x, str) else x for x in item) for item in items}


@pytest.mark.parametrize("base", [DEFAULT_BASE, "https://example.org/kg/"])
def test_conforming_store(base):
    report = validate(build(base))
    assert problems(report) == set(), report.summary()
    assert report.conforms
    assert "conforms" in report.summary().splitlines()[0]
    assert len(report.qc_results) == len(list((ROOT / "queries" / "qc").glob("*.rq")))


# --- the five required variants --------------------------------------------------------------


def test_missing_article_title():
    report = validate(build(update="DELETE WHERE { GRAPH ?g { <{B}id/article/a> dcterms:title ?t } }"))
    assert not report.conforms
    assert problems(report) == expect(
        ("shacl", A, DCT + "title", "MinCountConstraintComponent"),
        ("qc", "missing-label-violation", A),
    )
    [v] = report.shacl_results
    assert v.graph == DEFAULT_BASE + "graph/article/a"  # the graph that describes the article
    summary = report.summary()
    assert "does NOT conform" in summary and DEFAULT_BASE + "id/article/a" in summary
    assert "dcterms:title" in summary and "exactly one non-empty dcterms:title" in summary
    assert "graph/article/a" in summary


def test_presidency_without_country():
    report = validate(build(update="DELETE WHERE { GRAPH ?g { <{B}id/presidency/2024-1-be> jha:country ?c } }"))
    assert problems(report) == expect(("shacl", BE, JHA + "country", "MinCountConstraintComponent"))
    assert report.shacl_results[0].graph == DEFAULT_BASE + "graph/reference"
    assert not report.conforms


def test_meeting_ends_before_it_starts():
    report = validate(build(update="""
        DELETE DATA { GRAPH <{B}graph/article/a> {
            <{B}id/meeting/2024-03-04--2024-03-05-jha-council> jha:endDate "2024-03-05"^^xsd:date } } ;
        INSERT DATA { GRAPH <{B}graph/article/a> {
            <{B}id/meeting/2024-03-04--2024-03-05-jha-council> jha:endDate "2024-03-03"^^xsd:date } }"""))
    assert problems(report) == expect(
        ("shacl", MEETING, JHA + "startDate", "LessThanOrEqualsConstraintComponent"))


def test_overlapping_presidencies():
    report = validate(build(update="""INSERT DATA { GRAPH <{B}graph/reference> {
        <{B}id/presidency/2024-1-hu> a jha:CouncilPresidency ; rdfs:label "Hungarian presidency"@en ;
            jha:country <{B}id/country/hu> ;
            jha:startDate "2024-01-01"^^xsd:date ; jha:endDate "2024-06-30"^^xsd:date } }"""))
    assert problems(report) == expect(("qc", "presidency-overlap-violation", BE))
    [row] = report.qc_results["presidency-overlap-violation"]
    assert row["other"] == DEFAULT_BASE + "id/presidency/2024-1-hu"
    assert not report.conforms


def test_undeclared_jha_predicate():
    report = validate(build(update='INSERT DATA { GRAPH <{B}graph/article/a> { <{B}id/article/a> jha:bogus "x" } }'))
    assert problems(report) == expect(("qc", "undeclared-term-violation", JHA + "bogus"))
    assert not report.conforms


# --- more variants: every shape family and every QC rule ----------------------------------------

VARIANTS = {
    "undeclared-class": (
        "INSERT DATA { GRAPH <{B}graph/article/a> { <{B}id/article/a> a jha:NewsItem } }",
        [("qc", "undeclared-term-violation", JHA + "NewsItem")],
    ),
    "source-format-not-web-or-print": (
        'DELETE WHERE { GRAPH ?g { <{B}id/article/a> jha:sourceFormat ?f } } ;'
        'INSERT DATA { GRAPH <{B}graph/article/a> { <{B}id/article/a> jha:sourceFormat "pdf" } }',
        [("shacl", A, JHA + "sourceFormat", "InConstraintComponent")],
    ),
    "article-date-not-xsd-date": (
        'DELETE WHERE { GRAPH ?g { <{B}id/article/a> dcterms:date ?d } } ;'
        'INSERT DATA { GRAPH <{B}graph/article/a> { <{B}id/article/a> dcterms:date "6 March 2024" } }',
        [("shacl", A, DCT + "date", "DatatypeConstraintComponent")],
    ),
    "bad-issue-label": (
        'DELETE WHERE { GRAPH ?g { <{B}id/issue/2024-1> jha:issueLabel ?l } } ;'
        'INSERT DATA { GRAPH <{B}graph/article/a> { <{B}id/issue/2024-1> jha:issueLabel "5/2024" } }',
        [("shacl", "{B}id/issue/2024-1", JHA + "issueLabel", "PatternConstraintComponent")],
    ),
    "presidency-without-end": (
        "DELETE WHERE { GRAPH ?g { <{B}id/presidency/2024-2-hu> jha:endDate ?d } }",
        [("shacl", HU, JHA + "endDate", "MinCountConstraintComponent")],
    ),
    "meeting-without-label": (
        "DELETE WHERE { GRAPH <{B}graph/article/b> { <{B}id/meeting/2024-03-04--2024-03-05-jha-council> rdfs:label ?l } }",
        [("shacl", MEETING, "http://www.w3.org/2000/01/rdf-schema#label", "MinCountConstraintComponent")],
    ),
    "meeting-two-labels-in-one-graph": (
        'INSERT DATA { GRAPH <{B}graph/article/a> { <{B}id/meeting/2024-03-04--2024-03-05-jha-council> rdfs:label "Council" } }',
        [("shacl", MEETING, "http://www.w3.org/2000/01/rdf-schema#label", "MaxCountConstraintComponent")],
    ),
    "meeting-under-wrong-presidency": (
        "DELETE WHERE { GRAPH ?g { <{B}id/meeting/2024-03-04--2024-03-05-jha-council> jha:underPresidency ?p } } ;"
        "INSERT DATA { GRAPH <{B}graph/article/a> { <{B}id/meeting/2024-03-04--2024-03-05-jha-council> "
        "jha:underPresidency <{B}id/presidency/2024-2-hu> } }",
        [("qc", "meeting-presidency-mismatch-violation", MEETING)],
    ),
    "meeting-without-presidency": (
        "DELETE WHERE { GRAPH ?g { <{B}id/meeting/2024-03-04--2024-03-05-jha-council> jha:underPresidency ?p } }",
        [("qc", "meeting-presidency-mismatch-violation", MEETING)],
    ),
    "meeting-under-two-presidencies": (
        "INSERT DATA { GRAPH <{B}graph/article/b> { <{B}id/meeting/2024-03-04--2024-03-05-jha-council> "
        "jha:underPresidency <{B}id/presidency/2024-2-hu> } }",
        [("shacl", MEETING, JHA + "underPresidency", "MaxCountConstraintComponent"),
         ("qc", "meeting-presidency-mismatch-violation", MEETING)],
    ),
    "document-two-titles-in-one-graph": (
        'INSERT DATA { GRAPH <{B}graph/article/a> { <{B}id/document/conclusions/organised-crime> dcterms:title "OC conclusions" } }',
        [("shacl", DOC, DCT + "title", "MaxCountConstraintComponent")],
    ),
    "document-two-dates-in-one-graph": (
        'INSERT DATA { GRAPH <{B}graph/article/a> { <{B}id/document/conclusions/organised-crime> jha:date "2024"^^xsd:gYear } }',
        [("shacl", DOC, JHA + "date", "MaxCountConstraintComponent")],
    ),
    "document-date-wrong-datatype": (
        "DELETE WHERE { GRAPH <{B}graph/article/a> { <{B}id/document/conclusions/organised-crime> jha:date ?d } } ;"
        'INSERT DATA { GRAPH <{B}graph/article/a> { <{B}id/document/conclusions/organised-crime> jha:date "March 2024" } }',
        [("shacl", DOC, JHA + "date", "OrConstraintComponent")],
    ),
    "document-adopted-at-non-meeting": (
        "DELETE WHERE { GRAPH ?g { <{B}id/document/conclusions/organised-crime> jha:adoptedAt ?m } } ;"
        "INSERT DATA { GRAPH <{B}graph/article/a> { <{B}id/document/conclusions/organised-crime> "
        "jha:adoptedAt <{B}id/org/europol> } }",
        [("shacl", DOC, JHA + "adoptedAt", "ClassConstraintComponent")],
    ),
    "document-issued-by-a-place": (
        "INSERT DATA { GRAPH <{B}graph/article/a> { <{B}id/document/conclusions/organised-crime> "
        "jha:issuedBy <{B}id/place/brussels> } }",
        [("shacl", DOC, JHA + "issuedBy", "OrConstraintComponent")],
    ),
    "document-under-wrong-presidency": (
        "DELETE WHERE { GRAPH <{B}graph/article/b> { <{B}id/document/conclusions/organised-crime> jha:underPresidency ?p } } ;"
        "INSERT DATA { GRAPH <{B}graph/article/b> { <{B}id/document/conclusions/organised-crime> "
        "jha:underPresidency <{B}id/presidency/2023-2-es> } }",
        [("qc", "document-presidency-mismatch-violation", DOC)],
    ),
    "organisation-two-english-names": (
        'INSERT DATA { GRAPH <{B}graph/reference> { <{B}id/org/europol> skos:prefLabel "EUROPOL"@en } }',
        [("shacl", "{B}id/org/europol", "http://www.w3.org/2004/02/skos/core#prefLabel",
          "UniqueLangConstraintComponent")],
    ),
    "topic-two-plain-names-in-one-graph": (
        'INSERT DATA { GRAPH <{B}graph/reference> { <{B}id/topic/organised-crime> skos:prefLabel "OC", "Organised crime" } }',
        [("shacl", "{B}id/topic/organised-crime", "http://www.w3.org/2004/02/skos/core#prefLabel",
          "QualifiedMaxCountConstraintComponent")],
    ),
    "crossref-without-separate-item": (
        "DELETE WHERE { GRAPH ?g { <{B}id/article/a/ref/1> jha:separateItem ?x } }",
        [("shacl", "{B}id/article/a/ref/1", JHA + "separateItem", "MinCountConstraintComponent")],
    ),
    "crossref-bad-cited-issue": (
        "DELETE WHERE { GRAPH ?g { <{B}id/article/a/ref/1> jha:citedIssue ?x } } ;"
        'INSERT DATA { GRAPH <{B}graph/article/a> { <{B}id/article/a/ref/1> jha:citedIssue "2023/4" } }',
        [("shacl", "{B}id/article/a/ref/1", JHA + "citedIssue", "PatternConstraintComponent"),
         ("qc", "crossref-target-mismatch-violation", "{B}id/article/a/ref/1")],
    ),
    "crossref-resolved-to-wrong-issue": (
        "DELETE WHERE { GRAPH ?g { <{B}id/article/a/ref/1> jha:citedIssue ?x } } ;"
        'INSERT DATA { GRAPH <{B}graph/article/a> { <{B}id/article/a/ref/1> jha:citedIssue "3/2023" } }',
        [("qc", "crossref-target-mismatch-violation", "{B}id/article/a/ref/1")],
    ),
    "crossref-resolved-to-wrong-pages": (
        "DELETE WHERE { GRAPH ?g { <{B}id/article/a/ref/1> jha:citedPages ?x } } ;"
        'INSERT DATA { GRAPH <{B}graph/article/a> { <{B}id/article/a/ref/1> jha:citedPages "320" } }',
        [("qc", "crossref-target-mismatch-violation", "{B}id/article/a/ref/1")],
    ),
    "citation-missing-for-resolved-crossref": (
        "DELETE WHERE { GRAPH ?g { <{B}id/article/a> cito:cites ?x } }",
        [("qc", "citation-without-crossref-violation", A)],
    ),
    "evidence-without-about": (
        "DELETE WHERE { GRAPH ?g { <{B}id/article/a/evidence/1> jha:about ?x } }",
        [("shacl", "{B}id/article/a/evidence/1", JHA + "about", "MinCountConstraintComponent")],
    ),
    "evidence-quoting-another-article": (
        "DELETE WHERE { GRAPH ?g { <{B}id/article/a/evidence/1> prov:wasQuotedFrom ?x } } ;"
        "INSERT DATA { GRAPH <{B}graph/article/a> { <{B}id/article/a/evidence/1> prov:wasQuotedFrom <{B}id/article/b> } }",
        [("qc", "evidence-not-in-article-violation", "{B}id/article/a/evidence/1")],
    ),
    "dangling-reference": (
        "INSERT DATA { GRAPH <{B}graph/article/a> { <{B}id/article/a> jha:mentions <{B}id/org/nowhere> } }",
        [("qc", "dangling-reference-violation", A)],
    ),
    "article-outside-its-graph": (
        "INSERT DATA { GRAPH <{B}graph/reference> { <{B}id/article/c> a jha:Article ; dcterms:title \"C\" ;"
        ' jha:sourceFile "c.md" ; jha:sourceFormat "web" } }',
        [("qc", "article-without-graph-violation", "{B}id/article/c")],
    ),
    "article-graph-without-its-article": (
        'INSERT DATA { GRAPH <{B}graph/article/z> { <{B}id/person/x> a foaf:Person ; foaf:name "X" } }',
        [("qc", "article-graph-without-article-violation", "{B}graph/article/z")],
    ),
    "duplicate-article": (
        "DELETE WHERE { GRAPH ?g { <{B}id/article/b> jha:sourceFile ?f } } ;"
        'INSERT DATA { GRAPH <{B}graph/article/b> { <{B}id/article/b> jha:sourceFile "a.md" } }',
        [("qc", "duplicate-article-violation", A)],
    ),
    "presidency-term-not-a-half-year": (
        "DELETE WHERE { GRAPH ?g { <{B}id/presidency/2024-2-hu> jha:endDate ?d } } ;"
        'INSERT DATA { GRAPH <{B}graph/reference> { <{B}id/presidency/2024-2-hu> jha:endDate "2024-12-30"^^xsd:date } }',
        [("qc", "presidency-term-violation", HU)],
    ),
    "disjoint-meeting-kinds": (
        "INSERT DATA { GRAPH <{B}graph/article/b> { <{B}id/meeting/2024-03-04--2024-03-05-jha-council> a jha:OtherMeeting } }",
        [("qc", "disjoint-types-violation", MEETING)],
    ),
    "unlabelled-trio": (
        "DELETE WHERE { GRAPH ?g { <{B}id/trio/2023-2> rdfs:label ?l } }",
        [("qc", "missing-label-violation", "{B}id/trio/2023-2")],
    ),
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant(name):
    update, expected = VARIANTS[name]
    report = validate(build(update=update))
    assert problems(report) == expect(*expected), report.summary()
    assert not report.conforms


def test_facts_articles_state_differently_pass():
    """The meeting's label and the document's title and date differ between a and b (fixture)."""
    store = build()
    titles = {s["t"].value for s in store.query(
        PREFIXES + "SELECT ?t WHERE { GRAPH ?g { <%s> dcterms:title ?t } }" % DOC.replace("{B}", DEFAULT_BASE))}
    assert len(titles) == 2
    assert validate(store).conforms


def test_warning_rules_do_not_break_conformance(tmp_path):
    (tmp_path / "everything-warning.rq").write_text("SELECT ?s ?message WHERE { BIND(<urn:x> AS ?s) BIND('w' AS ?message) }")
    report = validate(build(), qc_dir=tmp_path)
    assert report.qc_results == {"everything-warning": [{"s": "urn:x", "message": "w"}]}
    assert report.conforms
    (tmp_path / "everything-violation.rq").write_text("SELECT ?s WHERE { BIND(<urn:y> AS ?s) }")
    report = validate(build(), qc_dir=tmp_path)
    assert list(report.qc_results) == ["everything-violation", "everything-warning"]  # sorted loop
    assert not report.conforms


def test_shapes_path_is_overridable(tmp_path):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text("""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:s> a sh:NodeShape ; sh:targetClass <https://w3id.org/jha-graph/ontology#Article> ;
            sh:property [ sh:path <urn:p> ; sh:minCount 1 ] .""")
    report = validate(build(), shapes_path=shapes, qc_dir=tmp_path)
    assert {v.focus_node for v in report.shacl_results} == {
        DEFAULT_BASE + "id/article/a", DEFAULT_BASE + "id/article/b"}
