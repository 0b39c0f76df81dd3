"""One error shape for every route: ``{"ok": false, "error": {"status", "title", "detail", "where"}}``.

>>> body = error_body(400, "Bad Request", "SPARQL syntax error at line 1", where="query")
>>> body["ok"], body["error"]["status"], body["error"]["where"]
(False, 400, 'query')
"""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException  # FastAPI's subclasses it; unknown routes raise this one

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


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return JSONResponse(error_body(exc.status, exc.title, exc.detail, exc.where), status_code=exc.status,
                            headers=exc.headers)

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
