"""The SPARQL 1.1 Graph Store Protocol at ``/rdf-graph-store``: one graph at a time, as a document.

* Indirect identification: ``?graph=<IRI>`` (decoded once, as any query parameter) or ``?default``
  (the store's own default graph: the union the SPARQL endpoint queries is not a graph one can PUT).
* Direct identification: ``/rdf-graph-store/<path>`` names the graph whose IRI is that very URL.
* GET and HEAD always (404 for a graph that does not exist); PUT (replace), POST (merge; on the bare
  endpoint, create a new graph and answer its IRI in ``Location``) and DELETE only with the update
  token.  Every write is one transaction.  Bodies: Turtle, N-Triples, RDF/XML, JSON-LD, or
  ``multipart/form-data`` with one such document per part.
* Reads go through the query executor (time limit, fresh snapshot), but are never cut at
  ``max_results``: a graph is answered whole.  The whole dataset is at ``/export``.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from pyoxigraph import NamedNode, RdfFormat
from pyoxigraph import parse as parse_rdf
from starlette.datastructures import UploadFile

from ...sparql import negotiation
from ...sparql.jobs import Job
from ...sparql.protocol import ProtocolError, check_charset, media_type
from ..errors import ApiError
from ..deps import ExecutorDep, WriterDep
from .sparql import VARY, check, execute

router = APIRouter(tags=["Graph Store"])

ENDPOINT = "/rdf-graph-store"
# media types of one graph; not text/plain, which pyoxigraph would read as N-Triples whatever it holds
_ACCEPTED_BODIES = {"text/turtle": RdfFormat.TURTLE, "application/x-turtle": RdfFormat.TURTLE,
                    "application/n-triples": RdfFormat.N_TRIPLES, "application/rdf+xml": RdfFormat.RDF_XML,
                    "application/ld+json": RdfFormat.JSON_LD, "text/n3": RdfFormat.N3}

_TARGET_PARAMS = [
    {"name": "graph", "in": "query", "required": False, "schema": {"type": "string", "format": "iri"},
     "description": "The graph's IRI (indirect identification)"},
    {"name": "default", "in": "query", "required": False, "allowEmptyValue": True, "schema": {"type": "string"},
     "description": "Present (no value): the store's default graph"},
]
_GRAPH_BODY = {"required": True, "content": {
    **{f.media_type: {"schema": {"type": "string"}} for f in negotiation.TRIPLE_FORMATS},
    "multipart/form-data": {"schema": {"type": "object"}}}}
_GRAPH_ANSWER = {"description": "The graph", "content": {f.media_type: {"schema": negotiation.answer_schema(f.media_type)}
                                                          for f in negotiation.TRIPLE_FORMATS}}
_WRITE_ANSWERS = {"201": {"description": "Created (a new graph)"}, "204": {"description": "Done"},
                  "401": {"description": "Missing or wrong update token"},
                  "403": {"description": "The server is read-only"},
                  "415": {"description": "Unsupported body media type or charset"}}


@dataclass
class Target:
    graph: str | None       # the graph IRI; None = the default graph
    endpoint_only: bool     # neither ?graph nor ?default: the endpoint itself

    @property
    def label(self) -> str:
        return "the default graph" if self.graph is None else f"<{self.graph}>"


def _target(request: Request, path: str | None) -> Target:
    raw = request.scope.get("query_string", b"")
    try:
        params = parse_qsl(raw.decode("ascii"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "the query string is not valid percent-encoded UTF-8", where="graph") from None
    graphs = [v for k, v in params if k == "graph"]
    default = any(k == "default" for k, _ in params)
    if path is not None:
        if graphs or default:
            raise ApiError(400, "a graph named by the URL path takes neither ?graph nor ?default", where="graph")
        raw_path = request.scope.get("raw_path") or request.url.path.encode()
        iri = f"{request.url.scheme}://{request.url.netloc}{raw_path.decode('ascii', 'replace')}"
        return Target(_iri(iri), False)
    if len(graphs) > 1:
        raise ApiError(400, f"the graph parameter is given {len(graphs)} times; name exactly one graph", where="graph")
    if graphs and default:
        raise ApiError(400, "give either ?graph=<IRI> or ?default, not both", where="graph")
    if graphs:
        return Target(_iri(graphs[0]), False)
    return Target(None, not default)


def _iri(value: str) -> str:
    try:
        return NamedNode(value).value
    except ValueError:
        raise ApiError(400, f"the graph must be named by an absolute IRI, not {value!r}", where="graph") from None


def _graph_of(request: Request, path: str | None, *, what: str) -> Target:
    target = _target(request, path)
    if target.endpoint_only:
        raise ApiError(400, f"{what} needs a graph: ?graph=<IRI> or ?default (the whole dataset is at /export)",
                       where="graph")
    return target


async def _read(request: Request, executor, path: str | None) -> Response:
    target = _graph_of(request, path, what=f"{request.method} on the graph store")
    accept = request.headers.get("accept")
    formats = [v for k, v in request.query_params.multi_items() if k == "format"]
    try:
        fmt = negotiation.negotiate_one(accept, formats, negotiation.TRIPLE_FORMATS)
    except negotiation.NegotiationError as e:
        raise ApiError(400, str(e), where="format", headers=VARY) from None
    if fmt is None:
        raise ApiError(406, negotiation.not_acceptable_detail("a graph", accept, negotiation.TRIPLE_FORMATS, formats),
                       where="format" if formats else "Accept", headers=VARY)
    answer = await execute(executor, Job(kind="graph", graph=target.graph or "", graph_format=fmt.name))
    check(answer)
    headers = {**VARY}
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(answer.body))
        return Response(b"", media_type=fmt.content_type, headers=headers)
    return Response(answer.body, media_type=fmt.content_type, headers=headers)


async def _body_triples(request: Request, base_iri: str) -> list:
    """The triples of the request body, whatever RDF syntax (or multipart of them) it comes in."""
    mtype, params = media_type(request.headers.get("content-type"))
    if mtype == "multipart/form-data":
        triples = []
        form = await request.form()
        for _, part in form.multi_items():
            if isinstance(part, UploadFile):
                triples += _parse_document(await part.read(), part.content_type, base_iri)
            else:
                raise ApiError(415, "each part of a multipart body must be an RDF document with its own "
                                    "Content-Type", where="body")
        return triples
    return _parse_document(await request.body(), request.headers.get("content-type"), base_iri)


def _parse_document(data: bytes, content_type: str | None, base_iri: str) -> list:
    mtype, params = media_type(content_type)
    try:
        check_charset(params)
    except ProtocolError as e:
        raise ApiError(415, e.detail, where="Content-Type") from None
    rdf_format = _ACCEPTED_BODIES.get(mtype)
    if rdf_format is None:
        accepted = ", ".join(f.media_type for f in negotiation.TRIPLE_FORMATS)
        raise ApiError(415, f"a graph is sent as one of {accepted} (or multipart/form-data of them), "
                            f"not {mtype or 'a body without Content-Type'}", where="Content-Type")
    try:
        quads = list(parse_rdf(data, rdf_format, base_iri=base_iri))
    except SyntaxError as e:
        raise ApiError(400, f"the {rdf_format.name} body is not valid: {' '.join(str(e).split())[:600]}",
                       where="body") from None
    return [q.triple for q in quads]


def _done(created: bool, location: str | None = None) -> Response:
    if created:
        return Response(status_code=201, headers={"Location": location} if location else None)
    return Response(status_code=204)


async def _put(request: Request, writer, path: str | None) -> Response:
    target = _graph_of(request, path, what="PUT")
    triples = await _body_triples(request, target.graph or str(request.url_for("graph_store")))
    created = await run_in_threadpool(writer.replace_graph, target.graph, triples)
    return _done(created and target.graph is not None)


async def _post(request: Request, writer, path: str | None) -> Response:
    target = _target(request, path)
    if target.endpoint_only:  # graph creation: the store names the new graph, under this endpoint
        iri = f"{request.url_for('graph_store')}/{uuid.uuid4().hex}"
        triples = await _body_triples(request, iri)
        await run_in_threadpool(writer.replace_graph, iri, triples)
        return _done(True, iri)
    triples = await _body_triples(request, target.graph or str(request.url_for("graph_store")))
    created = await run_in_threadpool(writer.add_to_graph, target.graph, triples)
    return _done(created and target.graph is not None)


async def _delete(request: Request, writer, path: str | None) -> Response:
    target = _graph_of(request, path, what="DELETE")
    if not await run_in_threadpool(writer.drop_graph, target.graph):
        raise ApiError(404, f"there is no graph {target.label} in the store", where="graph")
    return Response(status_code=204)


# --- routes: the endpoint (indirect identification) and paths under it (direct) -----------------------

@router.api_route(ENDPOINT, methods=["GET", "HEAD"], name="graph_store", summary="Get a graph",
                  responses={"200": _GRAPH_ANSWER, "404": {"description": "No such graph"},
                             "406": {"description": "No acceptable format"}},
                  openapi_extra={"parameters": [*_TARGET_PARAMS, {
                      "name": "format", "in": "query", "required": False,
                      "schema": {"type": "string", "enum": ["ttl", "nt", "rdf", "jsonld"]}}]})
async def graph_get(request: Request, executor: ExecutorDep) -> Response:
    return await _read(request, executor, None)


@router.put(ENDPOINT, summary="Replace a graph (needs the update token)", responses=_WRITE_ANSWERS,
            openapi_extra={"parameters": _TARGET_PARAMS, "requestBody": _GRAPH_BODY})
async def graph_put(request: Request, writer: WriterDep) -> Response:
    return await _put(request, writer, None)


@router.post(ENDPOINT, summary="Add to a graph, or create one (needs the update token)",
             description="With ?graph or ?default: merge the body into that graph. On the bare endpoint: "
                         "create a new graph and answer 201 with its IRI in Location.",
             responses=_WRITE_ANSWERS, openapi_extra={"parameters": _TARGET_PARAMS, "requestBody": _GRAPH_BODY})
async def graph_post(request: Request, writer: WriterDep) -> Response:
    return await _post(request, writer, None)


@router.delete(ENDPOINT, summary="Delete a graph (needs the update token)",
               responses={**_WRITE_ANSWERS, "404": {"description": "No such graph"}},
               openapi_extra={"parameters": _TARGET_PARAMS})
async def graph_delete(request: Request, writer: WriterDep) -> Response:
    return await _delete(request, writer, None)


@router.api_route(ENDPOINT + "/{path:path}", methods=["GET", "HEAD"], summary="Get a graph named by its URL",
                  responses={"200": _GRAPH_ANSWER, "404": {"description": "No such graph"}})
async def direct_get(request: Request, path: str, executor: ExecutorDep) -> Response:
    return await _read(request, executor, path)


@router.put(ENDPOINT + "/{path:path}", summary="Replace a graph named by its URL (needs the update token)",
            responses=_WRITE_ANSWERS, openapi_extra={"requestBody": _GRAPH_BODY})
async def direct_put(request: Request, path: str, writer: WriterDep) -> Response:
    return await _put(request, writer, path)


@router.post(ENDPOINT + "/{path:path}", summary="Add to a graph named by its URL (needs the update token)",
             responses=_WRITE_ANSWERS, openapi_extra={"requestBody": _GRAPH_BODY})
async def direct_post(request: Request, path: str, writer: WriterDep) -> Response:
    return await _post(request, writer, path)


@router.delete(ENDPOINT + "/{path:path}", summary="Delete a graph named by its URL (needs the update token)",
               responses={**_WRITE_ANSWERS, "404": {"description": "No such graph"}})
async def direct_delete(request: Request, path: str, writer: WriterDep) -> Response:
    return await _delete(request, writer, path)
