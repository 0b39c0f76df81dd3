"""HTTP throughput, side by side: jha-graph's ``/sparql``, ``oxigraph serve-read-only`` (PyPI ``oxigraph``)
and rdflib-endpoint (PyPI), over the same data, with the same query mix, 8 concurrent clients on
loopback for a bounded time each (wrk when installed, else a threaded Python client).

jha-graph and Oxigraph open the very same store directory (read-only); rdflib-endpoint serves an
in-memory rdflib ``Dataset`` (union default graph) loaded from that store's N-Quads, which is how
rdflib-endpoint is used.  All three answer SPARQL JSON results, with the union of the graphs as the
default graph.

The queries (full IRIs, no prefixes, so that every server parses the same text):
* lookup: every triple of one article (``SELECT ?p ?o WHERE { <article> ?p ?o }``), 50 articles;
* join: the titles of the articles that mention a meeting held under a presidency (two hops),
  30 presidencies;
* mix: the two alternated, one to one.

jha-graph runs twice: as served (``jha-graph serve --workers auto``), which keeps the answers to
repeated queries until the store changes (``sparql/cache.py``), so that after its first round through
the mix it answers from memory; and with that cache off (``JHA_SPARQL_CACHE_MB=0``), where every request
runs its query, as every request does on the other two servers.
"""
from __future__ import annotations

import random
import sys
from pathlib import Path

from .common import BIN, PYTHON, ROOT, Load, free_port, load_test, server, sparql_path

JHA = "https://w3id.org/jha-graph/ontology#"
DCT = "http://purl.org/dc/terms/"


def query_mix(store_dir: str | Path, seed: int = 11) -> dict[str, list[str]]:
    from jha_graph.store import EmbeddedStore

    store = EmbeddedStore(store_dir, read_only=True)
    articles = sorted(r["a"].value for r in store.query("SELECT ?a WHERE { ?a a jha:Article }"))
    presidencies = sorted(r["p"].value for r in store.query(
        "SELECT DISTINCT ?p WHERE { ?m jha:underPresidency ?p . ?a jha:mentions ?m }"))
    store.close()
    rng = random.Random(seed)
    lookups = [f"SELECT ?p ?o WHERE {{ <{a}> ?p ?o }}" for a in rng.sample(articles, min(50, len(articles)))]
    joins = [f"SELECT ?a ?t WHERE {{ ?m <{JHA}underPresidency> <{p}> . ?a <{JHA}mentions> ?m ; <{DCT}title> ?t }} "
             f"LIMIT 200" for p in rng.sample(presidencies, min(30, len(presidencies)))]
    mix = [q for pair in zip(lookups, joins * 2) for q in pair]
    return {"lookup": lookups, "join": joins, "mix": mix}


SERVED, COLD = "jha-graph /sparql", "jha-graph /sparql, cache off"


def _servers(store_dir: Path, nquads: Path | None, work: Path) -> dict:
    """name -> (command, port, endpoint path, ready path, environment)."""
    out = {}
    for name, env in ((SERVED, {}), (COLD, {"JHA_SPARQL_CACHE_MB": "0"})):
        p = free_port()
        # --workers auto: one server process per core on a store served read-only, the README's setting
        # for a public endpoint
        out[name] = ([str(BIN / "jha-graph"), "serve", "--store", str(store_dir), "--port", str(p),
                      "--workers", "auto"], p, "/sparql", "/api", env)
    p = free_port()
    out["oxigraph serve"] = ([str(BIN / "oxigraph"), "serve-read-only", "--location", str(store_dir),
                              "--bind", f"127.0.0.1:{p}", "--union-default-graph"], p, "/query", "/", {})
    if nquads is not None:
        p = free_port()
        out["rdflib-endpoint"] = ([PYTHON, "-m", "bench.rdflib_server", str(nquads), str(p)], p, "/sparql",
                                  "/sparql?query=ASK%7B%7D", {})
    return out


def run(store_dir: str | Path, work: Path, *, seconds: float = 10, connections: int = 8,
        with_rdflib: bool = True, tool: str | None = None, log_dir: Path | None = None) -> dict:
    """{server: {query kind: Load}} and the ratios of jha-graph to the others on the mix."""
    store_dir = Path(store_dir)
    mix = query_mix(store_dir)
    nquads = None
    if with_rdflib:
        from pyoxigraph import RdfFormat, Store

        nquads = work / "data.nq"
        store = Store.read_only(str(store_dir))
        with nquads.open("wb") as f:
            store.dump(f, RdfFormat.N_QUADS)
        del store
    results: dict[str, dict[str, Load]] = {}
    for name, (cmd, port, endpoint, ready, env) in _servers(store_dir, nquads, work).items():
        log = (log_dir / f"{name.split()[0]}{'-cold' if env else ''}.log") if log_dir else None
        with server(cmd, port, ready_path=ready, log=log, timeout=900, env=env):
            results[name] = {}
            for kind, queries in mix.items():
                paths = [sparql_path(endpoint, q) for q in queries]
                # a short warm-up (caches, worker start), then the measured run
                load_test(port, paths[:4], connections=2, seconds=1, tool=tool)
                results[name][kind] = load_test(port, paths, connections=connections, seconds=seconds, tool=tool)
    if nquads is not None:
        nquads.unlink(missing_ok=True)
    return results


def ratios(results: dict[str, dict[str, Load]]) -> dict[str, float]:
    """``"mix: jha-graph / oxigraph serve"`` and the like, and the same for the cache off
    (``"mix: jha-graph, cache off / oxigraph serve"``)."""
    out = {}
    for name, label in ((SERVED, "jha-graph"), (COLD, "jha-graph, cache off")):
        jha = results.get(name, {})
        for other in ("oxigraph serve", "rdflib-endpoint"):
            for kind in ("lookup", "join", "mix"):
                if other in results and kind in jha and results[other][kind].rps > 0:
                    out[f"{kind}: {label} / {other}"] = jha[kind].rps / results[other][kind].rps
    return out


if __name__ == "__main__":
    import json

    r = run(Path(sys.argv[1]), Path(sys.argv[2]), seconds=float(sys.argv[3]) if len(sys.argv) > 3 else 10)
    print(json.dumps({k: {q: vars(v) for q, v in d.items()} for k, d in r.items()}, indent=1))
    print(json.dumps(ratios(r), indent=1))
    _ = ROOT
