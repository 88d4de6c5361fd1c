import pytest

from rag.evaluation.metrics import (
    Outcome,
    answer_tokens,
    citation_precise,
    contains_answer,
    contains_evidence,
    score_outcome,
    summarize,
    token_f1,
)


@pytest.mark.parametrize(
    ("text", "acceptable", "expected"),
    [
        ("About 70% of it [1].", ["70%"], True),
        ("About seventy percent of it.", ["70 percent"], True),
        ("Six tonnes were seized.", ["6 tonnes"], True),
        ("6 tonnes", ["six tonnes"], True),
        ("The province of Sucumbíos.", ["Sucumbios"], True),
        ("It is not known.", ["no"], False),  # whole words: "no" is not in "not"
        ("He said no.", ["no"], True),
        ("In 2009 it closed.", ["200"], False),
        ("The U.S. Southern Command", ["US Southern Command"], True),
        ("seventy-five people", ["75"], True),
        ("Guayas [1]", ["1"], False),  # citation markers are not part of the answer
        ("", ["Quito"], False),
    ],
)
def test_contains_answer_normalizes_then_matches_whole_words(text, acceptable, expected):
    assert contains_answer(text, acceptable) is expected


def test_answer_tokens():
    assert answer_tokens("The 1,200 people, an U.S. figure!") == ["1200", "people", "us", "figure"]


def test_token_f1_takes_the_best_acceptable_answer():
    assert token_f1("Francis Donovan", ["Donovan", "Francis Donovan"]) == 1.0
    assert token_f1("General Francis Donovan of SOUTHCOM", ["Francis Donovan"]) == pytest.approx(
        2 * 0.4 / 1.4
    )
    assert token_f1("Quito", ["Manta"]) == 0.0


def test_a_refusal_is_never_correct_and_unanswerables_have_no_answer_score():
    assert score_outcome(answer="Sucumbios", refused=True, acceptable=["Sucumbios"], answerable=True) == (
        False,
        0.0,
    )
    assert score_outcome(answer="Sucumbios", refused=False, acceptable=[], answerable=False) == (False, 0.0)
    assert score_outcome(answer="Sucumbios", refused=False, acceptable=["Sucumbios"], answerable=True) == (
        True,
        1.0,
    )


def test_evidence_containment_ignores_whitespace():
    assert contains_evidence("Around 70%  of the\ndrugs produced", ["Around 70% of the drugs"])
    assert not contains_evidence("Around 80% of the drugs", ["Around 70% of the drugs"])


def test_a_citation_is_precise_when_gold_or_quoting_an_answer():
    assert citation_precise("a.txt", "anything", ["a.txt"], ["70%"])
    assert citation_precise("b.txt", "Around 70% pass", ["a.txt"], ["70%"])
    assert not citation_precise("b.txt", "unrelated", ["a.txt"], ["70%"])
    assert not citation_precise("b.txt", "unrelated", [], [])


def outcome(**kw) -> Outcome:
    base = dict(
        id="q",
        question="?",
        answerable=True,
        type="name",
        answer="",
        refused=False,
        correct=False,
        f1=0.0,
        acceptable=("x",),
        gold_sources=("a.txt",),
        cited=(),
        retrieved=(),
        evidence_rank=None,
        latency_s=1.0,
        ttft_s=0.5,
    )
    return Outcome(**{**base, **kw})


def test_summary_metrics_on_a_hand_made_run():
    outcomes = [
        # right, cites the gold source, gold retrieved second
        outcome(
            correct=True,
            f1=1.0,
            cited=(("a.txt", "x"),),
            retrieved=(("b.txt", 0.9), ("a.txt", 0.8)),
            evidence_rank=2,
            latency_s=1.0,
        ),
        # wrong, cites a non-gold source whose quote lacks the answer; gold not retrieved
        outcome(cited=(("b.txt", "y"),), retrieved=(("b.txt", 0.9),), evidence_rank=0, latency_s=2.0),
        # refused an answerable question
        outcome(refused=True, retrieved=(("a.txt", 0.5),), latency_s=3.0),
        # unanswerable: refused (right) and answered (wrong)
        outcome(
            answerable=False, type="unanswerable", refused=True, acceptable=(), gold_sources=(), latency_s=4.0
        ),
        outcome(
            answerable=False,
            type="unanswerable",
            acceptable=(),
            gold_sources=(),
            cited=(("c.txt", "z"),),
            latency_s=5.0,
        ),
    ]
    s = summarize(outcomes, k=4)
    assert (s["n"], s["n_answerable"], s["n_unanswerable"], s["k"]) == (5, 3, 2, 4)
    assert s["answer"]["accuracy"] == pytest.approx(1 / 3, abs=1e-3)
    assert s["answer"]["token_f1"] == pytest.approx(1 / 3, abs=1e-3)
    assert s["retrieval"]["hit_at_k"] == pytest.approx(2 / 3, abs=1e-3)
    assert s["retrieval"]["mrr"] == pytest.approx((0.5 + 0 + 1) / 3, abs=1e-3)
    assert s["retrieval"]["evidence_hit_at_k"] == 0.5
    assert s["retrieval"]["evidence_hit_at_1"] == 0.0 and s["retrieval"]["evidence_hit_at_3"] == 0.5
    assert s["retrieval"]["evidence_mrr"] == pytest.approx(0.25)
    assert s["citations"]["precision"] == pytest.approx(1 / 3, abs=1e-3)
    assert s["citations"]["recall"] == 1.0
    assert s["refusal"]["accuracy"] == 0.5
    assert s["refusal"]["false_refusal_rate"] == pytest.approx(1 / 3, abs=1e-3)
    assert s["score"] == pytest.approx((1 - 1 + 0 + 1 - 1) / 5)
    assert s["latency"]["p50_s"] == 3.0
    assert s["by_type"]["unanswerable"] == {"n": 2, "accuracy": 0.5}
    assert s["by_type"]["name"]["n"] == 3


def test_summary_has_exactly_the_documented_keys():
    s = summarize([outcome()], k=2)
    assert set(s) == {
        "n",
        "n_answerable",
        "n_unanswerable",
        "k",
        "retrieval",
        "answer",
        "citations",
        "refusal",
        "score",
        "latency",
        "by_type",
    }
    assert set(s["retrieval"]) == {
        "hit_at_k",
        "recall_at_k",
        "mrr",
        "evidence_hit_at_k",
        "evidence_hit_at_1",
        "evidence_hit_at_3",
        "evidence_mrr",
    }
    assert set(s["answer"]) == {"accuracy", "token_f1", "unsupported"}
    assert set(s["citations"]) == {"precision", "recall"}
    assert set(s["refusal"]) == {"accuracy", "false_refusal_rate"}
    assert set(s["latency"]) == {"p50_s", "p95_s", "ttft_p50_s"}
