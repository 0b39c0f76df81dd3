"""Canned queries: every ``queries/**/*.rq`` file, run with its named parameters bound safely.

``GET /api/queries/cq/documents`` runs ``queries/cq/documents.rq``; parameters come from the query
string (GET) or a JSON object or form (POST), are checked against the types the file declares
(see :mod:`jha_graph.canned`) and bound with pyoxigraph ``substitutions``.  A ``.csv`` suffix gives
the rows as CSV.  Rows are paged by position: ``after`` is the number of rows already seen.
"""
from __future__ import annotations

import csv
import io
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pyoxigraph import QueryBoolean, QueryTriples

from ...canned import CannedQuery, ParameterError
from ...canned import run as run_canned
from ...store import QueryError
from ..deps import MAX_LIMIT, CannedDep, SettingsDep, StoreDep
from ..envelope import envelope
from ..errors import ApiError
from .api import base_url, plain

router = APIRouter(tags=["queries"])
RESERVED = ("limit", "after")


def describe_query(request: Request, q: CannedQuery) -> dict:
    url = base_url(request) + "api/queries/" + q.name
    return {**q.to_json(), "url": url, "csv": url + ".csv"}


@router.get("/api/queries", summary="The canned queries and their parameters")
def list_queries(request: Request, canned: CannedDep) -> dict:
    """Every query file under ``queries/``: name, title, description and declared parameters."""
    return envelope([describe_query(request, q) for q in canned])


def _find(canned, name: str) -> tuple[CannedQuery, str]:
    """The query a name (with an optional ``.json`` or ``.csv`` suffix) names, and the format asked for."""
    q = canned.get(name)
    if q is not None:
        return q, "json"
    for fmt in ("json", "csv"):
        if name.endswith("." + fmt) and canned.get(name[: -len(fmt) - 1]) is not None:
            return canned.get(name[: -len(fmt) - 1]), fmt
    raise ApiError(404, f"no canned query {name!r} (see /api/queries)", where="name")


def _execute(request: Request, store, settings, q: CannedQuery, fmt: str, values: dict[str, str],
             limit: int, after: int):
    try:
        results = run_canned(store, q, values, settings.base_iri)
    except ParameterError as e:
        raise ApiError(400, e.message, where=e.where) from None
    except (QueryError, SyntaxError, RuntimeError) as e:
        raise ApiError(500, f"canned query {q.name} failed: {e}", where="name") from None
    meta = {"query": q.name, "params": values}
    if isinstance(results, QueryBoolean):
        return envelope(bool(results), meta=meta)
    if isinstance(results, QueryTriples):
        triples = [{"s": plain(t.subject), "p": plain(t.predicate), "o": plain(t.object)} for t in results]
        return envelope(triples, meta=meta)
    columns = [v.value for v in results.variables]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(columns)
        for n, row in enumerate(results):
            if n >= settings.max_results:  # never a CSV cut short that looks complete
                raise ApiError(422, f"the query {q.name} has more than {settings.max_results} rows, the most a CSV "
                                    f"answer holds; page through it as JSON (limit and after) or narrow it with "
                                    f"its parameters", title="Too Many Results", where="name")
            writer.writerow(["" if row[c] is None else row[c].value for c in columns])
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'inline; filename="{q.name.replace("/", "-")}.csv"'})
    data = []
    more = False
    for n, row in enumerate(results):
        if n < after:
            continue
        if len(data) == limit:
            more = True
            break
        data.append({c: plain(row[c]) for c in columns})
    nxt = str(request.url.include_query_params(after=after + limit)) if more and request.method == "GET" else None
    return envelope(data, next_url=nxt, meta={**meta, "columns": columns})


def _after(value: str | None) -> int:
    if value is None:
        return 0
    if not value.isdigit():
        raise ApiError(400, f"after must be a row count (a whole number), not {value!r}", where="after")
    return int(value)


@router.get("/api/queries/{name:path}", summary="Run a canned query (GET: parameters in the query string)")
def run_query_get(
    name: str, request: Request, settings: SettingsDep, store: StoreDep, canned: CannedDep,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Rows per page (1..500)")] = 100,
    after: Annotated[str | None, Query(description="Rows already seen (from `next`)")] = None,
):
    """Run ``queries/{name}.rq`` (``cq/documents``, ``timeline``, ``entity`` ...) with the parameters it
    declares, given as query-string parameters (``?entity=org/eurojust``).  Unknown or ill-typed
    parameters are a 400 naming the parameter.  Add ``.csv`` for CSV."""
    q, fmt = _find(canned, name)
    values = {k: v for k, v in request.query_params.items() if k not in RESERVED}
    return _execute(request, store, settings, q, fmt, values, limit, _after(after))


@router.post("/api/queries/{name:path}", summary="Run a canned query (POST: parameters as JSON or form)")
async def run_query_post(
    name: str, request: Request, settings: SettingsDep, store: StoreDep, canned: CannedDep,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Rows per page (1..500)")] = 100,
):
    """As GET, with the parameters in a JSON object (``{"entity": "org/eurojust"}``) or an HTML form."""
    q, fmt = _find(canned, name)
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise ApiError(400, "the body is not valid JSON", where="body") from None
        if not isinstance(body, dict) or not all(isinstance(v, (str, int, float, bool)) for v in body.values()):
            raise ApiError(400, "the body must be a JSON object of parameter values", where="body")
        values = {k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in body.items()}
    elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    elif ctype == "" and not await request.body():
        values = {}
    else:
        raise ApiError(415, f"send parameters as application/json or a form, not {ctype!r}", where="body")
    values = {k: v for k, v in values.items() if k not in RESERVED}
    return await run_in_threadpool(_execute, request, store, settings, q, fmt, values, limit, 0)
