"""rdflib-endpoint over an N-Quads file, as a user would run it: ``python -m bench.rdflib_server FILE PORT``.

An in-memory rdflib ``Dataset`` whose default graph is the union of the named graphs (as in the
other two servers), served by rdflib-endpoint's ``SparqlEndpoint`` at ``/sparql`` with uvicorn
(one worker, its default), on 127.0.0.1 only.
"""
from __future__ import annotations

import sys


def main(path: str, port: int) -> None:
    import uvicorn
    from rdflib import Dataset
    from rdflib_endpoint import SparqlEndpoint

    ds = Dataset(default_union=True)
    ds.parse(path, format="nquads")
    app = SparqlEndpoint(graph=ds, path="/sparql", cors_enabled=False, public_url=f"http://127.0.0.1:{port}/sparql")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
