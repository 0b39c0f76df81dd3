"""What a query worker does: run one job against a store and hand back serialised bytes.

This module is what worker processes import (it is preloaded in the fork server), so it stays light:
the standard library, pyoxigraph and the namespace table, nothing of the web stack.

A job is one of
* ``query``: a SPARQL query, serialised in the format negotiated for its kind of answer;
* ``graph``: one graph of the store, whole (the Graph Store Protocol's GET);
* ``stats``: the counts the VoID description reports.

Result-size limit: a SELECT with more than ``max_results`` rows (a CONSTRUCT/DESCRIBE with more than
``max_results`` triples) is *not* answered with the first rows.  The answer is ``truncated=True``
with no body, which the service turns into an error telling the client to page with LIMIT/OFFSET
or to use the export.  A cut answer that looks complete to a client ignoring headers is worse than
no answer.
"""
from __future__ import annotations

import io
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import (
    DefaultGraph,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    Triple,
    parse_query_results,
    serialize,
)

from ..namespaces import PREFIXES

_RDF = {"ttl": RdfFormat.TURTLE, "nt": RdfFormat.N_TRIPLES, "rdf": RdfFormat.RDF_XML,
        "jsonld": RdfFormat.JSON_LD, "trig": RdfFormat.TRIG, "nq": RdfFormat.N_QUADS}
_RESULTS = {"json": QueryResultsFormat.JSON, "xml": QueryResultsFormat.XML,
            "csv": QueryResultsFormat.CSV, "tsv": QueryResultsFormat.TSV}
_WITH_PREFIXES = {"ttl", "trig", "rdf"}
MAX_MESSAGE = 600  # parser messages list every expected token; the start says where and what


@dataclass
class Job:
    kind: str = "query"                      # "query", "graph" or "stats"
    query: str = ""
    base_iri: str | None = None
    default_graphs: list[str] | None = None  # protocol dataset; None = not given
    named_graphs: list[str] | None = None
    union: bool = True                       # default graph = union of all graphs (no dataset given)
    solutions_format: str | None = "json"    # for SELECT/ASK; None = nothing acceptable (406)
    graph_format: str | None = "ttl"         # for CONSTRUCT/DESCRIBE and graphs
    max_results: int | None = None
    graph: str | None = None                 # kind "graph": the graph IRI, "" = the default graph
    generation: str | None = None            # the store generation the job must see
    # the server's own queries (``guarded.GuardedStore``): variables bound to terms, and the store's
    # dataset options as terms (``union``, ``default_graph``, ``named_graphs``), used as given
    substitutions: dict | None = None
    dataset: dict | None = None


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    format: str | None = None                # the short name of the format of body
    truncated: bool = False                  # more results than max_results: no body, tell the client
    detail: str | None = None                # for errors
    where: str | None = None
    data: Any = None                         # kind "stats"
    form: str | None = None                  # "boolean", "solutions" or "graph"
    count: int | None = None                 # rows or triples in body
    extra: dict = field(default_factory=dict)

    @classmethod
    def error(cls, status: int, detail: str, where: str | None = None) -> Answer:
        return cls(status=status, detail=detail, where=where)


class StoreReadError(OSError):
    """Reading the store failed (I/O), as opposed to the query being wrong."""


QueryFn = Callable[..., Any]


def pyoxigraph_query(store: Store) -> QueryFn:
    """Run queries on a pyoxigraph Store, with the project's prefixes predeclared."""

    def run(text: str, *, base_iri=None, union=False, default_graph=None, named_graphs=None, substitutions=None):
        return store.query(text, base_iri=base_iri, prefixes=PREFIXES, use_default_graph_as_union=union,
                           default_graph=default_graph, named_graphs=named_graphs, substitutions=substitutions)

    return run


def graphstore_query(store) -> QueryFn:
    """Run queries through the ``GraphStore`` interface (remote stores); it takes no base IRI."""

    def run(text: str, *, base_iri=None, union=False, default_graph=None, named_graphs=None, substitutions=None):
        return store.query(text, union=union, default_graph=default_graph, named_graphs=named_graphs,
                           substitutions=substitutions)

    return run


def _short(message: str) -> str:
    message = " ".join(message.split())
    return message if len(message) <= MAX_MESSAGE else message[:MAX_MESSAGE] + " …"


def run_job(query: QueryFn, job: Job) -> Answer:
    """Run one job; every failure becomes an ``Answer`` with a status, except ``StoreReadError``."""
    try:
        if job.kind == "query":
            return _run_query(query, job)
        if job.kind == "graph":
            return _run_graph(query, job)
        if job.kind == "stats":
            return Answer(data=dataset_stats(query))
        return Answer.error(500, f"unknown job kind {job.kind!r}")
    except SyntaxError as e:
        return Answer.error(400, f"SPARQL syntax error: {_short(str(e))}", "query")
    except OSError as e:
        raise StoreReadError(str(e)) from e
    except RuntimeError as e:
        if str(e).startswith(("Corruption", "IO error")):  # the store's files, not the query (see _open)
            raise StoreReadError(str(e)) from e
        return Answer.error(400, f"the query could not be evaluated: {_short(str(e))}", "query")
    except (ValueError, TypeError) as e:
        # evaluation errors of a well-formed query (an unsupported SERVICE, a bad custom function …)
        return Answer.error(400, f"the query could not be evaluated: {_short(str(e))}", "query")


def _dataset(job: Job) -> dict:
    if job.dataset is not None:
        return job.dataset
    if job.default_graphs is None and job.named_graphs is None:
        return {"union": job.union}
    # a protocol dataset replaces the store's: the parts not given are empty (SPARQL 1.1 Protocol §2.1.4)
    return {"default_graph": [NamedNode(g) for g in job.default_graphs or []],
            "named_graphs": [NamedNode(g) for g in job.named_graphs or []]}


def _run_query(query: QueryFn, job: Job) -> Answer:
    def run():
        return query(job.query, base_iri=job.base_iri, substitutions=job.substitutions, **_dataset(job))

    results = run()
    if isinstance(results, QueryBoolean):
        if job.solutions_format is None:
            return Answer(status=406, form="boolean")
        return Answer(body=results.serialize(format=_RESULTS[job.solutions_format]),
                      format=job.solutions_format, form="boolean")
    if isinstance(results, QuerySolutions):
        if job.solutions_format is None:
            return Answer(status=406, form="solutions")
        return _solutions(results, job, run)
    if isinstance(results, QueryTriples):
        if job.graph_format is None:
            return Answer(status=406, form="graph")
        return _triples(results, job)
    return Answer.error(500, f"unexpected result type {type(results).__name__}")


class _TooMany(Exception):
    pass


class _RowBound:
    """A file-like sink for pyoxigraph's SPARQL JSON writer that keeps the bytes and an upper bound of
    the rows written, and stops the writer as soon as that bound passes ``limit``.

    Consecutive solutions are joined by ``},{`` and nothing else structural is, so the count of ``},{``
    plus one bounds the rows from above (a literal may hold ``},{`` too: the bound is then loose, never
    low).  Counting bytes in Rust-sized chunks costs microseconds where reading every row into Python
    objects cost a millisecond for a couple of hundred rows."""

    def __init__(self, limit: int) -> None:
        self.limit, self.separators, self.parts, self._tail = limit, 0, [], b""

    def write(self, chunk) -> int:
        data = bytes(chunk)
        self.separators += (self._tail + data[:2]).count(b"},{") + data.count(b"},{")
        self._tail = data[-2:]
        if self.separators + 1 > self.limit:
            raise _TooMany
        self.parts.append(data)
        return len(data)

    def flush(self) -> None:
        pass


def _solutions(results: QuerySolutions, job: Job, rerun: Callable[[], QuerySolutions]) -> Answer:
    fmt = _RESULTS[job.solutions_format]
    if job.max_results is None:
        return Answer(body=results.serialize(format=fmt), format=job.solutions_format, form="solutions")
    # Fast path: serialise straight to JSON, bounding the rows as the bytes go by (see _RowBound).
    sink = _RowBound(job.max_results)
    try:
        results.serialize(sink, format=QueryResultsFormat.JSON)
    except _TooMany:  # pyoxigraph passes the sink's exception through as it is
        pass  # too many rows, or literals holding '},{': count exactly
    else:
        json = b"".join(sink.parts)
        body = json if fmt == QueryResultsFormat.JSON else parse_query_results(json, QueryResultsFormat.JSON) \
            .serialize(format=fmt)
        return Answer(body=body, format=job.solutions_format, form="solutions")
    # Exact path: the rows, counted one by one up to the limit.  They are re-serialised by pyoxigraph
    # itself through its TSV parser: str(term) is the exact N-Triples form TSV carries (tabs and newlines
    # escaped), so the answer is byte for byte what pyoxigraph would have written directly.
    results = rerun()
    variables = results.variables
    lines = ["\t".join(str(v) for v in variables)]
    count = 0
    for row in results:
        count += 1
        if count > job.max_results:
            return Answer(truncated=True, form="solutions", count=job.max_results)
        lines.append("\t".join("" if term is None else str(term) for term in row))
    tsv = ("\n".join(lines) + "\n").encode("utf-8")
    body = parse_query_results(tsv, QueryResultsFormat.TSV).serialize(format=fmt)
    return Answer(body=body, format=job.solutions_format, form="solutions", count=count)


def _triples(results: QueryTriples, job: Job) -> Answer:
    triples = []
    limit = job.max_results
    for triple in results:
        triples.append(triple)
        if limit is not None and len(triples) > limit:
            return Answer(truncated=True, form="graph", count=limit)
    body = serialize_triples(triples, job.graph_format)
    return Answer(body=body, format=job.graph_format, form="graph", count=len(triples))


_NAMESPACES = {ns: prefix for prefix, ns in PREFIXES.items()}


def used_prefixes(triples, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The project prefixes (and ``extra``) whose namespace some IRI of ``triples`` is in (one dict
    lookup per IRI, so that an answer does not open with twenty unused @prefix lines)."""
    used: dict[str, str] = {}
    namespaces = {**_NAMESPACES, **{ns: p for p, ns in (extra or {}).items()}}

    def visit(term) -> None:
        if isinstance(term, NamedNode):
            iri = term.value
            ns = iri[:max(iri.rfind("#"), iri.rfind("/")) + 1]
            prefix = namespaces.get(ns)
            if prefix is not None:
                used[prefix] = ns
        elif isinstance(term, Triple):
            visit(term.subject), visit(term.predicate), visit(term.object)

    for t in triples:
        visit(t.subject), visit(t.predicate), visit(t.object)
    return used


def grouped(triples) -> list:
    """Triples grouped by subject, in order of first appearance: Turtle writes each subject once."""
    groups: dict = {}
    for t in triples:
        groups.setdefault(t.subject, []).append(t)
    return [t for group in groups.values() for t in group]


def serialize_triples(triples, fmt: str, extra_prefixes: dict[str, str] | None = None) -> bytes:
    rdf_format = _RDF[fmt]
    prefixes = used_prefixes(triples, extra_prefixes) if fmt in _WITH_PREFIXES else None
    if rdf_format.supports_datasets:  # TriG, N-Quads, JSON-LD take quads: the triples in the default graph
        triples = [Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in triples]
    out = io.BytesIO()
    serialize(triples, out, rdf_format, prefixes=prefixes)
    return out.getvalue()


def _run_graph(query: QueryFn, job: Job) -> Answer:
    fmt = job.graph_format
    if fmt is None:
        return Answer(status=406, form="graph")
    if job.graph:
        if not bool(query(f"ASK {{ GRAPH <{job.graph}> {{ }} }}")):
            return Answer.error(404, f"there is no graph <{job.graph}> in the store", "graph")
        results = query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{job.graph}> {{ ?s ?p ?o }} }}")
    else:  # the store's own default graph, not the union the SPARQL endpoint queries by default
        results = query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", default_graph=DefaultGraph(), named_graphs=[])
    return Answer(body=serialize_triples(list(results), fmt), format=fmt, form="graph")


# --- the numbers a VoID description gives --------------------------------------------------------------

def _value(query: QueryFn, text: str, **kw) -> int:
    for row in query(text, **kw):
        term = row[0]
        return int(term.value) if term is not None else 0
    return 0


def dataset_stats(query: QueryFn) -> dict:
    """Counts over the union of all graphs (what /sparql queries by default)."""
    u = {"union": True}
    stats = {
        "quads": _value(query, "SELECT (COUNT(*) AS ?n) { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } }"),
        "triples": _value(query, "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }", **u),
        "graphs": _value(query, "SELECT (COUNT(DISTINCT ?g) AS ?n) { GRAPH ?g { } }"),
        "entities": _value(query, "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s a ?c FILTER isIRI(?s) }", **u),
        "subjects": _value(query, "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o }", **u),
        "properties": _value(query, "SELECT (COUNT(DISTINCT ?p) AS ?n) { ?s ?p ?o }", **u),
        "objects": _value(query, "SELECT (COUNT(DISTINCT ?o) AS ?n) { ?s ?p ?o }", **u),
    }
    classes = []
    for row in query("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) (SAMPLE(?s) AS ?example) "
                     "{ ?s a ?c FILTER(isIRI(?c)) } GROUP BY ?c ORDER BY DESC(?n) ?c", **u):
        example = row["example"]
        classes.append({"class": row["c"].value, "entities": int(row["n"].value),
                        "example": example.value if isinstance(example, NamedNode) else None})
    stats["classes"] = classes
    stats["predicates"] = [row["p"].value for row in query("SELECT DISTINCT ?p { ?s ?p ?o } ORDER BY ?p", **u)]
    return stats


# --- the worker process -------------------------------------------------------------------------------

def _die_with_parent() -> None:
    """Linux: get SIGKILL when the parent dies, so a worker deep in a runaway query is never orphaned."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _open(path: str) -> Store:
    last = None
    for attempt in range(6):  # a concurrent compaction can delete a file between listing and opening: retry
        try:
            return Store.read_only(path)
        except (OSError, RuntimeError) as e:  # RocksDB reports that race as 'Corruption: IO error' (RuntimeError)
            last = e
            time.sleep(0.005 * 2 ** attempt)
    raise StoreReadError(f"cannot open the store at {path} read-only: {last}")


def worker_main(conn, path: str) -> None:
    """Serve jobs from ``conn`` on a read-only handle of the store at ``path``, reopened whenever a job
    carries a newer store generation than the handle was opened at."""
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group; the parent decides
    store: Store | None = None
    generation: str | None = None
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if job is None:
            return
        answer = None
        for attempt in range(2):
            try:
                if store is None or job.generation != generation or attempt:
                    store, generation = None, None
                    store, generation = _open(path), job.generation
                answer = run_job(pyoxigraph_query(store), job)
                break
            except StoreReadError as e:
                # a long-lived snapshot may miss files a writer's compaction removed: reopen, retry once
                answer = Answer.error(500, f"the store could not be read: {_short(str(e))}")
            except Exception as e:  # noqa: BLE001 - a worker must answer, whatever happened
                answer = Answer.error(500, f"the query worker failed: {type(e).__name__}: {_short(str(e))}")
                break
        try:
            conn.send(answer)
        except (OSError, EOFError):
            return


if __name__ == "__main__":  # python -m jha_graph.sparql.jobs FD STORE (started by executor.ProcessExecutor)
    import sys
    from multiprocessing.connection import Connection

    from jha_graph.sparql.jobs import worker_main as _main  # pickles must name the module, not __main__

    _main(Connection(int(sys.argv[1])), sys.argv[2])
