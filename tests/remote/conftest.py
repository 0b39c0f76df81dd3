"""Session fixtures: an Oxigraph server and a Virtuoso server on loopback (see remote_servers.py), each
started once, on first use, and stopped by its process id at the end."""
from __future__ import annotations

import pytest
from remote_servers import start_oxigraph, start_virtuoso, stop


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    server = start_oxigraph(tmp_path_factory.mktemp("oxigraph"))
    yield server
    stop(server.process)


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory):
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield server
    stop(server.process, seconds=30)
