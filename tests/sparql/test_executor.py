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
    executor = ProcessExecutor(store_dir, workers=1, timeout=30)

    async def scenario():
        await executor.run(Job(query="ASK {}"))
        executor.timeout = 0.3
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


def test_requests_queue_for_a_worker_on_the_event_loop_and_each_gets_its_own_answer(store_dir, monkeypatch):
    """One worker, six requests at once: they wait their turn without a thread each, in order."""
    executor = ProcessExecutor(store_dir, workers=1, timeout=30)
    monkeypatch.setattr(executor, "_run_blocking", lambda *a, **k: pytest.fail("a thread waited for a worker"))

    async def scenario():
        await executor.run(Job(query="ASK {}"))
        jobs = [Job(query=f"SELECT (COUNT(*) AS ?n) {{ ?s ?p ?o FILTER(?o < {k}) }}") for k in range(0, 300, 50)]
        return await asyncio.gather(*(executor.run(job) for job in jobs))

    try:
        answers = asyncio.run(scenario())
    finally:
        executor.close()
    assert [count(a) for a in answers] == list(range(0, 300, 50))


def test_a_sequential_client_stays_with_the_worker_that_answered_last(store_dir):
    """The freed worker is the next one out (its caches are warm), not the one idle longest."""
    executor = ProcessExecutor(store_dir, workers=3, timeout=30)

    async def scenario():
        jobs = [Job(query=f"SELECT (COUNT(*) AS ?n) {{ ?s ?p ?o FILTER(?o < {k}) }}") for k in range(3)]
        await asyncio.gather(*(executor.run(job) for job in jobs))  # all three workers have answered
        served = []
        for k in range(6):
            worker = await executor._acquire()
            served.append(worker)
            executor._release(worker)
        return served, len(executor._workers)

    try:
        served, workers = asyncio.run(scenario())
    finally:
        executor.close()
    assert workers == 3
    assert all(worker is served[0] for worker in served)


def test_a_request_that_waits_past_the_limit_is_told_the_workers_are_busy(store_dir):
    from jha_graph.sparql.executor import ExecutorBusy

    executor = ProcessExecutor(store_dir, workers=1, timeout=30)

    async def scenario():
        await executor.run(Job(query="ASK {}"))
        executor.timeout = 0.5
        slow = asyncio.create_task(executor.run(Job(query=SLOW)))
        await asyncio.sleep(0.05)
        executor.timeout = 0.2  # this request waits 0.2 s, while the slow one has 0.5 s to run
        started = time.monotonic()
        with pytest.raises(ExecutorBusy):
            await executor.run(Job(query="ASK {}"))
        assert time.monotonic() - started < 0.45
        with pytest.raises(QueryTimeout):
            await slow
        executor.timeout = 30
        return await executor.run(Job(query="ASK { ?s ?p 3 }"))

    try:
        assert json.loads(asyncio.run(scenario()).body)["boolean"] is True
    finally:
        executor.close()


def test_a_lookup_on_a_constant_is_answered_without_a_worker(store_dir):
    """With its one worker busy on a long count, the pool still answers a one-pattern lookup at once
    (in the server process: it cannot run away), and the same bytes as a worker would."""
    from jha_graph.sparql.snapshot import SnapshotStore

    lookup = Job(query=f"SELECT ?p ?o {{ <{EX}s7> ?p ?o }}")
    inline = ProcessExecutor(store_dir, workers=1, timeout=30, inline=SnapshotStore(store_dir))
    plain = ProcessExecutor(store_dir, workers=1, timeout=30)

    async def scenario():
        await inline.run(Job(query="ASK {}"))  # not anchored: the worker's
        slow = asyncio.create_task(inline.run(Job(query=SLOW)))
        await asyncio.sleep(0.2)
        started = time.monotonic()
        answer = await inline.run(lookup)
        elapsed = time.monotonic() - started
        assert not slow.done(), "the count ended before the lookup was asked: no proof"
        assert count(await slow) == 27_000_000
        return answer, elapsed, await plain.run(Job(query=lookup.query))

    try:
        answer, elapsed, from_worker = asyncio.run(scenario())
        assert inline.run_sync(Job(query=lookup.query)).body == answer.body
    finally:
        inline.close()
        plain.close()
    assert elapsed < 0.5
    assert answer.body == from_worker.body
    assert json.loads(answer.body)["results"]["bindings"][0]["o"]["value"] == "7"
