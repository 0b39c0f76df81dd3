"""The embedded store: whole named graphs replaced in one transaction, exports in every format."""
from __future__ import annotations

import io

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from jha_graph.store import RDF_FORMATS, EmbeddedStore, QueryError, StoreError

EX = "http://example.org/"


def quad(s, o, g):
    return Quad(NamedNode(EX + s), NamedNode(EX + "p"), Literal(o), NamedNode(EX + g))


def test_replace_graphs_replaces_and_never_doubles(tmp_path):
    store = EmbeddedStore(tmp_path / "s")
    g = NamedNode(EX + "g")
    store.replace_graphs({g: [quad("a", "1", "g"), quad("b", "2", "g")]})
    store.replace_graphs({g: [quad("a", "1", "g")]})
    assert [str(q.object.value) for q in store.quads(g)] == ["1"]


def test_replace_graphs_leaves_other_graphs_alone(tmp_path):
    store = EmbeddedStore(tmp_path / "s")
    store.replace_graphs({NamedNode(EX + "g1"): [quad("a", "1", "g1")]})
    store.replace_graphs({NamedNode(EX + "g2"): [quad("a", "2", "g2")]})
    assert len(store) == 2


def test_query_syntax_errors_are_query_errors(tmp_path):
    store = EmbeddedStore(tmp_path / "s")
    with pytest.raises(QueryError, match="syntax"):
        store.query("SELEKT * WHERE { ?s ?p ?o }")


def test_the_default_graph_is_the_union_of_named_graphs(tmp_path):
    store = EmbeddedStore(tmp_path / "s")
    store.replace_graphs({NamedNode(EX + "g1"): [quad("a", "1", "g1")], NamedNode(EX + "g2"): [quad("b", "2", "g2")]})
    assert len(list(store.query("SELECT * WHERE { ?s ?p ?o }"))) == 2


@pytest.mark.parametrize("fmt", sorted(RDF_FORMATS))
def test_dump_in_every_format_parses_back(tmp_path, fmt):
    import rdflib

    store = EmbeddedStore(tmp_path / "s")
    store.replace_graphs({NamedNode(EX + "g"): [quad("a", "1", "g"), quad("b", "2", "g")]})
    out = io.BytesIO()
    store.dump(out, fmt)
    rdflib_format = {"nq": "nquads", "trig": "trig", "ttl": "turtle", "nt": "nt", "rdf": "xml",
                     "jsonld": "json-ld"}[fmt]
    ds = rdflib.Dataset()
    ds.parse(data=out.getvalue(), format=rdflib_format)
    assert sum(1 for _ in ds.quads((None, None, None, None))) == 2


def test_a_store_open_for_writing_cannot_be_opened_twice_for_writing(tmp_path):
    first = EmbeddedStore(tmp_path / "s")
    with pytest.raises(StoreError, match="cannot open"):
        EmbeddedStore(tmp_path / "s")
    assert len(first) == 0  # the first handle is still usable
