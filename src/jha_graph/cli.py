"""The jha-graph command line: ingest, query, export, validate, stats, serve.

Exit codes: 0 success, 1 something failed (a bad article, a violation), 2 wrong usage or input.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from . import __version__
from .config import Settings
from .store import RDF_FORMATS, RESULT_FORMATS, QueryError, StoreError, open_store, serialize_results


def _settings(args) -> Settings:
    overrides = {}
    if getattr(args, "store", None):
        overrides["store"] = args.store
    if getattr(args, "base_iri", None):
        overrides["base_iri"] = args.base_iri
    return Settings(**overrides)


def cmd_ingest(args) -> int:
    from .ingest import ingest

    settings = _settings(args)
    store = open_store(settings.store, settings=settings)
    progress = None
    if not args.quiet and sys.stderr.isatty():
        from tqdm import tqdm

        def progress(files):
            return tqdm(files, desc="ingest", unit="article", file=sys.stderr)

    report = ingest(args.paths, store, settings, progress=progress)
    store.close()
    for path, problem in report.failed:
        print(f"error: {path}: {problem}", file=sys.stderr)
    for path, other in report.duplicates:
        print(f"warning: {path} has the same name as {other}; the later one was kept", file=sys.stderr)
    if not args.quiet:
        print(f"ingested {len(report.ingested)} article(s), {report.quads} quads, "
              f"{report.links} link quads; {len(report.failed)} failed; store: {settings.store}", file=sys.stderr)
    return 1 if report.failed else 0


def _read_query(text: str) -> str:
    p = Path(text)
    if len(text) < 4096 and "\n" not in text and p.suffix in (".rq", ".sparql", ".ru") and not p.exists():
        raise FileNotFoundError(f"no query file {text}")
    return p.read_text(encoding="utf-8") if len(text) < 4096 and p.is_file() else text


def cmd_query(args) -> int:
    settings = _settings(args)
    query = _read_query(args.query)
    store = open_store(settings.store, read_only=True, settings=settings)
    results = store.query(query)
    fmt = args.format
    if isinstance(results, bool) or type(results).__name__ == "QueryBoolean":
        if fmt == "table":
            print("true" if bool(results) else "false")
        else:
            sys.stdout.buffer.write(serialize_results(results, fmt if fmt in RESULT_FORMATS else "json"))
        return 0
    if type(results).__name__ == "QueryTriples":
        sys.stdout.buffer.write(serialize_results(results, fmt if fmt in RDF_FORMATS else "ttl"))
        return 0
    if fmt == "table":
        _print_table(results)
        return 0
    sys.stdout.buffer.write(serialize_results(results, fmt))
    return 0


def _print_table(results) -> None:
    names = [v.value for v in results.variables]
    rows = [[_short(row[n]) for n in names] for row in results]
    widths = [min(60, max([len(n)] + [len(r[i]) for r in rows])) for i, n in enumerate(names)]
    line = "  ".join(n.ljust(w) for n, w in zip(names, widths))
    print(line)
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(c[:w].ljust(w) for c, w in zip(r, widths)))
    print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})", file=sys.stderr)


def _short(term) -> str:
    return "" if term is None else term.value


def cmd_export(args) -> int:
    settings = _settings(args)
    store = open_store(settings.store, read_only=True, settings=settings)
    if args.output:
        with open(args.output, "wb") as f:
            store.dump(f, args.format)
    else:
        store.dump(sys.stdout.buffer, args.format)
        sys.stdout.buffer.flush()
    return 0


def cmd_validate(args) -> int:
    from .validate import validate

    settings = _settings(args)
    store = open_store(settings.store, read_only=True, settings=settings)
    report = validate(store)
    print(report.summary())
    return 0 if report.conforms else 1


def cmd_stats(args) -> int:
    from .stats import stats

    settings = _settings(args)
    store = open_store(settings.store, read_only=True, settings=settings)
    data = stats(store)
    if args.json:
        print(json.dumps(data, indent=2))
    else:
        for k, v in data.items():
            if isinstance(v, dict):
                print(f"{k}:")
                for k2, v2 in v.items():
                    print(f"  {k2:28} {v2}")
            else:
                print(f"{k:30} {v}")
    return 0


def cmd_reindex(args) -> int:
    from .search import SearchIndex, index_path

    settings = _settings(args)
    store = open_store(settings.store, read_only=True, settings=settings)
    index = SearchIndex.for_store(store)
    if index is None:
        print("error: only a store in a directory has a search index file (a server builds one for the "
              "others when it starts)", file=sys.stderr)
        return 2
    index.rebuild(store)
    index.close()
    if not args.quiet:
        print(f"search index rebuilt: {index_path(settings.store)}", file=sys.stderr)
    return 0


def _server_workers(value: str | None, settings) -> int:
    """How many server processes: a number, or 'auto' (one per core when they can share the store:
    an on-disk store served read-only; one otherwise)."""
    if value in (None, "", "1"):
        return 1
    shareable = not settings.update_token and not settings.is_remote and Path(settings.store).is_dir()
    if value == "auto":
        return max(1, min(len(os.sched_getaffinity(0)), 8)) if shareable else 1
    try:
        n = int(value)
    except ValueError:
        raise SystemExit(f"error: --workers takes a number or 'auto', not {value!r}") from None
    if n < 1:
        raise SystemExit("error: --workers must be at least 1")
    if n > 1 and not settings.is_remote and not Path(settings.store).is_dir():
        raise SystemExit(f"error: there is no store at {settings.store} to serve (build one: make build)")
    if n > 1 and not shareable:
        raise SystemExit("error: several server processes (--workers) need an on-disk store served read-only: "
                         "with --token one process holds the store for writing, and a remote store is "
                         "served by its own server")
    return n


def workers_per_process(total: int, processes: int) -> int:
    """Each server process's share of a pool of query workers, at least 2 so that one runaway query
    never leaves a process without a worker.

    Query workers that outnumber the cores cost CPU: each holds its own store cache, which the others'
    queries do not warm (a join took 3.3 ms of CPU with 8 workers on 2 cores, 2.6 ms with 4).

    >>> workers_per_process(4, 1), workers_per_process(4, 2), workers_per_process(4, 8), workers_per_process(9, 2)
    (4, 2, 2, 5)
    """
    return max(2, -(-total // processes))


def cmd_serve(args) -> int:
    import uvicorn

    from .api.app import create_app

    settings = _settings(args)
    if args.token:
        settings.update_token = args.token
    host, port = args.host or settings.host, args.port or settings.port
    workers = _server_workers(args.workers, settings)
    if workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="info", workers=1,
                    access_log=args.access_log)
        return 0
    # Several processes, each with its own read-only handle on the store (pyoxigraph answers in Rust
    # threads, but each request's Python runs under one GIL per process).  They build their app from
    # the environment, so the command line's settings go there; the search index is brought up to
    # date here, once, rather than by every process at its start.
    from .search import SearchIndex

    store = open_store(settings.store, read_only=True, settings=settings)
    index = SearchIndex.for_store(store)
    if index is not None:
        index.ensure(store)
        index.close()
    store.close()
    os.environ.update({"JHA_STORE": str(settings.store), "JHA_BASE_IRI": settings.base_iri,
                       "JHA_QUERY_WORKERS": str(workers_per_process(settings.query_workers, workers)),
                       "JHA_API_WORKERS": str(workers_per_process(settings.api_workers or settings.query_workers,
                                                                  workers))})
    uvicorn.run("jha_graph.api.app:create_app", factory=True, host=host, port=port, log_level="info",
                access_log=args.access_log,
                workers=workers)
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="jha-graph", description=__doc__.splitlines()[0])
    ap.add_argument("--version", action="version", version=f"jha-graph {__version__}")
    sub = ap.add_subparsers(dest="command", required=True)

    def with_store(p):
        p.add_argument("--store", help="store directory or SPARQL endpoint URL (default: $JHA_STORE or var/store)")
        p.add_argument("--base-iri", help="base of the graph's IRIs (default: $JHA_BASE_IRI)")
        return p

    p = with_store(sub.add_parser("ingest", help="read articles (files or folders) into the store"))
    p.add_argument("paths", nargs="+")
    p.add_argument("-q", "--quiet", action="store_true")
    p.set_defaults(func=cmd_ingest)

    p = with_store(sub.add_parser("query", help="run a SPARQL query (a file or the query text)"))
    p.add_argument("query")
    p.add_argument("--format", choices=["json", "xml", "csv", "tsv", "table", *RDF_FORMATS], default="table")
    p.set_defaults(func=cmd_query)

    p = with_store(sub.add_parser("export", help="write the whole graph"))
    p.add_argument("--format", choices=list(RDF_FORMATS), default="nq")
    p.add_argument("--output", "-o")
    p.set_defaults(func=cmd_export)

    p = with_store(sub.add_parser("validate", help="SHACL shapes and quality-check queries"))
    p.set_defaults(func=cmd_validate)

    p = with_store(sub.add_parser("stats", help="what the graph holds"))
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)

    p = with_store(sub.add_parser("reindex", help="rebuild the search index beside the store from the store"))
    p.add_argument("-q", "--quiet", action="store_true")
    p.set_defaults(func=cmd_reindex)

    p = with_store(sub.add_parser("serve", help="serve the graph over HTTP (SPARQL, JSON API, linked data)"))
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--token", help="enable SPARQL Update for requests bearing this token")
    # off by default, as in gunicorn: a line per request costs a tenth of a lookup's CPU, and a public
    # endpoint has its proxy's log
    p.add_argument("--access-log", action="store_true", help="log a line per request (to standard error)")
    p.add_argument("--workers", default=None, metavar="N|auto",
                   help="server processes (default 1); 'auto': one per core for an on-disk store served "
                        "read-only, the setting for a busy public endpoint")
    p.set_defaults(func=cmd_serve)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (QueryError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except StoreError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
