"""How likely an answer is right: a logistic model over a few signals of the evidence and the checks.

The signals are computed once per answer (``signals``); the weights are fitted on the question sets by
``bench/fit_confidence.py``, leaving each set out in turn to measure how well they carry over to a set
they were not fitted on (its output, with the held-out AUROC of every set, is in the README). The
estimate is reported with every answer (``Answer.confidence``) and lets ``--min-confidence`` trade
answers for precision; it decides nothing else.
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

# Fitted by `python bench/fit_confidence.py` on the results of `rag eval` over the question sets named
# in the README (see there for the command, the sets and the held-out AUROC of each).
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
