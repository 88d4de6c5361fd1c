"""ServerGenerator against a tiny scripted HTTP server: URLs, Server-Sent Events, errors, timeouts.

The real llama_cpp.server is in tests/integration/test_llm_server.py; this fake only makes the edge
cases (events split across writes, pings, a stream cut short, a server that stalls) quick to reach.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rag.chunking import count_tokens as cl100k_tokens
from rag.errors import ModelError
from rag.generation import CHAT_TEMPLATE_TOKENS, ServerGenerator

PROMPT = "Facts:\n[1] The strikes were in Sucumbios.\n\nQuestion: Where?\nAnswer:"


@dataclass
class Reply:
    """What the fake answers on one path: ``pieces`` are written and flushed one by one (a float is a
    pause in seconds), after ``delay`` seconds of silence."""

    status: int = 200
    pieces: tuple[str | float, ...] = ()
    content_type: str = "text/event-stream"
    delay: float = 0.0


def sse(*events: dict | str) -> str:
    return "".join(f"data: {e if isinstance(e, str) else json.dumps(e)}\n\n" for e in events)


def text(piece: str, finish: str | None = None) -> dict:
    return {"choices": [{"text": piece, "index": 0, "finish_reason": finish}]}


class FakeServer:
    def __init__(self) -> None:
        self.replies: dict[str, Reply] = {}
        self.requests: list[tuple[str, dict | None]] = []
        self.barrier: threading.Barrier | None = None
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake.serve(self, None)

            def do_POST(self) -> None:
                fake.serve(self, json.loads(self.rfile.read(int(self.headers["Content-Length"]))))

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def serve(self, handler: BaseHTTPRequestHandler, body: dict | None) -> None:
        self.requests.append((handler.path, body))
        if self.barrier:
            self.barrier.wait()
        reply = self.replies.get(handler.path, Reply(404, ('{"detail":"Not Found"}',), "application/json"))
        time.sleep(reply.delay)
        try:
            handler.send_response(reply.status)
            handler.send_header("Content-Type", reply.content_type)
            handler.end_headers()
            for piece in reply.pieces:
                if isinstance(piece, float):
                    time.sleep(piece)
                else:
                    handler.wfile.write(piece.encode("utf-8"))
                    handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):  # the client went away: that is its right
            pass

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake():
    server = FakeServer()
    yield server
    server.close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000",
        "http://127.0.0.1:8000/",
        "http://127.0.0.1:8000/v1",
        "http://127.0.0.1:8000/v1/",
        " http://127.0.0.1:8000/v1\n",
    ],
)
def test_the_url_may_end_in_v1_or_not(url):
    assert ServerGenerator(url).url == "http://127.0.0.1:8000"


@pytest.mark.parametrize("url", ["127.0.0.1:8000", "ftp://example.org", "", "http://"])
def test_a_url_that_is_not_http_is_refused_at_once(url):
    with pytest.raises(ModelError, match="RAG_LLM_URL must be an http"):
        ServerGenerator(url)


def test_an_unknown_style_is_refused():
    with pytest.raises(ModelError, match="style must be 'completion' or 'chat', got 'instruct'"):
        ServerGenerator("http://127.0.0.1:8000", style="instruct")


def test_events_are_parsed_however_the_stream_is_cut(fake):
    fake.replies["/v1/completions"] = Reply(
        pieces=(
            sse(text("In"), text(" Sucu")),  # two events in one write
            ": ping - 2026-01-01\n\n",  # a comment, as sse-starlette sends to keep the line open
            sse(text("")),  # an empty piece
            'data: {"choices": [{"te',  # one event split across writes, with CRLF line ends
            0.05,
            'xt": "mbios.", "finish_reason": null}]}\r\n\r\n',
            sse(text("", finish="stop"), "[DONE]"),
            sse(text("after the end")),
        )
    )
    generator = ServerGenerator(fake.url + "/v1", name="gemma3-270m")
    pieces = list(generator.stream(PROMPT, max_tokens=64, stop=("\n\n", "Question:")))
    assert pieces == ["In", " Sucu", "mbios."]
    path, body = fake.requests[-1]
    assert path == "/v1/completions"
    assert body == {
        "model": "gemma3-270m",
        "prompt": PROMPT,
        "max_tokens": 64,
        "temperature": 0.0,
        "repeat_penalty": 1.1,
        "stop": ["\n\n", "Question:"],
        "stream": True,
    }


def test_an_event_of_several_data_lines_is_one_event(fake):
    fake.replies["/v1/completions"] = Reply(
        pieces=('data: {"choices":\ndata: [{"text": "Quito"}]}\n\n', sse("[DONE]"))
    )
    assert list(ServerGenerator(fake.url, name="m").stream(PROMPT, max_tokens=8, stop=())) == ["Quito"]


def test_chat_style_sends_one_user_message_and_reads_the_deltas(fake):
    fake.replies["/v1/chat/completions"] = Reply(
        pieces=(
            sse(
                {"choices": [{"delta": {"role": "assistant"}, "finish_reason": None}]},
                {"choices": [{"delta": {"content": "Sucumbios"}, "finish_reason": None}]},
                {"choices": [{"delta": {"content": None}, "finish_reason": None}]},
                {"choices": [{"delta": {}, "finish_reason": "stop"}]},
            ),  # and no [DONE]: a finish_reason is end enough
        )
    )
    generator = ServerGenerator(fake.url, name="smollm2", style="chat")
    prompt, stops = generator.render_chat([{"role": "user", "content": PROMPT}])
    assert (prompt, stops) == (PROMPT, ())
    assert list(generator.stream(prompt, max_tokens=8, stop=("\n\n",))) == ["Sucumbios"]
    path, body = fake.requests[-1]
    assert path == "/v1/chat/completions" and body["messages"] == [{"role": "user", "content": PROMPT}]
    assert "prompt" not in body and body["temperature"] == 0.0 and body["stop"] == ["\n\n"]


def test_a_stream_that_ends_unfinished_is_an_error_not_an_empty_answer(fake):
    # llama_cpp.server does this when the prompt is longer than its context: 200, then nothing.
    fake.replies["/v1/completions"] = Reply(pieces=(sse(text("In")),))
    generator = ServerGenerator(fake.url, name="m", context_tokens=4096)
    with pytest.raises(ModelError, match=r"/v1/completions ended the answer without finishing.*4096"):
        list(generator.stream(PROMPT, max_tokens=8, stop=()))


def test_an_error_event_is_a_model_error(fake):
    fake.replies["/v1/completions"] = Reply(pieces=(sse({"error": {"message": "out of memory"}}),))
    with pytest.raises(ModelError, match=f"{fake.url}/v1/completions failed: out of memory"):
        list(ServerGenerator(fake.url, name="m").stream(PROMPT, max_tokens=8, stop=()))


def test_an_http_error_names_the_url_and_says_what_the_server_said(fake):
    body = '{"error": {"message": "This model\'s maximum context length is 512 tokens."}}'
    fake.replies["/v1/completions"] = Reply(400, (body,), "application/json")
    with pytest.raises(ModelError) as caught:
        list(ServerGenerator(fake.url, name="m").stream(PROMPT, max_tokens=8, stop=()))
    message = str(caught.value)
    assert message == (
        f"the model server at {fake.url}/v1/completions answered 400: "
        "This model's maximum context length is 512 tokens."
    )


def test_a_closed_port_is_one_line_naming_the_url():
    url = f"http://127.0.0.1:{closed_port()}"
    generator = ServerGenerator(url + "/v1", name="m")
    expected = f"cannot reach the model server at {url}: Connection refused (is it running? RAG_LLM_URL)"
    for call in (
        lambda: list(generator.stream(PROMPT, max_tokens=8, stop=())),
        lambda: generator.count_tokens(PROMPT),
        generator.models,
    ):
        with pytest.raises(ModelError) as caught:
            call()
        assert str(caught.value) == expected


def test_a_server_that_stalls_is_given_up_on(fake):
    fake.replies["/v1/completions"] = Reply(delay=2.0)
    fake.replies["/v1/chat/completions"] = Reply(
        pieces=(sse({"choices": [{"delta": {"content": "In"}}]}), 2.0)
    )
    generator = ServerGenerator(fake.url, name="m", read_timeout=0.3)
    started = time.perf_counter()
    with pytest.raises(ModelError, match=f"{fake.url}/v1/completions sent nothing for 0.3 s"):
        list(generator.stream(PROMPT, max_tokens=8, stop=()))
    generator.style = "chat"
    pieces = []
    with pytest.raises(ModelError, match="chat/completions sent nothing for 0.3 s"):
        pieces.extend(generator.stream(PROMPT, max_tokens=8, stop=()))
    assert pieces == ["In"] and time.perf_counter() - started < 1.5


def test_closing_the_stream_early_is_quiet(fake):
    fake.replies["/v1/completions"] = Reply(pieces=(sse(text("In")), 0.2, sse(text(" Quito"), "[DONE]")))
    tokens = ServerGenerator(fake.url, name="m").stream(PROMPT, max_tokens=8, stop=())
    assert next(tokens) == "In"
    tokens.close()  # as the pipeline does once it has the line it wants


def test_concurrent_streams_each_have_their_own_connection(fake):
    fake.replies["/v1/completions"] = Reply(pieces=(sse(text("Quito", "stop"), "[DONE]"),))
    fake.barrier = threading.Barrier(2, timeout=5)  # neither is answered until both are being served
    generator = ServerGenerator(fake.url, name="m")
    results: list[list[str]] = []
    threads = [
        threading.Thread(target=lambda: results.append(list(generator.stream(PROMPT, max_tokens=8, stop=()))))
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert results == [["Quito"], ["Quito"]]


def test_tokens_are_counted_by_the_server_when_it_can(fake):
    fake.replies["/extras/tokenize"] = Reply(
        pieces=('{"tokens": [2, 651, 7839]}',), content_type="application/json"
    )
    generator = ServerGenerator(fake.url, name="m")
    assert generator.count_tokens("The strikes") == 3
    assert fake.requests[-1] == ("/extras/tokenize", {"input": "The strikes"})
    generator.style = "chat"  # the server adds its template's tokens around the message
    assert generator.count_tokens("The strikes") == 3 + CHAT_TEMPLATE_TOKENS


def test_without_a_tokenize_endpoint_tokens_are_over_estimated_and_it_is_asked_once(fake):
    generator = ServerGenerator(fake.url, name="m")  # the fake answers 404 on /extras/tokenize
    for sample in (PROMPT, "a", "70% of 12,345.67 on 2026-03-06"):
        assert generator.count_tokens(sample) > 1.4 * cl100k_tokens(sample)
    assert [path for path, _ in fake.requests] == ["/extras/tokenize"]


def test_an_empty_name_is_the_servers_first_model_asked_once(fake):
    body = '{"object": "list", "data": [{"id": "models/gemma.gguf"}, {"id": "other"}]}'
    fake.replies["/v1/models"] = Reply(pieces=(body,), content_type="application/json")
    generator = ServerGenerator(fake.url)
    assert generator.models() == ["models/gemma.gguf", "other"]
    assert generator.name == "models/gemma.gguf" and generator.name == "models/gemma.gguf"
    assert len(fake.requests) == 2
    assert ServerGenerator(fake.url, name="mine").name == "mine" and len(fake.requests) == 2
