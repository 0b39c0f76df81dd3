"""A real ``jha-graph serve`` on a free loopback port, for tests that need a live server.

    with LiveServer(store_dir, token="s3cret", env={"JHA_QUERY_TIMEOUT": "1"}) as server:
        httpx.get(server.url + "/sparql", params={"query": "ASK {}"})

It runs the installed ``jha-graph`` script next to the interpreter (else ``python -m jha_graph.cli``),
passes the update token through the environment (not the command line, where ``ps`` shows it),
waits until ``/sparql`` answers, and on exit stops the server (SIGTERM, then SIGKILL) and its workers.
The server's output goes to ``server.log_path``; its tail is in the error if the server fails to start.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_command(store: str | Path, port: int, args: Sequence[str] = ()) -> list[str]:
    script = Path(sys.executable).with_name("jha-graph")
    base = [str(script)] if script.exists() else [sys.executable, "-m", "jha_graph.cli"]
    return [*base, "serve", "--store", str(store), "--host", "127.0.0.1", "--port", str(port), *args]


class LiveServer:
    def __init__(self, store: str | Path, *, token: str | None = None, env: dict[str, str] | None = None,
                 startup_timeout: float = 30.0, args: Sequence[str] = ()) -> None:
        self.store, self.token, self.extra_env, self.startup_timeout = Path(store), token, env or {}, startup_timeout
        self.args = list(args)  # more options of jha-graph serve
        self.port = 0
        self.process: subprocess.Popen | None = None
        self.log_path: Path | None = None
        self._log = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("JHA_")}  # only what the test says
        env.update(self.extra_env)
        if self.token:
            env["JHA_UPDATE_TOKEN"] = self.token
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
        fd, log_path = tempfile.mkstemp(prefix="jha-graph-serve-", suffix=".log")
        self.log_path, self._log = Path(log_path), os.fdopen(fd, "wb")
        self.process = subprocess.Popen(serve_command(self.store, self.port, self.args), env=env, cwd=str(self.store.parent),
                                        stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        start_new_session=True)  # its own group: stopped with its workers
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jha-graph serve exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                r = httpx.get(self.url + "/sparql", params={"query": "ASK {}"}, timeout=2)
                if r.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"jha-graph serve did not answer within {self.startup_timeout:g} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)  # the group: the server and its query workers
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
            except ProcessLookupError:
                pass
        if self._log is not None:
            self._log.close()
            self._log = None

    def __exit__(self, *exc) -> None:
        self.stop()
        if self.log_path is not None and not any(exc):
            self.log_path.unlink(missing_ok=True)
