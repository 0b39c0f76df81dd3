"""The search index (src/jha_graph/search.py): built by ingest, it answers as the SPARQL scan it replaces."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from jha_graph.config import Settings
from jha_graph.ingest import ingest
from jha_graph.search import DEFERRED_INDEXES, SearchIndex, index_path
from jha_graph.store import EmbeddedStore

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "api"))

from fixtures.api_support import fixture_store, make_client, make_settings  # noqa: E402

# What /api/search answers, computed plainly: the oracle the index is held to.  It was the SPARQL
# query the route ran before the index (api_entities.SEARCH, with its labels), but pyoxigraph's plan for
# that one query took 0.01 s or minutes on the same store from one process to the next; these reads
# are single patterns, whose cost no plan changes, and the rest is Python.
NAME_PATH = "skos:prefLabel|skos:altLabel|rdfs:label|dcterms:title|foaf:name|jha:acronym"
LABELS = ("skos:prefLabel", "rdfs:label", "dcterms:title", "foaf:name")  # the label: the first one there is
JHA = "https://w3id.org/jha-graph/ontology#"
QUERIES = ["europol", "Council of the EU", "eu", "(", "'", ".*", "ü"]


def oracle(store, prefix: str, q: str, type_iri: str | None = None, after: str | None = None) -> list[dict]:
    """Entities (IRIs under ``prefix``, after ``after``) whose name or a sentence about them contains ``q``
    in any case, of ``type_iri`` or a subclass; with their label (the least of the first label property
    they have), types, greatest matching name and sentence, and the number of sentences that match."""
    needle = q.lower()

    def wanted(e) -> bool:
        return isinstance(e, NamedNode) and e.value.startswith(prefix) and e.value > (after or "")

    hits: dict[str, dict] = {}
    for r in store.query(f"SELECT ?e ?n WHERE {{ ?e {NAME_PATH} ?n }}"):
        if wanted(r["e"]) and needle in r["n"].value.lower():
            hit = hits.setdefault(r["e"].value, {"name": "", "sentence": "", "evidence": set()})
            hit["name"] = max(hit["name"], r["n"].value)
    for r in store.query("SELECT ?ev ?e ?s WHERE { ?ev jha:about ?e ; jha:sentence ?s }"):
        if wanted(r["e"]) and needle in r["s"].value.lower():
            hit = hits.setdefault(r["e"].value, {"name": "", "sentence": "", "evidence": set()})
            hit["sentence"] = max(hit["sentence"], r["s"].value)
            hit["evidence"].add(r["ev"])
    if type_iri:
        of_type = f"SELECT DISTINCT ?e WHERE {{ ?e a/rdfs:subClassOf* <{type_iri}> }}"
        typed = {r["e"].value for r in store.query(of_type)}
        hits = {e: h for e, h in hits.items() if e in typed}
    types: dict[str, set[str]] = {}
    for r in store.query("SELECT ?e ?c WHERE { ?e a ?c }"):
        if r["e"].value in hits:
            types.setdefault(r["e"].value, set()).add(r["c"].value)
    labels: dict[str, dict[str, str]] = {}
    for prop in LABELS:
        for r in store.query(f"SELECT ?e ?l WHERE {{ ?e {prop} ?l }}"):
            if r["e"].value in hits:
                mine = labels.setdefault(r["e"].value, {})
                mine[prop] = min(mine.get(prop, r["l"].value), r["l"].value)
    return [{"e": e, "label": next((labels[e][p] for p in LABELS if p in labels.get(e, {})), None),
             "types": sorted(types.get(e, ())), "name": h["name"], "sentence": h["sentence"],
             "sentences": len(h["evidence"])}
            for e, h in sorted(hits.items())]


def plain(found: list[dict]) -> list[dict]:
    return [{**r, "types": sorted(r["types"].split())} for r in found]


def same_answers(store, index: SearchIndex, prefix: str, queries=QUERIES, types=(None,)) -> int:
    hits = 0
    for q in queries:
        for t in types:
            expected = oracle(store, prefix, q, t)
            assert plain(index.search(q, prefix=prefix, type_iri=t, limit=10_000)) == expected, (q, t)
            hits += len(expected)
    return hits


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    """data/articles ingested into a store on disk: (store, its index, the IRI prefix of entities)."""
    directory = tmp_path_factory.mktemp("search") / "store"
    store = EmbeddedStore(directory)
    settings = Settings(store=str(directory))
    assert ingest([ROOT / "data" / "articles"], store, settings).ok
    index = SearchIndex(index_path(directory))
    yield store, index, settings.base_iri + "id/"
    index.close()


def test_ingest_writes_the_index_beside_the_store(seed):
    store, index, _ = seed
    assert index.path == store.path.with_name(store.path.name + ".search.sqlite") and index.path.is_file()
    assert index.is_current(store)


def test_the_index_answers_as_the_sparql_scan(seed):
    store, index, prefix = seed
    assert same_answers(store, index, prefix) > 0


def test_type_filter_counts_subclasses(seed):
    store, index, prefix = seed
    assert same_answers(store, index, prefix, ["eu", "council", "the"],
                        (JHA + "Agency", JHA + "Document", JHA + "Actor", JHA + "Meeting",
                         "http://www.w3.org/2004/02/skos/core#Concept")) > 0


def test_case_insensitive_and_two_characters(seed):
    _, index, prefix = seed
    assert index.search("EUROPOL", prefix=prefix) == index.search("europol", prefix=prefix) != []
    two = index.search("Eu", prefix=prefix, limit=10_000)
    assert two and all("eu" in (r["name"] + r["sentence"]).lower() for r in two)


def test_keyset_pages_add_up_to_the_whole_answer(seed):
    _, index, prefix = seed
    for q in ("the", "eu"):
        whole = index.search(q, prefix=prefix, limit=10_000)
        assert len(whole) > 7
        pages, after = [], None
        while True:
            page = index.search(q, prefix=prefix, after=after, limit=3)
            pages.extend(page)
            if len(page) < 3:
                break
            after = page[-1]["e"]
        assert pages == whole


def test_literal_matching_of_metacharacters_and_quotes(tmp_path):
    base = "http://example.org/"
    names = ["a.*b", "(x)", 'say "hi"', "O'Brien", "[z]", "100%", "_u_", r"back\slash", "Ünïcödé", "$^|?+{2}"]
    g = NamedNode(base + "graph/t")
    quads = [Quad(NamedNode(f"{base}id/e{i}"), NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
                  Literal(n), g) for i, n in enumerate(names)]
    quads.append(Quad(NamedNode(base + "id/e0"), NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                      Literal("plain"), g))
    store = EmbeddedStore(None)
    store.replace_graphs({g: quads})
    index = SearchIndex(tmp_path / "t.search.sqlite")
    index.rebuild(store)
    try:
        for i, n in enumerate(names):
            for q in {n, n.upper(), n[1:], n[:2]}:
                found = [r["e"] for r in index.search(q, prefix=base + "id/")]
                assert base + f"id/e{i}" in found, q
                assert plain(index.search(q, prefix=base + "id/")) == oracle(store, base + "id/", q), q
        assert index.search(".*", prefix=base + "id/")[0]["label"] == "a.*b"  # prefLabel before rdfs:label
        assert index.search("a.b", prefix=base + "id/") == [] and index.search("1000", prefix=base) == []
        assert index.search("%", prefix=base) and index.search("_", prefix=base)[0]["e"].endswith("e6")
    finally:
        index.close()


def test_reingest_replaces_and_rebuild_gives_the_same_answers(seed, tmp_path):
    store, index, prefix = seed
    directory = tmp_path / "store"
    again = EmbeddedStore(directory)
    settings = Settings(store=str(directory))
    for _ in range(2):
        assert ingest([ROOT / "data" / "articles"], again, settings).ok
    copy = SearchIndex(index_path(directory))
    try:
        count = "SELECT COUNT(*) FROM entry"
        assert copy._con().execute(count).fetchone() == index._con().execute(count).fetchone()
        for q in QUERIES:
            assert copy.search(q, prefix=prefix, limit=10_000) == index.search(q, prefix=prefix, limit=10_000)
        copy.rebuild(again)
        assert copy._con().execute(count).fetchone() == index._con().execute(count).fetchone()
        for q in QUERIES:
            assert copy.search(q, prefix=prefix, limit=10_000) == index.search(q, prefix=prefix, limit=10_000)
    finally:
        copy.close()
        again.close()


def test_a_dirty_or_missing_index_is_rebuilt_when_the_app_starts(seed, tmp_path):
    from jha_graph.api.deps import search_for

    store, index, prefix = seed
    directory = tmp_path / "store"
    shutil.copytree(store.path, directory)
    own = EmbeddedStore(directory)
    path = index_path(directory)
    shutil.copy(index.path, path)
    stale = SearchIndex(path)
    stale.mark_dirty()
    stale._con().execute("DELETE FROM entry")  # the rows a crash may have left wrong
    stale._con().commit()
    stale.close()
    settings = Settings(store=str(directory), base_iri=Settings().base_iri)
    from jha_graph.api.app import create_app

    app = create_app(settings, own)
    rebuilt = search_for(app.state)
    assert rebuilt.is_current(own)
    assert rebuilt.search("europol", prefix=prefix) == index.search("europol", prefix=prefix) != []
    rebuilt.close()
    own.close()


def test_writes_through_the_server_are_searchable_next(tmp_path):
    from fastapi.testclient import TestClient

    from jha_graph.api.app import create_app

    settings = make_settings(update_token="secret")
    with TestClient(create_app(settings, fixture_store(settings))) as client:
        assert client.get("/api/search", params={"q": "zzqx-new"}).json()["data"] == []
        update = (f"INSERT DATA {{ GRAPH <{settings.base_iri}graph/new> {{ <{settings.base_iri}id/org/new> "
                  "<http://www.w3.org/2004/02/skos/core#prefLabel> 'Zzqx-New Body' } }")
        r = client.post("/update", content=update, headers={"content-type": "application/sparql-update",
                                                             "authorization": "Bearer secret"})
        assert r.status_code == 204, r.text
        data = client.get("/api/search", params={"q": "zzqx-new"}).json()["data"]
        assert [d["label"] for d in data] == ["Zzqx-New Body"]


def test_the_routes_do_not_scan_the_store(monkeypatch):
    store = fixture_store(make_settings())
    client = make_client(store=store)
    before = client.get("/api/search", params={"q": "europol", "limit": 5}).json()
    assert before["ok"] and before["data"]
    real = store.query

    def no_scan(sparql, **kwargs):
        if "jha:sentence" in sparql or "CONTAINS(" in sparql:
            raise AssertionError("the search ran a SPARQL scan")
        return real(sparql, **kwargs)

    monkeypatch.setattr(store, "query", no_scan)
    assert client.get("/api/search", params={"q": "europol", "limit": 5}).json() == before
    assert client.get("/search.json", params={"q": "europol", "limit": 5}).json() == before
    page = client.get("/search", params={"q": "europol"})
    assert page.status_code == 200 and before["data"][0]["url"].split("/")[-1] in page.text


def test_the_corpus_index_answers_as_the_sparql_scan(corpus_store):
    prefix = Settings().base_iri + "id/"
    index = SearchIndex(index_path(corpus_store.path))
    try:
        assert index.is_current(corpus_store)
        assert same_answers(corpus_store, index, prefix, ["europol", "on"], (None, JHA + "Agency")) > 0
    finally:
        index.close()


def test_an_index_built_at_the_end_of_a_big_ingest_answers_as_one_kept_up_to_date(tmp_path, monkeypatch,
                                                                                  corpus_dir):
    """A big ingest leaves the text index alone and builds it once at the end (ingest.BULK_INDEX_FROM);
    its answers are those of the index kept up to date graph by graph, and of the SPARQL scan."""
    import jha_graph.ingest as ingest_module

    prefix = Settings().base_iri + "id/"
    answers = []
    for bulk_from in (10**9, 1):  # never, then always
        monkeypatch.setattr(ingest_module, "BULK_INDEX_FROM", bulk_from)
        directory = tmp_path / f"store-{bulk_from}"
        store = EmbeddedStore(directory)
        assert ingest([corpus_dir], store, Settings(store=str(directory))).ok
        index = SearchIndex(index_path(directory))
        try:
            assert index.is_current(store) and not index._bulk
            assert _indexes(index) >= set(DEFERRED_INDEXES)  # made again at the end
            answers.append([index.search(q, prefix=prefix, limit=10_000) for q in QUERIES + ["eurojust", "on"]])
            if bulk_from == 1:
                assert same_answers(store, index, prefix, ["europol", "on"]) > 0
        finally:
            index.close()
            store.close()
    assert answers[0] == answers[1] and any(answers[0])


def _indexes(index: SearchIndex) -> set[str]:
    return {r[0] for r in index._con().execute("SELECT name FROM sqlite_master WHERE type = 'index'")}


def test_a_bulk_load_cut_short_leaves_the_indexes_by_iri_made_again(tmp_path):
    """begin_bulk drops the indexes over IRIs (kept up to date they cost half the writing); stop_bulk,
    after a run cut short, makes them again, as opening the index does."""
    index = SearchIndex(tmp_path / "x.search.sqlite")
    try:
        index.begin_bulk()
        assert not _indexes(index) & set(DEFERRED_INDEXES) and index._bulk
        index.replace_graphs({"http://example.org/g": [("name", "http://example.org/e", "Eurojust", 1),
                                                       ("type", "http://example.org/e", "http://example.org/C", None)]})
        index.stop_bulk()
        assert _indexes(index) >= set(DEFERRED_INDEXES) and not index._bulk
    finally:
        index.close()
