"""Cross-cutting HTTP behaviour: CORS, a request body size limit, and ``nosniff`` on every answer.

* CORS follows ``settings.cors_origins`` (an empty list turns it off).  It is never granted for
  writes: ``/update`` gets no CORS headers at all, preflights may not ask for ``Authorization`` (so
  no page on another origin can send the update token) and only GET, HEAD and POST are allowed
  cross-origin (so the Graph Store Protocol's PUT and DELETE are not).  No credentials, ever.
* A request body larger than ``settings.max_body_bytes`` is refused with 413 in the error shape,
  from its Content-Length before anything is read, or as soon as a chunked body passes the limit.
* ``X-Content-Type-Options: nosniff`` on every response, so that a browser never reinterprets a
  query answer (say, CSV echoing a literal that looks like HTML) as something executable.
"""
from __future__ import annotations

import json

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import error_body

NO_CORS_PATHS = ("/update",)


class BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.max_bytes:
                    await self._refuse(send, declared)
                    return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(send, received)

    async def _refuse(self, send: Send, size: int) -> None:
        detail = (f"the request body is larger than this server accepts ({self.max_bytes} bytes); "
                  f"for bulk loading use the command line (jha-graph ingest)")
        body = json.dumps(error_body(413, "Payload Too Large", detail, "body")).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


class NoSniffMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"x-content-type-options"]
                headers.append((b"x-content-type-options", b"nosniff"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_header)


class ReadOnlyCORSMiddleware:
    """Starlette's CORS, skipped for the paths that only write."""

    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=origins,
            allow_methods=["GET", "HEAD", "POST"],
            allow_headers=["Accept", "Content-Type"],  # not Authorization: no cross-origin writes
            allow_credentials=False,
            expose_headers=["Content-Disposition", "Location", "Vary", "X-JHA-Max-Results"],
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path", "").rstrip("/") in NO_CORS_PATHS:
            await self.app(scope, receive, send)
        else:
            await self.cors(scope, receive, send)


def install(app, settings) -> None:
    """Add the middleware; the last added runs first, so nosniff also marks 413s and CORS preflights."""
    if settings.cors_origins:
        app.add_middleware(ReadOnlyCORSMiddleware, origins=list(settings.cors_origins))
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(NoSniffMiddleware)
