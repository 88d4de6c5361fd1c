import pytest

from rag.refusal import assess_support, expected_kind, holds_kind
from rag.types import Chunk, Evidence

TEXT = (
    "At a meeting, Noboa announced a curfew from March 15 to 30. The embassy did not disclose the number of "
    "troops. The talks took place in Quito."
)
CHUNK = Chunk(id="d#0", doc_id="d", index=0, text=TEXT, start=0, end=len(TEXT), title="D", date=None)


def ev(text: str, score: float = 0.7, label: int = 1) -> Evidence:
    start = TEXT.index(text)
    return Evidence(label=label, chunk=CHUNK, text=text, start=start, end=start + len(text), score=score)


CURFEW = "At a meeting, Noboa announced a curfew from March 15 to 30."
TROOPS = "The embassy did not disclose the number of troops."


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How many troops were sent?", "number"),
        ("What percentage of drugs pass through Ecuador?", "number"),
        ("When does the curfew start?", "date"),
        ("In what year was the base closed?", "date"),
        ("Who announced the curfew?", "person"),
        ("Where were the strikes?", "place"),
        ("Which province was hit?", "place"),
        ("What did they discuss?", "other"),
    ],
)
def test_expected_kind(question, kind):
    assert expected_kind(question) == kind


def test_the_kind_must_be_new_to_the_question():
    assert holds_kind("number", CURFEW, "How many days does the curfew last?")
    assert not holds_kind("number", CURFEW, "How long from March 15 to 30?")
    assert holds_kind("date", CURFEW, "When is the curfew?")
    assert holds_kind("person", CURFEW, "Who announced a curfew?")
    assert not holds_kind("number", "It was one of the biggest operations.", "How many were seized?")
    assert not holds_kind("number", "The base ran until 2009.", "How many troops were there?")
    assert not holds_kind("number", "The festival was held on May 1.", "How many lanterns were there?")
    assert holds_kind("number", "On May 1, 3,742 lanterns.", "How many lanterns were there?")
    assert holds_kind("date", "The base ran until 2009.", "When did the base close?")


def test_supported_when_a_close_sentence_holds_what_is_asked():
    support = assess_support("When is the curfew?", [ev(CURFEW)])
    assert support.supported and support.evidence.text == CURFEW


def test_refused_when_nothing_is_close_enough():
    support = assess_support("When is the curfew?", [ev(CURFEW, score=0.1)])
    assert not support.supported and "close enough" in support.reason


def test_refused_when_the_kind_asked_for_is_missing():
    support = assess_support("When did the talks take place?", [ev("The talks took place in Quito.")])
    assert not support.supported and "no passage gives the date" in support.reason


def test_refused_when_the_documents_say_it_was_not_disclosed():
    support = assess_support("How many troops were deployed?", [ev(TROOPS), ev(CURFEW, score=0.6, label=2)])
    assert not support.supported and "not disclosed" in support.reason


def test_no_evidence_or_no_words_is_a_refusal():
    assert not assess_support("When is the curfew?", []).supported
    assert not assess_support("?!", [ev(CURFEW)]).supported
