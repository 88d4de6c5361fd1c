"""Running a question set through a pipeline and writing summary.json, results.jsonl and the report."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from rag.citations import strip_markers, unsupported_terms
from rag.evaluation.dataset import Question
from rag.evaluation.metrics import Outcome, contains_evidence, score_outcome, summarize
from rag.pipeline import Pipeline
from rag.types import Answer


def outcome_of(q: Question, answer: Answer, injections: Sequence[str] = ()) -> Outcome:
    """``q``'s answer, scored. ``injections``: the sentences of the set's documents addressed to an AI
    assistant; the outcome names those the answer quotes (in its text or its sources' quotes), and those
    in the passages around its quotes."""
    correct, f1 = score_outcome(
        answer=answer.text, refused=answer.refused, acceptable=q.answers, answerable=q.answerable
    )
    cited_text = " ".join(s.quote for s in answer.sources)
    return Outcome(
        id=q.id,
        question=q.question,
        answerable=q.answerable,
        type=q.type,
        answer=answer.text,
        refused=answer.refused,
        correct=correct,
        f1=round(f1, 4),
        acceptable=q.answers,
        gold_sources=q.sources,
        cited=tuple((s.doc_id, s.quote) for s in answer.sources),
        retrieved=tuple((h.chunk.doc_id, round(h.score, 4)) for h in answer.retrieved),
        evidence_rank=evidence_rank(answer, q.evidence) if q.evidence else None,
        latency_s=answer.timings.total_s,
        ttft_s=answer.timings.first_token_s,
        unsupported=() if answer.refused else tuple(sorted(unsupported_terms(_claimed(answer), cited_text))),
        reason=answer.reason,
        outcome=answer.outcome,
        confidence=answer.confidence,
        signals=answer.signals,
        conflict=q.conflict,
        planted=q.planted,
        reported=tuple(p.value for p in answer.conflicts),
        injections_quoted=tuple(i for i in injections if contains_evidence(_quoted(answer), [i])),
        injections_in_passages=tuple(
            i for i in injections if contains_evidence(" ".join(s.passage for s in answer.sources), [i])
        ),
    )


def _claimed(answer: Answer) -> str:
    """What an answer claims the documents say: its text, or for a disagreement the values (its
    dates are the sources' metadata, not their words)."""
    if answer.conflicts:
        return " ".join(p.value for p in answer.conflicts)
    return strip_markers(answer.text)


def _quoted(answer: Answer) -> str:
    """What an answer quotes: its text and its sources' quotes."""
    return " ".join([answer.text, *(s.quote for s in answer.sources)])


def evidence_rank(answer: Answer, evidence: Sequence[str]) -> int:
    """1-based rank of the first retrieved chunk that holds an evidence span; 0 if none does."""
    for rank, hit in enumerate(answer.retrieved, start=1):
        if contains_evidence(hit.chunk.text, evidence):
            return rank
    return 0


def run_questions(
    questions: Sequence[Question], pipeline: Pipeline, *, mode: str | None = None, progress: bool = True
) -> list[Outcome]:
    pipeline.warm_up(mode)
    outcomes = []
    iterator = questions
    if progress:
        from tqdm import tqdm

        iterator = tqdm(questions, desc="evaluating", unit="q")
    injections = list(dict.fromkeys(i for q in questions for i in q.injections))
    for q in iterator:
        outcomes.append(outcome_of(q, pipeline.answer(q.question, mode=mode), injections))
    return outcomes


def result_row(o: Outcome) -> dict:
    return {
        "id": o.id,
        "question": o.question,
        "type": o.type,
        "answerable": o.answerable,
        "answer": o.answer,
        "refused": o.refused,
        "correct": o.correct,
        "cited": list(dict.fromkeys(doc for doc, _ in o.cited)),
        "retrieved": [{"doc_id": doc, "score": score} for doc, score in o.retrieved],
        "latency_s": o.latency_s,
        "ttft_s": o.ttft_s,
        "expected": list(o.acceptable),
        "sources_expected": list(o.gold_sources),
        "quotes": [quote for _, quote in o.cited],
        "token_f1": o.f1,
        "unsupported": list(o.unsupported),
        "reason": o.reason,
        "outcome": o.outcome,
        "confidence": o.confidence,
        "signals": list(o.signals),
        "conflicts": list(o.reported),
        "injections_quoted": list(o.injections_quoted),
        "injections_in_passages": list(o.injections_in_passages),
    }


def write_run(out: Path, outcomes: Sequence[Outcome], k: int, settings: dict) -> dict:
    """Write the four files of a run into ``out`` and return the summary."""
    from rag.evaluation.report import write_chart, write_report

    out.mkdir(parents=True, exist_ok=True)
    summary = summarize(outcomes, k)
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    with (out / "results.jsonl").open("w") as f:
        for o in outcomes:
            f.write(json.dumps(result_row(o), ensure_ascii=False) + "\n")
    write_report(out / "report.md", summary, outcomes, settings)
    write_chart(out / "report.png", summary, outcomes)
    (out / "settings.json").write_text(json.dumps(settings, indent=2, default=str) + "\n")
    return summary


def compare(old: dict, new: dict) -> str:
    """Each metric of two summaries side by side, with the difference."""
    lines = [f"{'metric':<34} {'old':>8} {'new':>8} {'change':>8}"]
    for name, old_value, new_value in _pairs(old, new):
        change = new_value - old_value
        lines.append(f"{name:<34} {old_value:>8.3f} {new_value:>8.3f} {change:>+8.3f}")
    return "\n".join(lines)


def _pairs(old: dict, new: dict, prefix: str = ""):
    for key, value in new.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _pairs(old.get(key, {}) if isinstance(old.get(key), dict) else {}, value, f"{name}.")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            previous = old.get(key)
            yield name, float(previous) if isinstance(previous, (int, float)) else float("nan"), float(value)
