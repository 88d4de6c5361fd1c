"""One worker thread that runs model work one job at a time, with a bounded queue in front of it.

llama.cpp is not thread-safe, and ingestion shares the embedder, so every answer, upload and removal of
``rag serve`` (the API's and the chat window's alike) is a job here. A job that finds the queue full is
refused at once with ``QueueFull`` (the API answers 429 with ``Retry-After``); a job that got in is run,
never dropped. A job's results are handed over piece by piece, to a thread or to an asyncio loop.
"""

from __future__ import annotations

import asyncio
import math
import queue
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass

from rag.errors import RagError

_END = object()


class QueueFull(RagError):
    """The queue is full: try again in ``retry_after`` seconds."""

    def __init__(self, waiting: int, retry_after: int) -> None:
        super().__init__(f"the server is busy: {waiting} requests are waiting; try again in {retry_after} s")
        self.retry_after = retry_after


class Job:
    """A piece of work in the queue. Iterate it (from a thread) or ``async for`` it (from the loop
    that submitted it); an exception raised by the work is raised there, after the pieces before it."""

    def __init__(self, work: Callable[[], Iterable[object]], loop: asyncio.AbstractEventLoop | None) -> None:
        self._work = work
        self._loop = loop
        self._pieces: queue.Queue | asyncio.Queue = asyncio.Queue() if loop else queue.Queue()
        self.cancelled = False
        self.submitted = time.monotonic()
        self.started: float | None = None

    def cancel(self) -> None:
        """Whoever waited has gone: the worker stops the work at its next piece."""
        self.cancelled = True

    def _put(self, item: object) -> None:
        if self._loop is None:
            self._pieces.put(item)
        else:
            try:
                self._loop.call_soon_threadsafe(self._pieces.put_nowait, item)
            except RuntimeError:  # the loop is closed: nobody is listening any more
                self.cancelled = True

    def _run(self) -> None:
        self.started = time.monotonic()
        try:
            for piece in self._work():
                if self.cancelled:
                    break
                self._put(piece)
        except BaseException as e:  # handed to whoever waits, who turns it into an answer
            self._put(_Failure(e))
        finally:
            self._put(_END)

    def __iter__(self) -> Iterator[object]:
        try:
            while (item := self._pieces.get()) is not _END:
                if isinstance(item, _Failure):
                    raise item.error
                yield item
        finally:
            self.cancel()

    async def __aiter__(self) -> AsyncIterator[object]:
        try:
            while (item := await self._pieces.get()) is not _END:
                if isinstance(item, _Failure):
                    raise item.error
                yield item
        finally:
            self.cancel()


@dataclass(frozen=True)
class _Failure:
    error: BaseException


@dataclass(frozen=True)
class QueueStats:
    size: int
    waiting: int
    running: bool
    done: int
    refused: int
    most_waiting: int
    mean_job_s: float


class JobQueue:
    """``size`` jobs may wait while one runs; the one worker thread starts on the first submit."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise RagError(f"the queue size must be at least 1, got {size}")
        self.size = size
        self._jobs: queue.Queue[Job] = queue.Queue(maxsize=size)
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self._running = False
        self._done = 0
        self._refused = 0
        self._most_waiting = 0
        self._mean_s = 1.0  # a guess until the first job is timed

    def submit(
        self, work: Callable[[], Iterable[object]], *, loop: asyncio.AbstractEventLoop | None = None
    ) -> Job:
        """Queue ``work`` (a function returning the job's pieces); ``loop``: the asyncio loop that will
        ``async for`` the job, if any. Raises ``QueueFull`` at once when ``size`` jobs already wait."""
        job = Job(work, loop)
        with self._lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._work, name="rag-worker", daemon=True)
                self._worker.start()
            try:
                self._jobs.put_nowait(job)
            except queue.Full:
                self._refused += 1
                waiting = self._jobs.qsize()
                raise QueueFull(waiting, self.retry_after(waiting)) from None
            self._most_waiting = max(self._most_waiting, self._jobs.qsize())
        return job

    def retry_after(self, waiting: int) -> int:
        """Seconds until a place is likely free: the jobs ahead times the mean time of one."""
        return max(1, math.ceil(self._mean_s * max(1, waiting // 2)))

    def stats(self) -> QueueStats:
        return QueueStats(
            size=self.size,
            waiting=self._jobs.qsize(),
            running=self._running,
            done=self._done,
            refused=self._refused,
            most_waiting=self._most_waiting,
            mean_job_s=round(self._mean_s, 3),
        )

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            self._running = True
            t0 = time.monotonic()
            if not job.cancelled:  # its client left while it waited
                job._run()
            else:
                job._put(_END)
            elapsed = time.monotonic() - t0
            with self._lock:
                self._running = False
                self._done += 1
                self._mean_s = elapsed if self._done == 1 else 0.8 * self._mean_s + 0.2 * elapsed
