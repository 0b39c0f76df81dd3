"""Ingest: read article files, extract their facts, and replace their named graphs in the store.

Each article's graph is written whole or not at all, so a bad file, an error or a kill in the
middle of a run never leaves half an article behind; a file that fails is reported with what is
wrong and the others go in.  The ontology and the reference data are (re)loaded first, and the
cross-reference links are rebuilt last.
"""
from __future__ import annotations

import inspect
import logging
import os
import queue
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

from pyoxigraph import NamedNode, Quad, RdfFormat, parse, serialize

from .articles import ArticleError, read_article
from .config import Settings
from .extract import extract
from .graph import ArticleGraphWriter
from .links import rebuild as rebuild_links
from .reference import Reference
from .search import SearchIndex, rows_from_quads
from .store import GraphStore

log = logging.getLogger(__name__)
ARTICLE_SUFFIXES = {".md", ".txt", ".markdown", ".text"}


@dataclass
class IngestReport:
    ingested: list[str] = field(default_factory=list)  # file paths
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file path, what is wrong)
    quads: int = 0
    links: int = 0
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (kept, replaced) sharing one slug

    @property
    def ok(self) -> bool:
        return not self.failed


def collect(paths: Iterable[str | Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Article files under the paths (folders recursively, hidden files skipped), and paths that do not exist."""
    files, missing = [], []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in ARTICLE_SUFFIXES
                                and not any(part.startswith(".") for part in f.relative_to(p).parts)))
        elif p.is_file():
            files.append(p)
        else:
            missing.append((str(p), "no such file or folder"))
    return files, missing


def static_graphs(settings: Settings, ref: Reference) -> dict[NamedNode, list[Quad]]:
    """The ontology and the reference data, each in its own named graph."""
    m = settings.minter
    onto = m.ontology_graph
    ontology_file = settings.ontology_dir / "jha.ttl"
    graphs: dict[NamedNode, list[Quad]] = {m.reference_graph: ref.to_quads(m)}
    if ontology_file.exists():
        with ontology_file.open("rb") as f:
            graphs[onto] = [Quad(q.subject, q.predicate, q.object, onto) for q in parse(f, RdfFormat.TURTLE)]
    return graphs


# Below this many files everything runs in this process; above, extraction (the slow part) runs in
# worker processes while this one writes.
PARALLEL_FROM = 200
CHUNK = 16  # files per task sent to a worker
BULK_BATCH = 1000  # new articles per bulk load (one journal entry each); more into a big store
BULK_INDEX_FROM = 200  # from this many files on (and more than it holds), the search index's text index is built at the end


def _worker_count(workers: int | None, n_files: int) -> int:
    if workers is not None:
        return max(1, workers)
    if n_files < PARALLEL_FROM:
        return 1
    return max(1, min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 8))


# --- what a worker does (also used in-process): one file to the N-Quads of its graph ------------------

def _extract_file(path: Path, writer: ArticleGraphWriter, ref: Reference, max_bytes: int, as_nquads: bool = True,
                  with_rows: bool = False):
    """(path, graph, N-Quads bytes (or the quads), quad count, None, search rows or None) or
    (path, None, None, 0, what is wrong, None).

    With ``with_rows``, also what the search index keeps of the graph (``search.rows_from_quads``),
    computed here from the quads at hand: the process that writes the index then need not parse the
    N-Quads again (it did, and that was a fifth of its work).
    """
    try:
        article = read_article(path, max_bytes=max_bytes)
        graph, quads = writer.quads(extract(article, ref))
    except ArticleError as e:
        return path, None, None, 0, str(e), None
    except Exception as e:  # an extractor bug must not cost the other articles
        log.exception("extraction failed for %s", path)
        return path, None, None, 0, f"internal error while extracting: {type(e).__name__}: {e}", None
    payload = serialize(quads, None, RdfFormat.N_QUADS) if as_nquads else quads
    return path, graph.value, payload, len(quads), None, rows_from_quads(quads) if with_rows else None


def _parallel(files: list[Path], settings: Settings, workers: int, with_rows: bool = False) -> Iterator[tuple]:
    """The results of ``_extract_file`` for ``files``, in order, computed by ``workers`` processes.

    Workers are plain subprocesses (``python -m jha_graph.ingest``), as the query workers are: no
    fork of a process that holds a store open, and no re-import of the caller's ``__main__`` (which
    multiprocessing's spawn does, and which fails in an unguarded script).  Chunk ``i`` goes to
    worker ``i % workers``; each has up to ``DEPTH`` chunks queued, so it never waits for the writer
    and answers never pile up.  A worker that dies has its chunks done here instead.
    """
    depth = 4
    chunks = [files[i:i + CHUNK] for i in range(0, len(files), CHUNK)]
    env = dict(os.environ)
    package_root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    procs: list[tuple[subprocess.Popen, Connection] | None] = []
    local: tuple | None = None
    try:
        for _ in range(workers):
            ours, theirs = socket.socketpair()
            proc = subprocess.Popen(
                [sys.executable, "-m", "jha_graph.ingest", str(theirs.fileno()), settings.base_iri,
                 str(settings.reference_dir), str(settings.max_article_bytes), "rows" if with_rows else "-"],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, env=env, close_fds=True)
            theirs.close()
            procs.append((proc, Connection(ours.detach())))

        def send(i: int) -> None:
            worker = procs[i % workers]
            if i < len(chunks) and worker is not None:
                try:
                    worker[1].send([str(p) for p in chunks[i]])
                except OSError:
                    pass  # it died: recv will say so

        for i in range(min(len(chunks), workers * depth)):
            send(i)
        for i, chunk in enumerate(chunks):
            worker = procs[i % workers]
            results = None
            if worker is not None:
                try:
                    results = worker[1].recv()
                except (EOFError, OSError):
                    log.warning("an extraction worker died; its articles are extracted here instead")
                    worker[0].kill()
                    procs[i % workers] = None
            if results is None:
                if local is None:
                    ref = Reference.load(settings.reference_dir)
                    local = (ArticleGraphWriter(settings.minter, ref), ref, settings.max_article_bytes)
                results = [_extract_file(p, *local, with_rows=with_rows) for p in chunk]
            send(i + workers * depth)
            yield from ((Path(r[0]), *r[1:]) for r in results)
    finally:
        for worker in procs:
            if worker is not None:
                try:
                    worker[1].send(None)
                except OSError:
                    pass
        for worker in procs:
            if worker is not None:
                try:
                    worker[0].wait(5)
                except subprocess.TimeoutExpired:
                    worker[0].kill()
                    worker[0].wait()
                worker[1].close()


def _worker_main(fd: int, base_iri: str, reference_dir: str, max_bytes: int, with_rows: bool = False) -> None:
    from .namespaces import Minter

    conn = Connection(fd)
    ref = Reference.load(reference_dir)
    writer = ArticleGraphWriter(Minter(base_iri), ref)
    while True:
        try:
            paths = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if paths is None:
            return
        results = [_extract_file(Path(p), writer, ref, max_bytes, with_rows=with_rows) for p in paths]
        conn.send([(str(r[0]), *r[1:]) for r in results])


class _Batch:
    """Graphs waiting to be written: new ones go in by the bulk loader, the others replace theirs."""

    def __init__(self, store: GraphStore, index: SearchIndex | None = None) -> None:
        self.store = store
        self.index = index  # the search index, told about every graph written
        self.bulk = hasattr(store, "add_new_graphs")
        self.graphs: dict[str, tuple[bytes | list[Quad], int, list | None]] = {}

    def __len__(self) -> int:
        return len(self.graphs)

    def __contains__(self, graph: str) -> bool:
        return graph in self.graphs

    def add(self, graph: str, data: bytes | list[Quad], n: int, rows: list | None = None) -> None:
        self.graphs[graph] = (data, n, rows)

    def write(self) -> list[str]:
        new: list[str] = []
        old: dict[NamedNode, list[Quad]] = {}
        for graph, (data, _, _) in self.graphs.items():
            node = NamedNode(graph)
            if self.bulk and not self.store.has_graph(node):
                new.append(graph)
            else:
                old[node] = data if isinstance(data, list) else list(parse(data, RdfFormat.N_QUADS))
        if new:
            self.store.add_new_graphs([NamedNode(g) for g in new],
                                      b"".join(self._bytes(self.graphs[g][0]) for g in new))
        if old:
            self.store.replace_graphs(old)
        if self.index is not None:
            self.index.replace_graphs({g.value: self._rows(g.value, quads) for g, quads in old.items()}
                                      | {g: self._rows(g, None) for g in new})
        done = list(self.graphs)
        self.graphs.clear()
        return done

    def _rows(self, graph: str, quads: list[Quad] | None) -> list:
        data, _, rows = self.graphs[graph]
        return rows if rows is not None else rows_from_quads(quads if quads is not None else self._quads(data))

    @staticmethod
    def _quads(data: bytes | list[Quad]) -> Iterable[Quad]:
        return data if isinstance(data, list) else parse(data, RdfFormat.N_QUADS)

    @staticmethod
    def _bytes(data: bytes | list[Quad]) -> bytes:
        return data if isinstance(data, bytes) else serialize(data, None, RdfFormat.N_QUADS)


class _BackgroundWriter:
    """Writes batches in a thread of its own while the caller goes on collecting the next one.

    Without it the extraction workers stood idle while a batch was written (their queues fill up
    and nobody reads them), and the writer stood idle while they extracted: half the cores unused.
    The store's bulk loader and SQLite release the GIL while they work.  At most one batch waits
    besides the one being written, so memory stays bounded.  An error in a write is raised at the
    caller's next ``submit``, ``drain`` or ``close``; nothing after it is written.
    """

    def __init__(self) -> None:
        self._jobs: queue.Queue = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="ingest-writer", daemon=True)
        self._thread.start()

    def _main(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                if job is None:
                    return
                if self._error is None:
                    job()
            except BaseException as e:  # noqa: BLE001 - handed to the caller
                self._error = e
            finally:
                self._jobs.task_done()

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def submit(self, job: Callable[[], None]) -> None:
        self._raise()
        self._jobs.put(job)

    def drain(self) -> None:
        """Wait until every batch submitted is written."""
        self._jobs.join()
        self._raise()

    def close(self) -> None:
        self._jobs.put(None)
        self._thread.join()
        self._raise()


def ingest(paths: Iterable[str | Path], store: GraphStore, settings: Settings, *,
           batch_size: int | None = None, progress: Callable[[Iterable], Iterable] | None = None,
           workers: int | None = None, search: SearchIndex | None = None) -> IngestReport:
    """Read, extract and store the articles under ``paths``; rebuild the cross-reference links.

    ``workers`` processes extract in parallel (default: one per core from ``PARALLEL_FROM`` files
    on, else none).  Graphs new to the store are bulk-loaded (``BULK_BATCH`` at a time), graphs
    already there are replaced in transactions of ``batch_size`` (64); either way an article is
    written whole or not at all.

    The search index (``search``, default: the one beside an on-disk store, see :mod:`.search`) gets
    the names and evidence sentences of every graph written; it is marked dirty until the end, so a
    run cut short leaves it to be rebuilt from the store.
    """
    index = search if search is not None else SearchIndex.for_store(store)
    try:
        return _ingest(paths, store, settings, batch_size, progress, workers, index)
    finally:
        if index is not None and search is None:
            index.close()


def _ingest(paths, store: GraphStore, settings: Settings, batch_size, progress, workers,
            index: SearchIndex | None) -> IngestReport:
    report = IngestReport()
    files, missing = collect(paths)
    report.failed.extend(missing)
    ref = Reference.load(settings.reference_dir)
    statics = static_graphs(settings, ref)
    if index is not None:
        index.mark_dirty()
    store.replace_graphs(statics)
    if index is not None:
        index.replace_quads({g.value: quads for g, quads in statics.items()})
    batch = _Batch(store, index)
    limit = batch_size or (BULK_BATCH if batch.bulk else 64)
    # Each bulk load adds files that RocksDB then merges with what the store holds, which costs more
    # the bigger the store: into a big store, load in bigger batches (fewer merges), up to 4x.
    grow = batch.bulk and batch_size is None
    held = len(store.named_graphs()) if grow else 0
    source_of: dict[str, str] = {}
    quads_of: dict[str, int] = {}
    background = _BackgroundWriter()

    def write(full: _Batch) -> None:
        for g in full.write():
            report.ingested.append(source_of[g])
            report.quads += quads_of[g]

    def flush() -> None:
        nonlocal batch
        if len(batch):
            full, batch = batch, _Batch(store, index)
            background.submit(lambda: write(full))

    bulk_index = index is not None and len(files) >= max(BULK_INDEX_FROM, index.graph_count())
    if bulk_index:
        index.begin_bulk()
    n_workers = _worker_count(workers, len(files))
    with_rows = index is not None
    if n_workers > 1:
        results = _parallel(files, settings, n_workers, with_rows)
    else:
        writer = ArticleGraphWriter(settings.minter, ref)
        max_bytes = settings.max_article_bytes
        results = (_extract_file(p, writer, ref, max_bytes, batch.bulk, with_rows) for p in files)
    if progress:
        results = progress(results, total=len(files)) if _takes_total(progress) else progress(results)

    try:
        for path, graph, data, n, problem, rows in results:
            if problem is not None:
                report.failed.append((str(path), problem))
                continue
            if graph in source_of:
                report.duplicates.append((str(path), source_of[graph]))
                if graph not in batch:  # written (or being written): this file replaces it
                    background.drain()
                    report.ingested.remove(source_of[graph])
                    report.quads -= quads_of[graph]
            source_of[graph] = str(path)
            quads_of[graph] = n
            batch.add(graph, data, n, rows)
            if len(batch) >= limit:
                held += len(batch)
                flush()
                if grow:
                    limit = max(BULK_BATCH, min(4 * BULK_BATCH, held // 10))
        flush()
        background.drain()
        if bulk_index:  # the text index is built in the writer's thread while this one resolves the links
            background.submit(index.end_bulk)
        report.links = rebuild_links(store, settings.minter)  # the links graph holds no names or sentences
    finally:
        background.close()  # the batch being written finishes (whole), even when the loop was interrupted
        if bulk_index:
            index.stop_bulk()  # if cut short: the index stays dirty, to be rebuilt from the store
    if index is not None:
        index.mark_clean(store)
    return report


def _takes_total(progress: Callable) -> bool:
    try:
        return "total" in inspect.signature(progress).parameters
    except (TypeError, ValueError):
        return False


if __name__ == "__main__":  # python -m jha_graph.ingest FD BASE_IRI REFERENCE_DIR MAX_BYTES ROWS (see _parallel)
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the parent decides
    from jha_graph.ingest import _worker_main as _main  # results must not name __main__

    _main(int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5:6] == ["rows"])
