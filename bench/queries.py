"""Query latency: the competency-question queries and the JSON lookups, in process and over HTTP.

The CQ queries are asked about one article (``VALUES ?article { <iri> }``: what a researcher asks
about a news item), in process through ``EmbeddedStore.query`` with pyoxigraph's JSON results
serialiser (what ``jha-graph query --format json`` does) and over HTTP through ``/sparql``; in process
each is also run once over the whole graph (an answer of megabytes, which ``/sparql`` would refuse
past 10,000 rows).  The JSON lookups go through the FastAPI app on an in-process ASGI transport (the
whole request path, no socket) and over HTTP to ``jha-graph serve`` on loopback (its defaults, one
keep-alive connection, one request after the other).

Lookups by IRI (an article, a meeting, a document) are drawn from the store with a fixed seed, so
the 10k and the 100k runs ask for entities of the same kind and size.
"""
from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path

from .common import BIN, ROOT, free_port, latencies_http, percentile, server, sparql_path

CQ_DIR = ROOT / "queries" / "cq"
# the lookups of the five most-mentioned entities: measured and reported, not drawn at random like the
# others, so not part of the p99 target (bench.run.targets)
HUBS = "most-mentioned entity (/api/entities/{id})"


def cq_queries() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(CQ_DIR.glob("*.rq"))}


def for_article(query: str, iri: str) -> str:
    """The CQ query asked about one article (a researcher's question about one news item)."""
    i = query.index("WHERE {") + len("WHERE {")
    return query[:i] + f"\n  VALUES ?article {{ <{iri}> }}" + query[i:]


def sample_lookups(store_dir: str | Path, k: int = 30, seed: int = 7) -> dict[str, list[str]]:
    """JSON API paths by kind: article by slug, entity by id path (meeting, document), the most-mentioned
    entities; and the article IRIs (``_articles``)."""
    from jha_graph.config import Settings
    from jha_graph.store import EmbeddedStore

    base = Settings().base_iri
    store = EmbeddedStore(store_dir, read_only=True)

    def iris(cls: str, limit: int = 4000) -> list[str]:
        rows = store.query(f"SELECT DISTINCT ?e WHERE {{ ?e a {cls} }} ORDER BY ?e LIMIT {limit}")
        return [r["e"].value for r in rows]

    rng = random.Random(seed)
    articles = rng.sample(iris("jha:Article"), min(k, len(iris("jha:Article"))))
    meetings = iris("jha:JHACouncilMeeting") + iris("jha:InformalJHAMeeting")
    meetings = rng.sample(meetings, min(k, len(meetings)))
    documents = iris("jha:Conclusions") + iris("jha:Regulation")
    documents = rng.sample(documents, min(k, len(documents)))
    # the entities most articles mention (the Council: every one): the largest descriptions there are
    hubs = [r["e"].value for r in store.query(
        "SELECT ?e (COUNT(*) AS ?n) WHERE { ?a jha:mentions ?e } GROUP BY ?e ORDER BY DESC(?n) ?e LIMIT 5")]
    prefix = base + "id/"
    paths = {
        "article by slug (/api/articles/{slug})": [f"/api/articles/{a.rsplit('/', 1)[1]}" for a in articles],
        "meeting by id (/api/entities/{id})": [f"/api/entities/{m[len(prefix):]}" for m in meetings],
        "document by id (/api/entities/{id})": [f"/api/entities/{d[len(prefix):]}" for d in documents],
        HUBS: [f"/api/entities/{h[len(prefix):]}" for h in hubs if h.startswith(prefix)],
    }
    store.close()
    paths = {k: v for k, v in paths.items() if v}
    paths["_articles"] = articles
    return paths


def _stats(ms: list[float]) -> dict:
    return {"n": len(ms), "p50_ms": percentile(ms, 50), "p99_ms": percentile(ms, 99),
            "mean_ms": sum(ms) / len(ms) if ms else float("nan")}


def in_process(store_dir: str | Path, *, repeat: int = 5, lookups: dict[str, list[str]] | None = None,
               whole_graph: bool = True) -> dict:
    """Latency of the CQ queries (store + JSON serialiser) and the JSON lookups (ASGI, no socket)."""
    import httpx

    from jha_graph.api.app import create_app
    from jha_graph.config import Settings
    from jha_graph.store import EmbeddedStore, serialize_results

    out: dict[str, dict] = {}
    lookups = lookups or sample_lookups(store_dir)
    store = EmbeddedStore(store_dir, read_only=True)
    for name, text in cq_queries().items():
        ms = []
        for iri in lookups["_articles"][:10]:
            t = time.perf_counter()
            serialize_results(store.query(for_article(text, iri)), "json")
            ms.append((time.perf_counter() - t) * 1000)
        out[f"cq {name}, one article"] = _stats(ms)
    if whole_graph:
        for name, text in cq_queries().items():
            t = time.perf_counter()
            body = serialize_results(store.query(text), "json")
            ms = [(time.perf_counter() - t) * 1000]
            out[f"cq {name}, whole graph"] = {**_stats(ms), "bytes": len(body)}
    store.close()
    lookups = lookups or sample_lookups(store_dir)
    app = create_app(Settings(store=str(store_dir)))

    async def go() -> None:
        transport = httpx.ASGITransport(app=app)
        async with app.router.lifespan_context(app):
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                for name, paths in lookups.items():  # untimed: the query workers start with the first requests
                    if not name.startswith("_"):
                        for p in paths[:3]:
                            await client.get(p)
                for name, paths in lookups.items():
                    if name.startswith("_"):
                        continue
                    ms, errors = [], 0
                    for _ in range(repeat):
                        for p in paths:
                            t = time.perf_counter()
                            r = await client.get(p)
                            ms.append((time.perf_counter() - t) * 1000)
                            errors += r.status_code >= 400
                    out[f"json {name}"] = {**_stats(ms), "errors": errors}

    asyncio.run(go())
    return out


def over_http(store_dir: str | Path, *, repeat: int = 5, lookups: dict[str, list[str]] | None = None,
              log: Path | None = None) -> dict:
    """The same over loopback HTTP against ``jha-graph serve`` (read-only, its defaults)."""
    lookups = lookups or sample_lookups(store_dir)
    port = free_port()
    out: dict[str, dict] = {}
    cmd = [str(BIN / "jha-graph"), "serve", "--store", str(store_dir), "--port", str(port)]
    with server(cmd, port, ready_path="/api", log=log):
        # one untimed pass first: the server's query workers start (and open the store) with its first
        # requests, which is start-up, not lookup latency
        for name, paths in lookups.items():
            if not name.startswith("_"):
                latencies_http(port, paths[:3], repeat=1)
        for name, text in cq_queries().items():
            paths = [sparql_path("/sparql", for_article(text, iri)) for iri in lookups["_articles"][:10]]
            ms, errors = latencies_http(port, paths, accept="application/sparql-results+json")
            out[f"cq {name}, one article"] = {**_stats(ms), "errors": errors}
        for name, paths in lookups.items():
            if name.startswith("_"):
                continue
            ms, errors = latencies_http(port, paths, repeat=repeat)
            out[f"json {name}"] = {**_stats(ms), "errors": errors}
    return out
