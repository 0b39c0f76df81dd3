"""Server time of the HTML pages and JSON lookups, in process, on a graph built from a folder of articles.

The web interface's goal is no page over 200 ms of server time on the corpus graph; this measures
it (best and median of several runs after a warm-up) instead of a unit test doing so on a busy machine.

    python -m bench.pages [ARTICLES_DIR] [--runs 5] [--out bench/results/pages-YYYY-MM-DD.md]
"""
from __future__ import annotations

import argparse
import datetime as dt
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from jha_graph.api.app import create_app
from jha_graph.config import Settings
from jha_graph.ingest import ingest
from jha_graph.store import EmbeddedStore

ROOT = Path(__file__).resolve().parents[1]
GOAL_MS = 200.0


def pages(client: TestClient) -> list[str]:
    urls = ["/", "/query", "/articles", "/timeline", "/docs", "/ontology", "/search?q=europol",
            "/api/search?q=europol", "/api/documents", "/api/presidencies", "/id/org/eurojust"]
    home = client.get("/").text
    urls += sorted(set(re.findall(r'href="(/timeline\?(?:presidency|topic)=[^"]+)"', home)))[:20]
    urls += sorted(set(re.findall(r'href="(/articles/[^"/]+/citations)"', client.get("/articles").text)))[:20]
    return urls


def measure(client: TestClient, url: str, runs: int) -> tuple[float, float]:
    client.get(url)  # warm-up: what the app computes once on first use is not a request's cost
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return min(times), statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("articles", nargs="?", type=Path, default=ROOT.parent / "shared" / "corpus" / "articles")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / f"pages-{dt.date.today()}.md")
    args = ap.parse_args(argv)
    if not args.articles.is_dir():
        args.articles = ROOT / "data" / "articles"
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(store=str(Path(tmp) / "store"))
        store = EmbeddedStore(settings.store)
        ingest([args.articles], store, settings)
        with TestClient(create_app(settings, store)) as client:
            rows = [(url, *measure(client, url, args.runs)) for url in pages(client)]
    over = [r for r in rows if r[1] > GOAL_MS]
    lines = [f"# Page and lookup server time, {dt.date.today()}", "",
             f"Graph: `{args.articles}` ingested; in process (TestClient), best and median of {args.runs} runs "
             f"after one warm-up. Goal: no page over {GOAL_MS:.0f} ms.", "",
             "| page | best ms | median ms |", "|---|---:|---:|"]
    lines += [f"| `{u}` | {best:.1f} | {med:.1f} |" for u, best, med in rows]
    lines += ["", f"Slowest (best of runs): {max(r[1] for r in rows):.1f} ms; pages over the goal: {len(over)}."]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
