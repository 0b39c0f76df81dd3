"""Load: 8 concurrent clients on the benchmarks' mixed query load (bench/http.py: article lookups and
two-hop joins over /sparql, alternated), with JSON API and linked-data lookups in between, for 15 s
(``make test``) or 60 s (``make soak``): zero errors, and the server's resident memory stays flat.
"""
from __future__ import annotations

import random
import statistics
import threading
import time
from urllib.parse import quote

import httpx
import pytest

from bench.http import query_mix
from tests.live import LiveServer

from .helpers import rss_mb, scaled, tree_rss_mb

pytestmark = [pytest.mark.live, pytest.mark.slow]

CLIENTS = 8
SECONDS = scaled(15, 60, "JHA_LOAD_SECONDS")
WARMUP = 3.0


def paths(store_dir) -> list[str]:
    mix = query_mix(store_dir)["mix"]
    sparql = [f"/sparql?query={quote(q)}" for q in mix]
    rng = random.Random(3)
    json_ = ["/api/entities/org/europol", "/api/entities/org/eurojust", "/api/presidencies/2024-1-be",
             "/api/presidencies?limit=20", "/api/meetings?limit=20", "/api/timeline?limit=20",
             "/api/articles?limit=20", "/api/articles/seed-article", "/id/org/europol", "/api/types",
             "/api/queries/cq/meetings?limit=20", "/api/entities?type=Agency"]
    out = []
    for q in sparql:  # two SPARQL requests, then one of the others
        out.append(q)
        if len(out) % 3 == 2:
            out.append(rng.choice(json_))
    return out


def test_eight_clients_zero_errors_flat_memory(module_store):
    work = paths(module_store)
    with LiveServer(module_store) as server:
        stop = threading.Event()
        lock = threading.Lock()
        answers: list[tuple[int | str, float]] = []
        failures: list[tuple[str, int | str, str]] = []

        def client(k: int) -> None:
            with httpx.Client(base_url=server.url, timeout=60, headers={"accept": "application/json"}) as c:
                i = k * 7
                while not stop.is_set():
                    path = work[i % len(work)]
                    i += 1
                    t = time.monotonic()
                    try:
                        r = c.get(path)
                        status: int | str = r.status_code
                        detail = "" if status == 200 else r.text[:200]
                    except httpx.HTTPError as e:
                        status, detail = type(e).__name__, str(e)
                    with lock:
                        answers.append((status, time.monotonic() - t))
                        if status != 200:
                            failures.append((path[:120], status, detail))

        threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(CLIENTS)]
        for t in threads:
            t.start()
        time.sleep(WARMUP)
        with lock:
            answers.clear()
        samples = [(rss_mb(server.process.pid), tree_rss_mb(server.process.pid))]
        end = time.monotonic() + SECONDS
        while time.monotonic() < end:
            time.sleep(1.0)
            samples.append((rss_mb(server.process.pid), tree_rss_mb(server.process.pid)))
        stop.set()
        for t in threads:
            t.join(60)
        assert server.process.poll() is None, server.log_tail()

    n = len(answers)
    latencies = sorted(t for _, t in answers)
    third = max(1, len(samples) // 3)
    first, last = samples[:third], samples[-third:]
    main_growth = statistics.median(s[0] for s in last) - statistics.median(s[0] for s in first)
    tree_growth = statistics.median(s[1] for s in last) - statistics.median(s[1] for s in first)
    print(f"{CLIENTS} clients, {SECONDS} s: {n} requests ({n / SECONDS:.0f}/s), {len(failures)} failed; latency "
          f"median {latencies[n // 2] * 1000:.0f} ms, p99 {latencies[int(n * 0.99)] * 1000:.0f} ms; RSS server "
          f"{samples[0][0]:.0f} -> {samples[-1][0]:.0f} MB, with workers {samples[0][1]:.0f} -> {samples[-1][1]:.0f} MB")
    assert not failures, failures[:10]
    assert n > SECONDS * 5, n
    assert main_growth < 16 and tree_growth < 32, (samples[:3], samples[-3:])
    assert samples[-1][0] < samples[0][0] + 24, (samples[0], samples[-1])
