"""SPARQL servers for the remote-store tests, started by the tests themselves on loopback.

(The fixtures that start them once per session are in conftest.py.)

* ``oxigraph serve`` from the PyPI package ``oxigraph`` (installed in the venv with the project; it must be
  the version of the project's pyoxigraph), with ``--union-default-graph`` as jha-graph requires;
* Virtuoso (Debian's ``virtuoso-opensource``), with a private ``virtuoso.ini`` in a temporary folder whose
  only listeners are its SQL and HTTP ports on 127.0.0.1.

Each server is started once per session, waited for until it answers a query, and stopped by its process
id.  Where a server cannot be found or started, its tests are skipped with the reason.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph
import pytest


HOST = "127.0.0.1"


@dataclass
class Server:
    name: str
    query_url: str
    update_url: str
    gsp_url: str | None
    user: str | None
    password: str | None
    process: subprocess.Popen
    log: Path

    def settings_overrides(self) -> dict:
        return {"store": self.query_url, "update_url": self.update_url, "remote_user": self.user,
                "remote_password": self.password, "remote_retries": 1, "remote_timeout": 60.0}


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_until_ready(process: subprocess.Popen, url: str, log: Path, seconds: float) -> str | None:
    """None once ``url`` answers an ASK query; else why not."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return f"it exited with status {process.returncode}: {tail(log)}"
        try:
            r = httpx.post(url, data={"query": "ASK {}"}, headers={"Accept": "application/sparql-results+xml"},
                           timeout=2)
            if r.status_code == 200:
                return None
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return f"it did not answer within {seconds:g} s: {tail(log)}"


def tail(path: Path, n: int = 600) -> str:
    try:
        return " ".join(path.read_text(errors="replace")[-n:].split())
    except OSError:
        return "(no log)"


def stop(process: subprocess.Popen, seconds: float = 20) -> None:
    """Stop a server we started, by its process id: SIGTERM, then SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(5)


# --- Oxigraph ---------------------------------------------------------------------------------------

def oxigraph_binary() -> str | None:
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.exists() else shutil.which("oxigraph")


def start_oxigraph(directory: Path, *, union: bool = True, location: bool = True) -> Server:
    binary = oxigraph_binary()
    if binary is None:
        pytest.skip("no `oxigraph` server: pip install oxigraph (the version of pyoxigraph)")
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.split()[-1:]
    if version != [pyoxigraph.__version__]:
        pytest.skip(f"`oxigraph` {version} is not the project's pyoxigraph {pyoxigraph.__version__}: "
                    f"pip install oxigraph=={pyoxigraph.__version__}")
    port = free_port()
    directory.mkdir(parents=True, exist_ok=True)
    log = directory / "oxigraph.log"
    cmd = [binary, "serve", "--bind", f"{HOST}:{port}"]
    if location:
        cmd += ["--location", str(directory / "db")]
    if union:
        cmd.append("--union-default-graph")
    with log.open("wb") as out:
        process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    base = f"http://{HOST}:{port}"
    why = wait_until_ready(process, base + "/query", log, 30)
    if why:
        stop(process)
        pytest.skip(f"oxigraph serve could not be started: {why}")
    return Server("oxigraph", base + "/query", base + "/update", base + "/store", None, None, process, log)


# --- Virtuoso ---------------------------------------------------------------------------------------

VIRTUOSO_INI = """\
; A private Virtuoso for the tests: files in this folder, listening only on 127.0.0.1.
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = {host}:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
O_DIRECT = 0
CaseMode = 2
MaxStaticCursorRows = 5000
AllowOSCalls = 0
DirsAllowed = {d}
ThreadCleanupInterval = 0
ThreadThreshold = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize = 100000
SingleCPU = 0
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
MaxQueryMem = 500M
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 4

[HTTPServer]
ServerPort = {host}:{http_port}
ServerRoot = {d}
MaxClientConnections = 10
DavRoot = DAV
EnabledDavVSP = 0
HTTPProxyEnabled = 0
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
Charset = UTF-8
EnabledGzipContent = 0

[Client]
SQL_PREFETCH_ROWS = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT = 0
SQL_TXN_TIMEOUT = 0

[SPARQL]
; the packaged 10000 rows would cut answers (jha-graph refuses cut answers, see docs/remote-stores.md)
ResultSetMaxRows = {max_rows}
; a query past its time limit answers partially (jha-graph refuses it) but stops using a core
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 60
"""


def start_virtuoso(directory: Path, *, max_rows: int = 1_000_000) -> Server:
    binary = shutil.which("virtuoso-t")
    if binary is None:
        pytest.skip("Virtuoso is not installed (apt-get install virtuoso-opensource; .ci/run does it)")
    directory.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(d=directory, host=HOST, sql_port=sql_port, http_port=http_port,
                                       max_rows=max_rows))
    log = directory / "virtuoso.out"
    with log.open("wb") as out:
        process = subprocess.Popen([binary, "+foreground", "+configfile", str(ini)], cwd=directory,
                                   stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    base = f"http://{HOST}:{http_port}"
    why = wait_until_ready(process, base + "/sparql", directory / "virtuoso.log", 90)
    if why:
        stop(process)
        pytest.skip(f"Virtuoso could not be started: {why}")
    # the authenticated endpoints (HTTP Digest) may write; the anonymous /sparql may only read
    return Server("virtuoso", base + "/sparql", base + "/sparql-auth", None, "dba", "dba", process, log)
