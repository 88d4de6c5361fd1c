"""How likely an answer is right: a logistic model over a few signals of the evidence and the checks.

The signals are computed once per answer (``signals``). The weights were set by hand before any data
(a higher score, lead and coverage say right); ``bench/fit_confidence.py`` fits them on the question
sets leaving each set out in turn. Fitted weights ranked right answers above wrong ones worse on the
set left out than these (AUROC lower on 4 of 6 sets: see the README), so these stay until a signal
carries over. The estimate is reported with every answer (``Answer.confidence``) and lets
``--min-confidence`` trade answers for precision; it decides nothing else.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from rag.question import Question
from rag.text import content_terms
from rag.types import Evidence

SIGNALS = ("score", "lead", "covered", "predicate", "eligible")
"""What ``signals`` measures, in order:
- ``score``: the answer's evidence score (``rag.evidence``);
- ``lead``: how far it is ahead of the best evidence from another passage (0 when none);
- ``covered``: the share of the question's content words in the unit, its headings and its passage;
- ``predicate``: the share of what the question says happened that the unit itself says (1 if nothing);
- ``eligible``: how many evidence units could answer, as log(1 + n).
All are known before generation, so a low estimate can spare it (``--min-confidence``)."""

# Set by hand; measured against weights fitted leaving each set out in the README (Evaluation).
WEIGHTS = (2.0, 1.0, 1.5, 1.0, -0.2)
BIAS = -1.8


def signals(
    q: Question, best: Evidence, eligible: Sequence[Evidence], evidence: Sequence[Evidence]
) -> list[float]:
    """The signals of an answer resting on ``best``, in the order of ``SIGNALS``."""
    others = [e.score for e in evidence if e.chunk.id != best.chunk.id]
    around = set(content_terms(f"{best.context} {best.chunk.title} {best.chunk.text}"))
    unit = set(content_terms(best.text))
    covered = sum(t in around for t in q.terms) / len(q.terms) if q.terms else 0.0
    predicate = sum(t in unit for t in q.predicate) / len(q.predicate) if q.predicate else 1.0
    return [
        best.score,
        best.score - max(others) if others else 0.0,
        covered,
        predicate,
        math.log1p(len(eligible)),
    ]


def estimate(values: Sequence[float], weights: Sequence[float] = WEIGHTS, bias: float = BIAS) -> float:
    """The probability that the answer is right, given its ``signals``."""
    z = bias + sum(w * v for w, v in zip(weights, values, strict=True))
    return round(1 / (1 + math.exp(-z)), 4)
