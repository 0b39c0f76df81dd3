"""The web interface in a real browser: Chromium (Debian's ``chromium`` and ``chromium-driver``) driven by
Selenium, headless, against ``jha-graph serve`` on a free loopback port with a graph built from
data/articles (and the development corpus, when ../shared is here).

Every test checks, for every page it opened, that the browser logged no console error and that every
request went to the app's own origin (Chrome's performance log: no CDN, no font service, no prefix.cc,
no Linked Open Vocabularies).  Screenshots go to ``$JHA_UI_SCREENSHOTS`` (else a temporary folder) and
must not be blank.

Needs: ``apt-get install chromium chromium-driver`` and ``pip install selenium pillow``; skipped with
the reason otherwise.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.live import LiveServer

pytestmark = [pytest.mark.live, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus" / "articles"
CHROMIUM = os.environ.get("JHA_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = os.environ.get("JHA_CHROMEDRIVER") or shutil.which("chromedriver") or "/usr/bin/chromedriver"
WIDTH, HEIGHT = 1280, 900

webdriver = pytest.importorskip("selenium.webdriver", reason="browser tests need selenium: pip install selenium")
Image = pytest.importorskip("PIL.Image", reason="browser tests need Pillow to read screenshots: pip install pillow")
from selenium.common.exceptions import TimeoutException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

if not (Path(CHROMIUM).is_file() and Path(CHROMEDRIVER).is_file()):
    pytest.skip(f"browser tests need Chromium and its driver ({CHROMIUM}, {CHROMEDRIVER}): "
                "apt-get install chromium chromium-driver", allow_module_level=True)


# ------------------------------------------------------------------------------------ fixtures

@pytest.fixture(scope="session")
def ui_server(tmp_path_factory):
    """``jha-graph serve`` on the graph of data/articles (and the corpus), for the whole session."""
    store = tmp_path_factory.mktemp("ui") / "store"
    script = Path(sys.executable).with_name("jha-graph")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "jha_graph.cli"]
    sources = ([str(CORPUS)] if CORPUS.is_dir() else []) + [str(ROOT / "data" / "articles")]
    env = {k: v for k, v in os.environ.items() if not k.startswith("JHA_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    subprocess.run([*command, "ingest", *sources, "--store", str(store)], check=True, env=env, cwd=ROOT,
                   capture_output=True)
    with LiveServer(store) as server:
        yield server


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    folder = os.environ.get("JHA_UI_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        return Path(folder)
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="session")
def driver(tmp_path_factory):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                 "--hide-scrollbars", f"--window-size={WIDTH},{HEIGHT}",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    # the driver given explicitly: Selenium Manager must not try to download one
    d = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    d.set_page_load_timeout(30)
    d.execute_cdp_cmd("Network.enable", {})
    try:
        yield d
    finally:
        d.quit()


class Browser:
    """The driver on the live server, keeping account of console errors and of every request made."""

    def __init__(self, driver, server: LiveServer, screenshots: Path) -> None:
        self.d, self.base, self.shots = driver, server.url, screenshots
        self.origin = urlsplit(server.url).netloc
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.opened: list[str] = []
        self.drain()

    def drain(self) -> None:
        for entry in self.d.get_log("browser"):
            if entry["level"] == "SEVERE":
                self.errors.append(entry["message"])
        for entry in self.d.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                self.requests.append(message["params"]["request"]["url"])
            elif message["method"] == "Network.webSocketCreated":
                self.requests.append(message["params"]["url"])

    def foreign(self) -> list[str]:
        """Requests to anything but this server (browser-internal schemes and inline data do not count)."""
        out = []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != self.origin:
                out.append(url)
        return out

    def open(self, path: str, wait_css: str | None = "h1", timeout: float = 15) -> None:
        self.d.get(self.base + path)
        self.opened.append(path)
        WebDriverWait(self.d, timeout).until(lambda d: d.execute_script("return document.readyState") == "complete")
        if wait_css:
            self.wait(wait_css, timeout)

    def wait(self, css: str, timeout: float = 15):
        try:
            return WebDriverWait(self.d, timeout).until(EC.presence_of_element_located((By.CSS_SELECTOR, css)))
        except TimeoutException:
            raise AssertionError(f"{css!r} did not appear on {self.d.current_url}") from None

    def find(self, css: str):
        return self.d.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str):
        return self.d.find_elements(By.CSS_SELECTOR, css)

    def path(self) -> str:
        parts = urlsplit(self.d.current_url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def screenshot(self, name: str) -> Path:
        file = self.shots / (re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") + ".png")
        assert self.d.save_screenshot(str(file)), file
        assert_not_blank(file)
        return file

    def check(self) -> None:
        self.drain()
        assert not self.errors, f"console errors on {self.opened}: {self.errors}"
        assert not self.foreign(), f"requests to other hosts from {self.opened}: {self.foreign()}"
        assert any(urlsplit(u).netloc == self.origin for u in self.requests)


@pytest.fixture
def browser(driver, ui_server, screenshots):
    b = Browser(driver, ui_server, screenshots)
    yield b
    b.check()
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def assert_not_blank(file: Path) -> None:
    """A real page: many colours, and no single colour covering nearly everything."""
    with Image.open(file) as im:
        rgb = im.convert("RGB")
        small = rgb.resize((rgb.width // 2 or 1, rgb.height // 2 or 1))
        colours = small.getcolors(maxcolors=1 << 20)
        assert colours, file
        pixels = small.width * small.height
        top = max(n for n, _ in colours)
        assert len(colours) >= 24, f"{file.name}: only {len(colours)} colours"
        assert top / pixels < 0.97, f"{file.name}: one colour covers {top / pixels:.0%}"


# ------------------------------------------------------------------------------------ every page

PAGES = [
    ("/", "h1"), ("/search", "h1"), ("/query", ".yasqe .CodeMirror"), ("/timeline", "h1"),
    ("/timeline?presidency=2024-1-be", "svg#timeline-svg"), ("/timeline?topic=organised-crime", "svg#timeline-svg"),
    ("/articles", "table.articles"), ("/articles/seed-article/citations", "svg#citations-svg"),
    ("/id/org/eurojust", "h1"), ("/id/article/seed-article", "h1"), ("/id/presidency/2024-1-be", "h1"),
    ("/graph/article/seed-article", "h1"), ("/ontology", "h1"), ("/docs", ".swagger-ui .opblock"),
]


@pytest.mark.parametrize("path,ready", PAGES)
def test_each_page_opens_cleanly_and_is_not_blank(browser, path, ready):
    browser.open(path, ready)
    if path != "/docs":
        assert browser.find("h1").text.strip()
        assert browser.d.execute_script("return document.documentElement.lang") == "en"
    browser.screenshot("page" + path)


# ------------------------------------------------------------------------------------ query editor

def chord(browser, key: str) -> None:
    """Ctrl+key typed into the active tab's editor (CodeMirror reads keys from a hidden textarea: focus it)."""
    browser.d.execute_script("jhaYasgui.getTab().getYasqe().focus()")
    ActionChains(browser.d).key_down(Keys.CONTROL).send_keys(key).key_up(Keys.CONTROL).perform()


RESULTS = """
var root = jhaYasgui.getTab().getYasr().rootEl;
return {rows: root.querySelectorAll('table.dataTable tbody tr').length,
        headers: Array.from(root.querySelectorAll('table.dataTable thead th')).map(function (th) { return th.textContent.trim(); }),
        links: Array.from(root.querySelectorAll('table.dataTable tbody td a')).map(function (a) { return a.href; }),
        boolean: (root.querySelector('.booleanResult') || {}).textContent || null};
"""


def results(browser, min_rows: int = 1, timeout: float = 20) -> dict:
    """The results of the active tab, once it shows at least ``min_rows`` rows (or a boolean answer)."""
    try:
        return WebDriverWait(browser.d, timeout).until(
            lambda d: (r := d.execute_script(RESULTS)) and (r["rows"] >= min_rows or r["boolean"]) and r)
    except TimeoutException:
        raise AssertionError(f"no results on {browser.d.current_url}: {browser.d.execute_script(RESULTS)}") from None


def run_button(browser):
    return next(b for b in browser.find_all(".yasqe_queryButton") if b.is_displayed())


def test_query_editor_runs_a_query_and_shows_a_table_with_links(browser):
    browser.open("/query", ".yasqe .CodeMirror")
    # syntax highlighting, and the ontology's prefixes declared in the editor
    assert browser.find_all(".CodeMirror .cm-keyword")
    value = browser.d.execute_script("return jhaYasgui.getTab().getYasqe().getValue()")
    assert "PREFIX jha:" in value and "dcterms:title" in value
    run_button(browser).click()
    table = results(browser)
    assert table["rows"] == 20 and table["headers"][-3:] == ["article", "date", "title"]
    links = table["links"]
    articles = [h for h in links if "/id/article/" in h]
    assert articles and all(h.startswith(browser.base + "/id/article/") for h in articles)  # local pages
    browser.d.execute_script("jhaYasgui.getTab().getYasr().rootEl.scrollIntoView()")
    browser.screenshot("query-results")
    # downloads in every format the endpoint has for a SELECT
    downloads = browser.find_all("#download-links a.download")
    assert [a.text for a in downloads] == ["JSON", "XML", "CSV", "TSV"]
    csv = httpx.get(downloads[2].get_attribute("href"), timeout=20)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].strip() == "article,date,title" and len(csv.text.splitlines()) == 21
    # following a result link opens the entity's page here
    browser.d.get(articles[0])
    browser.wait("h1")
    assert browser.path().startswith("/id/article/")


def test_query_editor_opens_an_example_and_runs_it_from_the_keyboard(browser):
    browser.open("/query", ".yasqe .CodeMirror")
    options = [o.get_attribute("value") for o in browser.find_all("#example option")]
    assert {"timeline", "citations", "cq/documents"} <= set(options)
    Select(browser.find("#example")).select_by_value("citations")
    assert "cross-reference" in browser.find("#example-description").text.lower()
    browser.find("#load-example").click()
    WebDriverWait(browser.d, 10).until(
        lambda d: "jha:hasCrossReference" in d.execute_script("return jhaYasgui.getTab().getYasqe().getValue()"))
    # Ctrl+Enter in the editor runs the query
    assert browser.find(".yasqe .CodeMirror textarea").get_attribute("aria-label") == "SPARQL query"
    chord(browser, Keys.ENTER)
    headers = results(browser)["headers"]
    assert "marker" in headers and "missing" in headers
    browser.d.execute_script("jhaYasgui.getTab().getYasr().rootEl.scrollIntoView()")
    browser.screenshot("query-example-citations")
    # a CONSTRUCT query offers the graph formats
    browser.d.execute_script("jhaYasgui.getTab().getYasqe().setValue("
                             "'CONSTRUCT { ?s a jha:Article } WHERE { ?s a jha:Article } LIMIT 5')")
    WebDriverWait(browser.d, 5).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#download-links a.download")
                                      and d.find_element(By.CSS_SELECTOR, "#download-links a.download").text == "TTL")
    assert [a.text for a in browser.find_all("#download-links a.download")] == \
        ["TTL", "NT", "RDF", "JSONLD", "TRIG", "NQ"]


def test_query_editor_completes_the_ontology_without_asking_other_hosts(browser):
    browser.open("/query", ".yasqe .CodeMirror")
    browser.d.execute_script("jhaYasgui.getTab().getYasqe().setValue('SELECT * WHERE { ?x jha:underPre')")
    browser.d.execute_script("var y = jhaYasgui.getTab().getYasqe(); y.focus();"
                             "y.setCursor(y.lastLine(), y.getLine(y.lastLine()).length);")
    ActionChains(browser.d).key_down(Keys.CONTROL).send_keys(Keys.SPACE).key_up(Keys.CONTROL).perform()
    hints = WebDriverWait(browser.d, 10).until(
        lambda d: [h.text for h in d.find_elements(By.CSS_SELECTOR, ".CodeMirror-hints li")] or None)
    assert any("underPresidency" in h for h in hints), hints
    # the endpoint cannot be changed to another host
    field = browser.find(".controlbar input.autocomplete")
    assert field.get_attribute("readonly") is not None
    assert field.get_attribute("value") == browser.base + "/sparql"
    # a link that names another endpoint in the address does not move the editor there
    browser.open("/query?endpoint=http%3A%2F%2Fexample.org%2Fsparql&query=ASK%20%7B%7D&run=1", ".yasqe .CodeMirror")
    assert results(browser)["boolean"]
    assert browser.d.execute_script("return jhaYasgui.getTab().getEndpoint()") == browser.base + "/sparql"


# ------------------------------------------------------------------------------------ following links

def test_search_then_entity_then_source_article_then_citations(browser):
    browser.open("/")
    box = browser.find("#home-q")
    box.send_keys("Eurojust", Keys.ENTER)
    browser.wait("ol.results")
    assert browser.path().startswith("/search?q=Eurojust")
    browser.screenshot("search-eurojust")
    browser.d.find_element(By.XPATH, "//ol[@class='results']//a[normalize-space()='Eurojust']").click()
    browser.wait("section[aria-labelledby=sources]")
    assert browser.path() == "/id/org/eurojust" and browser.find("h1").text == "Eurojust"
    # the sources quote their sentences with the entity's names highlighted
    marks = browser.find_all("section[aria-labelledby=sources] blockquote mark")
    assert marks and any(m.text.lower() == "eurojust" for m in marks)
    browser.screenshot("entity-eurojust")
    source = browser.find("section[aria-labelledby=sources] h3 a")
    title = source.text
    source.click()
    browser.wait("h1")
    assert browser.path().startswith("/id/article/") and browser.find("h1").text == title
    browser.screenshot("source-article")
    browser.d.find_element(By.LINK_TEXT, "In the query editor")  # every entity can be queried
    citations = browser.d.find_elements(By.LINK_TEXT, "Citation graph")
    assert citations, "an article's page links to its citation graph"
    citations[0].click()
    browser.wait("svg#citations-svg")
    assert browser.path().endswith("/citations")


def test_timeline_is_drawn_on_a_time_axis_and_its_marks_lead_to_pages(browser):
    browser.open("/timeline")
    Select(browser.find("#tl-presidency")).select_by_value("2024-1-be")
    browser.find("#tl-presidency").submit()
    svg = browser.wait("svg#timeline-svg")
    assert browser.path() == "/timeline?presidency=2024-1-be"
    size = svg.size
    assert size["width"] >= 600 and size["height"] >= 300
    items = browser.find_all("svg#timeline-svg g.item")
    assert len(items) >= 5
    ys = [browser.d.execute_script("return arguments[0].getBBox().y", g.find_element(By.CSS_SELECTOR, "a > :nth-child(2)"))
          for g in items]
    assert ys == sorted(ys), "later items lower on the axis"
    browser.screenshot("timeline-presidency")
    target = browser.base + items[0].find_element(By.CSS_SELECTOR, "a").get_dom_attribute("href")
    browser.d.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))",
                             items[0].find_element(By.CSS_SELECTOR, "a"))
    browser.wait("h1")
    assert browser.d.current_url == target and browser.path().startswith("/id/")


def test_citation_graph_draws_neighbours_and_marks_unresolved_references(browser):
    browser.open("/articles", "table.articles")
    browser.find("table.articles a[href$='/seed-article/citations']").click()
    browser.wait("svg#citations-svg")
    unresolved = browser.find_all("svg#citations-svg g.node.unresolved rect")
    assert unresolved
    assert all(r.value_of_css_property("stroke-dasharray") not in ("none", "") for r in unresolved)
    dashed = [p for p in browser.find_all("svg#citations-svg path.edge.unresolved")]
    assert len(dashed) == len(unresolved)
    assert browser.find_all("svg#citations-svg g.node.cited")
    browser.screenshot("citations-seed-article")
    # walk to a cited article's graph: the article we came from is among the ones citing it
    link = browser.find("svg#citations-svg g.node.cited a")
    browser.d.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", link)
    browser.wait("svg#citations-svg")
    citing = [a.get_dom_attribute("href") for a in browser.find_all("svg#citations-svg g.node.citing a")]
    assert any(h.endswith("/articles/seed-article/citations") for h in citing)
    browser.screenshot("citations-neighbour")


# ------------------------------------------------------------------------------------ accessibility

NARROW = ["/", "/query", "/timeline?presidency=2024-1-be", "/articles", "/articles/seed-article/citations",
          "/id/org/eurojust", "/search"]


def test_pages_fit_a_narrow_screen(browser):
    browser.d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                              {"width": 360, "height": 740, "deviceScaleFactor": 1, "mobile": True})
    for path in NARROW:
        browser.open(path)
        width = browser.d.execute_script("return document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width} px wide at 360 px"
        browser.screenshot("narrow" + path)


def test_keyboard_users_can_skip_to_the_content_and_see_focus(browser):
    browser.open("/")
    body = browser.find("body")
    body.send_keys(Keys.TAB)
    active = browser.d.switch_to.active_element
    assert active.get_attribute("href").endswith("#main") and active.text == "Skip to main content"
    box = browser.d.execute_script("return arguments[0].getBoundingClientRect()", active)
    assert box["left"] >= 0 and box["width"] > 0  # visible when focused
    outline = active.value_of_css_property("outline-style")
    assert outline not in ("none", ""), "focus is visible"
    active.send_keys(Keys.ENTER)
    assert browser.d.switch_to.active_element.get_attribute("id") == "main"


CONTRAST = """
function lum(c) { var m = c.match(/[\\d.]+/g).map(Number); if (m.length > 3 && m[3] === 0) return null;
  var v = m.slice(0, 3).map(function (x) { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
  return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; }
function bg(e) { for (; e; e = e.parentElement) { var c = getComputedStyle(e).backgroundColor;
  var m = c.match(/[\\d.]+/g).map(Number); if (m.length < 4 || m[3] > 0.5) return c; } return 'rgb(255,255,255)'; }
var bad = [];
document.querySelectorAll('body *').forEach(function (e) {
  if (e.closest('svg, .visually-hidden, .skip, #yasgui')) return;
  var text = Array.from(e.childNodes).filter(function (n) { return n.nodeType === 3 && n.textContent.trim(); });
  if (!text.length || !e.getClientRects().length) return;
  var s = getComputedStyle(e); if (s.visibility === 'hidden') return;
  var a = lum(s.color), b = lum(bg(e)); if (a === null || b === null) return;
  var ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  if (ratio < 4.5) bad.push(e.tagName + ' "' + e.textContent.trim().slice(0, 30) + '" ' + ratio.toFixed(2));
});
return bad;
"""


@pytest.mark.parametrize("path", ["/", "/timeline?presidency=2024-1-be", "/articles/seed-article/citations",
                                  "/articles", "/id/org/eurojust", "/search", "/query"])
def test_text_contrast_is_at_least_4_5_to_1(browser, path):
    browser.open(path)
    bad = browser.d.execute_script(CONTRAST)
    assert not bad, f"low contrast on {path}: {bad[:10]}"

