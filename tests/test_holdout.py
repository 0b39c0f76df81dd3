"""The extractor on articles written for the project (tests/fixtures/holdout), against their annotations."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from jha_graph.config import Settings
from jha_graph.ingest import ingest
from jha_graph.store import EmbeddedStore

from .test_competency_queries import rows, same_title

HOLDOUT = Path(__file__).parent / "fixtures" / "holdout"
GOLD = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(HOLDOUT.glob("*.json"))}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    directory = tmp_path_factory.mktemp("holdout") / "store"
    s = EmbeddedStore(directory)
    report = ingest(sorted(HOLDOUT.glob("*.md")), s, Settings(store=str(directory)))
    assert report.ok, report.failed
    return s


def per_article(store, name):
    out: dict[str, list[dict]] = {}
    for r in rows(store, name):
        out.setdefault(r["article"].rsplit("/", 1)[-1], []).append(r)
    return out


@pytest.mark.parametrize("slug", sorted(GOLD))
def test_bibliographic_record(store, slug):
    want = GOLD[slug]["article"]
    [row] = per_article(store, "articles")[slug]
    assert (row["title"], row.get("date"), row.get("author"), row.get("issue"), row.get("pages")) == \
        (want["title"], want["date"], want["author"], want["issue"], want["pages"])


@pytest.mark.parametrize("slug", sorted(GOLD))
def test_presidencies_meetings_and_crossrefs(store, slug):
    gold = GOLD[slug]
    got = {(r["country"], r["start"]) for r in per_article(store, "presidencies").get(slug, [])}
    assert got == {(p["country"], p["start"]) for p in gold["presidencies"]}
    got = {(r["kind"], r["start"], r["end"], r.get("presidencyCountry")) for r in per_article(store, "meetings").get(slug, [])}
    assert got == {(m["kind"], m["start"], m["end"], m["presidency"]) for m in gold["meetings"]}
    got = [(r.get("issue"), r.get("pages"), r.get("newsDate"), r["separateItem"] == "true")
           for r in per_article(store, "crossrefs").get(slug, [])]
    assert got == [(x["issue"], x["pages"], x["news_date"], x["separate_item"]) for x in gold["crossrefs"]]


@pytest.mark.parametrize("slug", sorted(GOLD))
def test_organisations(store, slug):
    names = {r["name"] for r in per_article(store, "organisations").get(slug, [])}
    assert {o["name"] for o in GOLD[slug]["organisations"]} <= names


def test_document_recall(store):
    """Over all hand-written articles, the rules find most documents they name, with their type."""
    found = per_article(store, "documents")
    total = hits = 0
    for slug, gold in GOLD.items():
        for doc in gold["documents"]:
            total += 1
            hits += any(r["type"] == doc["type"] and same_title(doc["title"], r["title"]) for r in found.get(slug, []))
    assert hits / total >= 0.8, f"{hits} of {total} documents found"
