"""The command line: how many server processes ``jha-graph serve --workers`` starts, and when it refuses."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bench.common import children
from jha_graph.cli import _server_workers, workers_per_process
from jha_graph.config import Settings
from jha_graph.ingest import ingest
from jha_graph.store import EmbeddedStore
from tests.live import LiveServer, serve_command

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "store"
    store = EmbeddedStore(path)
    report = ingest([ROOT / "data" / "articles"], store, Settings(store=str(path)))
    assert report.ok and report.ingested
    store.close()
    return path


def test_workers_default_to_one_and_auto_to_the_cores_for_a_read_only_store(store_dir):
    settings = Settings(store=str(store_dir))
    assert _server_workers(None, settings) == 1
    assert _server_workers("3", settings) == 3
    assert _server_workers("auto", settings) >= 1


@pytest.mark.parametrize("settings, message", [
    (lambda d: Settings(store=str(d), update_token="t"), "--token"),
    (lambda d: Settings(store="http://127.0.0.1:9/sparql"), "remote"),
    (lambda d: Settings(store=str(d / "nothing-here")), "no store at"),
])
def test_several_workers_are_refused_where_they_cannot_share_the_store(store_dir, settings, message):
    s = settings(store_dir)
    assert _server_workers("auto", s) == 1 or s.store.endswith("nothing-here")
    with pytest.raises(SystemExit, match=message):
        _server_workers("2", s)


@pytest.mark.parametrize("value", ["0", "-1", "many"])
def test_a_wrong_number_of_workers_is_an_error(store_dir, value):
    with pytest.raises(SystemExit, match="--workers"):
        _server_workers(value, Settings(store=str(store_dir)))


@pytest.mark.live
@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts processes through Linux's /proc")
def test_two_server_processes_answer_on_one_port(store_dir):
    with LiveServer(store_dir, args=["--workers", "2"]) as server, httpx.Client(base_url=server.url, timeout=30) as http:
        servers = [c for c in children(server.process.pid)
                   if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]
        assert len(servers) == 2, server.log_tail()
        # the default 4 query workers of each pool are shared: 2 for the clients and 2 for the API in each
        # (once each process has started: the server answers as soon as the first one has)
        def pools(pid: int) -> list[int]:
            return [c for c in children(pid) if b"jha_graph.sparql.jobs" in Path(f"/proc/{c}/cmdline").read_bytes()]

        deadline = time.monotonic() + 60
        while any(len(pools(pid)) < 4 for pid in servers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert [len(pools(pid)) for pid in servers] == [4, 4], server.log_tail()
        for _ in range(6):
            assert http.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True
            assert http.get("/api/articles/seed-article").status_code == 200


@pytest.mark.live
def test_request_lines_are_logged_only_when_asked(store_dir):
    for args, logged in (([], False), (["--access-log"], True)):
        with LiveServer(store_dir, args=args) as server:
            assert httpx.get(f"{server.url}/sparql", params={"query": "ASK {}"}, timeout=30).status_code == 200
            server.stop()
            assert ('"GET /sparql?query=ASK' in server.log_path.read_text(errors="replace")) is logged


def test_query_workers_are_shared_among_server_processes_two_at_least_each():
    assert [workers_per_process(4, n) for n in (1, 2, 3, 4, 8)] == [4, 2, 2, 2, 2]
    assert [workers_per_process(9, n) for n in (1, 2, 3)] == [9, 5, 3]


def test_a_server_with_a_token_refuses_two_workers(store_dir):
    env = {"JHA_UPDATE_TOKEN": "s3cret", "PYTHONPATH": str(ROOT / "src")}
    cmd = serve_command(store_dir, 1, ["--workers", "2"])
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "--token" in done.stderr
