"""Read-only views of an on-disk store that notice when someone else wrote to it.

Only one process may open a store for writing; any number may open it read-only, but a read-only
handle is a snapshot: it does not see later writes until it is opened again.  So readers (the query
workers, a server started without an update token) need to know *when* to reopen.

The store's **generation** answers that.  It is a fingerprint of the RocksDB files that change on
every committed write (the write-ahead ``*.log`` files grow, ``*.sst``/``MANIFEST-*``/``CURRENT``
appear on flushes and compactions), i.e. name, size and modification time of each.  It needs no
cooperation from writers: an update through this server, ``jha-graph ingest`` in another process, or
anything else that writes the store changes it.  Opening read-only changes none of these files, so
readers never make each other reopen.  A compaction may change it without changing the data; that
costs one needless reopen, never a stale answer.  Computing it takes a few stats (``store_generation``).
"""
from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path

from pyoxigraph import QuerySolutions

from ..store import EmbeddedStore, StoreError, open_store

_DATA_FILES = (".log", ".sst")
_DATA_PREFIXES = ("MANIFEST-", "CURRENT")


# The last listing of each store: path -> (the directory's mtime, the names of its data files)
_LISTINGS: dict[str, tuple[int, tuple[str, ...]]] = {}
_SETTLED_NS = 2_000_000_000  # a directory changed this recently is listed again: mtimes are coarse


def store_generation(path: str | Path) -> str:
    """A fingerprint that changes whenever a write to the store at ``path`` is committed.

    It is made of the data files' names and, for those that change in place (the write-ahead logs,
    MANIFEST, CURRENT), their sizes and mtimes; SST files never change, they come and go.  A committed
    write appends to a log or adds or removes files, which changes the directory's mtime: while that
    is unchanged (and long enough ago to trust), the last listing is reused, so that a store of a
    hundred files costs a few stats, not a hundred."""
    key = str(path)
    try:
        directory = os.stat(key).st_mtime_ns
    except FileNotFoundError:
        return "missing"
    cached = _LISTINGS.get(key)
    if cached is None or cached[0] != directory or time.time_ns() - directory <= _SETTLED_NS:
        try:
            names = tuple(sorted(e.name for e in os.scandir(key)
                                 if e.name.endswith(_DATA_FILES) or e.name.startswith(_DATA_PREFIXES)))
        except FileNotFoundError:
            return "missing"
        cached = _LISTINGS[key] = (directory, names)
    h = hashlib.blake2b(digest_size=12)
    for name in cached[1]:
        if name.endswith(".sst"):
            h.update(f"{name}\n".encode())
            continue
        try:
            st = os.stat(os.path.join(key, name))
        except FileNotFoundError:  # removed since the listing (a compaction): list again next time
            _LISTINGS.pop(key, None)
            continue
        h.update(f"{name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def ensure_store(path: str | Path) -> None:
    """Create an empty store at ``path`` if there is none, so that it can be opened read-only."""
    p = Path(path)
    if not (p / "CURRENT").exists():
        EmbeddedStore(p).close()


class SnapshotStore:
    """A read-only ``GraphStore`` over an on-disk store that reopens itself when the store's generation
    changed, so a read-only server sees what ``jha-graph ingest`` (or anyone) wrote since."""

    read_only = True

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        ensure_store(self.path)
        self._lock = threading.Lock()
        self._generation = store_generation(self.path)
        self._inner = EmbeddedStore(self.path, read_only=True)

    def _current(self) -> EmbeddedStore:
        generation = store_generation(self.path)
        if generation != self._generation:
            with self._lock:
                if generation != self._generation:
                    fresh = _reopen(self.path)
                    if fresh is not None:  # else answer from the last snapshot; the next read tries again
                        self._inner, self._generation = fresh, generation
        return self._inner

    @property
    def raw(self):
        return self._current().raw

    def query(self, sparql: str, **options):
        """Run a query; SELECT solutions are read to the end here.  A handle reads the store's files lazily,
        and a writer's compaction may delete a file the handle has not opened yet: the read fails
        ('No such file'), and the query is run again on a fresh handle instead of failing a request
        half-way through its rows."""
        for attempt in range(3):
            inner = self._current() if attempt == 0 else (_reopen(self.path) or self._inner)
            try:
                results = inner.query(sparql, **options)
                return _Solutions(results) if isinstance(results, QuerySolutions) else results
            except OSError:
                if attempt == 2:
                    raise
                with self._lock:
                    self._generation = None  # make the next read reopen
        raise AssertionError("unreachable")

    def named_graphs(self):
        return self._current().named_graphs()

    def quads(self, graph=None):
        return self._current().quads(graph)

    def dump(self, output, fmt: str, graph=None) -> None:
        self._current().dump(output, fmt, graph)

    def __len__(self) -> int:
        return len(self._current())

    def _read_only(self, *_args, **_kwargs):
        raise StoreError(f"the store at {self.path} is open read-only in this process "
                         "(start the server with an update token to write through it)")

    replace_graphs = drop_graphs = update = bulk_load = _read_only

    def flush(self) -> None:
        pass

    def optimize(self) -> None:
        pass

    def close(self) -> None:
        self._inner = None  # type: ignore[assignment]


class _Solutions:
    """SELECT solutions read to the end, with the ``variables`` and iteration of pyoxigraph's ``QuerySolutions``."""

    __slots__ = ("variables", "_rows")

    def __init__(self, results: QuerySolutions) -> None:
        self.variables = results.variables
        self._rows = list(results)

    def __iter__(self):
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


def _reopen(path: Path, attempts: int = 6) -> EmbeddedStore | None:
    """A new read-only handle, or None.  While a writer compacts, the file list a handle is opened from
    can name a file the writer has just deleted (RocksDB says 'Corruption: IO error: No such file'):
    that passes within milliseconds, so try again a few times."""
    for attempt in range(attempts):
        try:
            return EmbeddedStore(path, read_only=True)
        except (OSError, RuntimeError, StoreError):
            time.sleep(0.005 * 2 ** attempt)
    return None


def store_path(store) -> Path | None:
    """The directory of an embedded on-disk store (the only kind query worker processes can open); for a
    ``guarded.GuardedStore``, of the store it wraps."""
    store = getattr(store, "unguarded", store)
    path = getattr(store, "path", None)
    return Path(path) if path is not None and hasattr(store, "raw") else None


def open_served_store(settings):
    """The store a server process holds: writable only when updates are enabled (an update token is
    configured), so that a read-only server never takes the store's write lock from ``jha-graph ingest``."""
    if settings.is_remote or settings.update_token:
        return open_store(settings.store, settings=settings)
    return SnapshotStore(settings.store)
