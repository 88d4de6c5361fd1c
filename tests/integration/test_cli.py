"""The `rag` command as a user runs it: real processes, real store, real model."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

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
