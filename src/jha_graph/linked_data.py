"""Linked data: describe one IRI, and write the description in every format the server speaks.

A description holds the IRI's triples in both directions, the names of its neighbours (as the
graphs that link them to it, the reference data and the ontology name them: ``name_graphs``), the
evidence sentences that state it (with their article) and the titles of the articles whose
graphs state it: everything a page, a client or a crawler needs in one answer.  Every format
(Turtle, N-Triples, RDF/XML, JSON-LD) is written from the same triples, so they parse into the
same graph.  JSON-LD is written by pyoxigraph (expanded) and then compacted with the prefixes of
:data:`jha_graph.namespaces.PREFIXES`, the ``@context`` the server also publishes at
``/context.jsonld``.

>>> negotiate("text/turtle;q=0.9, application/ld+json", ["html", "ttl", "jsonld"])
'jsonld'
>>> negotiate("text/html,application/xhtml+xml,*/*;q=0.8", ["html", "ttl"])
'html'
>>> negotiate("image/png", ["html", "ttl"]) is None
True
>>> curie("http://www.w3.org/2004/02/skos/core#prefLabel")
'skos:prefLabel'
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, Variable, parse, serialize

from .namespaces import DCTERMS, FOAF, JHA, ONTOLOGY, ONTOLOGY_IRI, OWL, PREFIXES, PROV, RDF, RDFS, SKOS, Minter

# suffix -> (media type, pyoxigraph format or None)
FORMATS: dict[str, tuple[str, RdfFormat | None]] = {
    "html": ("text/html; charset=utf-8", None),
    "ttl": ("text/turtle; charset=utf-8", RdfFormat.TURTLE),
    "jsonld": ("application/ld+json", RdfFormat.JSON_LD),
    "nt": ("application/n-triples", RdfFormat.N_TRIPLES),
    "rdf": ("application/rdf+xml", RdfFormat.RDF_XML),
    "json": ("application/json", None),
}
RDF_SUFFIXES = ("ttl", "jsonld", "nt", "rdf")
ALL_SUFFIXES = ("html", "ttl", "jsonld", "nt", "rdf", "json")
# media types a client may ask for -> suffix
MEDIA_TYPES: dict[str, str] = {
    "text/html": "html", "application/xhtml+xml": "html",
    "text/turtle": "ttl", "application/x-turtle": "ttl",
    "application/ld+json": "jsonld",
    "application/n-triples": "nt",
    "application/rdf+xml": "rdf",
    "application/json": "json",
}
LABELS = (SKOS.prefLabel, RDFS.label, DCTERMS.title, FOAF.name)
NAME_PROPERTIES = (*LABELS, SKOS.altLabel, JHA.acronym)
# what names a neighbour in a description (evidence is named by its sentence, a reference by its marker)
NEIGHBOUR_NAMES = (*LABELS, JHA.sentence, JHA.marker)

_CURIE_ORDER = sorted(PREFIXES.items(), key=lambda kv: len(kv[1]), reverse=True)


def curie(iri: str) -> str:
    """The prefixed name of an IRI under one of PREFIXES, else the IRI itself."""
    for prefix, ns in _CURIE_ORDER:
        if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns):].startswith("//"):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def negotiate(accept: str | None, offered: Iterable[str]) -> str | None:
    """The offered suffix the Accept header prefers (the first offered on a tie), or None."""
    offered = list(offered)
    if not accept or not accept.strip():
        return offered[0] if offered else None
    ranges = []
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for f in fields[1:]:
            k, _, v = f.partition("=")
            if k.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(v)))
                except ValueError:
                    q = 0.0
        ranges.append((media, q))
    best, best_q = None, 0.0
    for suffix in offered:
        q_for = None
        specificity = -1
        for media, q in ranges:
            types = [m for m, s in MEDIA_TYPES.items() if s == suffix]
            if media in types:
                spec = 2
            elif media.endswith("/*") and FORMATS[suffix][0].startswith(media[:-1]):
                spec = 1
            elif media == "*/*":
                spec = 0
            else:
                continue
            if spec > specificity:
                specificity, q_for = spec, q
        if q_for is not None and q_for > best_q:
            best, best_q = suffix, q_for
    return best


def split_suffix(path: str) -> tuple[str, str | None]:
    """``('org/eurojust', 'ttl')`` for ``'org/eurojust.ttl'``; ``(path, None)`` without a known suffix."""
    stem, dot, ext = path.rpartition(".")
    if dot and ext in FORMATS and stem and "/" not in ext:
        return stem, ext
    return path, None


# ------------------------------------------------------------------------------------ describe

# A description is the union of five parts (see ``describe``): the IRI's own quads both ways, the quads
# of the evidence nodes about it, its neighbours' names, and the titles of the articles whose graphs
# state it. Asked as one query (a UNION of the five), pyoxigraph planned the name and title parts as
# scans of the whole graph joined afterwards: seconds at 10,000 articles, growing with the graph. So
# each part is its own small query, anchored on terms already known: the IRI (a constant of the
# patterns), then the evidence nodes, neighbours and graphs the first query found (VALUES), those three
# asked together as the parts of one query (``select_together``): two round trips to a query worker in
# all (three for an entity that very many articles mention). Every pattern then starts from bound terms
# and pyoxigraph answers it by index look-ups, at a cost that follows the size of the answer, not of the
# graph. The answer is the same set of quads as the single query's, for an entity within the limits
# below (tests/api/test_describe.py compares them on every IRI of the test graphs).

# the IRI's quads, both ways, in every named graph that states them; the statements made of it (incoming)
# up to INCOMING_LIMIT subjects a property.  An entity that tens of thousands of articles mention (the
# Council at 10,000 articles: 10,000 ``jha:mentions`` and as many evidence nodes) took seconds to
# describe, and its description grew with the graph; some of its subjects are shown instead, with the
# count of all and the query that lists them (``Description.incoming``).  The IRI is written into the
# text (a checked IRI: nothing in it can end the ``<...>``): the parts are subqueries of one query,
# which substitutions do not reach.
INCOMING_LIMIT = 200
OUT_QUADS = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { %(iri)s ?p ?o } BIND(%(iri)s AS ?s) } LIMIT %(limit)d"
# When its own statements are restated in many graphs (a document's title and type in every article
# graph that mentions it: 32,000 at 100k articles), each statement once with a graph that states it,
# all it states in the first ``limit`` graphs, and the number of graphs
OUT_TRIPLES = ("SELECT ?s ?p ?o (SAMPLE(?h) AS ?g) WHERE { GRAPH ?h { %(iri)s ?p ?o } BIND(%(iri)s AS ?s) } "
               "GROUP BY ?s ?p ?o")
FIRST_OUT_QUADS = ("SELECT ?s ?p ?o ?g WHERE { { SELECT DISTINCT ?g WHERE { GRAPH ?g { %(iri)s ?p0 ?o0 } } "
                   "LIMIT %(limit)d } GRAPH ?g { %(iri)s ?p ?o } BIND(%(iri)s AS ?s) }")
OUT_GRAPHS = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { %(iri)s ?p ?o } }"
# every graph that states something of it, a page of them (the link to all)
ALL_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { %s ?p ?o } } ORDER BY ?g LIMIT %d"
INCOMING_COUNTS = "SELECT ?p (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s ?p %(iri)s } } GROUP BY ?p"
# all incoming quads, when there are not many (LIMIT: the incoming part of a small description, whole)
IN_QUADS = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p %(iri)s } BIND(%(iri)s AS ?o) } LIMIT %(limit)d"
# the incoming quads of some properties
IN_QUADS_OF = "SELECT ?s ?p ?o ?g WHERE { VALUES ?p { %(props)s } GRAPH ?g { ?s ?p %(iri)s } BIND(%(iri)s AS ?o) }"
# the incoming quads of ``limit`` subjects of one property: the first the store gives, in the order of
# its index (stable for a store, and no sort: ORDER BY ?s over the Council's 10,000 subjects took 0.4 s,
# pyoxigraph reading each IRI's text for every comparison).  The terms are constants of the pattern:
# bound by VALUES instead, pyoxigraph read every subject before the LIMIT (80 ms, not 1, at 100k articles).
FIRST_IN_QUADS = ("SELECT ?s ?p ?o ?g WHERE { { SELECT DISTINCT ?s WHERE { GRAPH ?h { ?s %(prop)s %(iri)s } } "
                  "LIMIT %(limit)d } GRAPH ?g { ?s %(prop)s %(iri)s } BIND(%(prop)s AS ?p) BIND(%(iri)s AS ?o) }")
# every subject of one property, by IRI, a page of them (the link to all; page on with OFFSET)
ALL_SUBJECTS = "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s %s %s } } ORDER BY ?s LIMIT %d"

# the quads of the evidence nodes about it, each in the graph that says it is about it
# (VALUES: pairs of an evidence node and its graph, from its own quads)
EVIDENCE_QUADS = "SELECT ?s ?p ?o ?g WHERE { VALUES (?s ?g) { %s } GRAPH ?g { ?s ?p ?o } }"
# the same from the IRI, for evidence nodes VALUES cannot hold (blank nodes)
EVIDENCE_ABOUT = "SELECT ?s ?p ?o ?g ?iri WHERE { GRAPH ?g { ?s jha:about ?iri . ?s ?p ?o } }"

# the names of its neighbours, as the graphs that name them for it state them (VALUES: pairs of a
# neighbour, an IRI on the other side of one of its quads, and a graph that may name it: see
# ``name_graphs``).  With the neighbour and the graph both bound, the pattern is a look-up of the few
# quads of that node in that graph, filtered by property (where only the neighbour was bound, a
# ``FILTER(?p IN ...)`` made pyoxigraph scan every name in the graph).  Not the names in every graph: a
# place or a much-cited document is named again in every article graph that mentions it (at 100k
# articles, Brussels in some 10,000), and reading every copy to keep one made a description grow with
# the graph (10-100 ms for a meeting held in Brussels).  ``describe`` keeps each name once, in the least
# graph (by IRI) that states it.
_NAME_FILTER = ", ".join(str(p) for p in NEIGHBOUR_NAMES)
NEIGHBOUR_NAMES_QUADS = ("SELECT ?s ?p ?o ?g WHERE { VALUES (?s ?g) { %s } GRAPH ?g { ?s ?p ?o } "
                         f"FILTER(?p IN ({_NAME_FILTER})) }}")

# the names of the neighbours that VALUES cannot hold (blank nodes: the ontology's class lists and
# unions), found again from the IRI, one direction a query (a UNION of both made pyoxigraph scan every
# quad of the graph; one direction is a look-up per neighbour); asked only when there are some.  The
# same graphs name them (%s: the reference and ontology graphs; a blank node has no article graph).
BLANK_NEIGHBOUR_NAMES_QUADS = {
    "out": f"""
SELECT ?s ?p ?o ?g ?iri WHERE {{
  GRAPH ?g1 {{ ?iri ?p1 ?s }} FILTER(!isIRI(?s) && !isLiteral(?s))
  GRAPH ?g {{ ?s ?p ?o }} FILTER(?p IN ({_NAME_FILTER}))
  FILTER(?g = ?g1 || ?g IN (%s))
}}
""",
    "in": f"""
SELECT ?s ?p ?o ?g ?iri WHERE {{
  GRAPH ?g1 {{ ?s ?p1 ?iri }} FILTER(!isIRI(?s) && !isLiteral(?s))
  GRAPH ?g {{ ?s ?p ?o }} FILTER(?p IN ({_NAME_FILTER}))
  FILTER(?g = ?g1 || ?g IN (%s))
}}
""",
}

# the titles of the articles in the graphs that state it (VALUES: those graphs).  ``?s ?type jha:Article``
# with FILTER, not ``?s a jha:Article``: with the type spelled out pyoxigraph took the pattern for a cheap
# one and scanned every article of the graph (hash join); with ?type open it looks up each graph's.
ARTICLE_TITLES_QUADS = """
SELECT ?s ?p ?o ?g WHERE {
  VALUES ?g { %s }
  GRAPH ?g { ?s ?type jha:Article }
  FILTER(?type = rdf:type)
  GRAPH ?g { ?s dcterms:title ?o }
  BIND(dcterms:title AS ?p)
}
"""
VALUES_PER_QUERY = 500  # terms in one VALUES block: keeps a query to a SPARQL server well under its limits

GRAPH_CONTENT = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?graph { ?s ?p ?o } }"


Term = NamedNode | BlankNode | Literal


@dataclass
class Description:
    """What the graph says about one IRI, as quads ``(s, p, o, graph)``."""

    iri: NamedNode
    quads: list[tuple[Term, NamedNode, Term, Term]] = field(default_factory=list)
    # property IRI -> how many subjects state it of the IRI, for the properties whose subjects the
    # quads hold only the first ``INCOMING_LIMIT`` of (``describe``)
    incoming: dict[str, int] = field(default_factory=dict)
    # how many graphs state something of it, when the quads hold its statements in only some of them
    graphs: int | None = None

    @property
    def exists(self) -> bool:
        return any(s == self.iri or o == self.iri for s, _, o, _ in self.quads)

    @property
    def triples(self) -> list[Triple]:
        """The deduplicated triples, in a stable order."""
        seen = {(s, p, o) for s, p, o, _ in self.quads}
        return sorted((Triple(s, p, o) for s, p, o in seen), key=str)

    def summary(self, minter: Minter, href: Callable[[str], str], names: dict[str, str] | None = None,
                sparql: Callable[[str], str] | None = None) -> dict:
        """The JSON view: labels, types, facts both ways (grouped by property), sources with sentences.
        ``sparql`` makes the URL of a query, for the link to the subjects a description leaves out."""
        return summarize(self, minter, href, names or {}, sparql)

    def all_query(self, prop: str, page: int = 5000) -> str:
        """The query for every subject of ``prop`` (of the IRI), by IRI, the first ``page`` of them."""
        return ALL_SUBJECTS % (f"<{prop}>", self.iri, page)

    def graphs_query(self, page: int = 5000) -> str:
        """The query for every graph that states something of the IRI, the first ``page`` of them."""
        return ALL_GRAPHS % (self.iri, page)

    def left_out(self) -> list[tuple[str, str]]:
        """``(what, query)`` for each part the description holds only some of."""
        out = [(f"all {n} subjects of <{p}>", self.all_query(p)) for p, n in sorted(self.incoming.items())]
        if self.graphs is not None:
            out.append((f"all {self.graphs} graphs that state it", self.graphs_query()))
        return out


def describe(store, iri: NamedNode, minter: Minter | None = None, incoming_limit: int | None = None) -> Description:
    """Everything the store says about an IRI (an empty description if it says nothing).

    The quads ``(s, p, o, graph)``, each once, of: the IRI's own statements both ways; the evidence
    nodes about it (every quad of such a node in the graph that says so); the names
    (``NEIGHBOUR_NAMES``) of the nodes on the other side of its statements, as the graphs that name
    them state them (``name_graphs``), each once, in the least of those graphs (by IRI) that states it;
    and the title of each article typed ``jha:Article`` in a graph that states it.  Of a property stated
    of the IRI by more than ``incoming_limit`` subjects (default ``INCOMING_LIMIT``), that many of them (the
    first in the store's index order), their number in ``Description.incoming`` and the query for all in
    ``Description.all_query``.  Of its own statements, when restated in many graphs: each once (in some
    graph that states it), all of them in the first ``incoming_limit`` graphs, and the number of graphs in
    ``Description.graphs``.  Sorted, so that the same store gives the same description.  ``minter``
    (the graph's base; default base if None) tells the reference, ontology and article graphs.
    """
    minter = minter or Minter()
    subs = {Variable("iri"): iri}
    quads: set[tuple] = set()
    limit = INCOMING_LIMIT if incoming_limit is None else incoming_limit

    def add(results) -> None:
        quads.update((r["s"], r["p"], r["o"], r["g"]) for r in results)

    # its own quads both ways when there are not many, and the incoming ones counted by property (one
    # query); else (a second query) its statements once each and all of them in some graphs, and the
    # first subjects of each property stated of it by many
    few = 4 * limit
    terms = {"iri": str(iri), "limit": limit}
    out_part, counts_part, in_part = select_together(store, [(OUT_QUADS % {**terms, "limit": few + 1}, 1),
                                                             (INCOMING_COUNTS % terms, 1),
                                                             (IN_QUADS % {**terms, "limit": few + 1}, 1)])
    counts = {r["p"].value: int(r["n"].value) for r in counts_part}
    many = {p: n for p, n in counts.items() if n > limit}
    more: list[tuple[str, int]] = []
    graph_count, count_at = None, None
    if len(out_part) <= few:
        add(out_part)
    else:
        count_at = 0  # the first part of ``more``: OUT_GRAPHS
        more += [(OUT_GRAPHS % terms, 1), (OUT_TRIPLES % terms, 1), (FIRST_OUT_QUADS % terms, 1)]
    if not many and len(in_part) <= few:
        add(in_part)
    else:
        more += [(FIRST_IN_QUADS % {**terms, "prop": f"<{p}>"}, 1) for p in sorted(many)]
        rest = sorted(p for p in counts if p not in many)
        if rest:
            values = " ".join(f"<{p}>" for p in rest)
            more.append((IN_QUADS_OF % {**terms, "props": values}, len(rest)))
    for i, part in enumerate(select_together(store, more) if more else []):
        if i == count_at:
            graph_count = next(int(r["n"].value) for r in part)
        else:
            add(part)
    out = {o for s, _, o, _ in quads if s == iri}
    into = {s for s, _, o, _ in quads if o == iri}
    # each neighbour, with the graphs that state a quad of it and the IRI
    linked: dict[Term, set[str]] = defaultdict(set)
    for s, _, o, g in quads:
        if isinstance(g, NamedNode):
            linked[o if s == iri else s].add(g.value)
    evidence = sorted({(s, g) for s, p, o, g in quads if o == iri and p == JHA.about}, key=str)
    graphs = sorted({g.value for *_, g in quads if isinstance(g, NamedNode)})  # jha-graph names graphs by IRI

    # the rest in as few queries as the VALUES blocks allow (each query a round trip to a query worker,
    # ~0.2 ms, which was most of a small description's time): evidence, names, titles
    parts: list[tuple[str, int]] = []  # (query, VALUES terms)
    if all(isinstance(s, NamedNode) for s, _ in evidence):
        parts += [(EVIDENCE_QUADS % " ".join(chunk), len(chunk))
                  for chunk in _chunks([f"({s} {g})" for s, g in evidence])]
    else:  # an evidence node that is a blank node (VALUES cannot hold it): from the IRI itself
        add(store.query(EVIDENCE_ABOUT, substitutions=subs))
    pairs = sorted(f"({n} <{g}>)" for n, gs in linked.items() if isinstance(n, NamedNode)
                   for g in name_graphs(n, gs, minter))
    names_from = len(parts)
    parts += [(NEIGHBOUR_NAMES_QUADS % " ".join(chunk), len(chunk)) for chunk in _chunks(pairs)]
    titles_from = len(parts)
    parts += [(ARTICLE_TITLES_QUADS % " ".join(chunk), len(chunk)) for chunk in _chunks([f"<{g}>" for g in graphs])]
    names: dict[tuple, str] = {}  # (s, p, o) -> the least graph that states it
    for i, part in enumerate(select_together(store, parts)):
        if names_from <= i < titles_from:
            for r in part:
                key = (r["s"], r["p"], r["o"])
                names[key] = min(names.get(key, r["g"].value), r["g"].value)
        else:
            add(part)
    shared = ", ".join(str(g) for g in (minter.reference_graph, minter.ontology_graph))
    for direction, neighbours in (("out", out), ("in", into)):
        if any(not isinstance(n, (NamedNode, Literal)) for n in neighbours):  # literals have no names
            for r in store.query(BLANK_NEIGHBOUR_NAMES_QUADS[direction] % shared, substitutions=subs):
                key = (r["s"], r["p"], r["o"])
                names[key] = min(names.get(key, r["g"].value), r["g"].value)
    quads.update((*key, NamedNode(g)) for key, g in names.items())
    return Description(iri, sorted(quads, key=_quad_order), many, graph_count)


def select_together(store, parts: list[tuple[str, int]], limit: int | None = None) -> list:
    """The solutions of each of several SELECT queries (``(query, VALUES terms)``), asked as few queries:
    a UNION of them as subqueries, each row tagged with its part, as many parts to a query as keep it
    within ``limit`` VALUES terms (VALUES_PER_QUERY; a part may be that big alone).  Each query is a round
    trip to a query worker (~0.2 ms), which was most of the time of a lookup's small queries.

    Each part binds its own terms (VALUES or text, not substitutions, which do not reach into a
    subquery) and projects its variables by name (``SELECT ?a (MIN(?t) AS ?title)``, not ``*``); its
    answer has those ``variables`` and its rows as it gives them.
    """
    limit = VALUES_PER_QUERY if limit is None else limit
    out = [Rows([Variable(v) for v in projection(q)], []) for q, _ in parts]
    batches: list[list[int]] = []
    size = 0
    for i, (_, terms) in enumerate(parts):
        if not batches or size + terms > limit:
            batches.append([])
            size = 0
        batches[-1].append(i)
        size += terms
    for batch in batches:
        if len(batch) == 1:
            out[batch[0]].rows.extend(store.query(parts[batch[0]][0]))
            continue
        query = "SELECT * WHERE {\n" + "\n  UNION\n".join(
            f"  {{ {{ {parts[i][0]} }} BIND({i} AS ?_part) }}" for i in batch) + "\n}"
        for r in store.query(query):
            out[int(r["_part"].value)].rows.append(r)
    return out


@dataclass
class Rows:
    """SELECT solutions as ``select_together`` hands them back: ``variables``, and iteration."""

    variables: list[Variable]
    rows: list

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def projection(query: str) -> list[str]:
    """The names of the variables a SELECT query projects, in order.

    >>> projection("SELECT DISTINCT ?a (MIN(?t) AS ?title) (GROUP_CONCAT(DISTINCT STR(?c); separator=' ') AS ?types) WHERE { }")
    ['a', 'title', 'types']
    """
    m = re.search(r"\bSELECT\s+(?:DISTINCT\s+|REDUCED\s+)?(.*?)\bWHERE\b", query, flags=re.S | re.I)
    if m is None or m.group(1).strip() == "*":
        raise ValueError("not a SELECT that names its variables")
    head, names, depth, i = m.group(1), [], 0, 0
    while i < len(head):
        c = head[i]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c in "?$":
            name = re.match(r"[?$](\w+)", head[i:]).group(1)
            if depth == 0 or re.search(r"\bAS\s*$", head[:i], flags=re.I):
                names.append(name)
            i += len(name)
        i += 1
    return names


def name_graphs(node: NamedNode, linking: Iterable[str], minter: Minter) -> set[str]:
    """The graphs whose names of ``node`` a description gives: those that state its link to the described
    IRI (``linking``), the reference and ontology graphs, and the graph of its article (an article, its
    evidence and cross-references).

    An article graph names what it links to (a meeting's place, a document, a person: the graph is
    self-contained), the reference graph what every graph links to (presidencies, organisations,
    countries, topics), the ontology its terms; an article's title is in its own graph (needed where the
    link is in the links graph).  The names other graphs give the node are in its own description.

    >>> m = Minter()
    >>> sorted(name_graphs(m.article("a1"), [m.links_graph.value], m))  # doctest: +NORMALIZE_WHITESPACE
    ['https://w3id.org/jha-graph/graph/article/a1', 'https://w3id.org/jha-graph/graph/links',
     'https://w3id.org/jha-graph/graph/ontology', 'https://w3id.org/jha-graph/graph/reference']
    """
    out = {*linking, minter.reference_graph.value, minter.ontology_graph.value}
    slug = minter.slug_of(node.value)
    if slug:
        out.add(minter.article_graph(slug).value)
    return out


def _quad_order(quad: tuple) -> tuple:
    """A sort key of a quad: the terms' texts (cheaper than ``str`` of each, which a large description
    felt: 55 against 14 ms for 11,000 quads), then a literal's datatype or language."""
    s, p, o, g = quad
    return (_text(s), p.value, _text(o), str(o) if isinstance(o, Literal) else "", _text(g))


def _text(term) -> str:
    return term.value if isinstance(term, (NamedNode, BlankNode, Literal)) else str(term)


def _chunks(items: list[str]) -> Iterator[list[str]]:
    n = VALUES_PER_QUERY
    for i in range(0, len(items), n):
        yield items[i:i + n]


def graph_triples(store, graph: NamedNode) -> list[Triple]:
    """The triples of one named graph, in a stable order."""
    return sorted(store.query(GRAPH_CONTENT, substitutions={Variable("graph"): graph}), key=str)


# ------------------------------------------------------------------------------------ the JSON view

def term_json(term: Term, labels: dict[str, str], href: Callable[[str], str]) -> dict:
    """A term as JSON: ``{"type": "iri", "iri", "label", "href"}`` or ``{"type": "literal", "value", ...}``."""
    if isinstance(term, NamedNode):
        return {"type": "iri", "iri": term.value, "label": labels.get(term.value) or curie(term.value),
                "href": href(term.value)}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "id": term.value, "label": labels.get(str(term)) or f"_:{term.value}"}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["lang"] = term.language
    elif term.datatype.value != PREFIXES["xsd"] + "string":
        out["datatype"] = curie(term.datatype.value)
    return out


def _label_map(quads, names: dict[str, str]) -> dict[str, str]:
    """IRI -> best label: skos:prefLabel (English first), rdfs:label, dcterms:title, foaf:name; then names."""
    rank = {p.value: i for i, p in enumerate(NEIGHBOUR_NAMES)}
    best: dict[str, tuple] = {}
    for s, p, o, _ in quads:
        if p.value in rank and isinstance(o, Literal):
            key = s.value if isinstance(s, NamedNode) else str(s)
            score = (rank[p.value], 0 if o.language in (None, "en") else 1, o.value)
            if key not in best or score < best[key]:
                best[key] = score
    out = dict(names)
    for key, (r, _, value) in best.items():
        text = value if r < len(LABELS) else _shorten(value)
        out[key] = text
    return out


def _shorten(text: str, n: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + "…"


def highlights(sentence: str, names: Iterable[str]) -> list[list[int]]:
    """Spans ``[start, end]`` of the sentence where one of the names occurs (whole words, any case).

    >>> highlights("Eurojust and EUROJUST's partners", ["Eurojust"])
    [[0, 8], [13, 21]]
    """
    spans = []
    for name in sorted({n for n in names if len(n) >= 2}, key=len, reverse=True):
        for m in re.finditer(r"(?<!\w)" + re.escape(name) + r"(?!\w)", sentence, flags=re.IGNORECASE):
            if not any(a < m.end() and m.start() < b for a, b in spans):
                spans.append((m.start(), m.end()))
    return [list(x) for x in sorted(spans)]


def summarize(desc: Description, minter: Minter, href: Callable[[str], str], names: dict[str, str],
              sparql: Callable[[str], str] | None = None) -> dict:
    iri = desc.iri
    labels = _label_map(desc.quads, names)
    out_by_p: dict[str, list] = defaultdict(list)
    in_by_p: dict[str, list] = defaultdict(list)
    own_names, types = [], []
    stating_graphs: set[str] = set()
    evidence: dict[str, dict] = {}
    seen = set()
    for s, p, o, g in desc.quads:
        if s == iri or o == iri:
            stating_graphs.add(g.value)
        if (s, p, o) in seen:
            continue
        seen.add((s, p, o))
        if s == iri:
            if p == RDF.type:
                types.append(o)
            elif p in NAME_PROPERTIES and isinstance(o, Literal):
                own_names.append((p, o))
            else:
                out_by_p[p.value].append(o)
        if o == iri and s != iri:
            if p == JHA.about:
                evidence.setdefault(s.value, {"evidence": s.value, "graph": g.value})
            else:
                in_by_p[p.value].append(s)
    for s, p, o, g in desc.quads:
        ev = evidence.get(s.value) if isinstance(s, NamedNode) else None
        if ev is not None and s != iri:
            if p == JHA.sentence:
                ev["text"] = o.value
            elif p == JHA.offset:
                try:
                    ev["offset"] = int(o.value)
                except ValueError:
                    ev["offset"] = None
            elif p == PROV.wasQuotedFrom:
                ev["article"] = o.value
    name_values = [o.value for _, o in own_names]

    def sort_key(t):
        return (labels.get(t.value, t.value) if isinstance(t, NamedNode) else t.value).lower()

    facts = [{"property": term_json(NamedNode(p), labels, href),
              "values": [term_json(v, labels, href) for v in sorted(vals, key=sort_key)]}
             for p, vals in sorted(out_by_p.items(), key=lambda kv: labels.get(kv[0], curie(kv[0])).lower())]

    def link(query: str) -> dict:
        return {"more": sparql(query)} if sparql else {"query": query}

    def more(prop: str) -> dict:  # the link to the subjects the description leaves out
        return link(desc.all_query(prop)) if prop in desc.incoming else {}

    # the graphs that state its own statements (all, or some of them: ``desc.graphs``)
    own_graphs = {g.value for s, _, _, g in desc.quads if s == iri and isinstance(g, NamedNode)}
    more_graphs = link(desc.graphs_query()) if desc.graphs is not None else {}

    inverse = [{"property": term_json(NamedNode(p), labels, href),
                "subjects": [term_json(v, labels, href) for v in sorted(vals, key=sort_key)],
                "count": desc.incoming.get(p, len(vals)), **more(p)}
               for p, vals in sorted(in_by_p.items(), key=lambda kv: labels.get(kv[0], curie(kv[0])).lower())]

    # sources: every graph that states a triple of it, articles first, with the evidence quoted from each
    by_graph: dict[str, dict] = {}
    for g in sorted(stating_graphs | {ev["graph"] for ev in evidence.values()}):
        slug = minter.slug_of(g)
        article = minter.article(slug).value if slug else None
        by_graph[g] = {"graph": g, "kind": "article" if slug else _graph_kind(g, minter),
                       "article": term_json(NamedNode(article), labels, href) if article else None,
                       "sentences": []}
    for ev in evidence.values():
        if "text" not in ev:
            continue
        ev["marks"] = highlights(ev["text"], name_values)
        by_graph[ev["graph"]]["sentences"].append(
            {"text": ev["text"], "offset": ev.get("offset"), "marks": ev["marks"],
             "evidence": term_json(NamedNode(ev["evidence"]), labels, href)})
    for src in by_graph.values():
        src["sentences"].sort(key=lambda x: (x["offset"] is None, x["offset"] or 0))
    sources = sorted(by_graph.values(), key=lambda x: (x["kind"] != "article", x["graph"]))

    rank = {p: i for i, p in enumerate(NAME_PROPERTIES)}
    own_names.sort(key=lambda po: (rank.get(po[0], 99), po[1].language not in (None, "en"), po[1].value))
    label = labels.get(iri.value) or curie(iri.value)
    return {
        "iri": iri.value,
        "id": minter_path(iri.value, minter),
        "label": label,
        "labels": [{"property": curie(p.value), **term_json(o, labels, href)} for p, o in own_names],
        "types": [term_json(t, labels, href) for t in sorted(set(types), key=sort_key)],
        "facts": facts,
        "inverse": inverse,
        "sources": sources,
        "evidence": {"count": desc.incoming.get(JHA.about.value, len(evidence)), "shown": len(evidence),
                     **more(JHA.about.value)},
        "stated_in": {"count": desc.graphs or len(own_graphs), "shown": len(own_graphs), **more_graphs},
    }


def _graph_kind(g: str, minter: Minter) -> str:
    return {minter.reference_graph.value: "reference", minter.links_graph.value: "links",
            minter.ontology_graph.value: "ontology"}.get(g, "other")


def minter_path(iri: str, minter: Minter) -> str | None:
    """The id path (``org/eurojust``) of an IRI minted under the base, else None."""
    prefix = minter.base + "id/"
    return iri[len(prefix):] if iri.startswith(prefix) else None


# ------------------------------------------------------------------------------------ serialise

def jsonld_context() -> dict:
    """The ``@context`` of every JSON-LD answer: the project's prefixes (published at /context.jsonld)."""
    return {"@context": dict(PREFIXES)}


def to_jsonld(triples: Iterable[Triple]) -> dict:
    """A compact JSON-LD document: pyoxigraph's expanded JSON-LD, with prefixed names and ``@type``."""
    expanded = json.loads(serialize(list(triples), format=RdfFormat.JSON_LD) or b"[]")
    if isinstance(expanded, dict):
        expanded = expanded.get("@graph", [expanded])
    nodes = []
    for node in expanded:
        out: dict = {}
        for key, values in node.items():
            if key == "@id":
                out["@id"] = curie(values) if not values.startswith("_:") else values
            elif key == RDF.type.value and all("@id" in v for v in values):
                out["@type"] = [curie(v["@id"]) for v in values]
            elif key.startswith("@"):
                out[key] = values
            else:
                out[curie(key)] = [_compact_value(v) for v in values]
        nodes.append(out)
    nodes.sort(key=lambda n: n.get("@id", ""))
    return {**jsonld_context(), "@graph": nodes}


def _compact_value(v: dict) -> dict | str:
    if "@id" in v:
        return {"@id": v["@id"] if v["@id"].startswith("_:") else curie(v["@id"])}
    if "@type" in v:
        return {"@value": v["@value"], "@type": curie(v["@type"])}
    if "@language" in v:
        return v
    return v.get("@value", v)


def used_prefixes(triples: Iterable[Triple]) -> dict[str, str]:
    """The PREFIXES whose namespace some IRI of the triples is in."""
    iris = set()
    for t in triples:
        for term in (t.subject, t.predicate, t.object):
            if isinstance(term, NamedNode):
                iris.add(term.value)
            elif isinstance(term, Literal):
                iris.add(term.datatype.value)
    return {p: ns for p, ns in PREFIXES.items() if any(i.startswith(ns) for i in iris)}


def serialize_triples(triples: Iterable[Triple], suffix: str) -> bytes:
    """Triples in an RDF format named by its suffix (ttl, nt, rdf, jsonld)."""
    triples = list(triples)
    if suffix == "jsonld":
        return json.dumps(to_jsonld(triples), ensure_ascii=False, indent=1).encode()
    fmt = FORMATS[suffix][1]
    prefixes = used_prefixes(triples) if suffix in ("ttl", "rdf") else None
    return serialize(triples, format=fmt, prefixes=prefixes) or b""


# ------------------------------------------------------------------------------------ the ontology

_KIND_ORDER = (
    ("classes", OWL.Class), ("object_properties", OWL.ObjectProperty),
    ("datatype_properties", OWL.DatatypeProperty), ("annotation_properties", OWL.AnnotationProperty),
)
_SCHEMA = "https://schema.org/"


class OntologyDoc:
    """The ontology, read once from ``ontology/jha.ttl``: its triples, its Turtle text, a model for HTML.

    The model lists every class and property (the project's own first, then the external terms it
    declares), each with its label, definition, super- and subterms, domains and ranges.
    """

    def __init__(self, triples: list[Triple], turtle: bytes | None = None, source: str | None = None) -> None:
        self.triples = sorted(triples, key=str)
        self.turtle = turtle
        self.source = source
        self.iri = ONTOLOGY_IRI
        self._index()

    @classmethod
    def load(cls, path: str | Path) -> OntologyDoc:
        path = Path(path)
        data = path.read_bytes()
        return cls(list(parse(data, format=RdfFormat.TURTLE, base_iri=ONTOLOGY_IRI)), data, str(path))

    @classmethod
    def from_store(cls, store, graph: NamedNode) -> OntologyDoc:
        return cls(graph_triples(store, graph))

    def _index(self) -> None:
        self.po: dict[str, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
        self.op: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for t in self.triples:
            if isinstance(t.subject, NamedNode):
                self.po[t.subject.value][t.predicate.value].append(t.object)
            if isinstance(t.object, NamedNode) and isinstance(t.subject, NamedNode):
                self.op[t.object.value][t.predicate.value].append(t.subject.value)
        self.labels: dict[str, str] = {}
        for s, props in self.po.items():
            for p in (RDFS.label.value, SKOS.prefLabel.value):
                vals = [o for o in props.get(p, []) if isinstance(o, Literal)]
                if vals:
                    vals.sort(key=lambda o: (o.language not in (None, "en"), o.value))
                    self.labels[s] = vals[0].value
                    break

    def _values(self, s: str, p: NamedNode) -> list[Term]:
        return self.po.get(s, {}).get(p.value, [])

    def _text(self, s: str, p: NamedNode) -> str | None:
        vals = [o for o in self._values(s, p) if isinstance(o, Literal)]
        vals.sort(key=lambda o: (o.language not in (None, "en"), o.value))
        return vals[0].value if vals else None

    def _refs(self, iris: Iterable[str]) -> list[dict]:
        return sorted(({"iri": i, "curie": curie(i), "label": self.labels.get(i, curie(i)),
                        "anchor": self.anchor(i)} for i in set(iris)), key=lambda r: r["label"].lower())

    def anchor(self, iri: str) -> str | None:
        """The fragment of the term on the documentation page, if the page documents it."""
        if iri not in self.po:
            return None
        if iri.startswith(ONTOLOGY):
            return iri[len(ONTOLOGY):]
        return re.sub(r"[^A-Za-z0-9_-]", "-", curie(iri))

    def model(self) -> dict:
        """Everything the documentation page shows (also the JSON view of /ontology)."""
        kinds = {k: [] for k, _ in _KIND_ORDER}
        for s in sorted(self.po):
            types = {o.value for o in self._values(s, RDF.type) if isinstance(o, NamedNode)}
            for kind, cls in _KIND_ORDER:
                if cls.value in types:
                    kinds[kind].append(self._term(s, types, kind))
                    break
        for items in kinds.values():
            items.sort(key=lambda t: (not t["own"], t["label"].lower()))
        onto = ONTOLOGY_IRI
        return {
            "iri": onto,
            "title": self._text(onto, DCTERMS.title) or "Ontology",
            "description": self._text(onto, DCTERMS.description),
            "version": self._text(onto, OWL.versionInfo),
            "version_iri": next((o.value for o in self._values(onto, OWL.versionIRI)), None),
            "license": next((o.value for o in self._values(onto, DCTERMS.license)), None),
            "creator": self._text(onto, DCTERMS.creator),
            "namespace": ONTOLOGY,
            "prefix": "jha",
            **kinds,
        }

    def _term(self, s: str, types: set[str], kind: str) -> dict:
        get = lambda p: [o.value for o in self._values(s, p) if isinstance(o, NamedNode)]  # noqa: E731
        sub = RDFS.subClassOf if kind == "classes" else RDFS.subPropertyOf
        term = {
            "iri": s, "curie": curie(s), "anchor": self.anchor(s), "own": s.startswith(ONTOLOGY),
            "label": self.labels.get(s, curie(s)),
            "definition": self._text(s, SKOS.definition) or self._text(s, RDFS.comment),
            "comment": self._text(s, RDFS.comment) if self._text(s, SKOS.definition) else None,
            "notes": sorted(o.value for o in self._values(s, SKOS.note) if isinstance(o, Literal)),
            "examples": sorted(o.value for o in self._values(s, SKOS.example) if isinstance(o, Literal)),
            "types": [curie(t) for t in sorted(types)],
            "super": self._refs(get(sub)),
            "sub": self._refs(self.op.get(s, {}).get(sub.value, [])),
            "defined_by": next(iter(get(RDFS.isDefinedBy)), None),
            "equivalent": self._refs(get(OWL.equivalentClass) + get(OWL.equivalentProperty)),
            "disjoint": self._refs(get(OWL.disjointWith)),
        }
        if kind == "classes":
            term["properties"] = self._refs(self.op.get(s, {}).get(RDFS.domain.value, [])
                                            + self.op.get(s, {}).get(_SCHEMA + "domainIncludes", []))
            term["used_as_range"] = self._refs(self.op.get(s, {}).get(RDFS.range.value, [])
                                               + self.op.get(s, {}).get(_SCHEMA + "rangeIncludes", []))
        else:
            term["domain"] = self._refs(get(RDFS.domain))
            term["range"] = self._refs(get(RDFS.range))
            term["domain_includes"] = self._refs(get(NamedNode(_SCHEMA + "domainIncludes")))
            term["range_includes"] = self._refs(get(NamedNode(_SCHEMA + "rangeIncludes")))
            term["inverse"] = self._refs(get(OWL.inverseOf))
            term["characteristics"] = [curie(t).split(":", 1)[1] for t in sorted(types)
                                       if t in (OWL.FunctionalProperty.value, OWL.InverseFunctionalProperty.value,
                                                OWL.TransitiveProperty.value, OWL.SymmetricProperty.value)]
        return term
