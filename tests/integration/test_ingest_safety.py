"""Ingestion under stress, with real processes, the real embedding model and real Chroma stores: killed
(SIGKILL) at random moments and run again, it leaves exactly what a clean ingest leaves; two ingests at
once do not mix; questions are answered while an ingest runs."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from rag.api import answer, ingest, open_index
from rag.config import Settings
from tests.conftest import CORPUS

pytestmark = pytest.mark.integration

KILLS = 10
DOCS = 40


def make_corpus(folder: Path, docs: int, seed: int = 0) -> Path:
    """``docs`` documents of a few chunks each, made by shuffling the default corpus's sentences."""
    rng = random.Random(seed)
    sentences = [s for f in sorted(CORPUS.glob("*.txt")) for s in f.read_text().split(". ") if len(s) > 40]
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(docs):
        body = ". ".join(rng.sample(sentences, 12))
        (folder / f"doc{i:03d}.txt").write_text(
            f"date 2026-03-{1 + i % 28:02d} Report {i}\nReport number {i}. {body}."
        )
    return folder


def rag_ingest(store: Path, corpus: Path, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "ingest", str(corpus), "--store", str(store), "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def snapshot(store: Path) -> dict:
    """Everything a store holds: vectors with their texts and metadata, manifest, keyword index."""
    index = open_index(Settings(store=store))
    got = index.vectors._collection.get(include=["documents", "metadatas", "embeddings"])
    db = index.manifest._db
    return {
        "vectors": {
            cid: (text, meta, np.asarray(vec))
            for cid, text, meta, vec in zip(
                got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True
            )
        },
        "entries": [(e.doc_id, e.content_hash, e.chunk_ids, e.state) for e in index.manifest.entries()],
        "keyword_rows": sorted(
            db.execute("SELECT chunk_id, doc_id, idx, start, end, text, length FROM chunks").fetchall()
        ),
        "keyword_hits": sorted(c.id for c, _ in index.manifest.search("ecuador", 10_000)),
    }


def assert_same_store(got: dict, clean: dict) -> None:
    assert got["entries"] == clean["entries"]
    assert got["keyword_rows"] == clean["keyword_rows"] and got["keyword_hits"] == clean["keyword_hits"]
    assert set(got["vectors"]) == set(clean["vectors"]), "chunk ids differ: duplicates, orphans or gaps"
    for cid, (text, meta, vec) in clean["vectors"].items():
        got_text, got_meta, got_vec = got["vectors"][cid]
        assert (got_text, got_meta) == (text, meta), cid
        # Embedded in other batches after a crash: equal up to float rounding, not bit for bit.
        assert np.allclose(got_vec, vec, atol=1e-4), cid


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return make_corpus(tmp_path_factory.mktemp("corpus"), DOCS)


@pytest.fixture(scope="module")
def clean(corpus, tmp_path_factory) -> dict:
    """What a clean command-line ingest of ``corpus`` leaves."""
    store = tmp_path_factory.mktemp("clean")
    process = rag_ingest(store, corpus)
    assert process.wait(timeout=600) == 0, process.stderr.read()
    return snapshot(store)


def progress(manifest: Path) -> int:
    """How far a writing process is, read while it writes: documents the manifest lists (announced,
    before their vectors are written) plus those recorded as done (after), so 0 to 2 x DOCS."""
    try:
        with sqlite3.connect(f"file:{manifest}?mode=ro", uri=True, timeout=5) as db:
            listed, done = db.execute(
                "SELECT count(*), count(*) FILTER (WHERE state = 'done') FROM documents"
            ).fetchone()
            return listed + done
    except sqlite3.OperationalError:  # not created yet, or its tables not yet
        return 0


def test_an_ingest_killed_at_random_moments_then_rerun_equals_a_clean_one(corpus, clean, tmp_path):
    rng = random.Random(7)
    states = []
    for kill in range(KILLS):
        store = tmp_path / f"killed{kill}"
        # A random point of the run: before any write (model loading, embedding), while documents are
        # announced, while their vectors are written, or while they are recorded as done.
        target = rng.randrange(2 * DOCS)
        process = rag_ingest(store, corpus)
        while progress(store / "documents.manifest.sqlite3") < target and process.poll() is None:
            time.sleep(0.001)
        time.sleep(rng.uniform(0, 0.03))
        process.send_signal(signal.SIGKILL)
        process.wait()
        states.append(progress(store / "documents.manifest.sqlite3"))
        report = ingest([corpus], store=store)
        assert not report.failed
        assert_same_store(snapshot(store), clean)
    # The moments are worth the name only if they fell at different points of the writing.
    assert len(set(states)) >= 4, f"documents announced + done at each kill: {states}"


def test_two_ingests_at_once_wait_for_each_other(corpus, clean, tmp_path):
    store = tmp_path / "shared"
    first, second = rag_ingest(store, corpus), rag_ingest(store, corpus)
    outputs = [p.communicate(timeout=600) for p in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    assert any("waiting for another ingest" in err for _, err in outputs), outputs
    assert_same_store(snapshot(store), clean)


def test_questions_are_answered_while_an_ingest_runs(corpus, tmp_path):
    """As in the chat window: one process answers while it ingests an upload in another thread."""
    store = tmp_path / "busy"
    ingest([CORPUS], store=store)
    writer = threading.Thread(target=ingest, args=([corpus],), kwargs={"store": store})
    writer.start()
    answers = []
    while writer.is_alive() or not answers:
        got = answer("In which province did the March 6 strikes take place?", store=store, mode="extractive")
        answers.append(got)
    writer.join()
    assert len(answers) >= 3
    assert all(not a.refused and a.sources for a in answers)
    assert len(open_index(Settings(store=store)).documents()) == 5 + DOCS


def test_another_process_answers_while_an_ingest_runs(corpus, tmp_path):
    """As with `rag ask` in one terminal and `rag ingest` in another: the reader's copy of the vectors
    falls behind the writer's, and is read again from disk when it misses a chunk."""
    store = tmp_path / "busy-two-processes"
    ingest([CORPUS], store=store)
    process = rag_ingest(store, corpus)
    answers = []
    while process.poll() is None:
        answers.append(
            answer("In which province did the March 6 strikes take place?", store=store, mode="extractive")
        )
    assert process.returncode == 0
    assert len(answers) >= 3
    assert all(not a.refused and a.sources for a in answers)
