"""How `rag serve` reads Chat Completions requests and its settings (the server runs in
tests/integration/test_serve.py)."""

from __future__ import annotations

import pytest

from rag.errors import InputError
from rag.server import ApiError, is_loopback, parse_chat, queue_size
from rag.types import Turn


def test_the_last_user_message_is_the_question_and_earlier_turns_the_history():
    workspace, question, history, stream = parse_chat(
        {
            "model": "team-a",
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "Who built it?"},
                {"role": "assistant", "content": "Ilse Varnhagen [1]."},
                {"role": "user", "content": [{"type": "text", "text": "When?"}]},
                {"role": "user", "content": " And how long is it? "},
            ],
            "stream": True,
            "temperature": 0.2,
        }
    )
    assert (workspace, question, stream) == ("team-a", "And how long is it?", True)
    assert history == [Turn("Who built it?", "Ilse Varnhagen [1]."), Turn("When?", "")]


@pytest.mark.parametrize(
    ("body", "param", "message"),
    [
        ([], None, "JSON object"),
        ({"messages": [{"role": "user", "content": "x"}]}, "model", "`model` must name a workspace"),
        ({"model": "team-a", "messages": []}, "messages", "non-empty list"),
        ({"model": "team-a", "messages": ["hi"]}, "messages[0]", "with a `role`"),
        (
            {"model": "team-a", "messages": [{"role": "assistant", "content": "x"}]},
            "messages",
            "last message",
        ),
        (
            {"model": "team-a", "messages": [{"role": "user", "content": " "}]},
            "messages",
            "question is empty",
        ),
        ({"model": "team-a", "messages": [{"role": "user", "content": "x" * 4001}]}, "messages", "4001"),
        (
            {"model": "team-a", "messages": [{"role": "user", "content": [{"type": "image_url"}]}]},
            "messages[0]",
            "text",
        ),
        (
            {"model": "team-a", "messages": [{"role": "user", "content": "x"}], "stream": "yes"},
            "stream",
            "true or",
        ),
    ],
)
def test_a_bad_request_names_what_is_wrong(body, param, message):
    with pytest.raises(ApiError) as e:
        parse_chat(body)
    assert e.value.status == 400 and e.value.param == param and message in e.value.message
    assert set(e.value.body()["error"]) == {"message", "type", "param", "code"}


def test_only_loopback_addresses_count_as_local():
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "192.168.1.4", "example.org", ""))


def test_the_queue_size_comes_from_rag_serve_queue():
    assert queue_size({}) == 32 and queue_size({"RAG_SERVE_QUEUE": "4"}) == 4
    for bad in ("0", "lots"):
        with pytest.raises(InputError, match="RAG_SERVE_QUEUE"):
            queue_size({"RAG_SERVE_QUEUE": bad})
