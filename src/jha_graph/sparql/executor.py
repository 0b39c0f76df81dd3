"""Run SPARQL so that no query can take the service down with it.

pyoxigraph cannot time out or cancel a running query: a runaway keeps its thread, and a core, busy
until it ends, which for a cross product over the graph is never.  So, for an embedded on-disk store,
queries run in a small pool of worker **processes** (``ProcessExecutor``).  Each holds its own
read-only handle on the store and serialises the answer itself with pyoxigraph's serialisers, so only
bytes cross the pipe.  When a query outlives ``query_timeout`` the parent kills that worker
(SIGKILL: it may be deep in Rust), starts a fresh one in the background and answers the client
with a timeout error; the other workers keep answering meanwhile.  A pyoxigraph abort (a Rust panic)
or crash ends the worker too, never the server (``WorkerCrashed``).

The SPARQL the server reads with for a request goes through an executor: the clients' (``/sparql``,
the Graph Store Protocol's GET, VoID) through ``app.state.executor`` with ``await run``, and the
server's own (JSON API, canned queries, pages, linked data) through a second pool,
``app.state.api_executor``, with the blocking ``run_sync`` from the routes' threads (see
``guarded.GuardedStore``, the store the routes are handed).  Two pools, so that clients' runaways
never leave the pages without a worker, nor the pages the clients.  Not through an executor: writes
(below), ``/export`` (a stream of the whole store from a snapshot handle of its own, as long as it
takes), and rebuilding the search index after this server wrote the store.

Freshness: read-only handles are snapshots.  Every job carries the store's current generation
(``snapshot.store_generation``, a fingerprint of the store's files computed per job, or once per
request for the server's own queries); a worker whose handle is older reopens it before running the job.  So after an update through this server, or an
``ingest`` by another process, the next query sees the new data, and nobody has to notify anyone.

An in-memory store cannot be shared with other processes, and a remote store is queried over HTTP,
so for those the ``ThreadExecutor`` runs queries in threads of this process, the server's own queries
as the clients'.  It answers the client at the timeout just the same, but it **cannot stop the query**:
the thread runs on until pyoxigraph (or the remote server) finishes, and a pyoxigraph abort there still
ends the server.  Use an on-disk store for a public endpoint.

Writes never go through the executor: ``Writer`` holds the one writable handle (a server started
with an update token) and applies updates one at a time.  Updates come from the token holder, so
they are not time-limited (a transaction cut short would be rolled back anyway).
"""
from __future__ import annotations

import asyncio
import collections
import logging
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from multiprocessing.connection import Connection
from pathlib import Path

from pyoxigraph import Triple

from ..namespaces import PREFIXES
from . import jobs
from .jobs import (
    Answer,
    Job,
    StoreReadError,
    graphstore_query,
    pyoxigraph_query,
    run_job,
)
from ..store import StoreError
from .protocol import one_anchored_pattern
from .snapshot import SnapshotStore, ensure_store, store_generation, store_path

log = logging.getLogger(__name__)


class QueryTimeout(Exception):
    def __init__(self, seconds: float, killed: bool) -> None:
        super().__init__(f"the query ran longer than {seconds:g} s")
        self.seconds, self.killed = seconds, killed


class ExecutorBusy(Exception):
    """No worker became free in time (all are running long queries)."""


class WorkerCrashed(Exception):
    """The worker process died while running the query; ``returncode`` says how (-6: pyoxigraph aborted,
    a Rust panic such as its ORDER BY over incomparable values; -11: a crash, such as a stack overflow on
    a deeply nested query; -9: killed, such as by the out-of-memory killer)."""

    def __init__(self, message: str, returncode: int | None = None) -> None:
        super().__init__(message)
        self.returncode = returncode


class QueryExecutor:
    """Runs jobs (see ``jobs.Job``) with a time limit; ``await run(job)`` returns a ``jobs.Answer``."""

    timeout: float
    kills_runaways: bool = False

    @staticmethod
    def for_store(store, settings, workers: int | None = None) -> QueryExecutor:
        workers = settings.query_workers if workers is None else workers
        path = store_path(store)
        if path is not None:
            return ProcessExecutor(path, workers=workers, timeout=settings.query_timeout, inline=store)
        return ThreadExecutor(store, workers=workers, timeout=settings.query_timeout)

    def start(self) -> None: ...

    def close(self) -> None: ...

    def generation(self) -> str | None:
        """The store generation answers are computed at; None when it cannot be known."""
        return None

    async def run(self, job: Job) -> Answer:
        raise NotImplementedError

    def run_sync(self, job: Job, timeout: float | None = None) -> Answer:
        """Run a job from a thread that may block (a sync route): at most ``timeout`` seconds (default
        ``self.timeout``) in all, waiting for a worker included; QueryTimeout, ExecutorBusy or
        WorkerCrashed as ``run``."""
        raise NotImplementedError


_STOP = object()


def _fail(waiting: asyncio.Future, error: Exception) -> None:
    if not waiting.done():
        waiting.set_exception(error)


class _Worker:
    __slots__ = ("process", "conn")

    def __init__(self, process, conn) -> None:
        self.process, self.conn = process, conn


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _worker_env() -> dict[str, str]:
    # the worker must import this very package, even when it runs from a source tree
    env = dict(os.environ)
    package_root = str(Path(jobs.__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    return env


class ProcessExecutor(QueryExecutor):
    kills_runaways = True

    def __init__(self, path: str | Path, *, workers: int, timeout: float, inline=None) -> None:
        self.path = str(path)
        # the server's own handle on the store (``.raw``, a pyoxigraph Store, current), for the queries
        # that need no worker: one triple pattern anchored on a constant (``protocol.one_anchored_pattern``)
        self.inline = inline
        self.size = max(1, workers)
        self.timeout = float(timeout)
        # last in, first out: the worker that answered last has the store's blocks and the engine's
        # allocations in the CPU caches (a sequential client's join costs a fifth less CPU)
        self._idle: queue.Queue[_Worker] = queue.LifoQueue()
        # requests of an event loop waiting for a worker: (loop, future), served before the idle queue
        self._queued: collections.deque = collections.deque()
        self._workers: set[_Worker] = set()
        self._lock = threading.RLock()
        self._started = False
        self._epoch = 0
        self._env: dict[str, str] = {}
        # threads that wait on workers (blocked in poll(), not computing); a job queues here first
        self._waiters: ThreadPoolExecutor | None = None
        self._requests: queue.Queue = queue.Queue()
        self._lifeline: threading.Thread | None = None
        self.timeouts = self.respawns = 0

    # lifecycle ------------------------------------------------------------------------------------
    # Every worker is started by one long-lived "lifeline" thread.  Workers ask Linux to kill them
    # when their parent dies (PR_SET_PDEATHSIG), and Linux means the parent *thread*: a worker started
    # from a short-lived thread would die with that thread.  The lifeline lives as long as the pool.

    def start(self) -> None:
        with self._lock:
            if self._started:
                return
            ensure_store(self.path)  # a read-only handle needs an existing store
            self._env = _worker_env()
            self._waiters = ThreadPoolExecutor(max_workers=self.size * 2, thread_name_prefix="sparql-wait")
            self._idle = queue.LifoQueue()
            self._requests = queue.Queue()
            self._lifeline = threading.Thread(target=self._lifeline_main, args=(self._requests, self._epoch),
                                              daemon=True, name="sparql-lifeline")
            self._lifeline.start()
            self._started = True
            for _ in range(self.size):
                self._requests.put(None)  # start a worker

    def close(self) -> None:
        """Stop every worker; a later ``start`` (or job) starts a fresh pool."""
        with self._lock:
            if not self._started:
                return
            self._started = False
            self._epoch += 1  # respawns of the closed pool must not join the next one
            workers = list(self._workers)
            self._workers.clear()
            queued = list(self._queued)
            self._queued.clear()
            waiters, requests, lifeline = self._waiters, self._requests, self._lifeline
        for loop, waiting in queued:  # requests still waiting for a worker: none will come
            try:
                loop.call_soon_threadsafe(_fail, waiting, ExecutorBusy("the query workers were stopped"))
            except RuntimeError:
                pass
        for w in workers:
            try:
                w.conn.send(None)  # ask politely: an idle worker exits at once
            except (OSError, ValueError):
                pass
        deadline = time.monotonic() + 2
        for w in workers:
            try:
                w.process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                w.process.kill()
                w.process.wait(2)
            w.conn.close()
        requests.put(_STOP)
        lifeline.join(5)
        waiters.shutdown(wait=False, cancel_futures=True)

    def _lifeline_main(self, requests: queue.Queue, epoch: int) -> None:
        while True:
            item = requests.get()
            if item is _STOP:
                return
            if isinstance(item, _Worker):  # a killed worker: reap it before starting its successor
                try:
                    item.process.wait(5)
                except subprocess.TimeoutExpired:
                    pass
            try:
                with self._lock:
                    if epoch != self._epoch or not self._started:
                        continue
                    self._adopt(self._spawn())
            except Exception:  # noqa: BLE001 - logged; the pool is one worker short until the next respawn
                log.exception("could not start a SPARQL worker")

    def _spawn(self) -> _Worker:
        # A plain subprocess (python -m jha_graph.sparql.jobs), not multiprocessing: multiprocessing's
        # spawn and forkserver re-import the parent's __main__ in every worker, and fork would copy this
        # threaded server.  Jobs and answers travel as pickles over a socket pair.
        ours, theirs = socket.socketpair()
        process = subprocess.Popen(
            [sys.executable, "-m", "jha_graph.sparql.jobs", str(theirs.fileno()), self.path],
            pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, env=self._env, close_fds=True)
        theirs.close()
        return _Worker(process, Connection(ours.detach()))

    def _adopt(self, worker: _Worker) -> None:
        self._workers.add(worker)
        self._release(worker)

    def _release(self, worker: _Worker) -> None:
        """A worker is free: to the request of an event loop that has waited longest, else idle."""
        with self._lock:
            while self._queued:
                loop, waiting = self._queued.popleft()
                if waiting.done():  # gave up meanwhile
                    continue
                try:
                    if _running_loop() is loop:  # (most often: no wake-up through the loop's self-pipe)
                        loop.call_soon(self._hand, waiting, worker)
                    else:
                        loop.call_soon_threadsafe(self._hand, waiting, worker)
                    return
                except RuntimeError:  # its loop is closed
                    continue
            self._idle.put(worker)

    def _hand(self, waiting: asyncio.Future, worker: _Worker) -> None:
        if waiting.done():
            self._release(worker)
        else:
            waiting.set_result(worker)

    async def _acquire(self) -> _Worker:
        """A worker for a request of the event loop, waited for (without a thread) up to the time limit."""
        with self._lock:
            try:
                return self._idle.get_nowait()
            except queue.Empty:
                waiting = asyncio.get_running_loop().create_future()
                self._queued.append((asyncio.get_running_loop(), waiting))
        try:
            async with asyncio.timeout(self.timeout):
                return await waiting
        except BaseException as e:
            if waiting.done() and not waiting.cancelled():
                self._release(waiting.result())  # handed over just as this request gave up
            waiting.cancel()
            if isinstance(e, TimeoutError):
                raise ExecutorBusy(f"all {self.size} query workers stayed busy for {self.timeout:g} s") from None
            raise

    def _replace(self, worker: _Worker) -> None:
        """Kill a worker (timed out or broken) and have its successor started without making anyone wait."""
        worker.process.kill()
        worker.conn.close()
        with self._lock:
            self._workers.discard(worker)
            if self._started:
                self._requests.put(worker)
        self.respawns += 1

    # running --------------------------------------------------------------------------------------
    def generation(self) -> str | None:
        return store_generation(self.path)

    async def run(self, job: Job) -> Answer:
        """Run a job from the event loop, which waits for a free worker (``_acquire``) and for its answer
        on the worker's socket itself: no thread per query (one cost a hand-over each way under load)."""
        self.start()
        loop = asyncio.get_running_loop()
        if self._inline_ok(job):
            answer = loop.run_in_executor(self._waiters, self._run_inline, job)
            try:
                async with asyncio.timeout(self.timeout):
                    return await answer
            except TimeoutError:  # (one index scan: cannot run away, but the client is answered at the limit)
                raise QueryTimeout(self.timeout, killed=False) from None
        if job.generation is None:
            job.generation = store_generation(self.path)
        while True:
            worker = await self._acquire()
            try:
                worker.conn.send(job)
                break
            except OSError:  # it died while idle (killed from outside): the job never reached it
                self._replace(worker)
        started = time.monotonic()
        ready = loop.create_future()
        fd = worker.conn.fileno()
        loop.add_reader(fd, lambda: ready.done() or ready.set_result(None))
        try:
            try:
                async with asyncio.timeout(self.timeout):
                    await ready
            finally:
                loop.remove_reader(fd)
                os.set_blocking(fd, True)  # uvloop made it non-blocking; a big answer arrives in many reads
        except TimeoutError:
            self.timeouts += 1
            self._replace(worker)
            raise QueryTimeout(self.timeout, killed=True) from None
        except asyncio.CancelledError:
            # the client went away: the worker still owes an answer, which a thread collects (or it is
            # killed at the limit) before the worker may take another job
            self._waiters.submit(self._collect, worker, started + self.timeout)
            raise
        try:
            answer = worker.conn.recv()
        except (EOFError, OSError) as e:
            raise await loop.run_in_executor(self._waiters, self._crashed, worker, e) from e
        self._release(worker)
        return answer

    def _collect(self, worker: _Worker, deadline: float) -> None:
        try:
            if worker.conn.poll(max(0.0, deadline - time.monotonic())):
                worker.conn.recv()
                self._release(worker)
                return
        except (EOFError, OSError):
            pass
        self._replace(worker)

    def _crashed(self, worker: _Worker, e: BaseException) -> WorkerCrashed:
        try:
            returncode = worker.process.wait(2)  # it is gone or going: how it ended says why
        except subprocess.TimeoutExpired:
            returncode = None
        self._replace(worker)
        return WorkerCrashed(f"the query worker died ({e or type(e).__name__})", returncode)

    def run_sync(self, job: Job, timeout: float | None = None) -> Answer:
        self.start()
        if self._inline_ok(job):
            return self._run_inline(job)
        return self._run_blocking(job, self.timeout if timeout is None else timeout, whole=True)

    # A query that is one triple pattern anchored on a constant costs one scan of one index range: it
    # cannot run away, so it needs no killable worker, and is answered by this process, in Rust, without
    # the round trip (a lookup by IRI: 0.57 ms of CPU per request through a worker, 0.47 ms here).
    def _inline_ok(self, job: Job) -> bool:
        return self.inline is not None and job.kind == "query" and one_anchored_pattern(job.query)

    def _run_inline(self, job: Job) -> Answer:
        try:
            return run_job(pyoxigraph_query(self.inline.raw), job)
        except (StoreReadError, StoreError) as e:
            return Answer.error(500, f"the store could not be read: {e}")

    def _run_blocking(self, job: Job, limit: float | None = None, whole: bool = False) -> Answer:
        """Wait up to ``limit`` for a worker, then give the job ``limit`` to run (``whole``: what is left
        of ``limit`` after the wait)."""
        limit = self.timeout if limit is None else limit
        if job.generation is None:  # (a guarded store reads it once per request)
            job.generation = store_generation(self.path)
        idle = self._idle
        deadline = time.monotonic() + limit
        while True:
            try:
                worker = idle.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise ExecutorBusy(f"all {self.size} query workers stayed busy for {limit:g} s") from None
            run_for = max(0.0, deadline - time.monotonic()) if whole else limit
            if run_for <= 0.0:  # a worker came free just as the time ran out: leave it idle
                self._release(worker)
                raise ExecutorBusy(f"all {self.size} query workers stayed busy for {limit:g} s")
            try:
                worker.conn.send(job)
            except OSError:
                # it died while idle (killed from outside, out of memory): the job never reached it
                self._replace(worker)
                continue
            break
        try:
            if worker.conn.poll(run_for):
                answer = worker.conn.recv()
                self._release(worker)
                return answer
        except (EOFError, OSError) as e:
            raise self._crashed(worker, e) from e
        self.timeouts += 1
        self._replace(worker)
        raise QueryTimeout(limit, killed=True)


class ThreadExecutor(QueryExecutor):
    """Threads in this process, for stores a worker process cannot open (in memory, remote)."""

    def __init__(self, store, *, workers: int, timeout: float) -> None:
        self.store = store
        self.timeout = float(timeout)
        self.size = max(1, workers)
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        if self._pool is None:
            with self._lock:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(max_workers=self.size, thread_name_prefix="sparql-query")

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def generation(self) -> str | None:
        return store_generation(self.store.path) if isinstance(self.store, SnapshotStore) else None

    def _run_one(self, job: Job) -> Answer:
        raw = getattr(self.store, "raw", None)
        query = pyoxigraph_query(raw) if raw is not None else graphstore_query(self.store)
        try:
            return run_job(query, job)
        except StoreReadError as e:
            return Answer.error(500, f"the store could not be read: {e}")

    async def run(self, job: Job) -> Answer:
        self.start()
        future = self._pool.submit(self._run_one, job)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)
        except TimeoutError:
            future.cancel()  # stops it only if it had not started: a running query cannot be stopped
            raise QueryTimeout(self.timeout, killed=False) from None

    def run_sync(self, job: Job, timeout: float | None = None) -> Answer:
        return self.call(self._run_one, job, timeout=timeout)

    def call(self, fn, *args, timeout: float | None = None):
        """``fn(*args)`` in one of the pool's threads, waited for at most ``timeout`` (default
        ``self.timeout``), queueing included; past it QueryTimeout, and ``fn`` runs on unobserved."""
        self.start()
        limit = self.timeout if timeout is None else timeout
        future = self._pool.submit(fn, *args)
        try:
            return future.result(timeout=limit)
        except FutureTimeout:
            future.cancel()
            raise QueryTimeout(limit, killed=False) from None


# --- writes ---------------------------------------------------------------------------------------------

def _term(term) -> str:
    if isinstance(term, Triple):
        return f"<<( {_term(term.subject)} {_term(term.predicate)} {_term(term.object)} )>>"
    return str(term)


def _data_block(triples) -> str:
    return "\n".join(f"{_term(t.subject)} {_term(t.predicate)} {_term(t.object)} ." for t in triples)


class Writer:
    """The server's one writable store handle; writes are applied one at a time, each in one transaction."""

    def __init__(self, store) -> None:
        self.store = store
        self._lock = threading.Lock()

    def _update(self, text: str, base_iri: str | None = None) -> None:
        raw = getattr(self.store, "raw", None)
        if raw is not None:
            raw.update(text, base_iri=base_iri, prefixes=PREFIXES)
        else:
            self.store.update(text)

    def update(self, text: str, base_iri: str | None = None) -> None:
        """Run a SPARQL Update (SyntaxError for a malformed one; nothing is written if it fails)."""
        with self._lock:
            self._update(text, base_iri)

    def _exists(self, graph: str | None) -> bool:
        if graph is None:
            return True
        return bool(self.store.query(f"ASK {{ GRAPH <{graph}> {{ }} }}"))

    def graph_exists(self, graph: str | None) -> bool:
        return self._exists(graph)

    def replace_graph(self, graph: str | None, triples) -> bool:
        """Replace a graph (None: the default graph) with ``triples``; True when it did not exist."""
        body = _data_block(triples)
        with self._lock:
            created = not self._exists(graph)
            if graph is None:
                text = "CLEAR SILENT DEFAULT" + (f" ;\nINSERT DATA {{\n{body}\n}}" if body else "")
            else:
                text = f"DROP SILENT GRAPH <{graph}> ;\nCREATE SILENT GRAPH <{graph}>"
                if body:
                    text += f" ;\nINSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}"
            self._update(text)
        return created

    def add_to_graph(self, graph: str | None, triples) -> bool:
        """Merge ``triples`` into a graph (blank nodes stay distinct); True when it did not exist."""
        body = _data_block(triples)
        with self._lock:
            created = not self._exists(graph)
            parts = [] if graph is None else [f"CREATE SILENT GRAPH <{graph}>"]
            if body:
                parts.append(f"INSERT DATA {{\n{body}\n}}" if graph is None
                             else f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}")
            if parts:
                self._update(" ;\n".join(parts))
        return created

    def drop_graph(self, graph: str | None) -> bool:
        """Remove a graph (None: empty the default graph); False when there was no such graph."""
        with self._lock:
            if not self._exists(graph):
                return False
            self._update("CLEAR SILENT DEFAULT" if graph is None else f"DROP SILENT GRAPH <{graph}>")
        return True


__all__ = ["Answer", "ExecutorBusy", "Job", "ProcessExecutor", "QueryExecutor", "QueryTimeout", "ThreadExecutor",
           "WorkerCrashed", "Writer"]
