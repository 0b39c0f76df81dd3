"""HTML pages: the home page (what the graph holds, a search box), search, the stylesheet.

The home page shows the counts by kind and by class, the presidencies the articles cover, the latest
articles and the ways in (search, query editor, timelines, citations, API docs, ontology, exports);
what it computes is kept for ``COUNTS_TTL`` seconds, so the page costs a template render.

Every page has a JSON twin by suffix: ``/index.json`` (and ``/.json``), ``/search.json``.  The
templates (``src/jha_graph/templates``) share one layout; assets are served from this server
(``/static/...``), never from a CDN.
"""
from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates
from pyoxigraph import Literal

from ...config import Settings
from ...linked_data import curie
from ...namespaces import PREFIXES
from ..deps import OntologyDep, PageDep, SettingsDep, StoreDep
from ..envelope import envelope
from ..errors import ApiError
from .api import local, page_url, ref, rows, run
from .api_entities import TYPES, search, search_entities

PACKAGE = Path(__file__).resolve().parents[2]
templates = Jinja2Templates(directory=str(PACKAGE / "templates"))
STATIC = PACKAGE / "static"
COUNTS_TTL = 60.0  # seconds the home page's counts are reused

router = APIRouter(tags=["pages"])

# what the home page counts: (label, classes, where the count links to)
CATEGORIES = (
    ("articles", ("Article",), "api/articles"),
    ("presidencies", ("CouncilPresidency",), "api/presidencies"),
    ("meetings", ("JHACouncilMeeting", "InformalJHAMeeting", "EuropeanCouncilMeeting", "OtherCouncilMeeting",
                  "HighLevelMeeting", "OtherMeeting"), "api/meetings"),
    ("documents", ("Conclusions", "Declaration", "Roadmap", "Strategy", "ActionPlan", "Programme", "Report",
                   "Regulation", "Directive", "Recommendation", "Resolution", "Agreement", "Decision", "Proposal",
                   "Communication", "Guidelines", "OtherDocument"), "api/documents"),
    ("organisations", ("Institution", "Agency", "Network", "Initiative", "OtherOrganisation",
                       "CouncilConfiguration"), "api/entities?type=Organisation"),
    ("countries", ("Country",), "api/entities?type=Country"),
    ("topics", ("skos:Concept",), "api/entities?type=skos:Concept"),
    ("cross-references", ("CrossReference",), "api/entities?type=CrossReference"),
    ("evidence sentences", ("Evidence",), "api/entities?type=Evidence"),
)


def root_of(request: Request) -> str:
    """The path this app is mounted at behind a proxy (``--root-path``), '' at the top."""
    return request.scope.get("root_path", "").rstrip("/")


def html_href(request: Request, settings: Settings):
    """IRI -> link on an HTML page: a path on this server for what it serves, else the IRI itself."""
    root = root_of(request) + "/"
    server = str(request.base_url)

    def href(iri: str) -> str:
        url = page_url(request, iri, settings)
        return root + url[len(server):] if url.startswith(server) else url

    return href


def render(request: Request, name: str, context: dict, status_code: int = 200, headers: dict | None = None):
    context = {"root": root_of(request), **context}
    return templates.TemplateResponse(request, name, context, status_code=status_code, headers=headers)


def html_error(request: Request, exc: ApiError):
    """The error shape as an HTML page, for clients that asked for HTML."""
    error = {"status": exc.status, "title": exc.title, "detail": exc.detail, "where": exc.where}
    return render(request, "error.html", {"error": error}, status_code=exc.status, headers=exc.headers)


def class_counts(request: Request, settings: Settings, store) -> dict[str, int]:
    """Instances per class (prefixed name), computed at most once a minute."""
    state = request.app.state
    cached = getattr(state, "jha_counts", None)
    if cached is not None and time.monotonic() - cached[0] < COUNTS_TTL:
        return cached[1]
    counts = {curie(r["class"]): r["count"]
              for r in rows(run(store, TYPES, prefix=Literal(settings.base_iri + "id/")))}
    state.jha_counts = (time.monotonic(), counts)
    return counts


PRESIDENCIES_COVERED = """
SELECT ?p (MIN(STR(?l)) AS ?label) (MIN(STR(?s)) AS ?start) (MAX(STR(?e)) AS ?end)
       (COUNT(DISTINCT ?x) AS ?dated) (COUNT(DISTINCT ?a) AS ?articles)
WHERE {
  ?p a jha:CouncilPresidency .
  { ?x jha:underPresidency ?p } UNION { ?a a jha:Article ; jha:mentions ?p }
  OPTIONAL { ?p rdfs:label ?l } OPTIONAL { ?p jha:startDate ?s } OPTIONAL { ?p jha:endDate ?e }
}
GROUP BY ?p
ORDER BY ?start STR(?p)
"""

TOPICS_COVERED = """
SELECT ?t (MIN(STR(?l)) AS ?label) (COUNT(DISTINCT ?d) AS ?documents) (COUNT(DISTINCT ?a) AS ?articles)
WHERE {
  ?t a skos:Concept .
  { ?a a jha:Article ; dcterms:subject ?t } UNION { ?d dcterms:subject ?t ; jha:date ?date }
  OPTIONAL { ?t skos:prefLabel ?l FILTER(LANG(?l) = "" || LANGMATCHES(LANG(?l), "en")) }
}
GROUP BY ?t
ORDER BY STR(?t)
"""

LATEST_ARTICLES = """
SELECT ?a (MIN(STR(?t)) AS ?title) (MAX(STR(?d)) AS ?date) (COUNT(DISTINCT ?r) AS ?refs)
WHERE {
  ?a a jha:Article .
  OPTIONAL { ?a dcterms:title ?t } OPTIONAL { ?a dcterms:date ?d } OPTIONAL { ?a jha:hasCrossReference ?r }
}
GROUP BY ?a
ORDER BY DESC(?date) STR(?a)
"""
LATEST = 8  # articles on the home page


def key_of(iri: str, settings: Settings, kind: str) -> str | None:
    """``2024-1-be`` for ``{base}id/presidency/2024-1-be`` (kind ``presidency``), else None."""
    prefix = f"{settings.base_iri}id/{kind}/"
    return iri[len(prefix):] if iri.startswith(prefix) else None


def coverage(request: Request, settings: Settings, store) -> dict:
    """What the articles cover: presidencies (in term order), topics (by name) and all articles (latest
    first), each with counts; computed at most once per ``COUNTS_TTL``."""
    state = request.app.state
    cached = getattr(state, "jha_coverage", None)
    if cached is not None and time.monotonic() - cached[0] < COUNTS_TTL:
        return cached[1]
    presidencies = [dict(r, key=key_of(r["p"], settings, "presidency"))
                    for r in rows(run(store, PRESIDENCIES_COVERED))]
    topics = [dict(r, key=key_of(r["t"], settings, "topic"), label=r["label"] or local(r["t"]))
              for r in rows(run(store, TOPICS_COVERED))]
    topics.sort(key=lambda r: (r["label"] or "").lower())
    articles = [dict(r, slug=key_of(r["a"], settings, "article")) for r in rows(run(store, LATEST_ARTICLES))]
    data = {"presidencies": [p for p in presidencies if p["key"]], "topics": [t for t in topics if t["key"]],
            "articles": [a for a in articles if a["slug"]]}
    state.jha_coverage = (time.monotonic(), data)
    return data


def class_table(request: Request, settings: Settings, store, ontology) -> list[dict]:
    """Instances per class, most first, with the class's label and a link to search within it."""
    counts = class_counts(request, settings, store)
    labels = ontology.labels if ontology else {}
    root = root_of(request)
    out = []
    for c, n in counts.items():
        iri = _expand(c)
        out.append({"curie": c, "label": labels.get(iri, local(iri)), "count": n,
                    "href": f"{root}/api/entities?type={quote(c)}"})
    return sorted(out, key=lambda r: (-r["count"], r["label"].lower()))


def _expand(c: str) -> str:
    p, _, rest = c.partition(":")
    return PREFIXES.get(p, "") + rest if p in PREFIXES else c


def home_data(request: Request, settings: Settings, store, absolute: bool = False) -> list[dict]:
    counts = class_counts(request, settings, store)
    root = str(request.base_url) if absolute else root_of(request) + "/"
    out = []
    for label, classes, link in CATEGORIES:
        n = sum(counts.get(c if ":" in c else "jha:" + c, 0) for c in classes)
        out.append({"label": label, "count": n, "href": root + link})
    return out


@router.get("/", response_class=HTMLResponse, summary="Home page")
def home(request: Request, settings: SettingsDep, store: StoreDep, ontology: OntologyDep):
    """What the graph holds (counts by kind and by class, the presidencies covered, the latest articles),
    a search box and the ways in."""
    cov = coverage(request, settings, store)
    return render(request, "home.html", {
        "counts": home_data(request, settings, store), "classes": class_table(request, settings, store, ontology),
        "presidencies": cov["presidencies"], "topics": cov["topics"], "latest": cov["articles"][:LATEST],
        "articles": len(cov["articles"])})


@router.get("/index.json", summary="Home page as JSON")
@router.get("/.json", summary="Home page as JSON (Datasette-style suffix)")
def home_json(request: Request, settings: SettingsDep, store: StoreDep) -> dict:
    """The home page's counts, presidencies covered and latest articles, in the envelope."""
    counts = home_data(request, settings, store, absolute=True)
    cov = coverage(request, settings, store)
    presidencies = [ref(request, settings, p["p"], p["label"], start=p["start"], end=p["end"], dated=p["dated"],
                        articles=p["articles"]) for p in cov["presidencies"]]
    latest = [ref(request, settings, a["a"], a["title"], date=a["date"]) for a in cov["articles"][:LATEST]]
    return envelope({"counts": counts, "presidencies": presidencies, "latestArticles": latest,
                     "api": str(request.base_url) + "api"})


@router.get("/search", response_class=HTMLResponse, summary="Search page")
def search_page(
    request: Request, settings: SettingsDep, store: StoreDep, ontology: OntologyDep,
    q: Annotated[str | None, Query(max_length=200, description="Text to find")] = None,
    type: Annotated[str | None, Query(max_length=300, description="Only entities of this class")] = None,
    after: Annotated[str | None, Query(max_length=2000, description="Last key of the page before")] = None,
):
    """Search names, titles and evidence sentences; results link to the entities' pages."""
    q = (q or "").strip() or None
    type = type or None
    counts = class_counts(request, settings, store)
    labels = ontology.labels if ontology else {}
    def expand(c: str) -> str:
        p, _, rest = c.partition(":")
        return PREFIXES.get(p, "") + rest

    types = sorted(({"curie": c, "label": labels.get(expand(c), local(expand(c)))} for c in counts),
                   key=lambda t: t["label"].lower())
    context = {"q": q, "type": type, "types": types, "results": [], "next": None, "error": None,
               "json_url": str(request.url.replace(path=request.url.path + ".json"))}
    if q is not None:
        if len(q) < 2:
            context["error"] = "Type at least two characters."
        else:
            try:
                found = search_entities(store, settings, q, type, after, 50)
            except ApiError as e:
                context["error"] = e.detail
                found = []
            href = html_href(request, settings)
            for r in found[:50]:
                context["results"].append({
                    "iri": r["e"], "href": href(r["e"]), "label": r["label"],
                    "types": [labels.get(t, local(t)) for t in (r["types"] or "").split()],
                    "match": {"name": r["name"] or None, "sentence": r["sentence"] or None,
                              "sentences": r["sentences"]},
                    "name_marks": _marks(r["name"] or "", q),
                    "sentence_marks": _marks(r["sentence"] or "", q),
                })
            if len(found) > 50:
                context["next"] = str(request.url.include_query_params(after=found[49]["e"]))
    return render(request, "search.html", context)


def _marks(text: str, q: str) -> list[list[int]]:
    return [[m.start(), m.end()] for m in re.finditer(re.escape(q), text, flags=re.IGNORECASE)]


@router.get("/search.json", summary="Search page as JSON")
def search_json(
    request: Request, settings: SettingsDep, store: StoreDep, page: PageDep,
    q: Annotated[str, Query(min_length=2, max_length=200, description="Text to find (any case, literally)")],
    type: Annotated[str | None, Query(description="Only entities of this class")] = None,
) -> dict:
    """The same answer as ``/api/search``."""
    return search(request, settings, store, page, q, type)


@router.get("/static/{name}", summary="Stylesheet and other local assets", include_in_schema=True)
def static(name: str):
    """Files of ``src/jha_graph/static`` (no sub-folders, no hidden files)."""
    path = STATIC / name
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name) or not path.is_file():
        raise ApiError(404, f"no static file {name!r}", where="name")
    return FileResponse(path, headers={"Cache-Control": "public, max-age=3600"})
