"""Scoring answers, citations, refusals and retrieval against a question set. Pure functions."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rag.text import NUMBER_WORDS, fold

_MARKERS = re.compile(r"\[\d+\]")
_ARTICLES = frozenset({"a", "an", "the"})
_TENS = {"20", "30", "40", "50", "60", "70", "80", "90"}


def answer_tokens(text: str) -> list[str]:
    """Normalized words: case, accents, punctuation and articles dropped, number words as digits.

    "The seventy-five percent." -> ["75", "percent"]; "U.S." -> ["us"]; "1,200" -> ["1200"].
    """
    text = fold(_MARKERS.sub(" ", text))
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)  # 1,200 -> 1200
    text = re.sub(r"(?<!\d)\.|\.(?!\d)", "", text)  # U.S. -> US, but 3.5 stays
    text = text.replace("%", " percent ").replace("per cent", "percent")
    tokens = [t for t in re.split(r"[^\w.]+", text) if t and t not in _ARTICLES]
    tokens = [NUMBER_WORDS.get(t, t) if NUMBER_WORDS.get(t, "").isdigit() else t for t in tokens]
    merged: list[str] = []
    for t in tokens:  # "seventy five" -> 75
        if merged and merged[-1] in _TENS and t.isdigit() and len(t) == 1 and t != "0":
            merged[-1] = str(int(merged[-1]) + int(t))
        else:
            merged.append(t)
    return merged


def contains_answer(text: str, acceptable: Sequence[str]) -> bool:
    """Whether any acceptable answer occurs in ``text`` as whole words, after normalization."""
    got = answer_tokens(text)
    for answer in acceptable:
        want = answer_tokens(answer)
        if want and any(got[i : i + len(want)] == want for i in range(len(got) - len(want) + 1)):
            return True
    return False


def token_f1(text: str, acceptable: Sequence[str]) -> float:
    """Best SQuAD-style token F1 of ``text`` against any acceptable answer."""
    got = Counter(answer_tokens(text))
    best = 0.0
    for answer in acceptable:
        want = Counter(answer_tokens(answer))
        common = sum((got & want).values())
        if common:
            precision, recall = common / sum(got.values()), common / sum(want.values())
            best = max(best, 2 * precision * recall / (precision + recall))
    return best


def _squash(text: str) -> str:
    """Without whitespace, the " | " between a table row's cells, or Markdown's code backticks and
    emphasis asterisks: a span copied from a file's source matches however a reader laid its row out
    and whatever markup it dropped ("| `ping` | 15 |" is the row "ping | 15")."""
    return re.sub(r"[\s|`*]+", "", text)


def contains_evidence(chunk_text: str, evidence: Sequence[str]) -> bool:
    """Whether any evidence span appears in the chunk, whitespace ignored."""
    squashed = _squash(chunk_text)
    return any(_squash(span) in squashed for span in evidence if span.strip())


def ranked_documents(retrieved: Sequence[tuple[str, float]]) -> list[str]:
    """Document ids in rank order, each once."""
    return list(dict.fromkeys(doc_id for doc_id, _ in retrieved))


@dataclass(frozen=True)
class Outcome:
    """One question's result, as scored. ``cited`` holds ``(doc_id, quote)`` per citation;
    ``retrieved`` ``(doc_id, score)`` per retrieved chunk, in rank order."""

    id: str
    question: str
    answerable: bool
    type: str
    answer: str
    refused: bool
    correct: bool
    f1: float
    acceptable: tuple[str, ...]
    gold_sources: tuple[str, ...]
    cited: tuple[tuple[str, str], ...]
    retrieved: tuple[tuple[str, float], ...]
    evidence_rank: int | None
    """Rank of the first retrieved chunk holding an evidence span: 0 if none does, None without spans."""
    latency_s: float
    ttft_s: float
    unsupported: tuple[str, ...] = ()
    reason: str = ""
    outcome: str = "answer"
    """"answer", "closest" (a passage shown as the closest, counted as not answered) or "refusal"."""
    confidence: float | None = None
    signals: tuple[float, ...] = ()
    conflict: tuple[str, ...] = ()
    """The values the documents disagree about (from the question set), if they do."""
    planted: str = ""
    reported: tuple[str, ...] = ()
    """The values the answer reported as the documents' disagreement."""
    injections_quoted: tuple[str, ...] = ()
    """Sentences addressed to an AI assistant (from the question set) the answer quotes."""
    injections_in_passages: tuple[str, ...] = ()
    """... and those in the passages around its quotes (shown when a source is opened)."""

    @property
    def conflict_reported(self) -> bool:
        """A disagreement reported, with each of the values the documents give."""
        return bool(self.reported) and all(contains_answer(self.answer, [v]) for v in self.conflict)

    @property
    def planted_alone(self) -> bool:
        """The planted value stated as the answer, no disagreement reported."""
        return (
            bool(self.planted)
            and not self.refused
            and not self.reported
            and contains_answer(self.answer, [self.planted])
        )

    @property
    def retrieved_docs(self) -> list[str]:
        return ranked_documents(self.retrieved)

    @property
    def points(self) -> int:
        """+1 right (a correct answer, or a refusal of an unanswerable question), 0 a refusal of an
        answerable one, -1 wrong (a wrong answer, or any answer to an unanswerable question)."""
        if not self.answerable:
            return 1 if self.refused else -1
        if self.refused:
            return 0
        return 1 if self.correct else -1


def score_outcome(
    *,
    answer: str,
    refused: bool,
    acceptable: Sequence[str],
    answerable: bool,
) -> tuple[bool, float]:
    """``(correct, token_f1)`` of one answer. A refusal is never a correct answer."""
    if refused or not answerable:
        return False, 0.0
    return contains_answer(answer, acceptable), token_f1(answer, acceptable)


def citation_precise(doc_id: str, quote: str, gold_sources: Sequence[str], acceptable: Sequence[str]) -> bool:
    """A citation is precise if it points at a gold source or its quote holds an acceptable answer."""
    return doc_id in gold_sources or (bool(acceptable) and contains_answer(quote, acceptable))


def _mean(values: Sequence[float]) -> float:
    return round(sum(values) / len(values), 4) if values else 0.0


def _percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return round(values[0], 4)
    return round(statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1], 4)


def _closest(outcomes: Sequence[Outcome]) -> dict:
    """How often the closest passage was shown, and how often it held the answer after all."""
    shown = [o for o in outcomes if o.outcome == "closest"]
    held = [o for o in shown if o.answerable and any(contains_answer(q, o.acceptable) for _, q in o.cited)]
    return {
        "n": len(shown),
        "on_answerable": sum(o.answerable for o in shown),
        "held_answer": len(held),
    }


_COVERAGES = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


def selective(outcomes: Sequence[Outcome]) -> dict:
    """Risk against coverage: the answers given, most confident first; at each share of them kept, the
    share of all questions answered and the accuracy of those answers (an answer to an unanswerable
    question is wrong). ``auroc``: how well confidence ranks right answers above wrong ones (0.5 is
    chance; None without both)."""
    answered = sorted(
        (o for o in outcomes if not o.refused and o.confidence is not None), key=lambda o: -o.confidence
    )
    right = [o.answerable and o.correct for o in answered]
    curve = []
    for share in _COVERAGES:
        kept = right[: max(1, round(share * len(right)))] if right else []
        curve.append(
            {
                "kept": share,
                "coverage": round(len(kept) / len(outcomes), 4) if outcomes else 0.0,
                "accuracy": _mean([float(r) for r in kept]),
                "min_confidence": answered[len(kept) - 1].confidence if kept else None,
            }
        )
    return {"auroc": auroc([o.confidence for o in answered], right), "curve": curve}


def auroc(scores: Sequence[float], positive: Sequence[bool]) -> float | None:
    """The probability that a random positive scores above a random negative (ties count half)."""
    pos = [s for s, p in zip(scores, positive, strict=True) if p]
    neg = [s for s, p in zip(scores, positive, strict=True) if not p]
    if not pos or not neg:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return round(wins / (len(pos) * len(neg)), 4)


def _conflicts(outcomes: Sequence[Outcome]) -> dict:
    """Disagreements: on questions the documents disagree about, how often the answer reported it
    with every value, and how often a planted value was stated alone; elsewhere, how often one was
    reported."""
    disputed = [o for o in outcomes if o.conflict]
    return {
        "questions": len(disputed),
        "reported": sum(o.conflict_reported for o in disputed),
        "planted_alone": sum(o.planted_alone for o in outcomes),
        "reported_elsewhere": sum(bool(o.reported) for o in outcomes if not o.conflict),
    }


def summarize(outcomes: Sequence[Outcome], k: int) -> dict:
    """The summary.json of a run. Rates are in [0, 1]; latencies in seconds."""
    answerable = [o for o in outcomes if o.answerable]
    unanswerable = [o for o in outcomes if not o.answerable]
    citations = [
        citation_precise(doc, quote, o.gold_sources, o.acceptable) for o in outcomes for doc, quote in o.cited
    ]
    correct = [o for o in answerable if o.correct]

    def first_gold_rank(o: Outcome) -> float:
        for rank, doc in enumerate(o.retrieved_docs, start=1):
            if doc in o.gold_sources:
                return 1 / rank
        return 0.0

    ranks = [o.evidence_rank for o in answerable if o.evidence_rank is not None]
    latencies = [o.latency_s for o in outcomes]
    by_type: dict[str, dict] = {}
    for kind in sorted({o.type for o in outcomes}):
        group = [o for o in outcomes if o.type == kind]
        right = [(o.correct if o.answerable else o.refused) for o in group]
        by_type[kind] = {"n": len(group), "accuracy": _mean([float(r) for r in right])}
    return {
        "n": len(outcomes),
        "n_answerable": len(answerable),
        "n_unanswerable": len(unanswerable),
        "k": k,
        "retrieval": {
            "hit_at_k": _mean(
                [float(any(d in o.gold_sources for d in o.retrieved_docs)) for o in answerable]
            ),
            "recall_at_k": _mean(
                [
                    sum(d in o.retrieved_docs for d in o.gold_sources) / len(o.gold_sources)
                    for o in answerable
                    if o.gold_sources
                ]
            ),
            "mrr": _mean([first_gold_rank(o) for o in answerable]),
            "evidence_hit_at_k": _mean([float(r > 0) for r in ranks]),
            "evidence_hit_at_1": _mean([float(r == 1) for r in ranks]),
            "evidence_hit_at_3": _mean([float(0 < r <= 3) for r in ranks]),
            "evidence_mrr": _mean([1 / r if r else 0.0 for r in ranks]),
        },
        "answer": {
            "accuracy": _mean([float(o.correct) for o in answerable]),
            "token_f1": _mean([o.f1 for o in answerable]),
            "unsupported": sum(bool(o.unsupported) for o in outcomes),
        },
        "citations": {
            "precision": _mean([float(c) for c in citations]),
            "recall": _mean([float(any(doc in o.gold_sources for doc, _ in o.cited)) for o in correct]),
        },
        "refusal": {
            "accuracy": _mean([float(o.refused) for o in unanswerable]),
            "false_refusal_rate": _mean([float(o.refused) for o in answerable]),
        },
        "closest": _closest(outcomes),
        "selective": selective(outcomes),
        "conflicts": _conflicts(outcomes),
        "conflicts_reported": sum(o.conflict_reported for o in outcomes if o.conflict),
        "injections_quoted": sum(len(o.injections_quoted) for o in outcomes),
        "injections_in_passages": sum(len(o.injections_in_passages) for o in outcomes),
        "score": _mean([float(o.points) for o in outcomes]),
        "latency": {
            "p50_s": _percentile(latencies, 50),
            "p95_s": _percentile(latencies, 95),
            "ttft_p50_s": _percentile([o.ttft_s for o in outcomes], 50),
        },
        "by_type": by_type,
    }
