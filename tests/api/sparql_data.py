"""Hand-made stores for the SPARQL, Graph Store and export tests (they do not depend on ingest).

``SAMPLE``: three article graphs, the reference graph and one triple in the default graph, with the
kinds of terms that break serialisers: language tags, datatypes, a blank node, tabs, newlines,
quotes and non-ASCII text.  ``generated(n)``: n plain triples spread over ten graphs, to give a
runaway query something to chew on.
"""
from __future__ import annotations

from pathlib import Path

from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, Store

BASE = "https://w3id.org/jha-graph/"
JHA = "https://w3id.org/jha-graph/ontology#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_DATE = NamedNode("http://www.w3.org/2001/XMLSchema#date")
SKOS_LABEL = NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")

ARTICLES = ("europol-report", "eppo-start", "ecris-tcn")
REFERENCE = NamedNode(BASE + "graph/reference")


def article(slug: str) -> NamedNode:
    return NamedNode(BASE + "id/article/" + slug)


def graph(slug: str) -> NamedNode:
    return NamedNode(BASE + "graph/article/" + slug)


def _sample() -> list[Quad]:
    quads = []
    titles = {"europol-report": Literal("Europol report “Decoding …” published", language="en"),
              "eppo-start": Literal("EPPO starts operations\ton 1 June", language="en"),
              "ecris-tcn": Literal('ECRIS-TCN: "go-live"\nin 2024')}
    for i, slug in enumerate(ARTICLES):
        g, a = graph(slug), article(slug)
        quads += [
            Quad(a, RDF_TYPE, NamedNode(JHA + "Article"), g),
            Quad(a, NamedNode(DCT + "title"), titles[slug], g),
            Quad(a, NamedNode(DCT + "date"), Literal(f"2024-0{i + 1}-15", datatype=XSD_DATE), g),
            Quad(a, NamedNode(JHA + "mentions"), NamedNode(BASE + "id/org/europol"), g),
        ]
    evidence = BlankNode("evidence1")
    quads += [
        Quad(evidence, NamedNode(JHA + "sentence"), Literal("Europol published its report."), graph("europol-report")),
        Quad(article("europol-report"), NamedNode(JHA + "hasEvidence"), evidence, graph("europol-report")),
        Quad(NamedNode(BASE + "id/org/europol"), RDF_TYPE, NamedNode(JHA + "Agency"), REFERENCE),
        Quad(NamedNode(BASE + "id/org/europol"), SKOS_LABEL, Literal("Europol", language="en"), REFERENCE),
        Quad(NamedNode(BASE + "id/org/europol"), SKOS_LABEL, Literal("Agence de l'UE — Europol", language="fr"),
             REFERENCE),
        Quad(NamedNode("http://example.org/default-subject"), NamedNode("http://example.org/p"), Literal(1),
             DefaultGraph()),
    ]
    return quads


SAMPLE = _sample()


def generated(n: int) -> list[Quad]:
    return [Quad(NamedNode(f"http://example.org/s{i}"), NamedNode(f"http://example.org/p{i % 7}"), Literal(i),
                 NamedNode(f"http://example.org/g{i % 10}")) for i in range(n)]


def build_store(path: Path, quads: list[Quad] | None = None) -> Path:
    """A store at ``path`` holding ``quads`` (default: SAMPLE); closed again, so a server can open it."""
    store = Store(str(path))
    store.bulk_extend(SAMPLE if quads is None else quads)
    store.flush()
    del store
    return path
