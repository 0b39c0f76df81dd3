"""One error shape for every route: ``{"ok": false, "error": {"status", "title", "detail", "where"}}``.

The server's own queries (``sparql/guarded.py``) fail with the query executor's exceptions: past the
time limit (503), no worker free (503), the worker died under the query (500 when the engine crashed,
503 otherwise).  They are answered here in the error shape, naming the request whose query failed
(``where`` is its path), or as an HTML error page to a client asking an HTML page for HTML.

>>> body = error_body(400, "Bad Request", "SPARQL syntax error at line 1", where="query")
>>> body["ok"], body["error"]["status"], body["error"]["where"]
(False, 400, 'query')
"""
from __future__ import annotations

import logging
import signal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException  # FastAPI's subclasses it; unknown routes raise this one

from ..sparql.executor import ExecutorBusy, QueryTimeout, WorkerCrashed

log = logging.getLogger(__name__)


class ApiError(Exception):
    """Raise anywhere in a route to answer with the error shape."""

    def __init__(self, status: int, detail: str, *, title: str | None = None, where: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.where, self.headers = status, detail, where, headers
        self.title = title or _TITLES.get(status, "Error")


_TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
           405: "Method Not Allowed", 406: "Not Acceptable", 408: "Request Timeout", 413: "Payload Too Large",
           415: "Unsupported Media Type", 422: "Unprocessable Entity", 500: "Internal Server Error",
           503: "Service Unavailable", 504: "Gateway Timeout"}


def error_body(status: int, title: str, detail: str, where: str | None = None) -> dict:
    return {"ok": False, "error": {"status": status, "title": title, "detail": detail, "where": where}}


def query_failure(request: Request, exc: Exception) -> ApiError:
    """The error for one of the server's own queries that the executor stopped or lost."""
    what = f"the graph query behind {request.method} {request.url.path}"
    where = request.url.path
    if isinstance(exc, QueryTimeout):
        stopped = "was stopped" if exc.killed else "was abandoned (it may still be running on this server)"
        return ApiError(503, f"{what} ran longer than {exc.seconds:g} s, this server's time limit, and {stopped}; "
                             f"this server answers other requests as before. Ask for less (a filter, a type, a "
                             f"smaller limit), or query /sparql or download /export", title="Query Timeout",
                        where=where, headers=_VARY)
    if isinstance(exc, ExecutorBusy):
        return ApiError(503, f"{what} could not start: {exc}; try again shortly", where=where,
                        headers={**_VARY, "Retry-After": "5"})
    if isinstance(exc, WorkerCrashed) and exc.returncode in (-signal.SIGABRT, -signal.SIGSEGV):
        how = "aborted" if exc.returncode == -signal.SIGABRT else "crashed"
        return ApiError(500, f"the query engine (pyoxigraph) {how} on {what}; its worker process was replaced "
                             f"and this server answers other requests as before. A known cause is data this "
                             f"route sorts holding values that cannot be compared (numbers with strings)",
                        title="Query Engine Crash", where=where, headers=_VARY)
    returncode = getattr(exc, "returncode", None)
    return ApiError(503, f"{exc} while running {what} (exit status {returncode}), probably out of memory; "
                         f"this server answers other requests as before", where=where, headers=_VARY)


_VARY = {"Vary": "Accept"}
_PAGE_PATHS = ("/id/", "/graph/", "/ontology")


def wants_html(request: Request) -> bool:
    """Whether the request is for an HTML page and the client prefers HTML to JSON (browsers)."""
    route = request.scope.get("route")
    path = getattr(route, "path", "")
    if getattr(route, "response_class", None) is not HTMLResponse and not path.startswith(_PAGE_PATHS):
        return False
    last = request.url.path.rsplit("/", 1)[-1]
    if "." in last and not last.endswith(".html"):  # a suffix asking for another format (.json, .ttl, .svg)
        return False
    from ..linked_data import negotiate

    return negotiate(request.headers.get("accept"), ("html", "json")) == "html"


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return JSONResponse(error_body(exc.status, exc.title, exc.detail, exc.where), status_code=exc.status,
                            headers=exc.headers)

    async def _query_failure(request: Request, exc: Exception):
        error = query_failure(request, exc)
        log.warning("%s %s: %s", request.method, request.url.path, error.detail)
        if wants_html(request):
            from .routers.pages import html_error  # the templates, only when a page is asked for

            return html_error(request, error)
        return await _api_error(request, error)

    for failure in (QueryTimeout, ExecutorBusy, WorkerCrashed):
        app.add_exception_handler(failure, _query_failure)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException):
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        return JSONResponse(error_body(exc.status_code, _TITLES.get(exc.status_code, "Error"), detail),
                            status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", ()) if x not in ("query", "body", "path"))
        detail = "; ".join(f"{'.'.join(str(x) for x in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors())
        return JSONResponse(error_body(400, "Bad Request", detail, where or None), status_code=400)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(error_body(500, "Internal Server Error",
                                       "the server failed to answer this request; it has been logged"),
                            status_code=500)
