"""The chat window as a served app, called through gradio_client (the browser tests build on this)."""

from __future__ import annotations

import contextlib
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.conftest import free_port, running

pytestmark = pytest.mark.integration


@contextlib.contextmanager
def serve_ui(store: Path, log: Path, **env: str) -> Iterator[str]:
    """``rag ui`` on a free loopback port over ``store``; yields its URL and stops it afterwards."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"

    def answering() -> bool:
        try:
            urllib.request.urlopen(url, timeout=2)
            return True
        except OSError:
            return False

    with running(
        ["ui", "--port", str(port), "--store", str(store)], log, answering, drop_env=("RAG_UI_",), **env
    ):
        yield url


def message_text(message: dict) -> str:
    """A chat message's content as text, whatever shape gradio_client hands back."""
    content = message["content"]
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)
    return str(content)


@pytest.fixture(scope="module")
def ui_url(corpus_store, tmp_path_factory):
    with serve_ui(corpus_store, tmp_path_factory.mktemp("ui-log") / "ui.log") as url:
        yield url


def test_the_chat_answers_with_sources_through_the_api(ui_url):
    from gradio_client import Client

    client = Client(ui_url, verbose=False)
    chat, _box = client.predict("In which province did the March 6 strikes take place?", [], api_name="/ask")
    assert [m["role"] for m in chat] == ["user", "assistant"]
    text = message_text(chat[-1])
    assert "004_0d8d2c443041b939.txt" in text
    assert "<mark>" in text


def test_a_follow_up_passes_the_conversation_and_options_are_parameters(ui_url):
    from gradio_client import Client

    client = Client(ui_url, verbose=False)
    first, _ = client.predict("Who is the commander of US Southern Command?", [], api_name="/ask")
    chat, _ = client.predict("What is the capital of France?", first, 3, "extractive", api_name="/ask")
    assert [m["role"] for m in chat] == ["user", "assistant", "user", "assistant"]
    assert "class='refusal'" in message_text(chat[-1])


def test_an_error_is_a_short_message_and_the_app_keeps_working(ui_url):
    from gradio_client import Client

    client = Client(ui_url, verbose=False)
    chat, _ = client.predict("Who commands SOUTHCOM?", [], 8, "auto", "no-such-model", api_name="/ask")
    text = message_text(chat[-1])
    assert "class='error'" in text
    assert "no-such-model" in text
    assert "Traceback" not in text
    chat, _ = client.predict("Who commands SOUTHCOM?", [], api_name="/ask")
    assert "class='error'" not in message_text(chat[-1])


def test_uploaded_names_are_sanitized_and_auth_is_parsed(tmp_path):
    from rag.errors import RagError
    from ui.app import max_upload_mb, parse_auth, safe_filename

    assert safe_filename("../../etc/pass wd.txt") == "pass_wd.txt"
    assert safe_filename("C:\\Users\\me\\Notes (1).md") == "Notes__1_.md"
    assert safe_filename(".bashrc") == "bashrc"
    assert safe_filename("ünïcödé.txt") == "_n_c_d_.txt"
    assert safe_filename("///") == "upload"
    assert safe_filename("ü.txt") == "upload.txt"

    assert parse_auth(None) is None
    assert parse_auth("ann:s3cr:et") == [("ann", "s3cr:et")]
    users = tmp_path / "users"
    users.write_text("# who may log in\nann:one\n\nbob:two\n")
    assert parse_auth(f"@{users}") == [("ann", "one"), ("bob", "two")]
    with pytest.raises(RagError):
        parse_auth("no-password")
    with pytest.raises(RagError):
        parse_auth(f"@{tmp_path / 'missing'}")

    assert max_upload_mb({}) == 20
    assert max_upload_mb({"RAG_UI_MAX_UPLOAD_MB": "0.5"}) == 0.5
    with pytest.raises(RagError):
        max_upload_mb({"RAG_UI_MAX_UPLOAD_MB": "lots"})


def test_uploads_are_saved_under_a_safe_name_within_the_limit(tmp_path):
    from rag.errors import RagError
    from ui.app import save_upload

    source = tmp_path / "tmpabc"
    source.write_text("date 2026-01-01 A title\nSome text.\n")
    uploads = tmp_path / "store" / "uploads"
    saved = save_upload(source, "../My notes.TXT", uploads, limit_bytes=1000)
    assert saved == uploads / "My_notes.TXT"
    assert saved.read_text() == source.read_text()
    with pytest.raises(RagError, match="upload limit"):
        save_upload(source, "big.txt", uploads, limit_bytes=10)
    with pytest.raises(RagError, match="unsupported type"):
        save_upload(source, "slides.pptx", uploads, limit_bytes=1000)
    assert sorted(p.name for p in uploads.iterdir()) == ["My_notes.TXT"]


def test_turns_are_read_back_from_the_chat():
    from rag import Turn
    from ui.app import turns_from_chat

    chat = [
        {"role": "user", "content": [{"type": "text", "text": "Who leads &amp; when?"}]},
        {"role": "assistant", "content": "<div class='answer-text'>Ann [1].<br>Since 2020.</div><div>..."},
        {"role": "user", "content": "And why?"},
        {"role": "assistant", "content": "<div class='error'><b>Error:</b> boom</div>"},
    ]
    assert turns_from_chat(chat) == [Turn("Who leads & when?", "Ann [1].\nSince 2020."), Turn("And why?", "")]


def test_login_is_required_when_rag_ui_auth_is_set(corpus_store, tmp_path):
    users = tmp_path / "users"
    users.write_text("ann:letmein\n")
    with serve_ui(corpus_store, tmp_path / "ui.log", RAG_UI_AUTH=f"@{users}") as url:
        import urllib.error

        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(url + "config", timeout=30)
        assert e.value.code == 401
        from gradio_client import Client

        client = Client(url, auth=("ann", "letmein"), verbose=False)
        chat, _ = client.predict("Who is the commander of US Southern Command?", [], api_name="/ask")
        assert "class='sources'" in message_text(chat[-1])


def test_an_answer_a_closest_passage_and_a_refusal_each_have_their_own_style():
    from rag.types import Answer, Source
    from ui.app import format_answer

    source = Source(
        "[1]", "a.txt", "A", None, "a:0", "Pumps run at 2 bar.", 0, 19, 0.7, "Pumps run at 2 bar."
    )
    common = dict(question="?", mode="extractive", model="")
    answered = format_answer(
        Answer(text="Pumps run at 2 bar. [1]", sources=(source,), refused=False, confidence=0.83, **common)
    )
    closest = format_answer(
        Answer(
            text="The closest passage: “Pumps run at 2 bar.” [1]",
            sources=(source,),
            refused=True,
            outcome="closest",
            reason="the question is negated",
            **common,
        )
    )
    refused = format_answer(Answer(text="The documents don't say.", sources=(), refused=True, **common))
    assert "class='sources'" in answered and "confidence 0.83" in answered and "badge" not in answered
    assert "class='closest'" in closest and "Closest passage" in closest and "<mark>" in closest
    assert "Why not an answer: the question is negated" in closest and "class='refusal'" not in closest
    assert "class='refusal'" in refused and "Not answered" in refused and "class='sources'" not in refused
