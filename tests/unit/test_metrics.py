import pytest

from rag.evaluation.metrics import (
    Outcome,
    answer_tokens,
    auroc,
    citation_precise,
    contains_answer,
    contains_evidence,
    score_outcome,
    selective,
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
    # a span copied from Markdown source, against the text its reader kept
    assert contains_evidence("ping | int | 15 | Ping interval", ["| `ping` | `int` | 15 | Ping interval"])
    assert contains_evidence("Use the fast mode.", ["Use the **fast** mode."])
    assert not contains_evidence("ping | int | 16", ["| `ping` | `int` | 15 |"])


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
        "closest",
        "selective",
        "conflicts",
        "conflicts_reported",
        "injections_quoted",
        "injections_in_passages",
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
    assert set(s["closest"]) == {"n", "on_answerable", "held_answer"}
    assert set(s["selective"]) == {"auroc", "curve"}


def test_auroc_ranks_right_answers_above_wrong_ones():
    assert auroc([0.9, 0.8, 0.1], [True, True, False]) == 1.0
    assert auroc([0.1, 0.2, 0.9], [True, True, False]) == 0.0
    assert auroc([0.5, 0.5], [True, False]) == 0.5
    assert auroc([0.9, 0.8], [True, True]) is None


def test_risk_coverage_keeps_the_most_confident_answers_first():
    outcomes = [
        outcome(id="a", correct=True, confidence=0.9),
        outcome(id="b", correct=False, confidence=0.2),
        outcome(id="c", answerable=False, confidence=0.4),  # an answer to an unanswerable question: wrong
        outcome(id="d", correct=True, confidence=0.8),
        outcome(id="e", refused=True, outcome="refusal"),
    ]
    s = selective(outcomes)
    assert s["auroc"] == 1.0
    by_share = {p["kept"]: p for p in s["curve"]}
    assert by_share[0.5] == {"kept": 0.5, "coverage": 0.4, "accuracy": 1.0, "min_confidence": 0.8}
    assert by_share[1.0] == {"kept": 1.0, "coverage": 0.8, "accuracy": 0.5, "min_confidence": 0.2}


def test_a_closest_passage_is_not_an_answer_but_is_counted_with_whether_it_held_one():
    held = outcome(id="a", refused=True, outcome="closest", cited=(("a.txt", "it was x"),))
    missed = outcome(id="b", refused=True, outcome="closest", cited=(("a.txt", "it was y"),))
    twin = outcome(id="c", answerable=False, refused=True, outcome="closest", acceptable=())
    s = summarize([held, missed, twin], k=2)
    assert s["closest"] == {"n": 3, "on_answerable": 2, "held_answer": 1}
    assert s["answer"]["accuracy"] == 0.0 and s["refusal"]["accuracy"] == 1.0
