"""Server mode: the same ingest, answers, filters and removal with the vectors on a real Chroma server
(`chroma run` on loopback) instead of the embedded store."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from rag.api import answer, documents, ingest, remove
from tests.conftest import CORPUS
from tests.integration.conftest import free_port

pytestmark = pytest.mark.integration

STRIKES = "004_0d8d2c443041b939.txt"
QUESTION = "In which province did the March 6 strikes take place?"


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory) -> str:
    chroma = Path(sys.executable).parent / "chroma"
    assert chroma.exists() or shutil.which("chroma"), "the chroma command comes with the chromadb package"
    port = free_port()
    log = tmp_path_factory.mktemp("chroma-log") / "server.log"
    with open(log, "w") as out:
        server = subprocess.Popen(
            [
                str(chroma),
                "run",
                "--path",
                str(tmp_path_factory.mktemp("chroma-data")),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2).read()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"chroma server did not start: {log.read_text()[-2000:]}")
            time.sleep(0.2)
    yield url
    server.terminate()
    server.wait(timeout=30)


@pytest.fixture
def on_server(chroma_url, monkeypatch):
    monkeypatch.setenv("RAG_CHROMA_URL", chroma_url)
    return chroma_url


def test_ingest_and_answer_against_a_chroma_server(on_server, tmp_path, corpus_store, monkeypatch):
    store = tmp_path / "local"  # the manifest and keyword index stay here; the vectors go to the server
    first = ingest([CORPUS], store=store, collection="served")
    assert sorted(first.added) == sorted(p.name for p in CORPUS.glob("*.txt"))
    assert not (store / "chroma.sqlite3").exists(), "no embedded store in server mode"
    again = ingest([CORPUS], store=store, collection="served")
    assert len(again.unchanged) == 5 and again.chunks == 0

    got = answer(QUESTION, store=store, collection="served")
    assert not got.refused and STRIKES in [s.doc_id for s in got.sources]
    monkeypatch.delenv("RAG_CHROMA_URL")
    embedded = answer(QUESTION, store=corpus_store)
    assert (got.text, got.sources) == (embedded.text, embedded.sources), "the server changes nothing"
    monkeypatch.setenv("RAG_CHROMA_URL", on_server)

    only_other = answer(
        QUESTION, store=store, collection="served", documents=["001_0ecbb1b3d4e3bd9c.txt"], mode="extractive"
    )
    assert STRIKES not in [s.doc_id for s in only_other.sources]
    assert {h.chunk.doc_id for h in only_other.retrieved} <= {"001_0ecbb1b3d4e3bd9c.txt"}

    chunks = {d.doc_id: d.chunks for d in documents(store=store, collection="served")}
    assert remove(STRIKES, store=store, collection="served") == chunks[STRIKES]
    assert STRIKES not in {d.doc_id for d in documents(store=store, collection="served")}


def test_the_command_line_takes_the_server_url(chroma_url, tmp_path):
    store = tmp_path / "cli"
    base = [sys.executable, "-m", "rag.cli"]
    options = ["--store", str(store), "--chroma-url", chroma_url, "--collection", "served-cli"]
    done = subprocess.run(
        [*base, "ingest", str(CORPUS), *options], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    assert "5 added" in done.stdout
    asked = subprocess.run(
        [*base, "ask", QUESTION, "--mode", "extractive", *options],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert asked.returncode == 0, asked.stderr
    assert STRIKES in asked.stdout


def test_an_unreachable_server_is_one_clear_error(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "rag.cli",
            "ingest",
            str(CORPUS),
            "--store",
            str(tmp_path),
            "--chroma-url",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert f"cannot reach the Chroma server at {url}" in done.stderr
