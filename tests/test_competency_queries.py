"""Each competency query of queries/cq, run on the graph of the seed article, answers what the
seed article's gold annotation says it states (../shared/corpus/gold/seed-article.json)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CQ = ROOT / "queries" / "cq"
COLUMNS = {  # from ../shared/competency-questions.md
    "articles": "article file title date author issue pages",
    "presidencies": "article presidency country start end",
    "meetings": "article meeting kind label start end location presidencyCountry",
    "documents": "article document type title date adoptedAt by",
    "organisations": "article org name kind",
    "crossrefs": "article marker issue pages newsDate separateItem target targetFile",
}


def rows(store, name: str) -> list[dict[str, str]]:
    results = store.query((CQ / f"{name}.rq").read_text(encoding="utf-8"))
    names = [v.value for v in results.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in results]


def words(text: str) -> set[str]:
    stop = {"the", "of", "on", "and", "in", "for", "to", "a", "an", "eu", "european", "council", "by", "s"}
    return {w for w in re.findall(r"[a-z0-9]+", (text or "").lower()) if w not in stop}


def same_title(a: str, b: str) -> bool:
    wa, wb = words(a), words(b)
    small, big = sorted((wa, wb), key=len)
    return bool(wa and wb) and (2 * len(wa & wb) / (len(wa) + len(wb)) >= 0.6 or
                                (small <= big and len(big) <= len(small) + 4))


@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_query_has_the_columns_the_competency_questions_name(seed_store, name):
    results = seed_store.query((CQ / f"{name}.rq").read_text(encoding="utf-8"))
    assert set(COLUMNS[name].split()) <= {v.value for v in results.variables}


def test_articles(seed_store, seed_gold):
    [row] = rows(seed_store, "articles")
    want = seed_gold["article"]
    assert row["file"] == "seed-article.md"
    assert row["title"] == want["title"]
    assert row.get("author") == want["author"]
    assert row.get("issue") == want["issue"]
    assert row.get("pages") == want["pages"]
    assert "date" not in row  # print format: no dateline


def test_presidencies(seed_store, seed_gold):
    got = {(r["country"], r["start"], r["end"]) for r in rows(seed_store, "presidencies")}
    assert got == {(p["country"], p["start"], p["end"]) for p in seed_gold["presidencies"]}


def test_meetings(seed_store, seed_gold):
    got = {(r["start"], r["end"], r["kind"], r.get("presidencyCountry")) for r in rows(seed_store, "meetings")}
    want = {(m["start"], m["end"], m["kind"], m["presidency"]) for m in seed_gold["meetings"]}
    assert got == want


def test_documents(seed_store, seed_gold):
    table = rows(seed_store, "documents")
    by_doc: dict[str, list[dict]] = {}
    for r in table:
        by_doc.setdefault(r["document"], []).append(r)
    assert len(by_doc) == len(seed_gold["documents"])
    for gold in seed_gold["documents"]:
        matches = [group for group in by_doc.values()
                   if group[0]["type"] == gold["type"] and any(same_title(gold["title"], r["title"]) for r in group)]
        assert matches, f"no {gold['type']} like {gold['title']!r}"
        group = matches[0]
        assert {r.get("date") for r in group} == {gold["date"]}, gold["title"]
        assert {r.get("adoptedAt") for r in group} == {gold["adopted_at"]}, gold["title"]
        want_by = gold["by"] if isinstance(gold["by"], list) else [gold["by"]] if gold["by"] else []
        assert {r["by"] for r in group if r.get("by")} == set(want_by), gold["title"]


def test_organisations(seed_store, seed_gold):
    named: dict[str, set[str]] = {}
    for r in rows(seed_store, "organisations"):
        named.setdefault(r["org"], set()).add(r["name"])
    want = {o["name"] for o in seed_gold["organisations"]}
    assert len(named) == len(want)
    for name in want:
        assert any(name in names for names in named.values()), name


def test_crossrefs(seed_store, seed_gold):
    got = [(r.get("issue"), r.get("pages"), r.get("newsDate"), r["separateItem"] == "true")
           for r in rows(seed_store, "crossrefs")]
    want = [(x["issue"], x["pages"], x["news_date"], x["separate_item"]) for x in seed_gold["crossrefs"]]
    assert got == want


def test_crossref_targets_resolve_within_the_corpus(corpus_store):
    resolved = {(r["article"].rsplit("/", 1)[-1], r.get("issue"), r.get("targetFile"))
                for r in rows(corpus_store, "crossrefs") if r.get("targetFile")}
    # every reference that resolves points to another article of the graph
    assert resolved
    files = {r["file"] for r in rows(corpus_store, "articles")}
    assert all(target in files and not target.startswith(source) for source, _, target in resolved)
