from dataclasses import replace

import pytest

from rag.citations import check_sentence, cite, in_its_words, unsupported_terms, verify
from rag.question import analyse
from rag.types import Chunk, Evidence

CHUNK = Chunk(id="d.txt#0", doc_id="d.txt", index=0, text="", start=0, end=0, title="D", date="2026-03-09")


def evidence(*texts: str) -> list[Evidence]:
    return [
        Evidence(label=n, chunk=CHUNK, text=t, start=0, end=len(t), score=0.5) for n, t in enumerate(texts, 1)
    ]


FACTS = evidence(
    "The operation was carried out in the northeastern province of Sucumbios near the border with Colombia.",
    "Around 70% of the drugs produced by Colombia and Peru are shipped through Ecuador.",
    "The meeting was in Quito.",
)
Q = analyse("Where did the strikes take place?")


def test_numbers_and_names_must_occur_in_the_support():
    assert unsupported_terms("About 70% went through Ecuador.", FACTS[1].text) == set()
    assert unsupported_terms("About 20% went through Ecuador.", FACTS[1].text) == {"20"}
    assert unsupported_terms("It went through Brazil.", FACTS[1].text) == {"brazil"}
    assert unsupported_terms("It went through Ecuadorian ports.", FACTS[1].text) == set()


@pytest.mark.parametrize(
    ("answer", "support", "missing"),
    [
        # the number is there, counting another unit of time
        ("Stations keep 10 hours of data.", "Stations report every ten minutes.", {"10 hour"}),
        ("The parts warranty lasts 36 years.", "It carries a 36-month parts warranty.", {"36 year"}),
        # the same unit, written otherwise
        ("The parts warranty lasts 36 months.", "It carries a 36-month parts warranty.", set()),
        # a number the support gives without a unit may take the question's
        ("The pause is 30 seconds.", "Pause: 30", set()),
        # units abbreviated, "one" and "a"
        ("The pause is 30 minutes.", "Pause: 30 min; reset after 30 seconds.", set()),
        ("The lease is 1 year.", "The lease runs one year, renewable for 1 month.", set()),
    ],
)
def test_a_span_of_time_must_keep_the_unit_the_support_gives_its_number(answer, support, missing):
    assert unsupported_terms(answer, support) == missing


def test_a_marked_sentence_is_checked_against_what_it_cites():
    claim, problem = check_sentence("In Sucumbios [1].", FACTS, Q)
    assert claim and claim.labels == (1,) and not problem
    claim, problem = check_sentence("In Sucumbios [2].", FACTS, Q)
    assert claim is None and "sucumbios not in the cited evidence" in problem


def test_a_citation_must_point_at_shown_evidence():
    claim, problem = check_sentence("In Sucumbios [7].", FACTS, Q)
    assert claim is None and "not shown" in problem


def test_an_unmarked_sentence_is_attributed_to_the_evidence_holding_it():
    claim, _ = check_sentence("The province of Sucumbios.", FACTS, Q)
    assert claim.labels == (1,)
    claim, _ = check_sentence("Sucumbios, and the meeting in Quito.", FACTS, Q)
    assert claim.labels == (1, 3)


def test_invented_figures_and_echoes_and_hedges_fail():
    assert check_sentence("In 2019 in Sucumbios.", FACTS, Q)[0] is None
    assert "repeats the question" in check_sentence("The strikes take place.", FACTS, Q)[1]
    assert "declined" in check_sentence("The facts do not say; it is unknown.", FACTS, Q)[1]


@pytest.mark.parametrize(
    ("sentence", "text", "inside"),
    [
        ("0x21", "Filter ID:                  0x21", True),
        ("The zlib format.", 'The "deflate" encoding uses the zlib format, not gzip.', True),
        ("in English,  Finnish and German", "Printed quick-start guide in English, Finnish and German", True),
        ("Sucumbíos", "the province of Sucumbios", True),
        # reworded, reordered, or a word cut short: not the text's own words
        ("The date of the first distribution", "on the date the Contributor first distributes it", False),
        ("In Finnish, German and English", "Printed quick-start guide in English, Finnish and German", False),
        ("zlib form", "it uses the zlib format", False),
        ("", "anything", False),
    ],
)
def test_the_evidence_s_own_words_are_a_run_of_its_words(sentence, text, inside):
    assert in_its_words(sentence, text) is inside


def test_a_verbatim_model_s_sentence_must_be_in_the_words_of_what_it_cites():
    claim, _ = check_sentence("Northeastern province of Sucumbios [1].", FACTS, Q, verbatim=True)
    assert claim and claim.labels == (1,)
    reworded = "In Sucumbios province, near Colombia [1]."
    assert check_sentence(reworded, FACTS, Q)[0]  # every name is in the evidence
    claim, problem = check_sentence(reworded, FACTS, Q, verbatim=True)
    assert claim is None and "not in the words of the evidence it cites" in problem
    # the run must be in a unit the sentence cites, not in another one
    assert check_sentence("The meeting was in Quito [1].", FACTS, Q, verbatim=True)[0] is None


def test_verify_stops_at_the_first_bad_sentence():
    claims, problem = verify("Sucumbios [1]. It was 99% of it [2].", FACTS, Q)
    assert claims == () and "99" in problem
    claims, problem = verify("Sucumbios [1]. About 70% [2].", FACTS, Q)
    assert [c.labels for c in claims] == [(1,), (2,)] and problem == ""


def test_cite_renumbers_in_order_of_first_use():
    claims, _ = verify("About 70% [2]. In Sucumbios [1].", FACTS, Q)
    text, sources = cite(claims, FACTS)
    assert text == "About 70% [1]. In Sucumbios [2]."
    assert [s.label for s in sources] == ["[1]", "[2]"]
    assert sources[0].quote == FACTS[1].text and sources[0].date == "2026-03-09"


def test_sources_carry_offsets_of_the_quote():
    e = replace(FACTS[0], start=10, end=20)
    _, sources = cite(verify("Sucumbios [1].", [e], Q)[0], [e])
    assert (sources[0].start, sources[0].end) == (10, 20)
