"""The FastAPI application."""
from __future__ import annotations

import importlib

from fastapi import FastAPI

from .. import __version__
from ..config import Settings, get_settings
from ..store import open_store
from . import errors
from .routers import ROUTERS


def create_app(settings: Settings | None = None, store=None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(title="jha-graph", version=__version__,
                  description="A knowledge graph of EU Justice and Home Affairs policy: SPARQL, JSON API, linked data.")
    app.state.settings = settings
    app.state.store = store if store is not None else open_store(settings.store, settings=settings)
    errors.install(app)
    for name in ROUTERS:
        module = importlib.import_module(f"{__package__}.routers.{name}")
        app.include_router(module.router)
    return app
