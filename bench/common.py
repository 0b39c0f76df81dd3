"""What the benchmarks share: timing statistics, memory of a process tree, servers on loopback, load
generation (wrk when it is installed, else a small threaded client), the machine's load."""
from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
BIN = Path(sys.executable).parent


def load_average() -> tuple[float, float, float]:
    return os.getloadavg()


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0..100) by nearest rank; nan for no values."""
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100 * len(s) + 0.5)) - 1))
    return s[k]


def dir_size(path: str | Path) -> int:
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            with contextlib.suppress(FileNotFoundError):
                total += os.stat(os.path.join(root, f)).st_size
    return total


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- memory of a process and its children ------------------------------------------------------------

def children(pid: int) -> list[int]:
    """The child processes of ``pid`` (Linux /proc)."""
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out.extend(int(c) for c in f.read().split())
    except OSError:
        pass
    return out


def rss_bytes(pid: int) -> int:
    """Resident memory of ``pid`` in bytes (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


@dataclass
class MemoryWatch:
    """Samples the resident memory of a process (and of its whole tree) every ``interval`` seconds."""

    pid: int
    interval: float = 0.1
    peak_main: int = 0
    peak_tree: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> MemoryWatch:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            main = rss_bytes(self.pid)
            tree = main
            todo = children(self.pid)
            while todo:
                c = todo.pop()
                tree += rss_bytes(c)
                todo.extend(children(c))
            self.peak_main = max(self.peak_main, main)
            self.peak_tree = max(self.peak_tree, tree)
            self._stop.wait(self.interval)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(2)


# --- servers on loopback --------------------------------------------------------------------------------

@contextlib.contextmanager
def server(cmd: list[str], port: int, *, ready_path: str = "/", timeout: float = 180, env: dict | None = None,
           log: Path | None = None) -> Iterator[subprocess.Popen]:
    """Start a server (its own process group), wait until it answers on 127.0.0.1:port, stop it after."""
    out = open(log, "wb") if log else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            env={**os.environ, **(env or {})}, start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{cmd[0]} exited with {proc.returncode} before answering"
                                   + (f" (see {log})" if log else ""))
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", ready_path)
                conn.getresponse().read()
                conn.close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{cmd[0]} did not answer within {timeout:g} s") from None
                time.sleep(0.2)
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)
        if log:
            out.close()


# --- load generation --------------------------------------------------------------------------------------

@dataclass
class Load:
    requests: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    tool: str


WRK_SCRIPT = r"""
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local i = 0
local accept = os.getenv("BENCH_ACCEPT")
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], { ["Accept"] = accept })
end
"""


def load_test(port: int, paths: list[str], *, connections: int = 8, seconds: float = 10,
              accept: str = "application/sparql-results+json", tool: str | None = None) -> Load:
    """GET ``paths`` round-robin from ``connections`` concurrent clients for ``seconds`` (bounded)."""
    tool = tool or ("wrk" if shutil.which("wrk") else "python")
    if tool == "wrk":
        return _wrk(port, paths, connections, seconds, accept)
    return _python_load(port, paths, connections, seconds, accept)


def _wrk(port: int, paths: list[str], connections: int, seconds: float, accept: str) -> Load:
    with tempfile.TemporaryDirectory() as d:
        script, listing = Path(d) / "mix.lua", Path(d) / "paths.txt"
        script.write_text(WRK_SCRIPT + r"""
done = function(summary, latency, requests)
  io.write(string.format("JSON {\"requests\": %d, \"errors\": %d, \"status\": %d, \"us\": %d, \"p50\": %d, \"p99\": %d}\n",
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, summary.duration, latency:percentile(50), latency:percentile(99)))
end
""")
        listing.write_text("\n".join(paths) + "\n")
        threads = min(2, connections)
        out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{max(1, int(seconds))}s",
                              "--timeout", "30s", "-s", str(script), f"http://127.0.0.1:{port}"],
                             capture_output=True, text=True, timeout=seconds + 60,
                             env={**os.environ, "BENCH_PATHS": str(listing), "BENCH_ACCEPT": accept})
    line = next((x for x in out.stdout.splitlines() if x.startswith("JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {out.stdout}\n{out.stderr}")
    r = json.loads(line[5:])
    secs = r["us"] / 1e6
    return Load(r["requests"], r["errors"] + r["status"], secs, r["requests"] / secs, r["p50"] / 1000,
                r["p99"] / 1000, "wrk")


def _python_load(port: int, paths: list[str], connections: int, seconds: float, accept: str) -> Load:
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections
    stop = time.monotonic() + seconds

    def client(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        i = k
        while time.monotonic() < stop:
            path = paths[i % len(paths)]
            i += connections
            t = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Accept": accept})
                resp = conn.getresponse()
                resp.read()
                if resp.status >= 400:
                    errors[k] += 1
            except OSError:
                errors[k] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            latencies[k].append((time.perf_counter() - t) * 1000)
        conn.close()

    start = time.monotonic()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 60)
    secs = time.monotonic() - start
    allv = [v for part in latencies for v in part]
    return Load(len(allv), sum(errors), secs, len(allv) / secs, percentile(allv, 50), percentile(allv, 99), "python")


def latencies_http(port: int, paths: list[str], *, repeat: int = 1, accept: str = "application/json",
                   budget_s: float = 30) -> tuple[list[float], int]:
    """Sequential requests on one keep-alive connection: per-request latency in ms, and errors."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    out, errors = [], 0
    stop = time.monotonic() + budget_s
    for _ in range(repeat):
        for path in paths:
            if time.monotonic() > stop:
                break
            t = time.perf_counter()
            conn.request("GET", path, headers={"Accept": accept})
            resp = conn.getresponse()
            resp.read()
            out.append((time.perf_counter() - t) * 1000)
            errors += resp.status >= 400
    conn.close()
    return out, errors


def sparql_path(endpoint: str, query: str) -> str:
    return f"{endpoint}?{urllib.parse.urlencode({'query': query})}"
