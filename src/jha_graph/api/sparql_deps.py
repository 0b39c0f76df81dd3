"""Dependencies of the SPARQL, Graph Store and export routers, as ``Annotated`` types.

(Kept beside ``deps.py`` rather than in it while that file is being written by others; they are
re-exported nowhere else, so moving them there later is a two-line change.)

The update token: without one configured the server is read-only and every write answers 403;
with one, a write must carry ``Authorization: Bearer <token>`` or it answers 401.  The token is
compared in constant time and never appears in a message or a log line.
"""
from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from ..sparql.executor import QueryExecutor, Writer
from .errors import ApiError


def get_executor(request: Request) -> QueryExecutor:
    return request.app.state.executor


def check_update_token(request: Request) -> None:
    """Raise the 403/401 ``ApiError`` unless the request may write."""
    token = request.app.state.settings.update_token
    if not token:
        raise ApiError(403, "this server is read-only: updates are enabled only when it is started with an "
                            "update token (jha-graph serve --token …)", where="Authorization")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise ApiError(401, "this operation needs the update token: send 'Authorization: Bearer <token>'",
                       where="Authorization", headers={"WWW-Authenticate": 'Bearer realm="jha-graph"'})


def get_writer(request: Request) -> Writer:
    check_update_token(request)
    writer = getattr(request.app.state, "writer", None)
    if writer is None:  # a store passed in read-only, with a token configured anyway
        raise ApiError(403, "the store is open read-only in this server", where="store")
    return writer


ExecutorDep = Annotated[QueryExecutor, Depends(get_executor)]
WriterDep = Annotated[Writer, Depends(get_writer)]
