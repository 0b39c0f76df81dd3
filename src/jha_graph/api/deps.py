"""Dependencies every router may ask for, as ``Annotated`` types."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ..config import Settings
from ..namespaces import Minter
from ..store import GraphStore


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_store(request: Request) -> GraphStore:
    return request.app.state.store


def get_minter(request: Request) -> Minter:
    return request.app.state.settings.minter


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[GraphStore, Depends(get_store)]
MinterDep = Annotated[Minter, Depends(get_minter)]
