"""The FastAPI application."""
from __future__ import annotations

import importlib
from contextlib import asynccontextmanager

from fastapi import FastAPI

from .. import __version__
from ..config import Settings, get_settings
from ..sparql.cache import AnswerCache
from ..sparql.executor import QueryExecutor, Writer
from ..sparql.snapshot import open_served_store
from . import errors, middleware
from .deps import install_search, search_for
from .routers import ROUTERS, sparql


@asynccontextmanager
async def _lifespan(app: FastAPI):
    # query workers are processes: start them with the server, and never leave them behind
    app.state.executor.start()
    app.state.api_executor.start()
    search_for(app.state)  # open the search index, or build it if it does not match the store
    try:
        yield
    finally:
        app.state.executor.close()
        app.state.api_executor.close()
        if getattr(app.state, "jha_search", None) is not None:
            app.state.jha_search.close()


def create_app(settings: Settings | None = None, store=None) -> FastAPI:
    settings = settings or get_settings()
    # docs_url/redoc_url None: FastAPI's pages load their scripts from a CDN; the ui router serves /docs
    # from local copies instead (no ReDoc)
    app = FastAPI(title="jha-graph", version=__version__, lifespan=_lifespan, docs_url=None, redoc_url=None,
                  description="A knowledge graph of EU Justice and Home Affairs policy: SPARQL, JSON API, linked data.")
    app.state.settings = settings
    # writable only with an update token: a read-only server must not hold the store's write lock
    app.state.store = store if store is not None else open_served_store(settings)
    # two pools of query workers: the clients' SPARQL (/sparql, the Graph Store Protocol, VoID), and the
    # server's own queries (JSON API, canned queries, pages, linked data; routes get the store through
    # deps.get_store, a GuardedStore).  Separate, so that clients' runaways never starve the pages.
    app.state.executor = QueryExecutor.for_store(app.state.store, settings)
    app.state.api_executor = QueryExecutor.for_store(app.state.store, settings, workers=settings.api_workers)
    app.state.writer = Writer(app.state.store) if settings.update_token else None
    # answers to repeated /sparql queries, until the store changes (sparql.cache); per server process
    app.state.answers = AnswerCache(int(settings.sparql_cache_mb * 1_000_000)) if settings.sparql_cache_mb > 0 else None
    install_search(app.state)
    errors.install(app)
    middleware.install(app, settings)
    for name in ROUTERS:
        module = importlib.import_module(f"{__package__}.routers.{name}")
        app.include_router(module.router)
    app.router.routes.insert(0, sparql.LANE)  # first: matched before any other route is tried
    return app
