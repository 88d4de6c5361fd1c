"""Several people at once: 8 gradio_client clients ask together; every one is answered, none is lost.

Generation runs one at a time (llama.cpp is not thread-safe), so the others wait in Gradio's queue.
The latencies are printed (run with -s to see them), never asserted: CI machines vary too much.
"""

from __future__ import annotations

import statistics
import threading
import time

import pytest

from tests.integration.test_ui import message_text, serve_ui

pytestmark = pytest.mark.integration

QUESTIONS = [
    "In which province did the March 6 strikes take place?",
    "What share of the drugs produced by Colombia and Peru passes through Ecuador?",
    "Who is the commander of US Southern Command?",
    "How many US troops were deployed to Manta?",
    "What is the capital of France?",
    "Who commands SOUTHCOM?",
    "When did the joint operations start?",
    "Which countries take part in the operations?",
]
CLIENTS = 8
TIMEOUT_S = 900  # eight answers in a row on a slow machine, with room to spare


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def test_eight_clients_at_once_are_all_answered(corpus_store, tmp_path):
    from gradio_client import Client

    with serve_ui(corpus_store, tmp_path / "ui.log") as url:
        clients = [Client(url, verbose=False) for _ in range(CLIENTS)]
        results: dict[int, tuple[float, list]] = {}
        errors: dict[int, BaseException] = {}
        start = threading.Barrier(CLIENTS)

        def ask(i: int) -> None:
            try:
                start.wait()
                t0 = time.perf_counter()
                chat, _ = clients[i].predict(QUESTIONS[i % len(QUESTIONS)], [], api_name="/ask")
                results[i] = (time.perf_counter() - t0, chat)
            except BaseException as e:  # reported below, with the client that failed
                errors[i] = e

        threads = [threading.Thread(target=ask, args=(i,), daemon=True) for i in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(TIMEOUT_S)

    assert not errors, f"requests failed: {errors}"
    assert sorted(results) == list(range(CLIENTS)), f"lost requests: {set(range(CLIENTS)) - set(results)}"
    for i, (_, chat) in results.items():
        assert [m["role"] for m in chat] == ["user", "assistant"]
        assert message_text(chat[0]) == QUESTIONS[i % len(QUESTIONS)]
        reply = message_text(chat[-1])
        assert "class='error'" not in reply, reply
        assert "class='sources'" in reply or "class='refusal'" in reply, reply
    latencies = [seconds for seconds, _ in results.values()]
    print(
        f"\n{CLIENTS} clients at once: p50 {statistics.median(latencies):.2f} s, "
        f"p95 {percentile(latencies, 95):.2f} s, max {max(latencies):.2f} s"
    )
