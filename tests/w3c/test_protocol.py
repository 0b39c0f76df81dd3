"""The W3C SPARQL 1.1 Protocol, Graph Store Protocol and Service Description tests, each one a test
here, run in-process (TestClient) and against a live ``jha-graph serve``:

* read-only (no update token): every query test, the service description, and the Graph Store
  GET/HEAD requests (writes must be refused with 403 and are applied to the store directly);
* write mode (started with a token, which the runner sends): every test of every suite.
"""
from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient

from jha_graph.api.app import create_app
from jha_graph.config import Settings
from tests.live import LiveServer
from tests.w3c import runner as w3c

pytestmark = pytest.mark.skipif(not w3c.PROTOCOL_MANIFEST.exists(), reason=f"no W3C tests at {w3c.W3C_DIR}")

TOKEN = "w3c-test-token"
PROTOCOL = w3c.protocol_tests() if w3c.PROTOCOL_MANIFEST.exists() else []
GSP = w3c.gsp_tests() if w3c.GSP_MANIFEST.exists() else []
SD = w3c.sd_tests() if w3c.SD_MANIFEST.exists() else []
QUERY_TESTS = [t for t in PROTOCOL if t.is_query_test]
MODES = ["in-process", pytest.param("live", marks=pytest.mark.live)]


def ids(test: w3c.W3CTest) -> str:
    return test.id


def _settings(store, token=None) -> Settings:
    return Settings(store=str(store), update_token=token, query_workers=2, query_timeout=10)


class _Target:
    """A server (in-process or live) on a store, and a runner talking to it."""

    def __init__(self, mode: str, store, token: str | None, seeded_store_writes: bool) -> None:
        self.mode, self.store, self.token = mode, store, token
        self.writer = w3c.StoreWriter(store) if seeded_store_writes else None
        self._cm = None

    def __enter__(self) -> w3c.Runner:
        if self.mode == "in-process":
            self._cm = TestClient(create_app(_settings(self.store, self.token)))
            client = self._cm.__enter__()
        else:
            self._server = LiveServer(self.store, token=self.token).__enter__()
            self._cm = httpx.Client(base_url=self._server.url, timeout=30)
            client = self._cm.__enter__()
        return w3c.Runner(client, write=bool(self.token), token=self.token, store_writer=self.writer)

    def __exit__(self, *exc) -> None:
        self._cm.__exit__(*exc)
        if self.mode == "live":
            self._server.__exit__(*exc)


@pytest.fixture(scope="module", params=MODES)
def read_only(request, tmp_path_factory):
    store = tmp_path_factory.mktemp("w3c-read-only") / "store"
    w3c.load_fixtures(store)
    with _Target(request.param, store, None, False) as runner:
        yield runner


@pytest.fixture(scope="module", params=MODES)
def gsp_read_only(request, tmp_path_factory):
    store = tmp_path_factory.mktemp("w3c-gsp-read-only") / "store"
    with _Target(request.param, store, None, True) as runner:
        yield runner


@pytest.fixture(scope="module", params=MODES)
def writable(request, tmp_path_factory):
    store = tmp_path_factory.mktemp("w3c-write") / "store"
    with _Target(request.param, store, TOKEN, False) as runner:
        yield runner


def _passed(outcome: w3c.Outcome) -> None:
    if outcome.status == "skipped":
        pytest.skip(outcome.message)
    assert outcome.status == "passed", outcome.message


@pytest.mark.parametrize("test", QUERY_TESTS, ids=ids)
def test_query_tests_read_only(read_only, test):
    _passed(read_only.run_protocol_test(test))


@pytest.mark.parametrize("test", SD, ids=ids)
def test_service_description_read_only(read_only, test):
    _passed(read_only.run_sd([test])[0])


def test_read_only_refuses_every_update(read_only):
    """The update tests cannot pass on a read-only server: each of their updates must get a 4xx."""
    for test in PROTOCOL:
        for ex in test.exchanges:
            if ex.method == "POST" and w3c._is_update(ex):
                r = read_only._send("POST", read_only.sparql_path, ex.headers, ex.body)
                assert 400 <= r.status_code < 500, (test.id, r.status_code)


@pytest.mark.parametrize("test", GSP, ids=ids)
def test_graph_store_reads_read_only(gsp_read_only, test):
    _passed(gsp_read_only.run_gsp_test(test))


@pytest.mark.parametrize("test", PROTOCOL, ids=ids)
def test_protocol_write_mode(writable, test):
    _passed(writable.run_protocol_test(test))


@pytest.mark.parametrize("test", GSP, ids=ids)
def test_graph_store_write_mode(writable, test):
    _passed(writable.run_gsp_test(test))


@pytest.mark.parametrize("test", SD, ids=ids)
def test_service_description_write_mode(writable, test):
    _passed(writable.run_sd([test])[0])


@pytest.mark.live
def test_runner_script_against_live_server(tmp_path, capsys):
    """The runner as a researcher would run it: every test of every suite passes on a live server."""
    with LiveServer(tmp_path / "store", token=TOKEN) as server:
        code = w3c.main(["--base-url", server.url, "--token", TOKEN])
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"{len(PROTOCOL) + len(GSP) + len(SD)} passed, 0 failed, 0 skipped" in out
