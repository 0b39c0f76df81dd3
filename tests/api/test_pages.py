"""HTML pages: home, search, entity, graph and ontology pages: content, accessibility basics, local
assets only, and HTML that answers (its speed is measured by bench/pages.py)."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fixtures.api_support import make_client

PAGES = ["/", "/search", "/search?q=europol", "/search?q=x", "/id/org/eurojust", "/id/article/seed-article",
         "/id/presidency/2024-1-be", "/id/country/be", "/graph/article/seed-article", "/graph/reference", "/ontology"]


@pytest.fixture(scope="module")
def client():
    return make_client()


class Outline(HTMLParser):
    """What the checks need from a page: tags, their attributes, labels and ids."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.ids: list[str] = []
        self.label_for: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "label" and "for" in a:
            self.label_for.add(a["for"])


def outline(html: str) -> Outline:
    o = Outline()
    o.feed(html)
    return o


@pytest.mark.parametrize("url", PAGES)
def test_pages_are_accessible_html(client, url):
    r = client.get(url)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    o = outline(r.text)
    tags = [t for t, _ in o.tags]
    assert ("html", {"lang": "en"}) in o.tags
    assert tags.count("h1") == 1 and tags.count("main") == 1 and "title" in tags
    assert ("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}) in o.tags
    assert o.tags[tags.index("a")][1].get("href") == "#main"  # skip link first
    for tag, a in o.tags:  # every form control has a label
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            assert a.get("id") in o.label_for, (tag, a)
    assert len(o.ids) == len(set(o.ids)), "duplicate ids"


@pytest.mark.parametrize("url", PAGES)
def test_pages_load_assets_from_this_server_only(client, url):
    o = outline(client.get(url).text)
    for tag, a in o.tags:
        if tag in ("script", "img", "iframe") or (tag == "link" and a.get("rel") == "stylesheet"):
            src = a.get("src") or a.get("href") or ""
            assert not re.match(r"^(https?:)?//", src), (tag, src)


@pytest.mark.parametrize("url", PAGES)
def test_pages_answer(client, url):
    # how fast they answer is measured by the benchmarks (bench/pages.py), not by unit tests
    assert client.get(url).status_code == 200


def test_home_page_has_counts_and_a_search_box(client):
    html = client.get("/").text
    assert re.search(r'<span class="n">2</span> articles', html)
    assert re.search(r'<span class="n">2</span> documents', html)
    assert '<form class="search" role="search" action="/search" method="get">' in html
    body = client.get("/index.json").json()
    counts = {c["label"]: c["count"] for c in body["data"]["counts"]}
    assert counts["articles"] == 2 and counts["presidencies"] > 100 and counts["evidence sentences"] == 7
    assert body == client.get("/.json").json()
    assert body["data"]["counts"][0]["href"] == "http://testserver/api/articles"


def test_search_page_lists_and_highlights_matches(client):
    html = client.get("/search?q=scope and tasks").text
    assert '<a href="/id/org/eurojust">Eurojust</a>' in html
    assert "The Presidency outlined the <mark>scope and tasks</mark> of this network" in html
    assert 'href="http://testserver/search.json?q=scope+and+tasks"' in html or "/search.json" in html
    html = client.get("/search?q=EUROJ").text
    assert "<mark>EUROJ</mark>" in html or "<mark>Euroj</mark>" in html


def test_search_page_escapes_what_it_shows(client):
    html = client.get("/search", params={"q": "<script>alert(1)</script>"}).text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Nothing found" in html


def test_search_page_explains_short_and_bad_input(client):
    assert "at least two characters" in client.get("/search?q=x").text
    html = client.get("/search?q=europe&type=not%20a%20type").text
    assert 'role="alert"' in html


def test_search_page_pages_with_a_next_link(client):
    html = client.get("/search?q=e").text  # too short: no results, no error page
    assert "at least two characters" in html
    html = client.get("/search?q=an").text
    o = outline(html)
    nexts = [a for t, a in o.tags if t == "a" and a.get("rel") == "next"]
    assert nexts and "after=" in nexts[0]["href"]
    second = client.get(nexts[0]["href"].replace("&amp;", "&"))
    assert second.status_code == 200 and "<ol class=\"results\"" in second.text


def test_search_page_offers_the_classes_that_have_instances(client):
    o = outline(client.get("/search").text)
    values = {a.get("value") for t, a in o.tags if t == "option"}
    assert {"", "jha:Agency", "jha:Article", "skos:Concept"} <= values


def test_the_stylesheet_is_served_locally(client):
    r = client.get("/static/style.css")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/css")
    assert "@media (max-width" in r.text  # narrow screens
    assert ":focus-visible" in r.text     # keyboard focus is visible
    for bad in ("/static/.hidden", "/static/..%2Fpages.py", "/static/nothing.css"):
        assert client.get(bad).status_code == 404


def test_pages_link_to_their_other_formats(client):
    html = client.get("/id/article/seed-article").text
    assert 'href="/id/article/seed-article.jsonld"' in html
    html = client.get("/ontology").text
    assert 'href="/ontology.ttl"' in html and 'href="/ontology.jsonld"' in html
    assert 'href="/index.json"' in client.get("/").text


def test_startup_prepares_the_ontology_page_and_the_canned_queries():
    from fastapi.testclient import TestClient

    from jha_graph.api.app import create_app
    from fixtures.api_support import fixture_store, make_settings

    settings = make_settings()
    app = create_app(settings, fixture_store(settings))
    with TestClient(app) as c:
        assert app.state.jha_canned[1].get("timeline") is not None
        assert len(app.state.jha_ontology_html) == 1
        assert len(app.state.jha_ontology_html) == 1  # rendered at start-up, before any request
        assert c.get("/ontology").status_code == 200
