"""What a graph holds: counts by kind, articles, presidencies covered, links resolved."""
from __future__ import annotations

from .store import GraphStore

_COUNTS = """
SELECT ?kind (COUNT(DISTINCT ?s) AS ?n) WHERE {
  VALUES (?class ?kind) {
    (jha:Article "articles") (jha:CouncilPresidency "presidencies (calendar)") (jha:Meeting "meetings")
    (jha:JHACouncilMeeting "meetings") (jha:InformalJHAMeeting "meetings") (jha:EuropeanCouncilMeeting "meetings")
    (jha:OtherCouncilMeeting "meetings") (jha:HighLevelMeeting "meetings") (jha:OtherMeeting "meetings")
    (jha:CrossReference "cross-references") (jha:Evidence "evidence sentences")
  }
  ?s a ?class .
} GROUP BY ?kind ORDER BY ?kind"""
_DOCS = """
SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { GRAPH ?g { ?a a jha:Article ; jha:mentions ?d . ?d dcterms:title ?t } }"""
_ORGS = """
SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { GRAPH ?g { ?a a jha:Article ; jha:mentions ?o } ?o skos:prefLabel ?l }"""
_MENTIONED = """
SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { GRAPH ?g { ?a a jha:Article ; jha:mentions ?p } ?p a jha:CouncilPresidency }"""
_RESOLVED = """
SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r jha:refersTo ?t }"""


def _one(store: GraphStore, q: str) -> int:
    for row in store.query(q):
        return int(row["n"].value)
    return 0


def stats(store: GraphStore) -> dict:
    """Counts of what the graph holds, for ``jha-graph stats`` and the home page."""
    counts = {row["kind"].value: int(row["n"].value) for row in store.query(_COUNTS)}
    return {
        "quads": len(store),
        "named graphs": len(store.named_graphs()),
        "counts": {
            **counts,
            "documents": _one(store, _DOCS),
            "organisations named": _one(store, _ORGS),
            "presidencies named": _one(store, _MENTIONED),
            "cross-references resolved": _one(store, _RESOLVED),
        },
    }
