"""Which queries a server process may answer itself (sparql/protocol.py ``one_anchored_pattern``): one
triple pattern on a constant, nothing else; whatever could cost more goes to a killable worker."""
from __future__ import annotations

import doctest

import pytest

from jha_graph.sparql import protocol
from jha_graph.sparql.protocol import one_anchored_pattern

ANCHORED = [
    "SELECT ?p ?o WHERE { <http://x/a> ?p ?o }",
    "select ?o where { <http://x/a> <http://x/p> ?o . } limit 10 offset 20",
    "PREFIX ex: <http://x/> SELECT * { ?s a ex:Class }",
    "BASE <http://x/> PREFIX : <http://x/> ASK { :a ?p ?o }",
    'SELECT ?s { ?s <http://x/p> "Eurojust"@en }',
    'SELECT ?s { ?s <http://x/p> "2024"^^<http://www.w3.org/2001/XMLSchema#gYear> } OFFSET 3',
    "SELECT ?p ?o { <http://x/a> ?p ?o } # a comment",
]
NOT_ANCHORED = [
    "SELECT * { ?s ?p ?o }",                                    # a scan of everything
    "SELECT ?s { ?s <http://x/p> ?o }",                         # of a whole predicate
    "SELECT * { <a> ?p ?o . ?o ?q ?r }",                        # a join
    "SELECT * { <a> ?p ?o } UNION { ?s ?p ?o }",
    "SELECT * { <a> ?p ?o } VALUES ?o { 1 }",
    "SELECT * { <a> <p>/<q> ?o }",                              # paths
    "PREFIX ex: <http://x/> SELECT * { ex:a ex:p/ex:q ?o }",
    "SELECT * { <a> <p>* ?o }",
    "SELECT * { <a> ^<p> ?o }",
    "SELECT * { <a> ?p ?o FILTER(?o > 1) }",                    # filters, binds, optionals
    "SELECT * { <a> ?p ?o BIND(1 AS ?x) }",
    "SELECT * { <a> ?p ?o OPTIONAL { ?o ?q ?r } }",
    "SELECT * { { <a> ?p ?o } }",
    "SELECT * { GRAPH ?g { <a> ?p ?o } }",
    "SELECT * FROM <g> { <a> ?p ?o }",                          # a dataset
    "SELECT DISTINCT ?o { <a> ?p ?o }",                         # modifiers that collect
    "SELECT ?o { <a> ?p ?o } ORDER BY ?o",
    "SELECT (COUNT(*) AS ?n) { <a> ?p ?o }",
    "SELECT ?o { <a> ?p ?o } GROUP BY ?o",
    "CONSTRUCT { <a> ?p ?o } WHERE { <a> ?p ?o }",              # other forms
    "DESCRIBE <a>",
    "SELECT * { _:b ?p ?o }",                                    # a blank node is a variable
    "SELECT * { ?s ?p 5 }",
    "SELECT * { <a> ?p ?o } LIMIT",
    "SELECT * { <a> ?p ?o } LIMIT 1 0",
    "SELECT * { <a> ?p ?o ; ?q ?r }",                           # two patterns in one
    "SELECT * { <a> ?p ?o , ?r }",
    "SELECT * { <a> ?p [ ?q ?r ] }",
    "SELECT * { <a> ?p ( 1 2 ) }",
    "SELECT * { <<( <a> <b> <c> )>> ?p ?o }",
    "SELECT * { <a> ?p ?o SERVICE <http://x> { ?s ?p ?o } }",
    "INSERT DATA { <a> <b> <c> }",
    "",
    "{",
]


@pytest.mark.parametrize("query", ANCHORED)
def test_one_anchored_pattern_is_recognised(query):
    assert one_anchored_pattern(query)


@pytest.mark.parametrize("query", NOT_ANCHORED)
def test_anything_more_is_not(query):
    assert not one_anchored_pattern(query)


def test_the_examples_in_the_docstrings_hold():
    assert doctest.testmod(protocol).failed == 0
