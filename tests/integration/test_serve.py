"""``rag serve`` as a team uses it: a real server process on loopback, the official ``openai`` client,
curl, ``rag ask --server``, and bad input that must be refused without writing anything.

Most tests run the server with ``--mode extractive`` (no generator: fast); two use the real GGUF.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx
import pytest

from tests.integration.serving import files_under, serve

pytestmark = pytest.mark.integration

KESTREL = (
    "# Kestrel project\n\nThe code word of the Kestrel project is zumbrafox. It started in 2019 in Tromso.\n"
)
HERON = "The Heron bridge was finished in 1988 and is 412 metres long. Its architect was Ilse Varnhagen.\n"
OSPREY = "The Osprey canal opened in 1901 and carries barges of quarrelstone between two lakes.\n"
ERROR_KEYS = {"message", "type", "param", "code"}


def setup_team(server) -> None:
    """alice owns alpha-docs (carol may read it), bob owns bravo-docs; documents uploaded by the owners."""
    for name in ("alice", "bob", "carol"):
        server.add_user(name)
    server.accounts.create_workspace("alpha-docs", "alice")
    server.accounts.create_workspace("bravo-docs", "bob")
    server.accounts.grant("alpha-docs", "carol", "reader")
    for owner, workspace, name, text in [
        ("alice", "alpha-docs", "kestrel.md", KESTREL),
        ("alice", "alpha-docs", "heron.txt", HERON),
        ("bob", "bravo-docs", "osprey.txt", OSPREY),
    ]:
        done = server.upload(owner, workspace, name, text)
        assert done.status_code == 201, done.text


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve")
    with serve(
        folder / "store", folder / "serve.log", "--mode", "extractive", RAG_UI_MAX_UPLOAD_MB="1"
    ) as server:
        setup_team(server)
        yield server


def openai_client(server, user: str):
    from openai import OpenAI

    return OpenAI(base_url=server.url + "/v1", api_key=server.keys[user], max_retries=0)


def test_the_openai_client_gets_the_answer_with_its_sources_in_the_extra_field(team):
    done = openai_client(team, "carol").chat.completions.create(
        model="alpha-docs",
        messages=[{"role": "user", "content": "What is the code word of the Kestrel project?"}],
    )
    message = done.choices[0].message
    assert done.object == "chat.completion" and done.model == "alpha-docs"
    assert done.choices[0].finish_reason == "stop"
    assert "zumbrafox" in message.content and "[1]" in message.content
    extra = message.model_extra["rag"]
    assert extra["refused"] is False and extra["outcome"] == "answer" and "confidence" in extra
    source = extra["sources"][0]
    assert (
        source["label"] == "[1]" and source["doc_id"] == "kestrel.md" and source["title"] == "Kestrel project"
    )
    assert "zumbrafox" in source["quote"] and source["section"] == "Kestrel project"
    assert source["end"] - source["start"] == len(source["quote"])
    assert {"date", "page", "passage", "score"} <= set(source)


def test_the_openai_client_streams_pieces_then_the_sources_in_the_last_chunk(team):
    stream = openai_client(team, "alice").chat.completions.create(
        model="alpha-docs",
        messages=[
            {"role": "user", "content": "What is the code word of the Kestrel project?"},
            {"role": "assistant", "content": "The code word of the Kestrel project is zumbrafox [1]."},
            {"role": "user", "content": "How long is the Heron bridge?"},
        ],
        stream=True,
    )
    chunks = list(stream)
    assert all(c.object == "chat.completion.chunk" and c.model == "alpha-docs" for c in chunks)
    assert len({c.id for c in chunks}) == 1
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert "412 metres" in text
    last = chunks[-1].choices[0]
    assert last.finish_reason == "stop"
    assert [s["doc_id"] for s in last.delta.model_extra["rag"]["sources"]] == ["heron.txt"]
    assert all(c.choices[0].finish_reason is None for c in chunks[:-1])


def test_models_are_the_workspaces_the_key_may_read(team):
    assert [m.id for m in openai_client(team, "carol").models.list()] == ["alpha-docs"]
    assert [m.id for m in openai_client(team, "bob").models.list()] == ["bravo-docs"]
    owners = {m.id: m.owned_by for m in openai_client(team, "alice").models.list()}
    assert owners == {"alpha-docs": "alice"}


def test_curl_asks_plain_and_streaming(team, curl):
    def post(body: dict) -> str:
        done = subprocess.run(
            [curl, "-sS", "--fail-with-body", "-N", f"{team.url}/v1/chat/completions",
             "-H", f"Authorization: Bearer {team.keys['bob']}", "-H", "Content-Type: application/json",
             "-d", json.dumps(body)],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    question = {
        "model": "bravo-docs",
        "messages": [{"role": "user", "content": "When did the Osprey canal open?"}],
    }
    plain = json.loads(post(question))
    assert "1901" in plain["choices"][0]["message"]["content"]
    assert plain["choices"][0]["message"]["rag"]["sources"][0]["doc_id"] == "osprey.txt"

    events = post({**question, "stream": True}).strip().split("\n\n")
    assert all(e.startswith("data: ") for e in events) and events[-1] == "data: [DONE]"
    chunks = [json.loads(e[len("data: ") :]) for e in events[:-1]]
    assert "1901" in "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert chunks[-1]["choices"][0]["delta"]["rag"]["sources"][0]["doc_id"] == "osprey.txt"

    bearer = f"Authorization: Bearer {team.keys['bob']}"
    listed = subprocess.run(
        [curl, "-sS", f"{team.url}/v1/workspaces/bravo-docs/documents", "-H", bearer],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert [d["id"] for d in json.loads(listed.stdout)["data"]] == ["osprey.txt"]


def test_rag_ask_through_the_server_prints_what_a_local_ask_prints(team):
    question = "Who was the architect of the Heron bridge?"
    base = [sys.executable, "-m", "rag.cli", "ask", question, "--collection", "alpha-docs"]
    env = {**os.environ, "RAG_API_KEY": team.keys["carol"]}
    remote = subprocess.run(
        [*base, "--server", team.url], capture_output=True, text=True, env=env, timeout=120
    )
    local = subprocess.run(
        [*base, "--store", str(team.store), "--mode", "extractive"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert remote.returncode == 0 and local.returncode == 0, remote.stderr + local.stderr
    assert "Ilse Varnhagen" in remote.stdout and "heron.txt" in remote.stdout
    assert remote.stdout == local.stdout

    as_json = subprocess.run(
        [*base, "--json"],
        capture_output=True,
        text=True,
        env={**env, "RAG_SERVER_URL": team.url},
        timeout=120,
    )
    answer = json.loads(as_json.stdout)
    assert answer["sources"][0]["doc_id"] == "heron.txt" and answer["refused"] is False

    denied = subprocess.run(
        [*base[:-1], "bravo-docs", "--server", team.url], capture_output=True, text=True, env=env, timeout=60
    )
    assert denied.returncode == 1 and "Traceback" not in denied.stderr
    assert denied.stderr.strip() == (
        f"rag: error: {team.url}: carol may not read workspace 'bravo-docs' (HTTP 403)"
    )


def _chat(question: str = "When did the Osprey canal open?", model: str = "bravo-docs") -> dict:
    return {"model": model, "messages": [{"role": "user", "content": question}]}


def _multipart(name: bytes, content: bytes = b"A short note about herons.\n") -> tuple[bytes, str]:
    """A multipart body with a raw file name (httpx would not send a NUL in one)."""
    boundary = "rag-test-boundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="'.encode()
        + name
        + b'"\r\nContent-Type: text/plain\r\n\r\n'
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def _case(user, method, path, status, code=None, **options):
    return (user, method, path, options, status, code)


CHAT = "/v1/chat/completions"
BRAVO = "/v1/workspaces/bravo-docs/documents"
NUL_BODY, NUL_TYPE = _multipart(b"evil\x00.txt")
JSON = {"Content-Type": "application/json"}
BAD_REQUESTS = {
    "no key": _case(None, "POST", CHAT, 401, "missing_api_key", json=_chat()),
    "wrong key": _case("wrong", "POST", CHAT, 401, "invalid_api_key", json=_chat()),
    "unknown workspace": _case("bob", "POST", CHAT, 404, "model_not_found", json=_chat(model="nowhere")),
    "someone else's workspace": _case("carol", "POST", CHAT, 403, "forbidden", json=_chat()),
    "bad workspace name": _case("bob", "GET", "/v1/workspaces/-bad-/documents", 400, "invalid_workspace"),
    "invalid JSON": _case("bob", "POST", CHAT, 400, content=b'{"model": "bravo-docs", ', headers=JSON),
    "no messages": _case("bob", "POST", CHAT, 400, json={"model": "bravo-docs"}),
    "empty question": _case("bob", "POST", CHAT, 400, json=_chat("   ")),
    "1 MB question": _case("bob", "POST", CHAT, 413, "too_large", json=_chat("why " * 250_000)),
    "wrong content type": _case(
        "bob", "POST", CHAT, 415, content=json.dumps(_chat()), headers={"Content-Type": "text/plain"}
    ),
    "upload over the limit": _case(
        "bob", "POST", BRAVO, 413, "too_large", files={"file": ("big.txt", b"word " * 300_000, "text/plain")}
    ),
    "upload named ../": _case(
        "bob", "POST", BRAVO, 400, files={"file": ("../../evil.txt", b"A note.\n", "text/plain")}
    ),
    "upload named with NUL": _case(
        "bob", "POST", BRAVO, 400, content=NUL_BODY, headers={"Content-Type": NUL_TYPE}
    ),
    "upload not multipart": _case("bob", "POST", BRAVO, 415, json={"file": "A note."}),
    "upload of an unread type": _case(
        "bob", "POST", BRAVO, 415, files={"file": ("tool.exe", b"MZ\x90\x00", "application/octet-stream")}
    ),
    "upload by a reader": _case(
        "carol",
        "POST",
        "/v1/workspaces/alpha-docs/documents",
        403,
        "forbidden",
        files={"file": ("note.txt", b"A note.\n", "text/plain")},
    ),
    "removal by a reader": _case(
        "carol", "DELETE", "/v1/workspaces/alpha-docs/documents/heron.txt", 403, "forbidden"
    ),
    "removal of nothing": _case("bob", "DELETE", f"{BRAVO}/nothing.txt", 404, "document_not_found"),
    "unknown endpoint": _case("bob", "GET", "/v1/embeddings", 404, "unknown_url"),
}


@pytest.mark.parametrize("case", list(BAD_REQUESTS), ids=list(BAD_REQUESTS))
def test_bad_input_gets_its_status_and_an_openai_error_and_nothing_is_written(team, case):
    user, method, path, options, status, code = BAD_REQUESTS[case]
    headers = {"Authorization": f"Bearer {team.keys.get(user, 'rag-not-a-key')}"} if user else {}
    options = dict(options)
    headers |= options.pop("headers", {})
    before = files_under(team.store / "uploads"), _documents(team)
    with httpx.Client(base_url=team.url, timeout=120) as http:
        done = http.request(method, path, headers=headers, **options)
        assert done.status_code == status, done.text
        error = done.json()["error"]
        assert set(error) == ERROR_KEYS and error["message"] and "Traceback" not in error["message"]
        assert "\n" not in error["message"]
        if code:
            assert error["code"] == code
        assert (files_under(team.store / "uploads"), _documents(team)) == before
        assert http.get("/health").status_code == 200
    assert team.proc.poll() is None


def _documents(server) -> dict[str, list[str]]:
    found = {}
    for user, workspace in (("alice", "alpha-docs"), ("bob", "bravo-docs")):
        with server.client(user) as http:
            found[workspace] = [
                d["id"] for d in http.get(f"/v1/workspaces/{workspace}/documents").json()["data"]
            ]
    return found


def test_an_editor_uploads_and_removes_and_then_the_answer_changes(team):
    team.accounts.grant("bravo-docs", "carol", "editor")
    try:
        done = team.upload(
            "carol", "bravo-docs", "plover notes.txt", "The Plover lighthouse is painted teal.\n"
        )
        assert done.status_code == 201 and done.json()["data"][0] == {
            "id": "plover_notes.txt",
            "status": "added",
            "summary": "1 added, 0 updated, 0 unchanged, 0 removed, 0 failed (1 chunks embedded)",
        }
        assert (team.store / "uploads" / "bravo-docs" / "plover_notes.txt").is_file()
        with team.client("carol") as http:
            answer = http.post(
                "/v1/chat/completions", json=_chat("What colour is the Plover lighthouse?")
            ).json()
            assert "teal" in answer["choices"][0]["message"]["content"]
            gone = http.delete("/v1/workspaces/bravo-docs/documents/plover_notes.txt")
            assert gone.status_code == 200 and gone.json()["deleted"] is True
            answer = http.post(
                "/v1/chat/completions", json=_chat("What colour is the Plover lighthouse?")
            ).json()
            assert "teal" not in json.dumps(answer)
        assert not (team.store / "uploads" / "bravo-docs" / "plover_notes.txt").exists()
    finally:
        team.accounts.revoke("bravo-docs", "carol")


def test_a_corrupt_file_is_refused_with_the_ingest_error_line(team):
    done = httpx.post(
        f"{team.url}/v1/workspaces/bravo-docs/documents",
        headers={"Authorization": f"Bearer {team.keys['bob']}"},
        files={"file": ("broken.pdf", b"%PDF-1.4 garbage", "application/pdf")},
        timeout=120,
    )
    assert done.status_code == 400
    assert done.json()["error"]["message"].startswith("broken.pdf: corrupt PDF")
    assert not (team.store / "uploads" / "bravo-docs" / "broken.pdf").exists()


def test_serving_a_network_address_with_no_users_is_refused(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "rag.cli", "serve", "--host", "0.0.0.0", "--store", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rag: error: refusing to serve on 0.0.0.0 with no users")


def test_with_no_users_the_local_user_needs_no_key(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "heron.txt").write_text(HERON)
    ingested = subprocess.run(
        [sys.executable, "-m", "rag.cli", "ingest", str(docs), "--store", str(tmp_path / "store"), "--quiet"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ingested.returncode == 0, ingested.stderr
    with (
        serve(tmp_path / "store", tmp_path / "serve.log", "--mode", "extractive") as server,
        server.client() as http,
    ):
        assert [m["id"] for m in http.get("/v1/models").json()["data"]] == ["documents"]
        answer = http.post("/v1/chat/completions", json=_chat("How long is the Heron bridge?", "documents"))
        assert "412 metres" in answer.json()["choices"][0]["message"]["content"]
        assert http.get("/").status_code == 200, "the chat window, without a login"
        server.add_user("dora")  # from now on, keys are needed
        assert http.get("/v1/models").status_code == 401


# -- the real generator -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generating(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve-gguf")
    with serve(folder / "store", folder / "serve.log") as server:
        server.add_user("alice")
        server.accounts.create_workspace("alpha-docs", "alice")
        for name, text in (("kestrel.md", KESTREL), ("heron.txt", HERON)):
            assert server.upload("alice", "alpha-docs", name, text).status_code == 201
        yield server


def test_the_generator_answers_through_the_openai_client(generating):
    done = openai_client(generating, "alice").chat.completions.create(
        model="alpha-docs",
        messages=[{"role": "user", "content": "Who was the architect of the Heron bridge?"}],
    )
    extra = done.choices[0].message.model_extra["rag"]
    assert extra["mode"] == "auto" and extra["model"] == "gemma3-270m"
    assert done.choices[0].message.content.strip()
    assert not extra["refused"] and "heron.txt" in [s["doc_id"] for s in extra["sources"]]


def test_the_generator_streams_through_the_openai_client(generating):
    chunks = list(
        openai_client(generating, "alice").chat.completions.create(
            model="alpha-docs",
            messages=[{"role": "user", "content": "What is the code word of the Kestrel project?"}],
            stream=True,
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    extra = chunks[-1].choices[0].delta.model_extra["rag"]
    assert text.strip() and extra["model"] == "gemma3-270m"
    assert not extra["refused"] and "kestrel.md" in [s["doc_id"] for s in extra["sources"]]
