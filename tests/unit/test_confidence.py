"""The confidence estimate: its signals, read off evidence, and the logistic model over them."""

import math
from dataclasses import replace

from rag.confidence import SIGNALS, WEIGHTS, estimate, signals
from rag.question import analyse
from rag.types import Chunk, Evidence

TEXT = "The pump is rated at 16 bar. The warranty covers parts for 36 months."
CHUNK = Chunk(
    id="m#0", doc_id="m", index=0, text=TEXT, start=0, end=len(TEXT), title="Pump manual", date=None
)
OTHER = Chunk(id="n#0", doc_id="n", index=0, text="Valves", start=0, end=6, title="Valves", date=None)


def unit(text: str, score: float, chunk: Chunk = CHUNK) -> Evidence:
    start = chunk.text.index(text)
    return Evidence(label=1, chunk=chunk, text=text, start=start, end=start + len(text), score=score)


def test_signals_read_the_evidence_and_the_question():
    q = analyse("What pressure is the pump rated at?")
    best = unit("The pump is rated at 16 bar.", 0.8)
    other = unit("Valves", 0.5, OTHER)
    values = signals(q, best, [best], [best, other])
    assert len(values) == len(SIGNALS) == len(WEIGHTS)
    score, lead, covered, predicate, eligible, share = values
    # "pressure" is the one word of the question (and of its predicate) that neither the unit nor
    # its passage says
    assert score == 0.8 and round(lead, 3) == 0.3 and round(covered, 3) == round(predicate, 3) == 0.667
    assert eligible > 0
    assert share == 0.5  # the ranker tells the two units apart no better than a coin
    alone = signals(q, best, [best], [best])
    assert alone[1] == 0.0 and alone[5] == 1.0  # no other passage to lead, no other unit to share with
    ranked = signals(q, replace(best, rank=2.0), [best], [replace(best, rank=2.0), other])
    assert round(ranked[5], 3) == round(1 / (1 + math.exp(-2.0)), 3)


def test_the_estimate_is_a_probability_that_grows_with_each_positive_weight():
    low, high = [0.3, 0.0, 0.5, 0.5, 0.7, 0.5], [0.8, 0.3, 1.0, 1.0, 0.7, 0.5]
    assert 0 < estimate(low) < estimate(high) < 1
    for i, weight in enumerate(WEIGHTS):
        more = list(low)
        more[i] += 0.5
        assert (estimate(more) > estimate(low)) == (weight > 0)
