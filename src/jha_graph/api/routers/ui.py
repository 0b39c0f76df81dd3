"""The researcher's web interface: the query editor, timelines, citation graphs, the article list, and the
API documentation, all served by this app with assets of its own (nothing is fetched from another host).

* ``/query``: YASGUI (vendored under ``static/vendor/yasgui``, set up by ``static/query.js``) on this
  server's ``/sparql``, with the ontology's prefixes preloaded, the queries of ``queries/`` as examples,
  results as a table whose IRIs link to their pages here, and downloads in every format of the endpoint.
* ``/timeline?presidency=2024-1-be`` or ``?topic=organised-crime``: the dated meetings and documents on a
  time axis, drawn on the server as SVG (no script), with the same items as a table; ``/timeline.svg``
  is the picture alone.
* ``/articles``: every article with its citations out (resolved, unresolved) and in.
* ``/articles/{slug}/citations``: one article, the articles citing it and what it cites, drawn as a graph
  (SVG); references the graph cannot resolve are drawn dashed.  ``.svg`` for the picture alone.
* ``/docs``: Swagger UI from ``static/vendor/swagger-ui`` (FastAPI's default loads it from a CDN).

None of these routes is in the OpenAPI document: they are pages, not API.
"""
from __future__ import annotations

import datetime as dt
import re
from calendar import monthrange
from dataclasses import dataclass, field
from urllib.parse import quote
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html, swagger_ui_default_parameters
from fastapi.responses import FileResponse, HTMLResponse, Response

from ...config import Settings
from ...namespaces import PREFIXES
from ...sparql import negotiation
from ..deps import OntologyDep, Page, SettingsDep, StoreDep, canned_for
from ..errors import ApiError
from .api import iri_param, keyed_iri, rows, run
from .api_articles import CITED_BY, CROSSREFS, article_row
from .api_timeline import timeline_page as timeline_rows
from .pages import STATIC, coverage, html_error, html_href, key_of, render, root_of

router = APIRouter(tags=["pages"], include_in_schema=False)

VENDOR = STATIC / "vendor"
VENDOR_FILES = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\.(js|css)|LICENSE|NOTICE|README\.md")
MAX_ITEMS = 400  # items a timeline draws (the JSON API pages through more)
SVG_TYPE = "image/svg+xml"


# ------------------------------------------------------------------------------------ local assets

@router.get("/static/vendor/{path:path}", summary="Vendored browser libraries (YASGUI, Swagger UI)")
def vendor(path: str):
    """``static/vendor/<library>/<file>``: scripts, stylesheets and their licences, cached for a day."""
    parts = path.split("/")
    if len(parts) != 2 or not re.fullmatch(r"[a-z][a-z0-9-]*", parts[0]) or not VENDOR_FILES.fullmatch(parts[1]):
        raise ApiError(404, f"no vendored file {path!r}", where="path")
    file = VENDOR / parts[0] / parts[1]
    if not file.is_file():
        raise ApiError(404, f"no vendored file {path!r}", where="path")
    media = {"js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8"}.get(
        file.suffix.lstrip("."), "text/plain; charset=utf-8")
    return FileResponse(file, media_type=media, headers={"Cache-Control": "public, max-age=86400"})


@router.get("/docs", summary="The JSON API's documentation (Swagger UI, served locally)")
def docs(request: Request) -> HTMLResponse:
    root = root_of(request)
    vendor_url = f"{root}/static/vendor/swagger-ui"
    return get_swagger_ui_html(
        openapi_url=root + (request.app.openapi_url or "/openapi.json"),
        title=f"{request.app.title}: JSON API",
        swagger_js_url=f"{vendor_url}/swagger-ui-bundle.js", swagger_css_url=f"{vendor_url}/swagger-ui.css",
        swagger_favicon_url=f"{root}/static/favicon.svg",
        # validatorUrl null: no badge fetched from validator.swagger.io
        swagger_ui_parameters={**swagger_ui_default_parameters, "validatorUrl": None, "tryItOutEnabled": True})


# ------------------------------------------------------------------------------------ query editor

DEFAULT_QUERY = """\
# The latest articles: run with the ▶ button or Ctrl+Enter.  Examples are in the list above the editor.
SELECT ?article ?date ?title WHERE {
  ?article a jha:Article ;
           dcterms:date ?date ;
           dcterms:title ?title .
}
ORDER BY DESC(STR(?date))
LIMIT 20
"""


def ontology_terms(request: Request, ontology) -> dict[str, list[str]]:
    """The ontology's classes and properties (IRIs), for the editor's completion; read once per ontology."""
    state = request.app.state
    cached = getattr(state, "jha_ui_terms", None)
    if cached is not None and cached[0] is ontology:
        return cached[1]
    terms = {"classes": [], "properties": []}
    if ontology is not None:
        model = ontology.model()
        terms["classes"] = sorted(t["iri"] for t in model["classes"])
        terms["properties"] = sorted(t["iri"] for k in ("object_properties", "datatype_properties",
                                                        "annotation_properties") for t in model[k])
    state.jha_ui_terms = (ontology, terms)
    return terms


def prefix_block() -> str:
    width = max(len(p) for p in PREFIXES)
    return "".join(f"PREFIX {p + ':':<{width + 1}} <{ns}>\n" for p, ns in PREFIXES.items())


@router.get("/query", response_class=HTMLResponse, summary="SPARQL query editor (YASGUI)")
def query_editor(request: Request, ontology: OntologyDep):
    root = root_of(request)
    examples = [{"name": q.name, "title": q.title or q.name, "description": q.description, "sparql": q.sparql}
                for q in canned_for(request.app.state)]
    config = {
        "endpoint": f"{root}/sparql",
        "root": root,
        "base": request.app.state.settings.base_iri,
        "prefixes": PREFIXES,
        "defaultQuery": prefix_block() + "\n" + DEFAULT_QUERY,
        "examples": examples,
        **ontology_terms(request, ontology),
        "formats": {
            "solutions": [{"name": f.name, "type": f.media_type} for f in negotiation.SOLUTION_FORMATS],
            "graph": [{"name": f.name, "type": f.media_type} for f in negotiation.GRAPH_FORMATS]},
    }
    return render(request, "query.html", {"nav": "query", "config": config, "examples": examples,
                                          "prefixes": PREFIXES, "default_query": config["defaultQuery"]})


# ------------------------------------------------------------------------------------ time

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def when(text: str | None) -> tuple[dt.date, dt.date, str] | None:
    """First day, last day and precision of ``2024-03-04``, ``2024-03`` or ``2024``; None if unreadable.

    >>> when("2024-02")
    (datetime.date(2024, 2, 1), datetime.date(2024, 2, 29), 'month')
    """
    if not text:
        return None
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", text.strip()[:10])
    if not m:
        return None
    try:
        y = int(m[1])
        if m[3]:
            d = dt.date(y, int(m[2]), int(m[3]))
            return d, d, "day"
        if m[2]:
            mo = int(m[2])
            return dt.date(y, mo, 1), dt.date(y, mo, monthrange(y, mo)[1]), "month"
        return dt.date(y, 1, 1), dt.date(y, 12, 31), "year"
    except ValueError:
        return None


def human_date(text: str | None) -> str:
    """``4 March 2024``, ``March 2024`` or ``2024``."""
    w = when(text)
    if w is None:
        return text or ""
    lo, _, precision = w
    if precision == "day":
        return f"{lo.day} {MONTHS[lo.month - 1]} {lo.year}"
    if precision == "month":
        return f"{MONTHS[lo.month - 1]} {lo.year}"
    return str(lo.year)


def shorten(text: str, n: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def wrap(text: str, width: int, lines: int) -> list[str]:
    """Words of ``text`` in at most ``lines`` lines of ``width`` characters, the last one cut with '…'."""
    words, out, line = " ".join((text or "").split()).split(" "), [], ""
    for i, word in enumerate(words):
        candidate = f"{line} {word}".strip()
        if len(candidate) <= width or not line:
            line = candidate
            continue
        out.append(line)
        line = word
        if len(out) == lines - 1:
            line = " ".join(words[i:])
            break
    out.append(shorten(line, width))
    return [x for x in out if x][:lines]


def attr(value) -> str:
    return escape(str(value), {'"': "&quot;"})


# ------------------------------------------------------------------------------------ timeline

@dataclass
class Item:
    iri: str
    label: str
    kind: str            # meeting | document
    type: str
    date: str
    end: str | None
    lo: dt.date
    hi: dt.date
    precision: str
    href: str
    articles: list[dict] = field(default_factory=list)

    @property
    def when_text(self) -> str:
        text = human_date(self.date)
        if self.end and self.end != self.date:
            text += " – " + human_date(self.end)
        return text


@dataclass
class Timeline:
    title: str
    subject: dict | None       # {"iri", "label", "href", "kind", "key"}
    items: list[Item]
    term: tuple[dt.date, dt.date] | None = None   # a presidency's term, drawn as a band
    truncated: bool = False
    undated: int = 0


TERM = """
SELECT ?x (MIN(STR(COALESCE(?l1, ?l2))) AS ?label) (MIN(STR(?s)) AS ?start) (MAX(STR(?e)) AS ?end) WHERE {
  ?x ?p ?o .
  OPTIONAL { ?x skos:prefLabel ?l1 } OPTIONAL { ?x rdfs:label ?l2 }
  OPTIONAL { ?x jha:startDate ?s } OPTIONAL { ?x jha:endDate ?e }
}
GROUP BY ?x
"""


def timeline_for(request: Request, settings: Settings, store, presidency: str | None, topic: str | None) -> Timeline:
    href = html_href(request, settings)
    subject, term = None, None
    if presidency:
        kind, key = "presidency", presidency
    elif topic:
        kind, key = "topic", topic
    else:
        raise ApiError(400, "choose a presidency or a topic", where="presidency")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,120}", key):
        raise ApiError(400, f"not a {kind} key: {key!r}", where=kind)
    iri = keyed_iri(kind, key, settings, kind)
    found = rows(run(store, TERM, x=iri))
    if not found:
        raise ApiError(404, f"no {kind} {key} in the graph", where=kind)
    info = found[0]
    subject = {"iri": iri.value, "label": info["label"] or key, "href": href(iri.value), "kind": kind, "key": key}
    if kind == "presidency" and info["start"] and info["end"]:
        a, b = when(info["start"]), when(info["end"])
        if a and b:
            term = (a[0], b[1])
    params = {"_presidency": iri} if kind == "presidency" else {"_topic": iri}
    found = timeline_rows(store, Page(MAX_ITEMS, None), **params)
    items, undated = [], 0
    for r in found[:MAX_ITEMS]:
        w = when(r["date"])
        if w is None:
            undated += 1
            continue
        lo, hi, precision = w
        end = when(r["end"]) if r["end"] else None
        if end is not None and end[1] > hi:
            hi = end[1]
        articles = []
        for part in (r["articles"] or "").split("\u001f"):
            a_iri, _, a_title = part.partition(" ")
            if a_iri:
                articles.append({"iri": a_iri, "label": a_title or a_iri, "href": href(a_iri)})
        items.append(Item(iri=r["x"], label=r["label"] or r["x"].rsplit("/", 1)[-1], kind=r["kind"],
                          type=r["type"] or "", date=r["date"], end=r["end"], lo=lo, hi=hi, precision=precision,
                          href=href(r["x"]), articles=sorted(articles, key=lambda a: a["label"])))
    title = f"Timeline of the {subject['label']}" if kind == "presidency" else f"Timeline of the topic {subject['label']}"
    return Timeline(title=title, subject=subject, items=items, term=term, truncated=len(found) > MAX_ITEMS,
                    undated=undated)


# drawing: a vertical time axis; meetings and documents in two lanes beside it; labels in a column to the
# right, each joined to its mark by a leader line (labels move down when marks are too close together).
W, AXIS_X, MEETING_X, DOC_X, LABEL_X, TOP, GAP = 760, 104, 124, 146, 186, 78, 40
COLOURS = {"meeting": "#1b6e3c", "document": "#9a3412", "axis": "#5f6b76", "band": "#dbe7f3", "text": "#1a1a1a",
           "muted": "#4d5761", "leader": "#8a96a3"}


def timeline_svg(t: Timeline, svg_id: str = "timeline-svg") -> str:
    items = sorted(t.items, key=lambda i: (i.lo, i.kind, i.label))
    if items:
        lo = min(i.lo for i in items)
        hi = max(i.hi for i in items)
    else:
        lo, hi = t.term if t.term else (dt.date.today(), dt.date.today())
    if t.term:
        lo, hi = min(lo, t.term[0]), max(hi, t.term[1])
    lo = lo.replace(day=1)
    hi = hi.replace(day=monthrange(hi.year, hi.month)[1])
    days = (hi - lo).days + 1
    target = max(360.0, GAP * len(items) * 1.2)
    scale = min(8.0, target / days)  # px per day

    def y(d: dt.date) -> float:
        return TOP + (d - lo).days * scale

    axis_end = y(hi) + scale
    out: list[str] = []
    # the presidency's term
    if t.term:
        out.append(f'<rect class="term" x="{AXIS_X - 12}" y="{y(t.term[0]):.1f}" width="{DOC_X - AXIS_X + 24}" '
                   f'height="{max(2.0, y(t.term[1]) + scale - y(t.term[0])):.1f}" fill="{COLOURS["band"]}"/>')
    # axis and ticks
    out.append(f'<line x1="{AXIS_X}" y1="{TOP - 8}" x2="{AXIS_X}" y2="{axis_end + 8:.1f}" '
               f'stroke="{COLOURS["axis"]}" stroke-width="2"/>')
    out.extend(_ticks(lo, hi, scale, y))
    # marks and labels
    label_y = TOP - 10.0
    for n, it in enumerate(items):
        y0 = y(it.lo)
        y1 = y(it.hi) + scale
        x = MEETING_X if it.kind == "meeting" else DOC_X
        colour = COLOURS.get(it.kind, COLOURS["muted"])
        label_y = max(y0 + 4, label_y + GAP)
        mark_y = (y0 + y1) / 2 if it.precision != "day" or it.hi != it.lo else y0
        parts = [f'<a href="{attr(it.href)}" aria-label="{attr(f"{it.when_text}, {it.type or it.kind}: {it.label}")}">',
                 f'<title>{escape(it.when_text)} · {escape(it.type or it.kind)}: {escape(it.label)}</title>']
        if it.precision != "day":
            # known only to the month or year: a hollow dashed bar over that period
            parts.append(f'<rect x="{x - 5}" y="{y0:.1f}" width="10" height="{max(6.0, y1 - y0):.1f}" rx="3" '
                         f'fill="#fff" stroke="{colour}" stroke-width="2" stroke-dasharray="4 3"/>')
        elif it.hi > it.lo:
            parts.append(f'<rect x="{x - 5}" y="{y0:.1f}" width="10" height="{max(10.0, y1 - y0):.1f}" rx="4" '
                         f'fill="{colour}"/>')
        elif it.kind == "meeting":
            parts.append(f'<circle cx="{x}" cy="{y0:.1f}" r="6" fill="{colour}"/>')
        else:
            parts.append(f'<path d="M{x} {y0 - 7:.1f}l7 7l-7 7l-7-7z" fill="{colour}"/>')
        parts.append(f'<path class="leader" d="M{x + 8} {mark_y:.1f}L{LABEL_X - 10} {label_y - 4:.1f}H{LABEL_X - 4}" '
                     f'fill="none" stroke="{COLOURS["leader"]}" stroke-width="1"/>')
        meta = f"{it.when_text} · {it.type or it.kind}"
        parts.append(f'<text x="{LABEL_X}" y="{label_y - 8:.1f}" class="meta" font-size="11" '
                     f'fill="{COLOURS["muted"]}">{escape(meta)}</text>')
        parts.append(f'<text x="{LABEL_X}" y="{label_y + 8:.1f}" class="label" font-size="13" '
                     f'fill="{COLOURS["text"]}">{escape(shorten(it.label, 78))}</text>')
        parts.append("</a>")
        out.append(f'<g class="item {it.kind}" data-date="{attr(it.date)}">' + "".join(parts) + "</g>")
    height = max(axis_end, label_y + 16) + 28
    legend = _legend(t)
    title = escape(t.title)
    desc = (f"{len(items)} meetings and documents from {human_date(lo.isoformat())} to "
            f"{human_date(hi.isoformat())}, on a vertical time axis" + (" with the presidency's term shaded" if t.term else "")
            + ". The same items are listed in the table below.")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" id="{svg_id}" class="timeline" viewBox="0 0 {W} {height:.0f}" '
            f'width="{W}" height="{height:.0f}" aria-labelledby="{svg_id}-title {svg_id}-desc" '
            f'font-family="system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif">'
            f'<title id="{svg_id}-title">{title}</title><desc id="{svg_id}-desc">{escape(desc)}</desc>'
            f'<rect width="100%" height="100%" fill="#fff"/>' + legend + "".join(out) + "</svg>")


def _ticks(lo: dt.date, hi: dt.date, scale: float, y) -> list[str]:
    out = []
    days = (hi - lo).days + 1
    if days <= 1100:
        step = 1
        while step * 30 * scale < 16 and step < 12:
            step = {1: 2, 2: 3, 3: 6, 6: 12}[step]
        d = lo.replace(day=1)
        n = 0
        while d <= hi:
            major = d.month == 1 or n == 0
            if (d.month - 1) % step == 0 or major:
                label = f"{MONTHS[d.month - 1][:3]} {d.year}" if major else MONTHS[d.month - 1][:3]
                weight = ' font-weight="600"' if major else ""
                out.append(f'<line x1="{AXIS_X - (10 if major else 6)}" y1="{y(d):.1f}" x2="{AXIS_X}" y2="{y(d):.1f}" '
                           f'stroke="{COLOURS["axis"]}"/>')
                out.append(f'<text x="{AXIS_X - 14}" y="{y(d) + 4:.1f}" text-anchor="end" font-size="11" '
                           f'fill="{COLOURS["muted"]}"{weight}>{label}</text>')
            d = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
            n += 1
    else:
        step = 1
        while step * 365 * scale < 16:
            step += 1
        if lo.month != 1 and (y(dt.date(lo.year + 1, 1, 1)) - y(lo)) > 18:  # where the axis starts
            out.append(f'<text x="{AXIS_X - 14}" y="{y(lo) + 4:.1f}" text-anchor="end" font-size="11" '
                       f'fill="{COLOURS["muted"]}">{MONTHS[lo.month - 1][:3]} {lo.year}</text>')
        for year in range(lo.year, hi.year + 1):
            d = dt.date(year, 1, 1)
            if d < lo or (year - lo.year) % step:
                continue
            out.append(f'<line x1="{AXIS_X - 10}" y1="{y(d):.1f}" x2="{AXIS_X}" y2="{y(d):.1f}" '
                       f'stroke="{COLOURS["axis"]}"/>')
            out.append(f'<text x="{AXIS_X - 14}" y="{y(d) + 4:.1f}" text-anchor="end" font-size="11" font-weight="600" '
                       f'fill="{COLOURS["muted"]}">{year}</text>')
    return out


def _legend(t: Timeline) -> str:
    m, d = COLOURS["meeting"], COLOURS["document"]
    parts = [
        f'<g class="legend" font-size="12" fill="{COLOURS["text"]}">',
        f'<circle cx="20" cy="22" r="6" fill="{m}"/><text x="32" y="26">meeting</text>',
        f'<path d="M110 15l7 7l-7 7l-7-7z" fill="{d}"/><text x="124" y="26">document</text>',
        f'<rect x="205" y="13" width="10" height="18" rx="3" fill="#fff" stroke="{COLOURS["muted"]}" '
        f'stroke-width="2" stroke-dasharray="4 3"/><text x="222" y="26">date known to the month or year</text>',
    ]
    if t.term:
        parts.append(f'<rect x="440" y="13" width="24" height="18" fill="{COLOURS["band"]}"/>'
                     f'<text x="472" y="26">the presidency\'s term</text>')
    parts.append("</g>")
    return "".join(parts)


def _timeline_choices(request: Request, settings: Settings, store) -> dict:
    cov = coverage(request, settings, store)
    return {"presidencies": [p for p in cov["presidencies"] if p["dated"]],
            "topics": [t for t in cov["topics"] if t["documents"] or t["articles"]]}


@router.get("/timeline", response_class=HTMLResponse, summary="Timeline of a presidency or a topic")
def timeline_page(request: Request, settings: SettingsDep, store: StoreDep, presidency: str | None = None,
                  topic: str | None = None):
    context = {"nav": "timeline", "presidency": presidency, "topic": topic, "timeline": None, "svg": None,
               **_timeline_choices(request, settings, store)}
    if presidency or topic:
        try:
            t = timeline_for(request, settings, store, presidency, topic)
        except ApiError as exc:
            return html_error(request, exc)
        query = f"presidency={quote(presidency)}" if presidency else f"topic={quote(topic)}"
        root = root_of(request)
        context.update(timeline=t, svg=timeline_svg(t), svg_url=f"{root}/timeline.svg?{query}",
                       json_url=f"{root}/api/timeline?{query}&limit=500")
    return render(request, "timeline.html", context)


@router.get("/timeline.svg", summary="Timeline of a presidency or a topic, as an SVG picture")
def timeline_image(request: Request, settings: SettingsDep, store: StoreDep, presidency: str | None = None,
                   topic: str | None = None) -> Response:
    t = timeline_for(request, settings, store, presidency, topic)
    return Response(timeline_svg(t), media_type=SVG_TYPE)


# ------------------------------------------------------------------------------------ citations

ARTICLE_LIST = """
SELECT ?a (MIN(STR(?t)) AS ?title) (MAX(STR(?d)) AS ?date) (COUNT(DISTINCT ?r) AS ?refs)
       (COUNT(DISTINCT ?u) AS ?unresolved) (COUNT(DISTINCT ?c) AS ?citedBy)
WHERE {
  ?a a jha:Article .
  OPTIONAL { ?a dcterms:title ?t }
  OPTIONAL { ?a dcterms:date ?d }
  OPTIONAL { ?a jha:hasCrossReference ?r }
  OPTIONAL { ?a jha:hasCrossReference ?u FILTER NOT EXISTS { ?u jha:refersTo ?anything } }
  OPTIONAL { { ?c jha:hasCrossReference/jha:refersTo ?a } UNION { ?c cito:cites ?a } }
}
GROUP BY ?a
ORDER BY DESC(?date) STR(?a)
"""


@router.get("/articles", response_class=HTMLResponse, summary="Every article, with its citations")
def articles_page(request: Request, settings: SettingsDep, store: StoreDep):
    href = html_href(request, settings)
    items = []
    for r in rows(run(store, ARTICLE_LIST)):
        slug = key_of(r["a"], settings, "article")
        if slug:
            items.append({**r, "slug": slug, "href": href(r["a"])})
    return render(request, "articles.html", {"nav": "articles", "articles": items})


@dataclass
class Node:
    key: str
    label: str
    meta: str
    href: str | None
    kind: str            # this | citing | cited | unresolved
    title: str = ""


@dataclass
class Citations:
    article: dict
    citing: list[Node]
    cited: list[Node]
    refs: list[dict]
    cited_by: list[dict]


def citations_for(request: Request, settings: Settings, store, slug: str) -> Citations:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._~-]*", slug):
        raise ApiError(400, f"not an article slug: {slug!r}", where="slug")
    iri = iri_param(f"article/{slug}", settings, "slug")
    rec = article_row(store, iri)
    if rec is None:
        raise ApiError(404, f"no article {slug} in the graph", where="slug")
    href = html_href(request, settings)
    root = root_of(request)
    article = {"iri": iri.value, "slug": slug, "title": rec["title"] or slug, "date": rec["date"],
               "href": href(iri.value), "issue": rec["issue"], "pages": rec["pages"]}

    def view(a_iri: str) -> str | None:
        s = key_of(a_iri, settings, "article")
        return f"{root}/articles/{s}/citations" if s else None

    refs = rows(store.query(CROSSREFS % iri))
    cited: dict[str, Node] = {}
    ref_items = []
    for r in refs:
        marker = r["marker"] or "→ eucrim"
        target = r["targetArticle"]
        ref_items.append({"iri": r["ref"], "href": href(r["ref"]), "marker": marker, "context": r["context"],
                          "target": {"iri": target, "label": r["targetTitle"] or target, "href": href(target),
                                     "view": view(target)} if target else None,
                          "resolvedBy": r["resolvedBy"]})
        if target:
            node = cited.get(target)
            if node is None:
                cited[target] = Node(target, r["targetTitle"] or target, marker, view(target) or href(target), "cited",
                                     title=f"{r['targetTitle'] or target} (cited as {marker})")
            else:
                node.meta += f"; {marker}"
        else:
            cited[r["ref"]] = Node(r["ref"], marker, "not in the graph: unresolved", href(r["ref"]), "unresolved",
                                   title=f"{marker}: unresolved, no article of the graph matches it")
    citing: dict[str, Node] = {}
    by = []
    for r in rows(store.query(CITED_BY % {"a": iri})):
        src = r["source"]
        marker = r["marker"] or "cites"
        by.append({"article": {"iri": src, "label": r["sourceTitle"] or src, "href": href(src), "view": view(src)},
                   "marker": marker, "ref": r["ref"]})
        if src in citing:
            if marker not in citing[src].meta:
                citing[src].meta += f"; {marker}"
        else:
            citing[src] = Node(src, r["sourceTitle"] or src, marker, view(src) or href(src), "citing",
                               title=f"{r['sourceTitle'] or src} cites this article ({marker})")
    return Citations(article=article, citing=list(citing.values()), cited=list(cited.values()), refs=ref_items,
                     cited_by=by)


CW, COL_W, NODE_H, NODE_GAP, CTOP = 900, 260, 64, 16, 64
COLUMNS = {"citing": 12, "this": (CW - COL_W) // 2, "cited": CW - COL_W - 12}
NODE_STYLE = {
    "this": ('fill="#133a5e" stroke="#133a5e"', "#fff", "#e8eef4"),
    "citing": ('fill="#fff" stroke="#133a5e" stroke-width="1.5"', "#1a1a1a", "#4d5761"),
    "cited": ('fill="#fff" stroke="#1b6e3c" stroke-width="1.5"', "#1a1a1a", "#4d5761"),
    "unresolved": ('fill="#f4f6f8" stroke="#5f6b76" stroke-width="1.5" stroke-dasharray="6 4"', "#1a1a1a", "#4d5761"),
}


def citations_svg(c: Citations, svg_id: str = "citations-svg") -> str:
    n = max(len(c.citing), len(c.cited), 1)
    body_h = n * NODE_H + (n - 1) * NODE_GAP
    height = CTOP + body_h + 28

    def column(nodes: list[Node]) -> list[float]:
        h = len(nodes) * NODE_H + max(0, len(nodes) - 1) * NODE_GAP
        start = CTOP + (body_h - h) / 2
        return [start + i * (NODE_H + NODE_GAP) for i in range(len(nodes))]

    this = Node(c.article["iri"], c.article["title"], human_date(c.article["date"]) or "this article",
                c.article["href"], "this", title=c.article["title"])
    this_y = CTOP + (body_h - NODE_H) / 2
    out = [
        '<defs>',
        '<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto">'
        '<path d="M0 0L10 5L0 10z" fill="#133a5e"/></marker>',
        '<marker id="arrow-cited" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" '
        'orient="auto"><path d="M0 0L10 5L0 10z" fill="#1b6e3c"/></marker>',
        '<marker id="arrow-unresolved" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" '
        'orient="auto"><path d="M0 0L10 5L0 10z" fill="#5f6b76"/></marker>',
        '</defs>',
        '<rect width="100%" height="100%" fill="#fff"/>',
    ]
    heads = ((COLUMNS["citing"], f"Cited by ({len(c.citing)})"), (COLUMNS["this"], "This article"),
             (COLUMNS["cited"], f"Cites ({len(c.cited)})"))
    for x, text in heads:
        out.append(f'<text x="{x + COL_W / 2}" y="28" text-anchor="middle" font-size="14" font-weight="700" '
                   f'fill="#1a1a1a">{escape(text)}</text>')
    if not c.citing:
        out.append(f'<text x="{COLUMNS["citing"] + COL_W / 2}" y="{this_y + NODE_H / 2 + 4:.1f}" text-anchor="middle" '
                   f'font-size="12" fill="#4d5761">no article of the graph cites it</text>')
    if not c.cited:
        out.append(f'<text x="{COLUMNS["cited"] + COL_W / 2}" y="{this_y + NODE_H / 2 + 4:.1f}" text-anchor="middle" '
                   f'font-size="12" fill="#4d5761">it cites no other article</text>')
    # edges first, so that nodes are drawn over them
    cy = this_y + NODE_H / 2
    for node, y0 in zip(c.citing, column(c.citing)):
        x1, y1, x2 = COLUMNS["citing"] + COL_W, y0 + NODE_H / 2, COLUMNS["this"]
        out.append(f'<path class="edge citing" d="M{x1} {y1:.1f}C{x1 + 40} {y1:.1f} {x2 - 40} {cy:.1f} {x2 - 2} {cy:.1f}" '
                   f'fill="none" stroke="#133a5e" stroke-width="1.6" marker-end="url(#arrow)"/>')
    for node, y0 in zip(c.cited, column(c.cited)):
        x1, x2, y2 = COLUMNS["this"] + COL_W, COLUMNS["cited"], y0 + NODE_H / 2
        dashed = node.kind == "unresolved"
        colour = "#5f6b76" if dashed else "#1b6e3c"
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        out.append(f'<path class="edge {node.kind}" d="M{x1} {cy:.1f}C{x1 + 40} {cy:.1f} {x2 - 40} {y2:.1f} {x2 - 2} {y2:.1f}" '
                   f'fill="none" stroke="{colour}" stroke-width="1.6"{dash} marker-end="url(#arrow-{node.kind})"/>')
    out.append(_node(this, COLUMNS["this"], this_y))
    for node, y0 in zip(c.citing, column(c.citing)):
        out.append(_node(node, COLUMNS["citing"], y0))
    for node, y0 in zip(c.cited, column(c.cited)):
        out.append(_node(node, COLUMNS["cited"], y0))
    unresolved = sum(1 for x in c.cited if x.kind == "unresolved")
    desc = (f"{len(c.citing)} articles cite it; it cites {len(c.cited) - unresolved} articles of the graph"
            f" and {unresolved} items the graph does not hold (drawn dashed). The same links are listed below.")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" id="{svg_id}" class="citations" viewBox="0 0 {CW} {height:.0f}" '
            f'width="{CW}" height="{height:.0f}" aria-labelledby="{svg_id}-title {svg_id}-desc" '
            f'font-family="system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif">'
            f'<title id="{svg_id}-title">Citations of {escape(c.article["title"])}</title>'
            f'<desc id="{svg_id}-desc">{escape(desc)}</desc>' + "".join(out) + "</svg>")


def _node(node: Node, x: float, y: float) -> str:
    style, fg, muted = NODE_STYLE[node.kind]
    weight = ' font-weight="600"' if node.kind == "this" else ""
    lines = wrap(node.label, 30 if weight else 34, 2)
    text = "".join(f'<text x="{x + 10}" y="{y + 20 + i * 16:.1f}" font-size="13" fill="{fg}"{weight}>'
                   f'{escape(line)}</text>' for i, line in enumerate(lines))
    text += (f'<text x="{x + 10}" y="{y + NODE_H - 9:.1f}" font-size="11" fill="{muted}">'
             f'{escape(shorten(node.meta, 44))}</text>')
    shape = f'<rect x="{x}" y="{y:.1f}" width="{COL_W}" height="{NODE_H}" rx="6" {style}/>'
    inner = f"<title>{escape(node.title or node.label)}</title>{shape}{text}"
    if node.href and node.kind != "this":
        inner = f'<a href="{attr(node.href)}" aria-label="{attr(node.title or node.label)}">{inner}</a>'
    return f'<g class="node {node.kind}">{inner}</g>'


@router.get("/articles/{slug}/citations", response_class=HTMLResponse, summary="Citation graph of one article")
def citations_page(slug: str, request: Request, settings: SettingsDep, store: StoreDep):
    try:
        c = citations_for(request, settings, store, slug)
    except ApiError as exc:
        return html_error(request, exc)
    root = root_of(request)
    return render(request, "citations.html", {
        "nav": "articles", "c": c, "svg": citations_svg(c), "svg_url": f"{root}/articles/{slug}/citations.svg",
        "json_url": f"{root}/api/articles/{slug}"})


@router.get("/articles/{slug}/citations.svg", summary="Citation graph of one article, as an SVG picture")
def citations_image(slug: str, request: Request, settings: SettingsDep, store: StoreDep) -> Response:
    return Response(citations_svg(citations_for(request, settings, store, slug)), media_type=SVG_TYPE)
