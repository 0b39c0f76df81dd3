"""The worker pool (sparql/executor.py) as the event loop drives it: a request that goes away while its
query runs never leaves its answer behind for the next request, and a timed-out worker is replaced."""
from __future__ import annotations

import asyncio
import json
import time

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Store

from jha_graph.sparql.executor import ProcessExecutor, QueryTimeout
from jha_graph.sparql.jobs import Job

EX = "http://example.org/"
# about 1 s of counting on 300 triples (27 M rows), yet it ends
SLOW = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("executor") / "store"
    store = Store(str(path))
    store.extend(Quad(NamedNode(f"{EX}s{i}"), NamedNode(f"{EX}p"), Literal(i)) for i in range(300))
    store.flush()
    del store
    return path


def count(answer) -> int:
    return int(json.loads(answer.body)["results"]["bindings"][0]["n"]["value"])


def test_a_cancelled_request_never_hands_its_answer_to_the_next(store_dir):
    executor = ProcessExecutor(store_dir, workers=1, timeout=30)

    async def scenario():
        await executor.run(Job(query="ASK {}"))  # the worker is up and idle
        slow = asyncio.create_task(executor.run(Job(query=SLOW)))
        await asyncio.sleep(0.2)
        slow.cancel()  # the client went away while its query ran
        with pytest.raises(asyncio.CancelledError):
            await slow
        # the one worker still owes the slow answer: the next job must get its own
        quick = await executor.run(Job(query="SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"))
        again = await executor.run(Job(query="ASK { ?s ?p 7 }"))
        return quick, again

    try:
        quick, again = asyncio.run(scenario())
    finally:
        executor.close()
    assert count(quick) == 300
    assert json.loads(again.body)["boolean"] is True


def test_a_timed_out_worker_is_replaced(store_dir):
    executor = ProcessExecutor(store_dir, workers=1, timeout=0.3)

    async def scenario():
        await executor.run(Job(query="ASK {}"))
        started = time.monotonic()
        with pytest.raises(QueryTimeout) as stopped:
            await executor.run(Job(query=SLOW))
        assert stopped.value.killed and time.monotonic() - started < 2
        executor.timeout = 30
        return await executor.run(Job(query="SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"))

    try:
        assert count(asyncio.run(scenario())) == 300
    finally:
        executor.close()
    assert executor.timeouts == 1 and executor.respawns == 1
