"""The report: ``bench/results/<date>.md`` (tables, targets, growth) and ``<date>.png`` (plots), from the
JSON that ``bench.run`` collects (also written, as ``<date>.json``)."""
from __future__ import annotations

import datetime as dt
import json
import math
import platform
from pathlib import Path

MB = 1024 * 1024


def _f(x, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if isinstance(x, float):
        return f"{x:,.{digits}f}"
    return f"{x:,}"


def _growth(a, b) -> str:
    if not a or not b or any(isinstance(v, float) and math.isnan(v) for v in (a, b)):
        return "–"
    return f"×{b / a:.2f}"


def markdown(data: dict) -> str:
    sizes = [s for s in data["sizes"]]
    ing = data.get("ingest", {})
    q = data.get("queries", {})
    http = data.get("http", {})
    lines = [f"# jha-graph benchmarks, {data['date']}", ""]
    m = data["machine"]
    lines += [f"Machine: {m['cpus']} cores, {m['memory_gb']:.0f} GB, {m['python']}, pyoxigraph {m['pyoxigraph']}, "
              f"load average before/after the final run {m['load_before']} / {m['load_after']}"
              # the load after is the run's own (the HTTP runs keep both cores busy); before, it is not
              + (" (**not quiet at the start**: other work, or an earlier run, had the 1-minute load at 1 or "
                 "more; figures may be lower than on an idle machine)" if m['load_before'][0] >= 1.0 else "") + ".",
              f"Corpus: synthetic articles from `bench/generate.py` (seed {data['seed']}), both formats, "
              f"{', '.join(_f(s) for s in sizes)} articles. Command: `{data['command']}`.", ""]
    if data.get("reused"):
        lines += ["Kept from an earlier run of the same day (not measured by this command): "
                  + "; ".join(data["reused"]) + ".", ""]
    if data.get("notes"):
        lines += [data["notes"], ""]
    # --- targets
    t = data.get("targets", [])
    if t:
        lines += ["## Targets", "", "| target | measured | met |", "|---|---|---|"]
        lines += [f"| {x['target']} | {x['measured']} | {'yes' if x['met'] else '**no**'} |" for x in t]
        lines.append("")
    # --- ingest
    if ing:
        lines += ["## Ingest (end to end: read, extract, load, links)", "",
                  "| articles | articles/s | CPU ms/article | articles/s by CPU (2 idle cores) | total s | write s | links s "
                  "| quads | load quads/s | bare bulk load quads/s "
                  "| load / bulk | peak RSS main | peak RSS all processes | store on disk | bare bulk store |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for s in sizes:
            r = ing.get(str(s))
            if not r:
                continue
            lines.append(
                f"| {_f(r['articles'])} | **{_f(r['articles_per_s'])}** | {_f(r.get('cpu_ms_per_article'))} "
                f"| {_f(r.get('cpu_bound_articles_per_s'), 0)} | {_f(r['ingest_s'])} | {_f(r['write_s'])} "
                f"| {_f(r['links_s'])} | {_f(r['quads'])} | {_f(r['load_quads_per_s'], 0)} | {_f(r['floor_quads_per_s'], 0)} "
                f"| {r['load_quads_per_s'] / r['floor_quads_per_s']:.2f} | {r['peak_rss_main'] / MB:,.0f} MB "
                f"| {r['peak_rss_tree'] / MB:,.0f} MB | {r['store_bytes'] / MB:,.0f} MB | {r['floor_store_bytes'] / MB:,.0f} MB |")
        lines.append("")
        keys = [str(s) for s in sizes if str(s) in ing]
        if len(keys) >= 2:
            a, b = ing[keys[-2]], ing[keys[-1]]
            lines += [f"Growth {keys[-2]} → {keys[-1]} articles (×{int(keys[-1]) / int(keys[-2]):g} the data): "
                      f"ingest time {_growth(a['ingest_s'], b['ingest_s'])}, rate {_growth(a['articles_per_s'], b['articles_per_s'])}, "
                      f"write time {_growth(a['write_s'], b['write_s'])}, links time {_growth(a['links_s'], b['links_s'])}, "
                      f"peak memory {_growth(a['peak_rss_main'], b['peak_rss_main'])}, store size {_growth(a['store_bytes'], b['store_bytes'])}.", ""]
    # --- queries
    if q:
        lines += ["## Query latency (ms)", ""]
        head = "| query | " + " | ".join(f"{s} in process p50 / p99 | {s} HTTP p50 / p99" for s in q) + " | growth p50 (HTTP) |"
        lines += [head, "|---" * (2 + 2 * len(q)) + "|"]
        names = []
        for s in q.values():
            for part in ("in_process", "http"):
                for name in s.get(part, {}):
                    if name not in names:
                        names.append(name)
        keys = list(q)
        for name in names:
            cells = []
            for s in keys:
                for part in ("in_process", "http"):
                    r = q[s].get(part, {}).get(name)
                    cells.append(f"{_f(r['p50_ms'])} / {_f(r['p99_ms'])}" if r else "–")
            g = "–"
            if len(keys) >= 2:
                ra, rb = (q[keys[-2]].get("http", {}).get(name) or q[keys[-2]].get("in_process", {}).get(name),
                          q[keys[-1]].get("http", {}).get(name) or q[keys[-1]].get("in_process", {}).get(name))
                if ra and rb:
                    g = _growth(ra["p50_ms"], rb["p50_ms"])
            lines.append(f"| {name} | " + " | ".join(cells) + f" | {g} |")
        lines.append("")
    # --- http
    if http:
        lines += [f"## HTTP throughput ({http['articles']:,} articles, {http['connections']} concurrent clients, "
                  f"{http['seconds']:g} s per run, {http['tool']})", "",
                  "| server | lookup req/s | lookup p99 ms | join req/s | join p99 ms | mix req/s | mix p99 ms | errors |",
                  "|---|---|---|---|---|---|---|---|"]
        for name, kinds in http["results"].items():
            cells = []
            for k in ("lookup", "join", "mix"):
                r = kinds.get(k)
                cells += [f"**{_f(r['rps'], 0)}**" if r else "–", _f(r["p99_ms"]) if r else "–"]
            errors = sum(r["errors"] for r in kinds.values())
            lines.append(f"| {name} | " + " | ".join(cells) + f" | {errors} |")
        lines += ["", "| ratio | value |", "|---|---|"]
        lines += [f"| {k} | {v:.2f} |" for k, v in http["ratios"].items()]
        lines.append("")
    if data.get("analysis"):
        lines += ["## What bounds each figure", "", data["analysis"], ""]
    lines += [f"Plot: `{data['date']}.png`. Raw figures: `{data['date']}.json`.", ""]
    return "\n".join(lines)


def plot(data: dict, path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    ing = data.get("ingest", {})
    xs = [int(s) for s in ing]
    if xs:
        ax = axes[0]
        ax.plot(xs, [ing[str(x)]["articles_per_s"] for x in xs], "o-", label="ingest, articles/s (end to end)")
        ax.plot(xs, [ing[str(x)]["load_quads_per_s"] / (ing[str(x)]["quads"] / ing[str(x)]["articles"]) for x in xs],
                "s--", label="load only, articles/s")
        ax.plot(xs, [ing[str(x)]["floor_quads_per_s"] / (ing[str(x)]["quads"] / ing[str(x)]["articles"]) for x in xs],
                "^:", label="bare pyoxigraph bulk load, articles/s")
        ax.axhline(300, color="grey", lw=0.8, ls="--", label="target 300/s")
        ax.set_xscale("log")
        ax.set_xlabel("articles")
        ax.set_title("Ingest rate")
        ax.legend(fontsize=7)
        ax2 = axes[1]
        ax2.plot(xs, [ing[str(x)]["peak_rss_main"] / MB for x in xs], "o-", label="peak RSS, ingest process (MB)")
        ax2.plot(xs, [ing[str(x)]["store_bytes"] / MB for x in xs], "s--", label="store on disk (MB)")
        ax2.axhline(2048, color="grey", lw=0.8, ls="--", label="2 GB")
        ax2.set_xscale("log")
        ax2.set_yscale("log")
        ax2.set_xlabel("articles")
        ax2.set_title("Memory and size")
        ax2.legend(fontsize=7)
    http = data.get("http", {})
    if http:
        ax3 = axes[2]
        names = list(http["results"])
        kinds = ["lookup", "join", "mix"]
        width = 0.8 / max(1, len(names))
        for i, name in enumerate(names):
            vals = [http["results"][name].get(k, {}).get("rps", 0) for k in kinds]
            ax3.bar([j + i * width for j in range(len(kinds))], vals, width, label=name)
        ax3.set_xticks([j + width * (len(names) - 1) / 2 for j in range(len(kinds))], kinds)
        ax3.set_yscale("log")
        ax3.set_ylabel("requests/s")
        ax3.set_title(f"HTTP throughput, {http['connections']} clients")
        top = max((r.get("rps", 0) for d in http["results"].values() for r in d.values()), default=1)
        ax3.set_ylim(top=max(top, 1) * 8)  # room above the bars for the legend (log scale)
        ax3.legend(fontsize=7, loc="upper center", ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def write(data: dict, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = data["date"]
    (out_dir / f"{stem}.json").write_text(json.dumps(data, indent=1, default=str))
    plot(data, out_dir / f"{stem}.png")
    md = out_dir / f"{stem}.md"
    md.write_text(markdown(data))
    return md


def machine(load_before, load_after) -> dict:
    import os

    import pyoxigraph

    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024 ** 3
    return {"cpus": len(os.sched_getaffinity(0)), "memory_gb": mem, "python": platform.python_version(),
            "pyoxigraph": pyoxigraph.__version__, "load_before": [round(x, 2) for x in load_before],
            "load_after": [round(x, 2) for x in load_after]}


def today() -> str:
    return dt.date.today().isoformat()
