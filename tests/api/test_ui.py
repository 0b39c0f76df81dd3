"""The researcher's pages (routers/ui.py and the home page), without a browser: status, content, SVG that
parses and keeps its promises (time runs down the axis, unresolved references dashed), local assets only,
accessibility basics, and every page answering on the fixture graph and on the development corpus (speed: bench/pages.py)."""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from fixtures.api_support import make_client

from jha_graph.namespaces import PREFIXES
from jha_graph.sparql import negotiation

SVG = "{http://www.w3.org/2000/svg}"
PAGES = ["/", "/query", "/timeline", "/timeline?presidency=2024-1-be", "/timeline?topic=drug-trafficking",
         "/articles", "/articles/seed-article/citations", "/articles/eu-roadmap-drug-trafficking/citations"]
IMAGES = ["/timeline.svg?presidency=2024-1-be", "/timeline.svg?topic=drug-trafficking",
          "/articles/seed-article/citations.svg", "/articles/eu-roadmap-drug-trafficking/citations.svg"]


@pytest.fixture(scope="module")
def client():
    return make_client()


class Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.label_for: set[str] = set()
        self.script: dict[str, str] = {}
        self._in = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "label" and "for" in a:
            self.label_for.add(a["for"])
        if tag == "script" and a.get("id"):
            self._in = a["id"]

    def handle_data(self, data):
        if self._in:
            self.script[self._in] = self.script.get(self._in, "") + data

    def handle_endtag(self, tag):
        if tag == "script":
            self._in = None


def outline(html: str) -> Outline:
    o = Outline()
    o.feed(html)
    return o


def svg_of(text: str) -> ET.Element:
    """The first <svg>…</svg> of a page (or the whole answer), parsed as XML."""
    m = re.search(r"<svg\b.*?</svg>", text, flags=re.S)
    assert m, "no svg"
    return ET.fromstring(m.group(0))


@pytest.mark.parametrize("url", PAGES)
def test_pages_are_accessible_html_with_local_assets(client, url):
    r = client.get(url)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    o = outline(r.text)
    tags = [t for t, _ in o.tags]
    assert ("html", {"lang": "en"}) in o.tags
    assert tags.count("h1") == 1 and tags.count("main") == 1
    assert o.tags[tags.index("a")][1].get("href") == "#main"
    ids = [a["id"] for _, a in o.tags if "id" in a]
    assert len(ids) == len(set(ids)), "duplicate ids"
    for tag, a in o.tags:
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            assert a.get("id") in o.label_for, (tag, a)
        if tag in ("script", "img", "iframe", "link"):
            src = a.get("src") or a.get("href") or ""
            assert not re.match(r"^(https?:)?//", src), (tag, src)


@pytest.mark.parametrize("url", IMAGES)
def test_svg_pictures_are_well_formed_and_titled(client, url):
    r = client.get(url)
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(r.text)
    assert root.tag == SVG + "svg" and root.get("viewBox")
    assert root.find(SVG + "title").text and root.find(SVG + "desc").text
    assert root.get("aria-labelledby")
    links = root.iter(SVG + "a")
    assert all(a.get("href") and a.get("aria-label") for a in links)
    # the same picture is inline in the HTML page
    page = client.get(url.replace(".svg", "")).text
    assert ET.tostring(svg_of(page)) == ET.tostring(root)


def test_timeline_puts_items_in_date_order_down_the_axis(client):
    root = ET.fromstring(client.get("/timeline.svg?presidency=2024-1-be").text)
    items = [g for g in root.iter(SVG + "g") if "item" in (g.get("class") or "").split()]
    assert len(items) >= 2
    marks = []
    for g in items:
        shape = next(e for e in g.iter() if e.tag in (SVG + "circle", SVG + "rect", SVG + "path"))
        y = float(shape.get("cy") or shape.get("y") or re.match(r"M[\d.]+ ([\d.]+)", shape.get("d")).group(1))
        marks.append((g.get("data-date"), y))
    dates = [d for d, _ in marks]
    assert dates == sorted(dates, key=lambda d: d.ljust(10, "0"))
    ys = [y for _, y in marks]
    assert ys == sorted(ys)
    # the presidency's term is shaded, and the legend says what the marks mean
    assert root.find(f".//{SVG}rect[@class='term']") is not None
    assert "meeting" in ET.tostring(root, encoding="unicode") and "document" in ET.tostring(root, encoding="unicode")


def test_timeline_page_lists_the_items_and_links_them(client):
    html = client.get("/timeline?presidency=2024-1-be").text
    assert "Timeline of the Belgian Presidency" in html
    assert 'href="/id/meeting/2024-06-13--2024-06-14-jha-council"' in html
    assert '<table class="timeline-table">' in html and "13 June 2024" in html
    assert 'href="/timeline.svg?presidency=2024-1-be"' in html and "/api/timeline?presidency=2024-1-be" in html
    topic = client.get("/timeline?topic=drug-trafficking").text
    assert "Timeline of the topic" in topic and "<svg" in topic
    chooser = client.get("/timeline").text
    assert '<option value="2024-1-be"' in chooser and '<option value="drug-trafficking"' in chooser


@pytest.mark.parametrize("url,status", [
    ("/timeline?presidency=1999-1-zz", 404), ("/timeline?topic=no-such-topic", 404),
    ("/timeline?presidency=%3Cscript%3E", 400), ("/articles/no-such-article/citations", 404),
    ("/articles/a~b/citations", 404),
])
def test_ui_errors_are_html_pages(client, url, status):
    r = client.get(url)
    assert r.status_code == status and r.headers["content-type"].startswith("text/html")
    assert "<script>" not in r.text
    assert client.get("/articles/..%2Fx/citations").status_code == 404


def test_svg_errors_are_in_the_error_shape(client):
    assert client.get("/timeline.svg").status_code == 400
    assert client.get("/timeline.svg?presidency=1999-1-zz").json()["error"]["status"] == 404
    assert client.get("/articles/nope/citations.svg").status_code == 404


def test_citation_graph_draws_both_directions_and_dashes_unresolved_references(client):
    root = ET.fromstring(client.get("/articles/seed-article/citations.svg").text)
    nodes = {g.get("class"): [] for g in root.iter(SVG + "g")}
    for g in root.iter(SVG + "g"):
        nodes[g.get("class")].append(g)
    unresolved = nodes.get("node unresolved", [])
    cited = nodes.get("node cited", [])
    assert len(unresolved) == 2 and len(cited) == 1 and len(nodes["node this"]) == 1
    for g in unresolved:
        assert g.find(f".//{SVG}rect").get("stroke-dasharray")
    edges = [p for p in root.iter(SVG + "path") if "edge" in (p.get("class") or "")]
    assert sum(1 for p in edges if p.get("stroke-dasharray")) == 2 and len(edges) == 3
    # a resolved reference moves on to the cited article's own graph, where this one is among the citing
    assert cited[0].find(f"{SVG}a").get("href") == "/articles/eu-roadmap-drug-trafficking/citations"
    other = ET.fromstring(client.get("/articles/eu-roadmap-drug-trafficking/citations.svg").text)
    citing = [g for g in other.iter(SVG + "g") if g.get("class") == "node citing"]
    assert [g.find(f"{SVG}a").get("href") for g in citing] == ["/articles/seed-article/citations"]


def test_citation_page_lists_references_with_context(client):
    html = client.get("/articles/seed-article/citations").text
    assert "→ eucrim 3/2023, 257" in html
    assert html.count('<span class="unresolved">unresolved</span>') == 2
    assert 'href="/id/article/eu-roadmap-drug-trafficking"' in html
    assert "resolved by issue-and-pages" in html


def test_articles_page_counts_citations(client):
    html = client.get("/articles").text
    row = re.search(r'<tr><td><time datetime="2024-06-20">.*?</tr>', html, flags=re.S).group(0)
    assert re.findall(r'<td class="num">(\d+)</td>', row) == ["3", "2", "0"]
    assert 'href="/articles/seed-article/citations"' in row


def test_query_editor_is_configured_for_this_endpoint_only(client):
    r = client.get("/query")
    o = outline(r.text)
    srcs = [a.get("src") for t, a in o.tags if t == "script" and a.get("src")]
    assert srcs == ["/static/vendor/yasgui/yasgui.min.js", "/static/query.js"]
    assert ("link", {"rel": "stylesheet", "href": "/static/vendor/yasgui/yasgui.min.css"}) in o.tags
    config = json.loads(o.script["query-config"])
    assert config["endpoint"] == "/sparql"
    assert config["prefixes"] == PREFIXES
    assert all(f"PREFIX {p}:" in config["defaultQuery"] for p in PREFIXES)
    names = {q["name"] for q in config["examples"]}
    assert {"timeline", "citations", "cq/documents"} <= names
    assert all(q["sparql"].strip() for q in config["examples"])
    assert [f["name"] for f in config["formats"]["solutions"] + config["formats"]["graph"]] == \
        list(negotiation.FORMAT_NAMES)
    assert "https://w3id.org/jha-graph/ontology#Article" in config["classes"]
    assert "https://w3id.org/jha-graph/ontology#underPresidency" in config["properties"]
    # without JavaScript, a plain form sends the query to the endpoint
    assert ("form", {"id": "plain-query", "class": "plain-query", "action": "/sparql", "method": "get"}) in o.tags
    js = client.get("/static/query.js").text
    for setting in ("populateFromUrl: false", "prefixCcApi = null", 'forkAutocompleter("class"'):
        assert setting in js


def test_vendored_assets_are_served_and_nothing_else(client):
    for url, kind in (("/static/vendor/yasgui/yasgui.min.js", "text/javascript"),
                      ("/static/vendor/yasgui/yasgui.min.css", "text/css"),
                      ("/static/vendor/swagger-ui/swagger-ui-bundle.js", "text/javascript"),
                      ("/static/vendor/swagger-ui/swagger-ui.css", "text/css"),
                      ("/static/vendor/yasgui/LICENSE", "text/plain")):
        r = client.get(url)
        assert r.status_code == 200 and r.headers["content-type"].startswith(kind), url
        assert "max-age" in r.headers["cache-control"]
    for bad in ("/static/vendor/update.sh", "/static/vendor/yasgui/..%2F..%2Fstyle.css", "/static/vendor/yasgui/.x.js",
                "/static/vendor/yasgui/nothing.js", "/static/vendor/%2e%2e/pages.py", "/static/vendor/a/b/c.js"):
        assert client.get(bad).status_code == 404, bad
    # no sourceMappingURL left to make a browser ask for missing .map files
    assert "sourceMappingURL" not in client.get("/static/vendor/yasgui/yasgui.min.js").text[-300:]


def test_api_docs_are_served_from_this_server(client):
    r = client.get("/docs")
    assert r.status_code == 200
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in r.text and "/static/vendor/swagger-ui/swagger-ui.css" in r.text
    assert '"validatorUrl": null' in r.text
    assert not re.search(r'(src|href)="(https?:)?//', r.text)
    assert "cdn.jsdelivr" not in r.text and "fastapi.tiangolo.com" not in r.text
    assert client.get("/redoc").status_code == 404  # ReDoc would load its script and fonts from CDNs
    assert client.get("/openapi.json").status_code == 200


def test_home_page_shows_coverage_latest_articles_and_ways_in(client):
    html = client.get("/").text
    assert '<h2 id="presidencies">Presidencies covered</h2>' in html
    assert 'href="/id/presidency/2024-1-be"' in html and 'href="/timeline?presidency=2024-1-be"' in html
    latest = html[html.index('<ol class="latest">'):]
    assert latest.index("seed-article") < latest.index("eu-roadmap-drug-trafficking")  # latest first
    for link in ("/query", "/docs", "/ontology", "/export?format=nq", "/export?format=trig", "/.well-known/void",
                 "/articles", "/timeline", "/timeline?topic=drug-trafficking", "/articles/seed-article/citations"):
        assert f'href="{link}"' in html, link
    assert "Counts by class" in html and "<code class=\"muted\">jha:Article</code>" in html
    data = client.get("/index.json").json()["data"]
    assert [p["id"] for p in data["presidencies"]] == ["presidency/2023-2-es", "presidency/2024-1-be"]
    assert data["latestArticles"][0]["id"] == "article/seed-article"


def test_entity_pages_link_to_their_views(client):
    assert 'href="/articles/seed-article/citations"' in client.get("/id/article/seed-article").text
    assert 'href="/timeline?presidency=2024-1-be"' in client.get("/id/presidency/2024-1-be").text
    html = client.get("/id/org/eurojust").text
    m = re.search(r'href="(/query\?run=1&amp;query=[^"]+)"', html)
    assert m and "eurojust" in m.group(1)


def test_behind_a_proxy_the_pages_keep_the_mount_point():
    from fastapi.testclient import TestClient

    from fixtures.api_support import fixture_store, make_settings
    from jha_graph.api.app import create_app

    settings = make_settings("https://example.org/jha/")
    c = TestClient(create_app(settings, fixture_store(settings)), root_path="/jha")
    html = c.get("/query").text
    assert 'src="/jha/static/vendor/yasgui/yasgui.min.js"' in html and '"endpoint": "/jha/sparql"' in html
    assert 'href="/jha/articles/seed-article/citations"' in c.get("/").text
    assert 'href="/jha/id/meeting/' in c.get("/timeline?presidency=2024-1-be").text
    assert "/jha/static/vendor/swagger-ui/swagger-ui-bundle.js" in c.get("/docs").text
    assert "url: '/jha/openapi.json'" in c.get("/docs").text


@pytest.mark.parametrize("url", PAGES + IMAGES + ["/docs", "/id/article/seed-article"])
def test_pages_answer(client, url):
    # how fast they answer is measured by the benchmarks (bench/pages.py), not by unit tests
    assert client.get(url).status_code == 200


@pytest.mark.slow
def test_every_timeline_and_citation_page_answers_on_the_corpus_graph(corpus_store):
    client = make_client(store=corpus_store)
    urls = ["/", "/query", "/articles", "/timeline", "/docs"]
    html = client.get("/").text
    urls += sorted(set(re.findall(r'href="(/timeline\?(?:presidency|topic)=[^"]+)"', html)))
    urls += sorted(set(re.findall(r'href="(/articles/[^"/]+/citations)"', client.get("/articles").text)))
    assert len(urls) > 40
    failed = {u: r.status_code for u in urls if (r := client.get(u)).status_code != 200}
    assert not failed
