"""What a query worker answers (sparql/jobs.py): the result-size limit is exact whatever the literals hold,
and every results format carries the same rows."""
from __future__ import annotations

import json

import pytest
from pyoxigraph import Literal, NamedNode, Quad, QueryResultsFormat, Store, parse_query_results

from jha_graph.sparql.jobs import Job, pyoxigraph_query, run_job

EX = "http://example.org/"
# literals that look like the separator of two solutions in SPARQL JSON results, or like a whole row
TRICKY = ["},{", '"}},{"o":{', "a},{b},{c", "}", "{", '\\"},{\\"', "x\n},{\ny"]


def store_with(n: int, texts: list[str]) -> Store:
    store = Store()
    for i in range(n):
        store.add(Quad(NamedNode(f"{EX}s{i}"), NamedNode(f"{EX}p"), Literal(texts[i % len(texts)] * (1 + i % 3))))
    return store


def rows(answer) -> list:
    return list(parse_query_results(answer.body, QueryResultsFormat.JSON))


@pytest.mark.parametrize("n", [1, 9, 10, 11, 40])
def test_the_limit_counts_rows_not_separators_in_literals(n):
    store = store_with(n, TRICKY)
    answer = run_job(pyoxigraph_query(store), Job(query="SELECT ?s ?o { ?s ?p ?o }", max_results=10))
    if n <= 10:
        assert answer.status == 200 and not answer.truncated
        assert len(rows(answer)) == n
        body = json.loads(answer.body)
        assert sorted(b["o"]["value"] for b in body["results"]["bindings"]) == sorted(
            t.object.value for t in store)
    else:
        assert answer.truncated and answer.body == b""


def test_solutions_without_bindings_are_rows_too():
    store = store_with(3, ["x"])
    for limit, truncated in ((3, False), (2, True)):
        answer = run_job(pyoxigraph_query(store), Job(query="SELECT * { ?s ?p ?o } ", max_results=limit))
        assert answer.truncated is truncated
    answer = run_job(pyoxigraph_query(store), Job(query="SELECT ?none { ?s ?p ?o }", max_results=3))
    assert json.loads(answer.body)["results"]["bindings"] == [{}, {}, {}]
    assert run_job(pyoxigraph_query(store), Job(query="SELECT ?none { ?s ?p ?o }", max_results=2)).truncated


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_every_format_is_what_pyoxigraph_writes(fmt):
    store = store_with(25, TRICKY + ["plain", "é ü"])
    query = "SELECT ?s ?o { ?s ?p ?o } ORDER BY ?s"
    expected = store.query(query).serialize(format=getattr(QueryResultsFormat, fmt.upper()))
    for limit in (25, 100, None):
        answer = run_job(pyoxigraph_query(store), Job(query=query, solutions_format=fmt, max_results=limit))
        assert answer.body == expected and answer.format == fmt
