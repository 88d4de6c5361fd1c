"""The `rag` command as a user runs it: real processes, real store, real model."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import CORPUS

pytestmark = pytest.mark.integration


def rag(*args: str, env_store=None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "rag.cli", *args]
    if env_store is not None:
        cmd += ["--store", str(env_store)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


def test_ask_json_cites_the_strikes_article(corpus_store):
    done = rag(
        "ask", "--json", "In which province did the March 6 strikes take place?", env_store=corpus_store
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert "004_0d8d2c443041b939.txt" in [s["doc_id"] for s in result["sources"]]
    assert set(result) >= {"text", "sources", "refused", "timings"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", "   "], "question is empty"),
        (["ask", "Where?", "--model", "no-such-model"], "unknown model 'no-such-model'"),
        (["ask", "Where?", "--k", "0"], "k must be at least 1"),
        (["ingest", "/no/such/folder"], "no such file or folder"),
        (["eval", "/no/such/questions.jsonl"], "cannot read question set"),
    ],
)
def test_errors_are_one_clear_line(corpus_store, args, message):
    done = rag(*args, env_store=corpus_store)
    assert done.returncode == 1
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_missing_store_names_the_command_that_fixes_it(tmp_path):
    done = rag("ask", "Where?", env_store=tmp_path / "nothing")
    assert done.returncode == 1 and "rag ingest" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("command", [[], ["ingest"], ["ask"], ["models"], ["eval"], ["ui"]])
def test_help_explains_each_command(command):
    done = subprocess.run(
        [sys.executable, "-m", "rag.cli", *command, "--help"], capture_output=True, text=True
    )
    assert done.returncode == 0 and "usage: rag" in done.stdout


def test_models_list_shows_the_catalog():
    done = rag("models", "list")
    assert done.returncode == 0
    assert "gemma3-270m" in done.stdout and "smollm2-135m" in done.stdout


def test_ingest_sync_list_remove_and_reindex(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("001_5db5e4aeedc66a77.txt", "004_0d8d2c443041b939.txt"):
        (docs / name).write_bytes((CORPUS / name).read_bytes())
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    (docs / "picture.png").write_bytes(b"\x89PNG")
    store = ["--store", str(tmp_path / "store")]

    done = rag("ingest", str(docs), *store)
    assert done.returncode == 1, "a failed file makes the exit status non-zero"
    assert "2 added" in done.stdout and "1 failed" in done.stdout
    assert f"rag: failed: {docs / 'broken.pdf'}: corrupt PDF" in done.stderr
    assert f"skipped (unsupported type): {docs / 'picture.png'}" in done.stderr
    (docs / "broken.pdf").unlink()

    listed = rag("list", "--json", *store)
    chunks = {d["doc_id"]: d["chunks"] for d in json.loads(listed.stdout)}
    assert set(chunks) == {"001_5db5e4aeedc66a77.txt", "004_0d8d2c443041b939.txt"}

    (docs / "001_5db5e4aeedc66a77.txt").unlink()
    synced = rag("sync", str(docs), *store)
    assert synced.returncode == 0 and "1 removed" in synced.stdout and "1 unchanged" in synced.stdout

    smaller = {**os.environ, "RAG_CHUNK_TOKENS": "80", "RAG_CHUNK_OVERLAP": "16"}
    refused = subprocess.run(
        [sys.executable, "-m", "rag.cli", "ingest", str(docs), *store],
        capture_output=True,
        text=True,
        env=smaller,
    )
    assert refused.returncode == 1 and "run `rag reindex`" in refused.stderr
    rebuilt = subprocess.run(
        [sys.executable, "-m", "rag.cli", "reindex", *store], capture_output=True, text=True, env=smaller
    )
    assert rebuilt.returncode == 0, rebuilt.stderr
    after = {d["doc_id"]: d["chunks"] for d in json.loads(rag("list", "--json", *store).stdout)}
    assert set(after) == {"004_0d8d2c443041b939.txt"}
    assert after["004_0d8d2c443041b939.txt"] > chunks["004_0d8d2c443041b939.txt"], (
        "smaller chunks, more of them"
    )

    removed = rag("remove", "004_0d8d2c443041b939.txt", "nope.txt", *store)
    assert removed.returncode == 1 and "removed 004_0d8d2c443041b939.txt" in removed.stdout
    assert "no document 'nope.txt'" in removed.stderr
