"""The search index: names and evidence sentences in SQLite (FTS5, trigram), built at ingest time.

``/api/search`` and the ``/search`` page find entities whose names contain a text, or that an
evidence sentence containing it is about.  Scanning every literal with SPARQL on each request is
slow (and grows with the graph), so ingest writes what search needs into this index instead, and a
request only looks it up.

Where it lives: beside an on-disk store, in ``<store dir>.search.sqlite`` (``var/store`` ->
``var/store.search.sqlite``; RocksDB owns the store directory itself).  A store with no directory
(in memory, remote) gets an index in a temporary file, built from the store when a server starts.
It is opened in WAL mode, so a server reads it while ``jha-graph ingest`` writes it.

What it holds, per named graph (so an article's rows are replaced with its graph):

* ``entry``: one row per name (``skos:prefLabel``, ``rdfs:label``, ``dcterms:title``, ``foaf:name``,
  ``skos:altLabel``, ``jha:acronym``: the names the API's ``NAME_PATH`` searches) and per evidence
  sentence (``?ev jha:sentence ?s ; jha:about ?e``), with its text and its lower-cased text;
  ``entry_fts`` indexes the lower-cased text with FTS5's trigram tokenizer, which finds any
  substring of three characters or more.  Two-character queries (the API's minimum) cannot use
  trigrams: they scan the lower-cased column in IRI order with ``instr`` (C speed, stops at the
  page end; a bigram index would cost a row per character of every sentence for a rare query).
* ``type`` (``rdf:type``) and ``subclass`` (``rdfs:subClassOf``) for the class filter and the
  types shown.

Matching is literal and case-insensitive, as ``CONTAINS(LCASE(?text), LCASE(?q))`` is: FTS5 only
proposes candidates, each is checked with Python's ``q.lower() in text.lower()``.

Consistency: the index is derived data, and rebuilt from the store (``rebuild``, or
``jha-graph reindex``) whenever it may be wrong.  Ingest sets the meta ``state`` to ``dirty`` before
it writes the store and to ``clean`` (with a checksum of the store's named graphs) when store and
index agree again; a server rebuilds at start unless the index is clean and the checksum matches
(one ``named_graphs()`` call), and after writes it made itself (SPARQL Update, graph store).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path

from pyoxigraph import NamedNode, Quad

from .namespaces import PREFIXES

SKOS, RDFS, RDF = PREFIXES["skos"], PREFIXES["rdfs"], PREFIXES["rdf"]
DCTERMS, FOAF, JHA = PREFIXES["dcterms"], PREFIXES["foaf"], PREFIXES["jha"]

# names, ranked as the API's label preference (LABEL: prefLabel, rdfs:label, title, foaf:name);
# rank 5 names are searched but never shown as the label
NAME_RANK = {SKOS + "prefLabel": 1, RDFS + "label": 2, DCTERMS + "title": 3, FOAF + "name": 4,
             SKOS + "altLabel": 5, JHA + "acronym": 5}
LABEL_RANKS = 4
SENTENCE = 9  # the rank of evidence sentences
TYPE, SUBCLASS = RDF + "type", RDFS + "subClassOf"
SENTENCE_P, ABOUT_P = JHA + "sentence", JHA + "about"
PREDICATES = (*NAME_RANK, TYPE, SUBCLASS, SENTENCE_P, ABOUT_P)
SUFFIX = ".search.sqlite"
VERSION = "1"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v TEXT);
CREATE TABLE IF NOT EXISTS entry(id INTEGER PRIMARY KEY, graph TEXT NOT NULL, e TEXT NOT NULL,
                                 rank INTEGER NOT NULL, key TEXT, text TEXT NOT NULL, folded TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS entry_graph ON entry(graph);
CREATE INDEX IF NOT EXISTS entry_e ON entry(e, rank);
CREATE VIRTUAL TABLE IF NOT EXISTS entry_fts USING fts5(folded, content='entry', content_rowid='id',
                                                        tokenize='trigram');
CREATE TABLE IF NOT EXISTS type(graph TEXT NOT NULL, e TEXT NOT NULL, c TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS type_graph ON type(graph);
CREATE INDEX IF NOT EXISTS type_e ON type(e);
CREATE INDEX IF NOT EXISTS type_c ON type(c, e);
CREATE TABLE IF NOT EXISTS subclass(graph TEXT NOT NULL, sub TEXT NOT NULL, sup TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS subclass_graph ON subclass(graph);
CREATE INDEX IF NOT EXISTS subclass_sup ON subclass(sup);
"""

# The indexes a bulk load leaves out (see begin_bulk): those over IRIs, which are written in no order
# (keeping them up to date cost half the index's writing); the graph indexes stay, for the deletes.
DEFERRED_INDEXES = {name: sql for name, sql in (
    (line.split()[5], line) for line in SCHEMA.splitlines() if line.startswith("CREATE INDEX"))
    if not name.endswith("_graph")}

# Row kinds: ("name", e, text, rank) ("sentence", e, text, evidence) ("type", e, class, None)
# ("subclass", sub, sup, None)
Row = tuple[str, str, str, object]


def index_path(store_dir: str | Path) -> Path:
    """Where the index of the store at ``store_dir`` lives: ``<store dir>.search.sqlite``."""
    p = Path(store_dir)
    return p.with_name(p.name + SUFFIX)


def rows_from_quads(quads: Iterable[Quad]) -> list[Row]:
    """What the index keeps of one graph's quads (names, evidence sentences, types, subclasses)."""
    out: list[Row] = []
    sentences: dict[str, list[str]] = {}
    about: dict[str, list[str]] = {}
    for q in quads:
        p = q.predicate.value
        s = q.subject
        if p in NAME_RANK:
            if isinstance(s, NamedNode):
                out.append(("name", s.value, q.object.value, NAME_RANK[p]))
        elif p == TYPE:
            if isinstance(s, NamedNode) and isinstance(q.object, NamedNode):
                out.append(("type", s.value, q.object.value, None))
        elif p == SUBCLASS:
            if isinstance(s, NamedNode) and isinstance(q.object, NamedNode):
                out.append(("subclass", s.value, q.object.value, None))
        elif p == SENTENCE_P:
            sentences.setdefault(str(s), []).append(q.object.value)
        elif p == ABOUT_P and isinstance(q.object, NamedNode):
            about.setdefault(str(s), []).append(q.object.value)
    for ev, texts in sentences.items():
        for e in about.get(ev, ()):
            out.extend(("sentence", e, t, ev) for t in texts)
    return out


def graphs_checksum(store) -> str:
    """A checksum of the store's named graphs (which articles it holds)."""
    h = hashlib.blake2b(digest_size=16)
    for g in store.named_graphs():
        h.update(g.value.encode() + b"\n")
    return h.hexdigest()


class SearchIndex:
    """The search index in the SQLite file ``path`` (created if missing)."""

    def __init__(self, path: str | Path, *, temporary: bool = False) -> None:
        self.path = Path(path)
        self.temporary = temporary
        self._bulk = False  # see begin_bulk
        self._local = threading.local()
        self._write_lock = threading.RLock()  # re-entrant: a first write from a new thread opens its connection under it
        self._all: list[sqlite3.Connection] = []
        con = self._con()
        try:
            con.executescript(SCHEMA)
            if con.execute("SELECT v FROM meta WHERE k='version'").fetchone() is None:
                con.execute("INSERT OR REPLACE INTO meta VALUES('version', ?)", (VERSION,))
                con.commit()
        except sqlite3.DatabaseError:  # not an index (or a broken one): start again
            self.close()
            self.path.unlink(missing_ok=True)
            self._con().executescript(SCHEMA)

    @classmethod
    def for_store(cls, store) -> SearchIndex | None:
        """The index beside an on-disk store; None for a store with no directory."""
        path = getattr(store, "path", None)
        if path is None or not hasattr(store, "raw"):
            return None
        return cls(index_path(path))

    @classmethod
    def temporary_file(cls) -> SearchIndex:
        folder = tempfile.mkdtemp(prefix="jha-search-")
        return cls(Path(folder) / ("index" + SUFFIX), temporary=True)

    # --- connections -----------------------------------------------------------------------------
    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        file = self._file()
        if con is not None and file is not None and file != getattr(self._local, "file", None):
            # another file is at the path now (make build renames a new index into place): a connection
            # keeps reading the file it opened, so open the new one
            with self._write_lock:
                self._all = [c for c in self._all if c is not con]
            con.close()
            con = None
        if con is None:
            con = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
            self._local.con, self._local.file = con, self._file()
            with self._write_lock:
                self._all.append(con)
        return con

    def _file(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return st.st_dev, st.st_ino

    def close(self) -> None:
        for con in self._all:
            try:
                con.close()
            except sqlite3.Error:
                pass
        self._all = []
        self._local = threading.local()
        if self.temporary:
            shutil.rmtree(self.path.parent, ignore_errors=True)

    # --- state -----------------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self._con().execute("SELECT v FROM meta WHERE k=?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, con, **values: str) -> None:
        con.executemany("INSERT OR REPLACE INTO meta VALUES(?, ?)", list(values.items()))

    def mark_dirty(self) -> None:
        """Say the store is being written and the index may not follow (until ``mark_clean``)."""
        with self._write_lock, self._con() as con:
            self._set_meta(con, state="dirty")

    def mark_clean(self, store) -> None:
        """Say the index matches the store as it is now."""
        checksum = graphs_checksum(store)
        with self._write_lock, self._con() as con:
            self._set_meta(con, state="clean", graphs=checksum)

    def is_current(self, store) -> bool:
        """True when the index was left clean, for the named graphs the store holds now."""
        return (self.meta("version") == VERSION and self.meta("state") == "clean"
                and self.meta("graphs") == graphs_checksum(store))

    # --- writing ---------------------------------------------------------------------------------
    def replace_graphs(self, graphs: Mapping[str, Iterable[Row]]) -> None:
        """Replace what the index holds of each graph (IRI) by ``rows``, all in one transaction."""
        with self._write_lock, self._con() as con:
            for graph, rows in graphs.items():
                self._replace(con, graph, rows)

    def replace_article(self, graph: str, rows: Iterable[Row]) -> None:
        self.replace_graphs({graph: rows})

    def replace_reference(self, rows_by_graph: Mapping[str, Iterable[Row]]) -> None:
        """The reference data and the ontology (each in its own graph)."""
        self.replace_graphs(rows_by_graph)

    def replace_quads(self, graphs: Mapping[str, Iterable[Quad]]) -> None:
        self.replace_graphs({g: rows_from_quads(qs) for g, qs in graphs.items()})

    def graph_count(self) -> int:
        """How many graphs the index holds something of."""
        return self._con().execute("SELECT COUNT(DISTINCT graph) FROM entry").fetchone()[0]

    def begin_bulk(self) -> None:
        """Leave the text index (FTS) and the indexes by IRI (``DEFERRED_INDEXES``) alone while many
        graphs are written; ``end_bulk`` rebuilds them.

        Building them once at the end costs a third (FTS) and a half (the others) of keeping them up to
        date graph by graph, but it reads every entry: worth it when the graphs written outnumber those
        already there.  Until then the index is dirty (``mark_dirty``), as during any ingest, and a
        search that reads it meanwhile is slower.
        """
        with self._write_lock, self._con() as con:
            for name in DEFERRED_INDEXES:
                con.execute(f"DROP INDEX IF EXISTS {name}")
        self._bulk = True

    def end_bulk(self) -> None:
        with self._write_lock, self._con() as con:
            con.execute("INSERT INTO entry_fts(entry_fts) VALUES('rebuild')")
            self._create_deferred(con)
        self._bulk = False

    def stop_bulk(self) -> None:
        """Back to keeping the text index up to date, without rebuilding it (after a run cut short); the
        indexes by IRI are made again (an index opened later would make them too)."""
        if self._bulk:
            with self._write_lock, self._con() as con:
                self._create_deferred(con)
        self._bulk = False

    @staticmethod
    def _create_deferred(con: sqlite3.Connection) -> None:
        for sql in DEFERRED_INDEXES.values():
            con.execute(sql)

    def _replace(self, con: sqlite3.Connection, graph: str, rows: Iterable[Row]) -> None:
        bulk = self._bulk
        if not bulk:
            con.execute("INSERT INTO entry_fts(entry_fts, rowid, folded) "
                        "SELECT 'delete', id, folded FROM entry WHERE graph=?", (graph,))
        for table in ("entry", "type", "subclass"):
            con.execute(f"DELETE FROM {table} WHERE graph=?", (graph,))  # noqa: S608 (fixed names)
        entries, types, subs = [], set(), set()
        for kind, a, b, extra in rows:
            if kind == "name":
                entries.append((graph, a, extra, None, b, b.lower()))
            elif kind == "sentence":
                entries.append((graph, a, SENTENCE, extra, b, b.lower()))
            elif kind == "type":
                types.add((graph, a, b))
            elif kind == "subclass":
                subs.add((graph, a, b))
        first = None if bulk else con.execute("SELECT COALESCE(MAX(id), 0) FROM entry").fetchone()[0]
        con.executemany("INSERT INTO entry(graph, e, rank, key, text, folded) VALUES(?,?,?,?,?,?)", entries)
        if not bulk:
            con.execute("INSERT INTO entry_fts(rowid, folded) SELECT id, folded FROM entry WHERE id > ?", (first,))
        con.executemany("INSERT INTO type VALUES(?,?,?)", sorted(types))
        con.executemany("INSERT INTO subclass VALUES(?,?,?)", sorted(subs))

    def rebuild(self, store) -> None:
        """Empty the index and fill it from the store (one SPARQL query), then mark it clean."""
        values = " ".join(f"<{p}>" for p in PREDICATES)
        by_graph: dict[str, list[Quad]] = {}
        for r in store.query(f"SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} VALUES ?p {{ {values} }} }}"):
            g = r["g"]
            by_graph.setdefault(g.value, []).append(Quad(r["s"], r["p"], r["o"]))
        checksum = graphs_checksum(store)
        with self._write_lock, self._con() as con:
            con.execute("INSERT INTO entry_fts(entry_fts) VALUES('delete-all')")
            for table in ("entry", "type", "subclass"):
                con.execute(f"DELETE FROM {table}")  # noqa: S608
            for g, quads in by_graph.items():
                self._replace(con, g, rows_from_quads(quads))
            self._set_meta(con, state="clean", graphs=checksum, version=VERSION)

    def ensure(self, store) -> bool:
        """Rebuild unless the index is current for ``store``; True when it rebuilt."""
        if self.is_current(store):
            return False
        self.rebuild(store)
        return True

    # --- reading ---------------------------------------------------------------------------------
    def search(self, q: str, *, prefix: str = "", type_iri: str | None = None, after: str | None = None,
               limit: int = 50) -> list[dict]:
        """Up to ``limit`` entities (IRIs starting with ``prefix``, after ``after``, of class ``type_iri``
        or a subclass) with a name containing ``q`` or an evidence sentence containing it, by IRI.

        Each: ``e``, ``label`` (the least of the most preferred label), ``types`` (class IRIs, space
        separated), ``name`` (the greatest matching name, "" if none), ``sentence`` (the greatest
        matching sentence, "" if none) and ``sentences`` (how many evidence sentences match)."""
        if "\x00" in q:  # no indexed text holds NUL, and FTS5 reads a phrase with one as unterminated (a 500)
            return []
        con = self._con()
        needle = q.lower()
        low = max(after or "", prefix)
        where = ["x.e > ?" if after is not None and after >= prefix else "x.e >= ?"]
        params: list = [low]
        if prefix:
            where.append("x.e < ?")
            params.append(prefix + "\U0010ffff")
        if type_iri is not None:
            where.append("x.e IN (SELECT t.e FROM type t WHERE t.c IN (SELECT c FROM classes))")
        if len(needle) >= 3:
            where.append("x.id IN (SELECT rowid FROM entry_fts WHERE entry_fts MATCH ?)")
            params.append('"' + needle.replace('"', '""') + '"')
        else:
            where.append("instr(x.folded, ?) > 0")
            params.append(needle)
        sql = (("WITH RECURSIVE classes(c) AS (SELECT ? UNION SELECT s.sub FROM subclass s JOIN classes "
                "ON s.sup = classes.c) " if type_iri is not None else "")
               + "SELECT x.e, x.rank, x.key, x.text, x.folded FROM entry x WHERE "
               + " AND ".join(where) + " ORDER BY x.e")
        if type_iri is not None:
            params.insert(0, type_iri)
        found: dict[str, dict] = {}
        for e, rank, key, text, folded in con.execute(sql, params):
            if needle not in folded:
                continue
            hit = found.get(e)
            if hit is None:
                if len(found) >= limit:
                    break
                hit = found[e] = {"e": e, "name": "", "sentence": "", "keys": set()}
            if rank == SENTENCE:
                hit["keys"].add(key)
                hit["sentence"] = max(hit["sentence"], text)
            else:
                hit["name"] = max(hit["name"], text)
        if not found:
            return []
        marks = ",".join("?" * len(found))
        labels: dict[str, tuple[int, str]] = {}
        for e, rank, text in con.execute(f"SELECT e, rank, text FROM entry WHERE e IN ({marks}) "  # noqa: S608
                                         f"AND rank <= {LABEL_RANKS}", list(found)):
            best = labels.get(e)
            if best is None or (rank, text) < best:
                labels[e] = (rank, text)
        types: dict[str, set[str]] = {}
        for e, c in con.execute(f"SELECT e, c FROM type WHERE e IN ({marks})", list(found)):  # noqa: S608
            types.setdefault(e, set()).add(c)
        out = []
        for e, hit in found.items():
            keys = hit.pop("keys")
            label = labels.get(e)
            out.append({**hit, "label": label[1] if label else None,
                        "types": " ".join(sorted(types.get(e, ()))), "sentences": len(keys)})
        return out
