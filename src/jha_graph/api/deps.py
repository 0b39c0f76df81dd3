"""Dependencies every router may ask for, as ``Annotated`` types."""
from __future__ import annotations

import hmac
import threading
import weakref
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request

from ..canned import CannedQueries
from ..config import Settings
from ..linked_data import OntologyDoc
from ..namespaces import Minter
from ..search import SearchIndex
from ..sparql.executor import QueryExecutor, Writer
from ..sparql.guarded import GuardedStore, unguarded
from ..store import GraphStore
from .errors import ApiError


# Dependencies that only read app state are ``async def``: FastAPI runs a plain ``def`` dependency in
# its thread pool, a thread hop per dependency per request for a field read.
async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_store(request: Request) -> GraphStore:
    """The served store as the routes read it: each query through the app's executor for its own queries,
    within the time limit for this request's queries together (see sparql/guarded.py)."""
    state = request.app.state
    return GuardedStore(state.store, state.api_executor, state.settings.query_timeout)


async def get_minter(request: Request) -> Minter:
    return request.app.state.settings.minter


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[GraphStore, Depends(get_store)]
MinterDep = Annotated[Minter, Depends(get_minter)]


# --- the JSON API and linked data ------------------------------------------------------------------
MAX_LIMIT = 500


@dataclass(frozen=True)
class Page:
    """Keyset pagination: at most ``limit`` items whose key sorts after ``after``."""

    limit: int
    after: str | None


async def get_page(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page (1..500)")] = 50,
    after: Annotated[str | None, Query(min_length=1, max_length=2000,
                                       description="Key of the last item of the previous page (from `next`)")] = None,
) -> Page:
    return Page(limit, after)


def canned_for(state) -> CannedQueries:
    """The canned queries of ``settings.queries_dir``, read once per app (``state`` is ``app.state``)."""
    folder = state.settings.queries_dir
    cached = getattr(state, "jha_canned", None)
    if cached is None or cached[0] != folder:
        cached = (folder, CannedQueries.load(folder))
        state.jha_canned = cached
    return cached[1]


def ontology_for(state) -> OntologyDoc | None:
    """The ontology of ``settings.ontology_dir/jha.ttl`` (else the store's ontology graph), read once per
    version of the file; None when there is none."""
    path = state.settings.ontology_dir / "jha.ttl"
    try:
        key = (str(path), path.stat().st_mtime_ns)
    except OSError:
        key = None
    cached = getattr(state, "jha_ontology", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    if key is not None:
        doc = OntologyDoc.load(path)
    else:
        doc = OntologyDoc.from_store(state.store, state.settings.minter.ontology_graph)
        if not doc.triples:
            doc = None
    state.jha_ontology = (key, doc)
    return doc


def get_canned(request: Request) -> CannedQueries:
    return canned_for(request.app.state)


def get_ontology(request: Request) -> OntologyDoc | None:
    return ontology_for(request.app.state)


# The search index (src/jha_graph/search.py): the one beside an on-disk store, else a temporary file;
# rebuilt from the store when it does not match it (at start), and after this server wrote the store.
_SEARCH_LOCK = threading.Lock()
_STATE_OF_STORE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # store -> app.state


def search_for(state) -> SearchIndex:
    """The app's search index (``state`` is ``app.state``), opened (and if need be rebuilt) once."""
    index = getattr(state, "jha_search", None)
    if index is not None and not getattr(state, "jha_search_stale", False):
        return index
    with _SEARCH_LOCK:
        index = getattr(state, "jha_search", None)
        if index is None:
            index = SearchIndex.for_store(state.store) or SearchIndex.temporary_file()
            index.ensure(state.store)
            state.jha_search = index
        elif getattr(state, "jha_search_stale", False):
            state.jha_search_stale = False
            index.rebuild(state.store)
    return index


def search_for_store(store) -> SearchIndex | None:
    """The search index of the app serving ``store`` (for callers that were handed the store, guarded or not)."""
    try:
        state = _STATE_OF_STORE.get(unguarded(store))
    except TypeError:  # not weakly referable
        return None
    return search_for(state) if state is not None else None


def install_search(state) -> None:
    """Remember which app serves the store, and make every write through the server's ``Writer``
    mark the search index stale (all of them go through its ``_update``): the next search rebuilds
    it, and so does a restart before then."""
    try:
        _STATE_OF_STORE[state.store] = state
    except TypeError:
        pass
    writer = getattr(state, "writer", None)
    if writer is None:
        return
    inner = writer._update

    def _update(*args, **kwargs):
        try:
            return inner(*args, **kwargs)
        finally:
            state.jha_search_stale = True
            index = getattr(state, "jha_search", None)
            if index is not None:
                index.mark_dirty()

    writer._update = _update


def get_search(request: Request) -> SearchIndex:
    return search_for(request.app.state)


PageDep = Annotated[Page, Depends(get_page)]
SearchDep = Annotated[SearchIndex, Depends(get_search)]
CannedDep = Annotated[CannedQueries, Depends(get_canned)]
OntologyDep = Annotated[OntologyDoc | None, Depends(get_ontology)]


# The update token: without one configured the server is read-only and every write answers 403;
# with one, a write must carry 'Authorization: Bearer <token>' or it answers 401.  The token is
# compared in constant time and never appears in a message or a log line.
async def get_executor(request: Request) -> QueryExecutor:
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
