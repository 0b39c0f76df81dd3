"""The SPARQL 1.1 Protocol: queries at ``/sparql`` (GET, form POST, direct POST), updates at ``/sparql``
and ``/update`` (POST, with the update token), and the service description (GET without a query).

* The default graph is the union of all graphs, unless the request names a dataset
  (``default-graph-uri``/``named-graph-uri``, which win over the query's own ``FROM``) or the query
  has ``FROM``/``FROM NAMED``.  The project's prefixes (``jha:``, ``dcterms:``, …) are predeclared.
* Answers are negotiated (``Accept`` with q-values, or ``?format=``); without either, SELECT/ASK
  answer SPARQL JSON and CONSTRUCT/DESCRIBE Turtle.  Every answer says ``Vary: Accept``.
* A query has ``query_timeout`` seconds; then its worker is killed and the client gets a 503.
* A SELECT with more than ``max_results`` rows (a CONSTRUCT with more triples) gets a 422 telling
  the client to page with LIMIT/OFFSET: an answer is complete or it is an error, never cut short.
* An answer is kept (``sparql_cache_mb``), and by GET tagged (a weak ``ETag``; ``If-None-Match`` gets a
  304), for as long as the store's generation stays the same (``sparql/cache.py``); an on-disk store only.
"""
from __future__ import annotations

import signal

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from starlette.routing import Route
from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from ...namespaces import PREFIXES
from ...sparql import negotiation
from ...sparql.cache import etag, matches, request_key
from ...sparql.executor import ExecutorBusy, QueryTimeout, WorkerCrashed
from ...sparql.jobs import Answer, Job, grouped, serialize_triples
from ...sparql.protocol import (
    ProtocolError,
    apply_using,
    has_dataset_clause,
    parse,
    top_level_words,
    uses_service,
)
from ..deps import check_update_token
from ..errors import ApiError

router = APIRouter(tags=["SPARQL"])

VARY = {"Vary": "Accept"}

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
RESULT_FORMAT_IRIS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                      "Turtle", "N-Triples", "RDF_XML", "JSON-LD", "TriG", "N-Quads")

_IRI_LIST = {"type": "array", "items": {"type": "string", "format": "iri"}}
_DATASET_PARAMS = [
    {"name": "default-graph-uri", "in": "query", "required": False, "schema": _IRI_LIST, "explode": True,
     "description": "A graph of the default graph (repeatable); replaces the query's FROM"},
    {"name": "named-graph-uri", "in": "query", "required": False, "schema": _IRI_LIST, "explode": True,
     "description": "A named graph (repeatable); replaces the query's FROM NAMED"},
]
_FORMAT_PARAM = {
    "name": "format", "in": "query", "required": False,
    "schema": {"type": "string", "enum": list(negotiation.FORMAT_NAMES)},
    "description": "Answer format, overriding Accept: json, xml, csv, tsv (SELECT/ASK); "
                   "ttl, nt, rdf, jsonld, trig, nq (CONSTRUCT/DESCRIBE; json means JSON-LD there)"}
_ANSWERS = {
    "200": {"description": "The answer, in the negotiated format. `X-JHA-Cache`: `hit` when it was kept from an "
                           "earlier request (the store has not changed since), `miss` when the query ran",
            "headers": {"X-JHA-Cache": {"schema": {"type": "string", "enum": ["hit", "miss"]}},
                        "ETag": {"description": "A weak tag of the answer (GET only): send it back in If-None-Match",
                                 "schema": {"type": "string"}}},
            "content": {f.media_type: {"schema": negotiation.answer_schema(f.media_type)}
                        for f in negotiation.SOLUTION_FORMATS + negotiation.GRAPH_FORMATS}},
    "400": {"description": "Not a valid SPARQL request (syntax, repeated or conflicting parameters, "
                           "media type, charset)"},
    "406": {"description": "No acceptable format for this kind of answer"},
    "422": {"description": "More results than the endpoint's limit: page with LIMIT/OFFSET"},
    "503": {"description": "The query ran past the time limit and was stopped, or all workers are busy"},
}
_UPDATE_ANSWERS = {
    "204": {"description": "The update was applied (in one transaction)"},
    "400": {"description": "Not a valid update request"},
    "401": {"description": "Missing or wrong update token"},
    "403": {"description": "The server is read-only (started without an update token)"},
}
_QUERY_FORM = {"type": "object", "properties": {
    "query": {"type": "string"}, "update": {"type": "string"},
    "default-graph-uri": _IRI_LIST, "named-graph-uri": _IRI_LIST,
    "using-graph-uri": _IRI_LIST, "using-named-graph-uri": _IRI_LIST}}
_UPDATE_FORM = {"type": "object", "required": ["update"], "properties": {
    "update": {"type": "string"}, "using-graph-uri": _IRI_LIST, "using-named-graph-uri": _IRI_LIST}}


def endpoint_url(request: Request) -> str:
    # what request.url_for("sparql_query") gives, without its walk over every route of the app
    return f"{request.base_url}sparql"


def _parse(request: Request, body: bytes, *, updates_only: bool = False):
    try:
        return parse(request.method, request.scope.get("query_string", b""), request.headers.get("content-type"),
                     body, updates_only=updates_only)
    except ProtocolError as e:
        headers = {"Allow": "POST" if updates_only else "GET, POST"} if e.status == 405 else None
        raise ApiError(e.status, e.detail, where=e.where, headers=headers) from None


@router.get(
    "/sparql", name="sparql_query", summary="SPARQL query by GET, or the service description",
    description="With `query`: run it (SPARQL 1.1 Protocol, query via GET). Without: the SPARQL 1.1 "
                "Service Description of this endpoint (Turtle unless negotiated otherwise).",
    responses={**_ANSWERS, "304": {"description": "Not Modified: If-None-Match named this answer's ETag, and the "
                                                  "store has not changed since; the query did not run"}},
    openapi_extra={"parameters": [
        {"name": "query", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "The SPARQL query (exactly one)"},
        *_DATASET_PARAMS, _FORMAT_PARAM]},
)
async def sparql_get(request: Request) -> Response:
    return await sparql_endpoint(request)


@router.post(
    "/sparql", summary="SPARQL query or update by POST",
    description="A query as `application/sparql-query`, an update as `application/sparql-update` (needs the "
                "update token), or either as a form (`query=` or `update=`). Dataset parameters may also be "
                "given in the URL.",
    responses={**_ANSWERS, **{k: v for k, v in _UPDATE_ANSWERS.items() if k != "400"}},
    openapi_extra={
        "parameters": [*_DATASET_PARAMS, _FORMAT_PARAM],
        "requestBody": {"required": True, "content": {
            "application/sparql-query": {"schema": {"type": "string"}},
            "application/sparql-update": {"schema": {"type": "string"}},
            "application/x-www-form-urlencoded": {"schema": _QUERY_FORM}}}},
)
async def sparql_post(request: Request) -> Response:
    return await sparql_endpoint(request)


@router.post(
    "/update", summary="SPARQL Update (needs the update token)",
    description="`application/sparql-update`, or a form with `update=`; `Authorization: Bearer <token>`.",
    responses=_UPDATE_ANSWERS,
    openapi_extra={
        "parameters": [
            {"name": "using-graph-uri", "in": "query", "required": False, "schema": _IRI_LIST, "explode": True},
            {"name": "using-named-graph-uri", "in": "query", "required": False, "schema": _IRI_LIST,
             "explode": True}],
        "requestBody": {"required": True, "content": {
            "application/sparql-update": {"schema": {"type": "string"}},
            "application/x-www-form-urlencoded": {"schema": _UPDATE_FORM}}}},
)
async def update_post(request: Request) -> Response:
    return await _run_update(request, _parse(request, await request.body(), updates_only=True))


@router.api_route("/sparql", methods=["PUT", "DELETE", "PATCH"], include_in_schema=False)
async def sparql_other(request: Request) -> Response:
    # said here, rather than left to the router, so that the answer has the error shape and a full Allow
    _parse(request, b"")
    raise AssertionError("unreachable")  # parse() refuses every method but GET and POST


@router.api_route("/update", methods=["GET", "PUT", "DELETE", "PATCH"], include_in_schema=False)
async def update_other(request: Request) -> Response:
    _parse(request, b"", updates_only=True)
    raise AssertionError("unreachable")


async def sparql_endpoint(request: Request) -> Response:
    """GET and POST ``/sparql``: the one handler behind both the routes above, which declare the endpoint
    in the OpenAPI document, and ``LANE``, which serves it."""
    state = request.app.state
    body = await request.body() if request.method == "POST" else b""
    return await _dispatch(request, _parse(request, body), state.settings, state.executor)


class _Lane(Route):
    def __init__(self) -> None:
        super().__init__("/sparql", sparql_endpoint, methods=["GET", "POST"], include_in_schema=False)
        self.methods.discard("HEAD")  # Starlette adds HEAD to GET routes; /sparql answers 405 to it


# The clients' queries are the hottest path of the server.  A plain Starlette route, placed before
# every other route of the app (api.app), serves /sparql without FastAPI's per-request machinery
# (dependency solving, the endpoint wrapper): a fifth less CPU per lookup.  Errors still reach the
# app's exception handlers, and every middleware still applies.
LANE = _Lane()


async def _dispatch(request: Request, op, settings, executor) -> Response:
    if op.kind == "update":
        return await _run_update(request, op)
    if op.kind == "service-description":
        return service_description(request, op.formats)
    return await run_query(request, op, settings, executor)


def negotiate(request: Request, formats: list[str]) -> negotiation.Negotiated:
    try:
        return negotiation.negotiate(request.headers.get("accept"), formats)
    except negotiation.NegotiationError as e:
        raise ApiError(400, str(e), where="format", headers=VARY) from None


NO_SERVICE = ("federated queries (SERVICE) are disabled: this server does not fetch data from other hosts "
              "on behalf of its clients; run the federated query from your own client instead")


async def run_query(request: Request, op, settings, executor) -> Response:
    if uses_service(op.text):
        raise ApiError(400, NO_SERVICE, where="query", headers=VARY)
    chosen = negotiate(request, op.formats)
    job = Job(
        kind="query", query=op.text, base_iri=endpoint_url(request),
        default_graphs=op.default_graphs if op.has_protocol_dataset else None,
        named_graphs=op.named_graphs if op.has_protocol_dataset else None,
        union=not op.has_protocol_dataset and not has_dataset_clause(op.text),
        solutions_format=chosen.solutions.name if chosen.solutions else None,
        graph_format=chosen.graph.name if chosen.graph else None,
        max_results=settings.max_results,
    )
    limit = {**VARY, "X-JHA-Max-Results": str(settings.max_results)}
    headers = dict(limit)
    # The store's generation: answers and their entity tags are valid while it stays (sparql.cache).
    # None for an in-memory or remote store, whose changes cannot be seen from here: no tag, no cache.
    # Only GET answers are tagged: a POST's answer is not a representation of its URL (RFC 9110, 9.3.3).
    answers, tagged = request.app.state.answers, request.method == "GET"
    generation = executor.generation() if answers is not None or tagged else None
    if generation is not None:
        job.generation = generation
        key = request_key(job.query, job.base_iri, job.default_graphs, job.named_graphs, job.union,
                          job.solutions_format, job.graph_format, job.max_results)
        if tagged:
            headers["ETag"] = tag = etag(generation, key)
            if matches(request.headers.get("if-none-match"), tag):
                return Response(status_code=304, headers=headers)
        kept = answers.get(generation, key) if answers is not None else None
        if kept is not None:
            return Response(kept[0], media_type=negotiation.by_name(kept[1]).content_type,
                            headers={**headers, "X-JHA-Cache": "hit"})
    answer = await execute(executor, job)
    if answer.truncated:
        what = "rows" if answer.form == "solutions" else "triples"
        raise ApiError(422, f"the answer has more than {settings.max_results} {what}, the most this endpoint "
                            f"returns at once; ask for at most {settings.max_results} with LIMIT and page with "
                            f"OFFSET (ORDER BY keeps pages stable), or download the whole graph from /export",
                       title="Too Many Results", where="query", headers=limit)
    if answer.status == 406:
        kind = "graph" if answer.form == "graph" else "solutions"
        raise ApiError(406, negotiation.not_acceptable_detail(kind, request.headers.get("accept"), None, op.formats),
                       where="format" if op.formats else "Accept", headers=VARY)
    check(answer)
    fmt = negotiation.by_name(answer.format)
    if answers is not None and generation is not None:
        answers.put(generation, key, answer.body, answer.format)
        headers["X-JHA-Cache"] = "miss"
    return Response(answer.body, media_type=fmt.content_type, headers=headers)


async def execute(executor, job: Job) -> Answer:
    """Run a job, turning the executor's failures into the error shape."""
    try:
        return await executor.run(job)
    except QueryTimeout as e:
        stopped = "was stopped" if e.killed else "was abandoned (it may still be running on this server)"
        raise ApiError(503, f"the query ran longer than {e.seconds:g} s, this endpoint's time limit, and {stopped}; "
                            f"make it more selective (fewer unbound patterns, LIMIT) or download the data "
                            f"from /export", title="Query Timeout", where="query", headers=VARY) from None
    except ExecutorBusy as e:
        raise ApiError(503, f"{e}; try again shortly", where="query",
                       headers={**VARY, "Retry-After": "5"}) from None
    except WorkerCrashed as e:
        raise crashed(e) from None


def crashed(e: WorkerCrashed) -> ApiError:
    """The error for a query whose worker died, by how it died; the server itself runs on."""
    if e.returncode == -signal.SIGABRT:
        return ApiError(500, "the query engine (pyoxigraph) aborted on this query and its worker process was "
                             "replaced; this server answers other queries as before. A known cause is ORDER BY "
                             "over values that cannot be compared, such as numbers with strings: sort by STR(?x) "
                             "or a cast such as xsd:integer(?x)", title="Query Engine Crash", where="query",
                        headers=VARY)
    if e.returncode == -signal.SIGSEGV:
        return ApiError(500, "the query engine crashed on this query and its worker process was replaced; this "
                             "server answers other queries as before. A known cause is a query nested very deeply "
                             "(brackets, braces or paths): write it flatter", title="Query Engine Crash",
                        where="query", headers=VARY)
    return ApiError(503, f"{e} while running the query (exit status {e.returncode}), probably out of memory; "
                         f"make the query more selective", where="query", headers=VARY)


def check(answer: Answer) -> None:
    if answer.status >= 400:
        raise ApiError(answer.status, answer.detail or "the query failed", where=answer.where, headers=VARY)


async def _run_update(request: Request, op) -> Response:
    check_update_token(request)  # before looking at the update: anonymous clients learn nothing from it
    writer = getattr(request.app.state, "writer", None)
    if writer is None:
        raise ApiError(403, "the store is open read-only in this server", where="store")
    if uses_service(op.text):
        raise ApiError(400, NO_SERVICE, where="update")
    if "LOAD" in top_level_words(op.text, "LOAD"):
        raise ApiError(400, "LOAD is disabled: this server does not fetch remote data; send the triples "
                            "with INSERT DATA or the Graph Store Protocol", where="update")
    try:
        text = apply_using(op.text, op.using_graphs, op.using_named_graphs)
    except ProtocolError as e:
        raise ApiError(e.status, e.detail, where=e.where) from None
    try:
        await run_in_threadpool(writer.update, text, endpoint_url(request))
    except SyntaxError as e:
        raise ApiError(400, f"SPARQL Update syntax error: {' '.join(str(e).split())[:600]}", where="update") from None
    except OSError as e:
        raise ApiError(500, f"the update could not be written, nothing was changed: {e}", where="store") from None
    except (RuntimeError, ValueError) as e:
        raise ApiError(400, f"the update could not be applied, nothing was changed: {e}", where="update") from None
    return Response(status_code=204)


# --- the service description ------------------------------------------------------------------------

def service_description(request: Request, formats: list[str]) -> Response:
    try:
        fmt = negotiation.negotiate_one(request.headers.get("accept"), formats, negotiation.GRAPH_FORMATS)
    except negotiation.NegotiationError as e:
        raise ApiError(400, str(e), where="format", headers=VARY) from None
    if fmt is None:
        raise ApiError(406, negotiation.not_acceptable_detail("the service description", request.headers.get("accept"),
                                                              negotiation.GRAPH_FORMATS, formats),
                       where="format" if formats else "Accept", headers=VARY)
    settings = request.app.state.settings
    endpoint = NamedNode(endpoint_url(request))
    sd = lambda name: NamedNode(SD + name)  # noqa: E731
    a = NamedNode(PREFIXES["rdf"] + "type")
    dataset, default_graph = BlankNode(), BlankNode()
    triples = [
        Triple(endpoint, a, sd("Service")),
        Triple(endpoint, sd("endpoint"), endpoint),
        Triple(endpoint, sd("supportedLanguage"), sd("SPARQL11Query")),
        Triple(endpoint, sd("feature"), sd("UnionDefaultGraph")),
        Triple(endpoint, sd("defaultEntailmentRegime"), NamedNode("http://www.w3.org/ns/entailment/Simple")),
        Triple(endpoint, sd("defaultDataset"), dataset),
        Triple(dataset, a, sd("Dataset")),
        Triple(dataset, sd("defaultGraph"), default_graph),
        Triple(default_graph, a, sd("Graph")),
        Triple(dataset, NamedNode(PREFIXES["rdfs"] + "seeAlso"), NamedNode(str(request.url_for("void_description")))),
        Triple(endpoint, NamedNode(PREFIXES["dcterms"] + "title"),
               Literal("jha-graph SPARQL endpoint: EU Justice and Home Affairs policy", language="en")),
        Triple(endpoint, NamedNode(PREFIXES["rdfs"] + "comment"), Literal(
            f"The default graph is the union of all named graphs. Queries may run {settings.query_timeout:g} s and "
            f"return {settings.max_results} rows at most (page with LIMIT/OFFSET). The prefixes "
            f"{', '.join(p + ':' for p in PREFIXES)} are predeclared.", language="en")),
    ]
    if settings.update_token:
        triples.append(Triple(endpoint, sd("supportedLanguage"), sd("SPARQL11Update")))
    triples += [Triple(endpoint, sd("resultFormat"), NamedNode(FORMATS_NS + name)) for name in RESULT_FORMAT_IRIS]
    body = serialize_triples(grouped(triples), fmt.name, {"sd": SD, "formats": FORMATS_NS})
    return Response(body, media_type=fmt.content_type, headers=VARY)
