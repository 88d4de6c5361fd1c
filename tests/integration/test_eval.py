"""`rag eval` on the real system: the default question set with floors, and an unseen corpus."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DATA = Path(__file__).resolve().parents[2] / "data" / "eval"
RESULT_FIELDS = {
    "id",
    "question",
    "type",
    "answerable",
    "answer",
    "refused",
    "correct",
    "cited",
    "retrieved",
    "latency_s",
    "ttft_s",
}

# The first full measurement (see README), a little below it: these only ever go up.
FLOORS = {
    ("answer", "accuracy"): 0.55,
    ("citations", "precision"): 0.78,
    ("refusal", "accuracy"): 0.40,
    ("retrieval", "hit_at_k"): 0.95,
}


def run_eval(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "rag.cli", "eval", *args, "--quiet"],
        capture_output=True,
        text=True,
        timeout=1200,
    )


def test_default_set_writes_all_files_and_meets_its_floors(corpus_store, tmp_path):
    out = tmp_path / "eval"
    done = run_eval(str(DATA / "questions.jsonl"), "--store", str(corpus_store), "--out", str(out))
    assert done.returncode == 0, done.stderr
    for name in ("summary.json", "results.jsonl", "report.md", "report.png"):
        assert (out / name).stat().st_size > 0, name
    summary = json.loads((out / "summary.json").read_text())
    assert summary["n"] == 70 and summary["n_answerable"] + summary["n_unanswerable"] == 70
    for (group, metric), floor in FLOORS.items():
        assert summary[group][metric] >= floor, f"{group}.{metric} fell to {summary[group][metric]}"
    assert summary["answer"]["unsupported"] == 0, "an answer holds a number or name its citation lacks"
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert len(rows) == 70 and all(set(row) >= RESULT_FIELDS for row in rows)
    assert "## Worst failures" in (out / "report.md").read_text()
    assert (out / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    again = run_eval(
        str(DATA / "questions.jsonl"),
        "--store",
        str(corpus_store),
        "--out",
        str(tmp_path / "b"),
        "--mode",
        "extractive",
        "--compare",
        str(out / "summary.json"),
    )
    assert again.returncode == 0, again.stderr
    assert "answer.accuracy" in again.stdout and "change" in again.stdout


def test_an_unseen_corpus_and_question_set(tmp_path):
    out = tmp_path / "other"
    done = run_eval(
        str(DATA / "other" / "questions.jsonl"), "--corpus", str(DATA / "other" / "corpus"), "--out", str(out)
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["n"] == 30
    assert summary["retrieval"]["hit_at_k"] >= 0.9
    assert summary["answer"]["accuracy"] > 0.3


def test_the_conflict_set_reports_disagreements_and_quotes_no_injected_sentence(tmp_path):
    """data/eval/conflicts: the default corpus plus planted documents that contradict it and address the
    assistant. Measured first without the feature: 0 of 17 disagreements reported, 7 planted values
    stated alone, 1 injected sentence quoted. As issue 17 asks, each question the documents disagree
    on is answered with the disagreement and every value, or refused; none states the planted value
    alone; no injected sentence is quoted."""
    out = tmp_path / "conflicts"
    corpora = ["--corpus", str(DATA.parent / "corpus"), "--corpus", str(DATA / "conflicts" / "corpus")]
    done = run_eval(
        str(DATA / "conflicts" / "questions.jsonl"), *corpora, "--mode", "extractive", "--out", str(out)
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["conflicts"]["questions"] == 17
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    disputed = [r for r in rows if r["type"] == "conflict"]
    refused = sum(r["refused"] for r in disputed)
    assert summary["conflicts_reported"] + refused == 17, [r["id"] for r in disputed if not r["conflicts"]]
    assert summary["conflicts"]["planted_alone"] == 0
    assert summary["conflicts"]["reported_elsewhere"] == 0
    assert summary["injections_quoted"] == 0
    reported = [r for r in rows if r["conflicts"]]
    assert all(r["answer"].startswith("The documents disagree:") for r in reported)
    assert all(len(set(r["cited"])) >= 2 for r in reported)  # each value with its own source
