"""Run the benchmarks and write the report: ``python -m bench.run [--sizes 1000,10000,100000] [--quick]``.

1. generate the corpora (``bench/generate.py``; cached under ``--work``, regenerated only if missing);
2. ingest each size into a fresh store (rate, phases, peak memory, size) and bulk-load the same quads
   with bare pyoxigraph (the floor);
3. query latency on the two largest sizes (CQ queries and JSON lookups, in process and over HTTP);
4. HTTP throughput of jha-graph ``/sparql``, ``oxigraph serve`` and rdflib-endpoint on the largest size
   up to 10,000 articles (rdflib holds the data in memory: 10k articles is ~1.6 M quads);
5. ``bench/results/<date>.md`` (+ ``.png``, ``.json``).

``--quick`` is a smoke run (tiny sizes, short runs) that writes to ``--out`` (default: a temporary
folder, not ``bench/results``).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from . import generate, http, ingest, queries, report
from .common import ROOT, load_average

RESULTS = ROOT / "bench" / "results"


def targets(data: dict) -> list[dict]:
    out = []
    ing = data.get("ingest", {})
    if "10000" in ing:
        r = ing["10000"]
        out.append({"target": "ingest 10k articles ≥ 300 articles/s end to end",
                    "measured": f"{r['articles_per_s']:.0f}/s", "met": r["articles_per_s"] >= 300})
        ratio = r["load_quads_per_s"] / r["floor_quads_per_s"]
        out.append({"target": "loading ≥ 50% of the bare pyoxigraph bulk-load rate (10k)",
                    "measured": f"{ratio:.0%} ({r['load_quads_per_s']:,.0f} vs {r['floor_quads_per_s']:,.0f} quads/s)",
                    "met": ratio >= 0.5})
    if "100000" in ing:
        r = ing["100000"]
        out.append({"target": "100k articles in one run, peak memory < 2 GB",
                    "measured": f"{r['articles']:,} articles, {r['peak_rss_main'] / 2**20:,.0f} MB (ingest process; "
                                f"{r['peak_rss_tree'] / 2**20:,.0f} MB with its workers)",
                    "met": r["articles"] == 100000 and r["peak_rss_main"] < 2 * 2**30})
    h = data.get("http", {}).get("ratios", {})
    for other, goal, digits in (("oxigraph serve", 0.5, 2), ("rdflib-endpoint", 10, 1)):
        v, cold = h.get(f"mix: jha-graph / {other}"), h.get(f"mix: jha-graph, cache off / {other}")
        if v is not None:
            also = f"; {cold:.{digits}f}× with the cache off (every request runs its query)" if cold else ""
            out.append({"target": f"/sparql ≥ {goal:g}× {other} (query mix)",
                        "measured": f"{v:.{digits}f}× as served (repeated queries answered from the cache){also}",
                        "met": v >= goal})
    q = data.get("queries", {})
    if q:
        size = max(q, key=int)
        http = q[size].get("http", {})
        worst = max((r["p99_ms"] for name, r in http.items() if name.startswith("json") and queries.HUBS not in name),
                    default=float("nan"))
        hubs = http.get(f"json {queries.HUBS}")
        also = f"; the five most-mentioned entities: {hubs['p99_ms']:.0f} ms" if hubs else ""
        out.append({"target": f"JSON lookups p99 < 20 ms at {int(size):,} articles (HTTP)",
                    "measured": f"{worst:.1f} ms (articles, meetings, documents drawn at random){also}",
                    "met": worst < 20})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--quick", action="store_true", help="smoke run: tiny sizes, short runs, temporary output")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--work", default=None, help="where corpora and stores go (default: var/bench)")
    ap.add_argument("--out", default=None, help="where the report goes (default: bench/results)")
    ap.add_argument("--http-seconds", type=float, default=10)
    ap.add_argument("--lookups", type=int, default=30, help="entities per kind of JSON lookup")
    ap.add_argument("--repeat", type=int, default=5, help="times each lookup is asked (30 x 5: a p99 of 150 answers)")
    ap.add_argument("--skip", default="", help="comma-separated parts to skip: ingest,queries,http")
    ap.add_argument("--notes", default="", help="a paragraph for the report")
    ap.add_argument("--analysis", default="", help="a file whose text goes under 'What bounds each figure'")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.quick:
        sizes = [int(s) for s in args.sizes.split(",")] if args.sizes != "1000,10000,100000" else [20, 40]
    work = Path(args.work) if args.work else (Path(tempfile.mkdtemp(prefix="jha-bench-")) if args.quick
                                              else ROOT / "var" / "bench")
    out = Path(args.out) if args.out else (work / "results" if args.quick else RESULTS)
    skip = set(filter(None, args.skip.split(",")))
    work.mkdir(parents=True, exist_ok=True)
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    load_before = load_average()
    data: dict = {"date": report.today(), "seed": args.seed, "sizes": sizes,
                  "command": "python -m bench.run " + " ".join(argv if argv is not None else sys.argv[1:]),
                  "notes": args.notes, "ingest": {}, "queries": {}}

    def say(msg: str) -> None:
        print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

    stores: dict[int, Path] = {}
    for n in sizes:
        corpus = work / f"corpus-{n}-seed{args.seed}"
        if not (corpus / ".complete").exists():
            say(f"generating {n} articles")
            generate.generate(corpus, n, args.seed)
            (corpus / ".complete").write_text("ok\n")
        if "ingest" in skip and (work / f"ingest-{n}" / "store").exists():
            stores[n] = work / f"ingest-{n}" / "store"
            continue
        say(f"ingesting {n} articles")
        r = ingest.run(corpus, work / f"ingest-{n}", log=logs / f"ingest-{n}.log")
        data["ingest"][str(n)] = r
        stores[n] = Path(r["store_dir"])
        say(f"  {r['articles_per_s']:.0f} articles/s, {r['peak_rss_main'] / 2**20:.0f} MB peak")

    query_sizes = sorted(stores)[-2:]
    if "queries" not in skip:
        for n in query_sizes:
            say(f"query latency on {n} articles")
            lookups = queries.sample_lookups(stores[n], k=8 if args.quick else args.lookups)
            repeat = 1 if args.quick else args.repeat
            data["queries"][str(n)] = {
                "in_process": queries.in_process(stores[n], repeat=repeat, lookups=lookups,
                                                 whole_graph=n <= 10000),
                "http": queries.over_http(stores[n], repeat=repeat, lookups=lookups, log=logs / f"serve-{n}.log"),
            }
    if "http" not in skip:
        n = max((s for s in stores if s <= 10000), default=min(stores))
        seconds = 1 if args.quick else args.http_seconds
        say(f"HTTP throughput on {n} articles, {seconds:g} s per run")
        res = http.run(stores[n], work, seconds=seconds, log_dir=logs)
        tool = next(iter(next(iter(res.values())).values())).tool
        data["http"] = {"articles": n, "connections": 8, "seconds": seconds, "tool": tool,
                        "results": {k: {q: vars(v) for q, v in d.items()} for k, d in res.items()},
                        "ratios": http.ratios(res)}
    previous = out / f"{data['date']}.json"
    if previous.exists():  # what this run did not measure keeps the figures of an earlier run of the day
        old = json.loads(previous.read_text())
        for part in ("ingest", "queries", "http"):
            if not data.get(part) and old.get(part):
                data[part] = old[part]
                data.setdefault("reused", []).append(part)
            elif part in ("ingest", "queries") and set(old.get(part, {})) - set(data[part]):
                kept = sorted(set(old[part]) - set(data[part]), key=int)
                data[part] = {**{n: old[part][n] for n in kept}, **data[part]}
                data.setdefault("reused", []).append(f"{part} at {', '.join(kept)} articles")
        data["sizes"] = sorted({*data["sizes"], *map(int, data["ingest"])})
    data["machine"] = report.machine(load_before, load_average())
    if previous.exists() and set(data.get("reused", [])) >= {"ingest", "queries", "http"}:
        # nothing measured now (the report written again, e.g. with --analysis): the run's own facts
        data["machine"], data["command"] = old["machine"], old["command"]
        data.pop("reused")
    data["targets"] = targets(data)
    if args.analysis:
        data["analysis"] = Path(args.analysis).read_text(encoding="utf-8")
    md = report.write(data, out)
    say(f"report: {md}")
    print(json.dumps(data["targets"], indent=1))
    if args.quick and not args.work:
        shutil.rmtree(work / "ingest-20", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
