"""Linked data: every IRI the graph mints dereferences here, and so does the ontology.

``/id/{path}`` answers for ``{base_iri}id/{path}`` whatever the base is (a w3id address that
redirects here, ``http://localhost:8000/``, or an address behind a proxy): the path is mapped to
the configured base, so the same server works in each place.  ``/graph/{path}`` answers for a
named graph (its statements), ``/ontology`` for the ontology and its terms (``#Article``).

The format is chosen by a suffix (``.html``, ``.ttl``, ``.jsonld``, ``.nt``, ``.rdf``, ``.json``)
or else by the Accept header (HTML for browsers and by default); answers say ``Vary: Accept`` and
list the other formats in ``Link`` headers.  There is no 303 redirect: a hash-less IRI names both
the thing and the document that describes it, which is acceptable for this data (the description
is about the thing, and the document has the suffixed URLs as its own names).
"""
from __future__ import annotations

from contextlib import asynccontextmanager
from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pyoxigraph import NamedNode, Variable

from ...linked_data import (ALL_SUFFIXES, FORMATS, RDF_SUFFIXES, OntologyDoc, describe, graph_triples,
                            jsonld_context, negotiate, serialize_triples, split_suffix, term_json)
from ..deps import MinterDep, OntologyDep, SettingsDep, StoreDep, canned_for, ontology_for
from ..envelope import envelope
from ..errors import ApiError
from .api import page_url, sparql_url
from .pages import html_error, html_href, render, root_of, templates


@asynccontextmanager
async def warm(app):
    """At start-up, read the canned queries and the ontology and render the ontology page, so that no
    request pays for it."""
    state = app.state
    canned_for(state)
    ontology = ontology_for(state)
    if ontology is not None:
        ontology_html(state, ontology)
    yield


router = APIRouter(tags=["linked data"], lifespan=warm)

FORMAT_NAMES = {"html": "HTML", "ttl": "Turtle", "jsonld": "JSON-LD", "nt": "N-Triples", "rdf": "RDF/XML",
                "json": "JSON"}
GRAPH_EXISTS = "ASK { GRAPH ?g { ?s ?p ?o } }"
LIST_LIMIT = 50  # values shown per property on a page (the JSON has them all)


def choose(request: Request, suffix: str | None, offered=ALL_SUFFIXES) -> str:
    """The format: the suffix if one was given, else the best match for Accept; 406 if none fits."""
    if suffix is not None:
        return suffix
    fmt = negotiate(request.headers.get("accept"), offered)
    if fmt is None:
        types = ", ".join(FORMATS[s][0].split(";")[0] for s in offered)
        raise ApiError(406, f"cannot answer in {request.headers.get('accept')!r}; available: {types}",
                       where="accept")
    return fmt


def alternates(url: str) -> list[dict]:
    """The document's formats, each at ``url.suffix``."""
    return [{"name": FORMAT_NAMES[s], "suffix": s, "type": FORMATS[s][0].split(";")[0], "href": f"{url}.{s}"}
            for s in ALL_SUFFIXES]


def headers_for(url: str, fmt: str, negotiated: bool) -> dict[str, str]:
    links = ", ".join(f'<{a["href"]}>; rel="alternate"; type="{a["type"]}"' for a in alternates(url)
                      if a["suffix"] != fmt)
    headers = {"Vary": "Accept", "Link": links}
    if negotiated:
        headers["Content-Location"] = f"{url}.{fmt}"
    return headers


def not_found(request: Request, fmt: str | None, detail: str, where: str):
    exc = ApiError(404, detail, where=where)
    if fmt == "html" or (fmt is None and negotiate(request.headers.get("accept"), ALL_SUFFIXES) == "html"):
        return html_error(request, exc)
    raise exc


@router.api_route("/id/{path:path}", methods=["GET", "HEAD"], summary="Dereference an entity IRI")
def entity(path: str, request: Request, settings: SettingsDep, minter: MinterDep, store: StoreDep,
           ontology: OntologyDep):
    """The description of ``{base_iri}id/{path}``: HTML (default), Turtle, JSON-LD, N-Triples, RDF/XML or
    the API's JSON, by suffix or Accept.  It holds the IRI's triples both ways, its neighbours' names (as
    the graphs that state the links, the reference data and the ontology name them), and the evidence
    sentences that state it with their articles."""
    stem, suffix = split_suffix(path)
    requested, desc = suffix, None
    if suffix is not None:
        desc = describe(store, NamedNode(settings.base_iri + "id/" + stem), minter)
        if not desc.exists:
            desc, suffix = None, None
    if desc is None:
        try:
            iri = NamedNode(settings.base_iri + "id/" + path)
        except ValueError:
            return not_found(request, requested, f"not an IRI: {settings.base_iri}id/{path}", "path")
        desc = describe(store, iri, minter)
    if not path or not desc.exists:
        return not_found(request, requested, f"the graph says nothing about {settings.base_iri}id/{path}", "path")
    fmt = choose(request, suffix)
    url = page_url(request, desc.iri.value, settings)
    headers = headers_for(url, fmt, negotiated=suffix is None)
    more = partial(sparql_url, request)  # where to find what a description leaves out
    # (for the clients of its RDF too)
    headers["Link"] = ", ".join([headers["Link"], *(f'<{more(q)}>; rel="related"; title="{what}"'
                                                    for what, q in desc.left_out())])
    names = ontology.labels if ontology else {}
    if fmt in RDF_SUFFIXES:
        return Response(serialize_triples(desc.triples, fmt), media_type=FORMATS[fmt][0], headers=headers)
    if fmt == "json":
        data = desc.summary(minter, lambda i: page_url(request, i, settings), names, more)
        data["formats"] = {a["suffix"]: a["href"] for a in alternates(url)}
        return JSONResponse(envelope(data), headers=headers)
    href = html_href(request, settings)
    data = desc.summary(minter, href, names, more)
    for src in data["sources"]:
        src["href"] = href(src["graph"])
    local_url = href(desc.iri.value)
    return render(request, "entity.html", {
        "e": data, "formats": alternates(local_url), "alternates": alternates(local_url)[1:],
        "json_url": f"{local_url}.json", "limit": LIST_LIMIT}, headers=headers)


@router.api_route("/graph/{path:path}", methods=["GET", "HEAD"], summary="Dereference a named graph IRI")
def named_graph(path: str, request: Request, settings: SettingsDep, minter: MinterDep, store: StoreDep,
                ontology: OntologyDep):
    """The statements of the named graph ``{base_iri}graph/{path}`` (an article's graph, ``reference``,
    ``links``, ``ontology``) in an RDF format, or an HTML page with its provenance and subjects."""
    stem, suffix = split_suffix(path)
    candidates = ([(stem, suffix)] if suffix else []) + [(path, None)]
    for name, sfx in candidates:
        try:
            graph = NamedNode(settings.base_iri + "graph/" + name)
        except ValueError:
            continue
        if name and bool(store.query(GRAPH_EXISTS, substitutions={Variable("g"): graph})):
            break
    else:
        return not_found(request, suffix, f"no named graph {settings.base_iri}graph/{path}", "path")
    fmt = choose(request, sfx)
    url = page_url(request, graph.value, settings)
    headers = headers_for(url, fmt, negotiated=sfx is None)
    triples = graph_triples(store, graph)
    if fmt in RDF_SUFFIXES:
        return Response(serialize_triples(triples, fmt), media_type=FORMATS[fmt][0], headers=headers)
    names = ontology.labels if ontology else {}
    desc = describe(store, graph, minter)
    subjects = sorted({t.subject.value for t in triples if isinstance(t.subject, NamedNode)})
    if fmt == "json":
        data = {"iri": graph.value, "name": name, "triples": len(triples), "subjects": subjects,
                "about": desc.summary(minter, lambda i: page_url(request, i, settings), names,
                                      partial(sparql_url, request)) if desc.exists else None,
                "formats": {a["suffix"]: a["href"] for a in alternates(url)}}
        return JSONResponse(envelope(data), headers=headers)
    href = html_href(request, settings)
    about = desc.summary(minter, href, names, partial(sparql_url, request)) if desc.exists \
        else {"facts": [], "label": {}}
    labels = {t.subject.value: t.object.value for t in triples
              if t.predicate.value in _LABEL_IRIS and isinstance(t.subject, NamedNode)}
    slug = minter.slug_of(graph.value)
    local_url = href(graph.value)
    return render(request, "graph.html", {
        "iri": graph.value, "name": name, "triples": len(triples),
        "subjects": [term_json(NamedNode(s), labels, href) for s in subjects],
        "provenance": about["facts"], "limit": 500,
        "article": term_json(minter.article(slug), labels, href) if slug else None,
        "formats": alternates(local_url)[1:], "alternates": alternates(local_url)[1:]}, headers=headers)


_LABEL_IRIS = {"http://www.w3.org/2004/02/skos/core#prefLabel", "http://www.w3.org/2000/01/rdf-schema#label",
               "http://purl.org/dc/terms/title", "http://xmlns.com/foaf/0.1/name"}


def ontology_html(state, ontology: OntologyDoc, root: str = "") -> str:
    """The documentation page, rendered once per ontology version and mount point (not per request)."""
    cache = getattr(state, "jha_ontology_html", None)
    if cache is None:
        cache = state.jha_ontology_html = {}
    key = (id(ontology), root)
    if key not in cache:
        model = ontology.model()
        sections = [("classes", "Classes", model["classes"]),
                    ("object-properties", "Object properties", model["object_properties"]),
                    ("datatype-properties", "Datatype properties", model["datatype_properties"]),
                    ("annotation-properties", "Annotation properties", model["annotation_properties"])]
        formats = [a for a in alternates(root + "/ontology") if a["suffix"] != "html"]
        html = templates.get_template("ontology.html").render(
            {"root": root, "o": model, "sections": sections, "formats": formats, "alternates": formats})
        if len(cache) > 8 or any(k[0] != id(ontology) for k in cache):
            cache.clear()
        cache[key] = html
    return cache[key]


def _ontology(request: Request, suffix: str | None, ontology: OntologyDoc | None):
    if ontology is None:
        fmt = suffix or negotiate(request.headers.get("accept"), ALL_SUFFIXES)
        return not_found(request, fmt, "this server has no ontology (ontology/jha.ttl is missing)", "ontology")
    fmt = choose(request, suffix)
    url = str(request.base_url) + "ontology"
    headers = headers_for(url, fmt, negotiated=suffix is None)
    if fmt == "ttl" and ontology.turtle is not None:
        return Response(ontology.turtle, media_type=FORMATS["ttl"][0], headers=headers)
    if fmt in RDF_SUFFIXES:
        return Response(serialize_triples(ontology.triples, fmt), media_type=FORMATS[fmt][0], headers=headers)
    if fmt == "json":
        return JSONResponse(envelope(ontology.model()), headers=headers)
    return HTMLResponse(ontology_html(request.app.state, ontology, root_of(request)), headers=headers)


@router.api_route("/ontology", methods=["GET", "HEAD"], summary="The ontology (HTML documentation or RDF)")
def ontology_doc(request: Request, ontology: OntologyDep):
    """The ontology (``https://w3id.org/jha-graph/ontology``): HTML documentation of every class and
    property by default, or Turtle, JSON-LD, N-Triples, RDF/XML or JSON by Accept."""
    return _ontology(request, None, ontology)


@router.api_route("/ontology.{suffix}", methods=["GET", "HEAD"], summary="The ontology in one format")
def ontology_format(suffix: str, request: Request, ontology: OntologyDep):
    """The ontology as ``.html``, ``.ttl`` (the source file), ``.jsonld``, ``.nt``, ``.rdf`` or ``.json``."""
    if suffix not in FORMATS:
        raise ApiError(404, f"no format .{suffix} (one of: {', '.join(ALL_SUFFIXES)})", where="suffix")
    return _ontology(request, suffix, ontology)


@router.get("/context.jsonld", summary="The JSON-LD @context of every JSON-LD answer")
def context() -> Response:
    """The prefixes every JSON-LD document of this server is compacted with."""
    import json

    return Response(json.dumps(jsonld_context(), indent=1), media_type="application/ld+json")
