"""The job queue of `rag serve`: one job at a time, a bounded wait, nothing dropped once accepted."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from rag.errors import RagError
from rag.jobs import JobQueue, QueueFull


def test_jobs_run_one_at_a_time_in_order_and_hand_over_their_pieces():
    jobs = JobQueue(8)
    running, most, order = [0], [0], []
    lock = threading.Lock()

    def work(n):
        def run():
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
            time.sleep(0.01)
            order.append(n)
            yield f"{n}a"
            yield f"{n}b"
            with lock:
                running[0] -= 1

        return run

    submitted = [jobs.submit(work(n)) for n in range(5)]
    assert [list(job) for job in submitted] == [[f"{n}a", f"{n}b"] for n in range(5)]
    assert most[0] == 1 and order == list(range(5))
    assert jobs.stats().done == 5


def test_a_full_queue_refuses_at_once_with_a_retry_time_and_keeps_what_it_accepted():
    jobs = JobQueue(2)
    gate = threading.Event()
    first = jobs.submit(lambda: [gate.wait(5), "first"][1:])
    while not jobs.stats().running:
        time.sleep(0.001)
    waiting = [jobs.submit(lambda n=n: [n]) for n in range(2)]
    with pytest.raises(QueueFull) as refused:
        jobs.submit(lambda: ["never"])
    assert refused.value.retry_after >= 1 and "busy" in str(refused.value)
    gate.set()
    assert list(first) == ["first"] and [list(j) for j in waiting] == [[0], [1]]
    assert jobs.stats().refused == 1 and jobs.stats().most_waiting == 2


def test_an_error_reaches_whoever_waits_after_the_pieces_before_it():
    def failing():
        yield "partial"
        raise RagError("the model broke")

    got = []
    with pytest.raises(RagError, match="the model broke"):
        for piece in JobQueue(1).submit(failing):
            got.append(piece)
    assert got == ["partial"]


def test_pieces_reach_an_asyncio_loop_and_a_client_that_leaves_stops_the_work():
    jobs = JobQueue(4)
    made = []

    def endless():
        for n in range(1000):
            made.append(n)
            time.sleep(0.001)
            yield n

    async def read_three():
        job = jobs.submit(endless, loop=asyncio.get_running_loop())
        got = []
        async for piece in job:
            got.append(piece)
            if len(got) == 3:
                break
        return got

    assert asyncio.run(read_three()) == [0, 1, 2]
    assert list(jobs.submit(lambda: ["next"])) == ["next"]  # the worker moved on
    assert len(made) < 1000


def test_the_queue_size_must_be_positive():
    with pytest.raises(RagError, match="at least 1"):
        JobQueue(0)
