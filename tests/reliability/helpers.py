"""What the reliability tests share: building stores with the real CLI, canonical dumps, process RSS,
bounded request loops and checks of the one error shape."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from pyoxigraph import CanonicalizationAlgorithm, Dataset, Store

from bench.common import children, rss_bytes

ROOT = Path(__file__).resolve().parents[2]
# ``make soak`` (JHA_SOAK=1): the long versions (60 s of load, more kills, more examples, more rounds)
SOAK = os.environ.get("JHA_SOAK", "") not in ("", "0")


def scaled(quick: int, soak: int, env: str | None = None) -> int:
    """A count for ``make test``, or for ``make soak``; ``env`` (a JHA_* variable) overrides both."""
    if env and os.environ.get(env):
        return int(os.environ[env])
    return soak if SOAK else quick


SEED_DIR = ROOT / "data" / "articles"
ERROR_KEYS = {"status", "title", "detail", "where"}
TRACEBACK_MARKERS = ("Traceback (most recent call last)", 'File "/', ".py\", line ", "site-packages")


def cli(*args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
    """Run ``jha-graph ARGS`` as a user would (the script next to this interpreter)."""
    return subprocess.run(cli_command(*args), capture_output=True, text=True, timeout=timeout, check=check,
                          env=cli_env(), cwd=str(ROOT))


def cli_command(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("jha-graph")
    base = [str(script)] if script.exists() else [sys.executable, "-m", "jha_graph.cli"]
    return [*base, *args]


def cli_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JHA_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    return env


def generate_articles(folder: Path, n: int, *, seed: int = 7, first: int = 0) -> list[Path]:
    """``n`` synthetic eucrim articles (bench.generate: deterministic, both formats, links that resolve)."""
    from bench.generate import article

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(first, first + n):
        name, text = article(seed, i)
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def build_store(store: Path, *folders: Path) -> None:
    """``jha-graph ingest FOLDERS --store STORE``; the run must succeed."""
    result = cli("ingest", *map(str, folders), "--store", str(store), "-q")
    assert result.returncode == 0, result.stderr


def copy_store(source: Path, target: Path) -> Path:
    """A copy of a store, with the search index ingest writes beside it (``<store>.search.sqlite*``)."""
    shutil.copytree(source, target)
    (target / "LOCK").unlink(missing_ok=True)
    for index in source.parent.glob(source.name + ".search.sqlite*"):
        shutil.copy2(index, target.parent / (target.name + index.name[len(source.name):]))
    return target


def canonical_nquads(store: Store, graph=None) -> list[str]:
    """The store (or one graph), canonicalised (blank nodes relabelled) and sorted: equal iff isomorphic."""
    dataset = Dataset(store.quads_for_pattern(None, None, None, graph))
    dataset.canonicalize(CanonicalizationAlgorithm.UNSTABLE)
    return sorted(str(q) for q in dataset)


# --- processes -----------------------------------------------------------------------------------------

def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        todo.extend(children(p))
    return pids


def rss_kb(pid: int) -> int:
    return rss_bytes(pid) // 1024


def rss_mb(pid: int) -> float:
    return rss_kb(pid) / 1024


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its descendants (the server and its query workers), in MB."""
    return sum(rss_kb(p) for p in process_tree(pid)) / 1024


# --- requests ---------------------------------------------------------------------------------------------

def assert_error_shape(r: httpx.Response, *statuses: int) -> dict:
    """The one error shape (errors.py), with the HTTP status inside it, and no stack trace anywhere."""
    assert r.status_code in statuses, f"{r.status_code} not in {statuses}: {r.text[:500]}"
    assert r.headers.get("content-type", "").startswith("application/json"), r.headers
    body = r.json()
    assert body["ok"] is False and set(body["error"]) == ERROR_KEYS, body
    assert body["error"]["status"] == r.status_code
    assert body["error"]["detail"], body
    assert_no_traceback(r.text)
    return body["error"]


def assert_no_traceback(text: str) -> None:
    for marker in TRACEBACK_MARKERS:
        assert marker not in text, f"stack trace material ({marker!r}) in a response: {text[:500]}"


def timed(fn: Callable[[], httpx.Response]) -> tuple[httpx.Response, float]:
    t = time.monotonic()
    r = fn()
    return r, time.monotonic() - t


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
