"""The server's own queries, under the same guard as the clients' SPARQL.

The JSON API, the canned queries, linked data, the HTML pages and ``/graph/...`` ask a ``GraphStore``
for their SPARQL (``store.query(...)``).  What they are handed (``api.deps.get_store``) is a
``GuardedStore``: the read interface of the served store, with every query run by a ``QueryExecutor``
under the time limit, so that no query of theirs can hang a request forever or take the server down.

* An on-disk store (``ProcessExecutor``): the query runs in a worker process, which writes the answer
  as bytes (SELECT and ASK as SPARQL TSV: lossless, and the quickest to write and read of the results
  formats; CONSTRUCT and DESCRIBE as N-Triples); here they are read back into pyoxigraph's own result
  types.  A query past the limit is killed with its worker; a pyoxigraph abort ends a worker, not the
  server.
* A store in memory or a remote one (``ThreadExecutor``): the wrapped store's own ``query`` runs in one
  of the pool's threads, which reads the answer to the end.  Past the limit the request gets its
  answer (QueryTimeout) but the thread cannot be stopped (see executor.py).

The limit is per request: ``deps.get_store`` makes one ``GuardedStore`` per request, and its queries
have ``limit`` seconds between them, counted from the first, so that a route that runs several queries
still answers within the limit.  Failures are raised as the executor's exceptions (``QueryTimeout``,
``ExecutorBusy``, ``WorkerCrashed``; ``api.errors`` turns them into the error shape); a query the
engine refuses (an answer with status 400) is a bug of this server's own SPARQL and raises
``QueryError``, as ``EmbeddedStore.query`` does; a store that cannot be read raises ``StoreError``.

Everything but queries (``path``, ``named_graphs()``, ``quads()``, ``dump()``, ``len()``) is the wrapped
store's.  There is no ``raw`` (the pyoxigraph handle) and no writing through it: whoever needs either
(the ``Writer``, ingest, the search index, VoID statistics) uses the served store itself
(``app.state.store``), never what a route was handed.
"""
from __future__ import annotations

import time

from pyoxigraph import (
    DefaultGraph,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QueryTriples,
    RdfFormat,
    Store,
    parse,
    parse_query_results,
)

from ..store import QueryError, StoreError
from .executor import QueryExecutor, QueryTimeout, ThreadExecutor
from .jobs import Answer, Job

# not through the guard: the raw pyoxigraph handle (whose query would bypass it) and the writes
_NOT_HERE = frozenset({"raw", "update", "replace_graphs", "drop_graphs", "bulk_load", "add_new_graphs"})


class GuardedStore:
    """A read view of ``store`` whose queries run through ``executor`` within ``limit`` seconds in all
    (default: the executor's timeout)."""

    __slots__ = ("unguarded", "executor", "limit", "_in_threads", "_deadline", "_generation")

    def __init__(self, store, executor: QueryExecutor, limit: float | None = None) -> None:
        self.unguarded = store
        self.executor = executor
        self.limit = executor.timeout if limit is None else float(limit)
        self._in_threads = isinstance(executor, ThreadExecutor)
        self._deadline: float | None = None
        self._generation: str | None = None  # the store's, read once for all the request's queries

    def query(self, sparql: str, *, union: bool = True, default_graph=None, named_graphs=None,
              substitutions=None):
        """As ``GraphStore.query``: pyoxigraph's ``QuerySolutions``, ``QueryBoolean`` or ``QueryTriples``
        (the whole answer, already computed)."""
        timeout = self._time_left()
        try:
            if self._in_threads:
                return _from_thread(self.executor.call(_read_to_end, self.unguarded, sparql, union, default_graph,
                                                       named_graphs, substitutions, timeout=timeout))
            if self._generation is None:
                self._generation = self.executor.generation()
            job = Job(kind="query", query=sparql, solutions_format="tsv", graph_format="nt",
                      substitutions=substitutions or None, generation=self._generation)
            if default_graph is not None or named_graphs is not None or not union:
                job.dataset = {"union": union and default_graph is None, "default_graph": default_graph,
                               "named_graphs": named_graphs}
            return _results(self.executor.run_sync(job, timeout))
        except QueryTimeout as e:
            raise QueryTimeout(self.limit, e.killed) from None  # the request's limit, not what was left of it

    def _time_left(self) -> float:
        now = time.monotonic()
        if self._deadline is None:
            self._deadline = now + self.limit
        left = self._deadline - now
        if left <= 0.0:  # the earlier queries of this request used all of it
            raise QueryTimeout(self.limit, killed=True)
        return left

    def __getattr__(self, name: str):
        if name in _NOT_HERE:
            raise AttributeError(f"{name!r} is not available through the query guard: use the served store "
                                 "(app.state.store) where the raw handle or a write is needed")
        return getattr(self.unguarded, name)

    def __len__(self) -> int:
        return len(self.unguarded)

    def __repr__(self) -> str:
        return f"GuardedStore({self.unguarded!r}, limit={self.limit:g} s)"


def unguarded(store):
    """The store a ``GuardedStore`` wraps (any other store as it is)."""
    return store.unguarded if isinstance(store, GuardedStore) else store


# --- answers ------------------------------------------------------------------------------------------

def _results(answer: Answer):
    if answer.status != 200:
        if answer.status == 400:
            raise QueryError(answer.detail or "the query failed")
        raise StoreError(answer.detail or f"the query failed (status {answer.status})")
    if answer.form == "graph":
        return _query_triples(quad.triple for quad in parse(answer.body, RdfFormat.N_TRIPLES))
    results = parse_query_results(answer.body, QueryResultsFormat.TSV)
    if isinstance(results, QueryBoolean):
        return results
    # read to the end here: a pyoxigraph QuerySolutions left in a route's frame when it raises is freed in
    # another thread (the error handler's), which pyo3 refuses ("unsendable"), leaking it
    return Solutions(results.variables, list(results))


def _query_triples(triples) -> QueryTriples:
    """Triples as a pyoxigraph ``QueryTriples`` (the type callers test for): a CONSTRUCT over a scratch store."""
    scratch = Store()
    scratch.extend(Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in triples)
    return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")


class Solutions:
    """SELECT solutions read to the end, with the ``variables`` and iteration of ``QuerySolutions`` (as
    ``snapshot.SnapshotStore`` answers; the routes take either)."""

    __slots__ = ("variables", "_rows")

    def __init__(self, variables, rows: list) -> None:
        self.variables = variables
        self._rows = rows

    def __iter__(self):
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


def _read_to_end(store, sparql: str, union: bool, default_graph, named_graphs, substitutions):
    """In a thread of the pool: the store's own query, computed to the end (pyoxigraph's answers are lazy:
    read in the request's thread, they would run there, unguarded).  pyoxigraph's ``QuerySolutions`` and
    ``QueryTriples`` must not leave the thread that made them (pyo3 aborts the process), their rows and
    triples may: those are handed back, to be wrapped by ``_from_thread`` in the caller's thread."""
    results = store.query(sparql, union=union, default_graph=default_graph, named_graphs=named_graphs,
                          substitutions=substitutions)
    if isinstance(results, QueryBoolean):
        return results
    if isinstance(results, QueryTriples):
        return ("graph", list(results))
    return ("solutions", list(results.variables), list(results))


def _from_thread(read):
    if isinstance(read, tuple):
        if read[0] == "graph":
            return _query_triples(read[1])
        return Solutions(read[1], read[2])
    return read
