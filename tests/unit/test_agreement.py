"""Agreement: the value each document gives for what is asked, corroboration and disagreement."""

import pytest

from rag.agreement import value_of, weigh
from rag.question import analyse
from rag.refusal import Support
from rag.types import Chunk, Evidence, Hit


def unit(text: str, doc: str, *, date: str | None = None, score: float = 0.7, passage: str = "") -> Evidence:
    passage = passage or text
    chunk = Chunk(
        id=f"{doc}#0", doc_id=doc, index=0, text=passage, start=0, end=len(passage), title=doc, date=date
    )
    start = passage.index(text)
    return Evidence(label=1, chunk=chunk, text=text, start=start, end=start + len(text), score=score)


def agreement(question: str, answer: Evidence, *others: Evidence, hits: tuple[Hit, ...] = ()):
    q = analyse(question)
    return weigh(q, Support(answer, (answer, *others)), [answer, *others], hits)


@pytest.mark.parametrize(
    "question, text, value",
    [
        ("How many pumps does the plant run?", "The plant runs 14 pumps around the clock.", "14"),
        ("What share of orders ships within a day?", "About 62 percent of orders ship within a day.", "62"),
        ("Who chairs the audit committee?", "The audit committee is chaired by Maria Lind.", "lind"),
        # several people: the one nearest to the words of what is asked
        (
            "Who chairs the audit committee?",
            "Board member Ola Berg said the audit committee chair Maria Lind had resigned.",
            "lind",
        ),
        ("When was the bridge reopened?", "The bridge was reopened on 14 June after repairs.", "m=jun d=14"),
        # a date at the grain asked: a year, a month (with its year when given)
        ("In what year was the mill founded?", "The mill was founded in 1887 by two brothers.", "y=1887"),
        ("In which month did sales peak?", "Sales peaked in October 2024, then fell.", "m=oct y=2024"),
        # the value the question's preposition governs: "until", not "from"
        (
            "Until what year was the line in service?",
            "The line was in service from 1951 until 1998.",
            "y=1998",
        ),
        (
            "Since what year has the club played here?",
            "The club has played here since 1921, not 1890.",
            "y=1921",
        ),
        ("How much does the licence cost?", "The licence costs €420 a year.", "€420"),
    ],
)
def test_a_unit_gives_the_one_value_of_what_is_asked(question, text, value):
    found = value_of(analyse(question), unit(text, "a"))
    assert found is not None and found[0] == value


def test_a_unit_whose_numbers_count_other_things_gives_none():
    q = analyse("How many pumps does the plant run?")
    text = "In 2019 the town counted 14 wells; by 2023 it had 9 more wells, and the plant still ran pumps."
    assert value_of(q, unit(text, "a")) is None


def test_documents_giving_the_same_value_corroborate_the_answer():
    a = unit("The audit committee is chaired by Maria Lind.", "minutes.md")
    b = unit("Maria Lind, who chairs the audit committee, signed the report.", "report.pdf")
    c = unit("The audit committee chair, Maria Lind, was re-elected.", "news.html")
    found = agreement("Who chairs the audit committee?", a, b, c)
    assert not found.conflict
    assert [u.chunk.doc_id for u in found.corroborating] == ["report.pdf", "news.html"]


def test_one_unit_per_document_counts():
    a = unit("The plant runs 14 pumps.", "a")
    again = unit("All 14 pumps the plant runs are electric.", "a")
    found = agreement("How many pumps does the plant run?", a, again)
    assert found.corroborating == ()


def test_documents_giving_different_values_disagree_the_value_of_most_documents_first():
    planted = unit("The plant runs 3 pumps.", "planted.md", date="2026-01-02")
    a = unit("The plant runs 14 pumps around the clock.", "a.txt", date="2025-05-01")
    b = unit("Fourteen pumps run at the plant.", "b.txt", date="2025-06-01")
    found = agreement("How many pumps does the plant run?", planted, a, b)
    assert found.conflict
    ranked = found.ranked()
    assert [s.key for s in ranked] == ["14", "3"]
    assert [u.chunk.doc_id for u in ranked[0].units] == ["a.txt", "b.txt"]
    assert ranked[0].latest == "2025-06-01"


def test_with_as_many_documents_each_the_most_recent_value_comes_first():
    old = unit("The licence costs €420 a year.", "2024.md", date="2024-01-01")
    new = unit("The licence costs €480 a year.", "2025.md", date="2025-01-01")
    assert [s.value for s in agreement("How much does the licence cost?", old, new).ranked()] == [
        "€480",
        "€420",
    ]


def test_a_sentence_repeated_word_for_word_in_another_retrieved_document_corroborates():
    text = "The plant runs 14 pumps."
    a = unit(text, "wire.txt")
    copy = unit(text, "paper.txt", passage=f"Local news. {text} More later.")
    found = agreement("How many pumps does the plant run?", a, hits=(Hit(copy.chunk, 0.5),))
    [again] = found.corroborating
    assert again.chunk.doc_id == "paper.txt" and copy.chunk.text[again.start : again.end] == text


@pytest.mark.parametrize(
    "question, answer, other",
    [
        # nothing is asked the value of: "Who is X?" asks for a description
        ("Who is Maria Lind?", "Maria Lind met Ola Berg.", "Maria Lind met Tomas Nyberg."),
        # a kind whose values do not compare exactly: places
        ("Where is the plant?", "The plant is in Lund.", "The plant is in Sweden."),
        # the other unit says nothing of what is asked
        ("How many pumps does the plant run?", "The plant runs 14 pumps.", "The harbour has 3 cranes."),
    ],
)
def test_nothing_is_weighed_where_values_cannot_be_compared(question, answer, other):
    found = agreement(question, unit(answer, "a"), unit(other, "b"))
    assert not found.conflict and not found.corroborating


def test_a_person_far_from_what_the_question_names_holds_no_role_of_it():
    q = analyse("Who is Norland's finance minister?")
    near = unit("Norland's finance minister Eva Strand presented the budget.", "a")
    far = unit(
        "Norland signed the treaty with the neighbouring states after finance minister Carl Holm arrived.",
        "b",
    )
    assert value_of(q, near)[0] == "strand"
    assert value_of(q, far) is None


def test_a_unit_that_says_too_little_of_the_question_is_not_weighed():
    answer = unit("The pump station project of Harlow Works has a total cost of $6.8 million.", "a")
    other = unit("Construction cost $4.2 million.", "b")
    found = agreement(
        "What is the total cost of the pump station project Harlow Works is building?", answer, other
    )
    assert not found.conflict


def test_a_unit_naming_the_answer_s_value_too_does_not_disagree():
    answer = unit("The audit committee is chaired by Maria Lind.", "a")
    both = unit("Maria Lind met Ola Berg, the audit committee's new secretary.", "b")
    assert not agreement("Who chairs the audit committee?", answer, both).conflict


def test_an_acronym_near_the_person_names_what_the_question_spells_out():
    q = analyse("Who is the commander of US Southern Command?")
    assert value_of(q, unit("SOUTHCOM Commander General Francis Donovan spoke.", "a"))[0] == "donovan"


def test_a_count_is_read_by_the_thing_counted():
    q = analyse("How many provinces did the curfew cover?")
    text = "The curfew runs from March 15 to 30 in the country's four most violent provinces."
    assert value_of(q, unit(text, "a"))[0] == "4"


def test_a_disagreement_reads_each_value_with_its_sources_and_names_the_most_recent():
    from rag.pipeline import _disagreement
    from rag.server import extra
    from rag.types import Answer

    planted = unit("The plant runs 3 pumps.", "planted.md", date="2026-01-02")
    a = unit("The plant runs 14 pumps around the clock.", "a.txt", date="2025-05-01")
    b = unit("Fourteen pumps run at the plant.", "b.txt", date="2025-06-01")
    text, sources, positions = _disagreement(agreement("How many pumps does the plant run?", planted, a, b))
    assert text == "The documents disagree: 14 [1][2] (2025-06-01); 3 [3] (2026-01-02, the most recent)."
    assert [(p.value, [s.doc_id for s in p.sources]) for p in positions] == [
        ("14", ["a.txt", "b.txt"]),
        ("3", ["planted.md"]),
    ]
    assert sources[0].agrees_with == ("b.txt",) and sources[2].agrees_with == ()
    shown = extra(Answer("q", text, sources, False, "extractive", "", conflicts=positions))
    assert shown["conflicts"] == [
        {"value": "14", "sources": ["[1]", "[2]"]},
        {"value": "3", "sources": ["[3]"]},
    ]
    assert shown["sources"][1]["agrees_with"] == ["a.txt"]


def test_a_date_with_its_year_agrees_with_the_same_date_without_it():
    a = unit("The plant reopened on 3 May after the inspection.", "memo.md")
    b = unit("The plant reopened on May 3, 2025, after the inspection.", "log.txt")
    found = agreement("When did the plant reopen?", a, b)
    assert not found.conflict
    assert [u.chunk.doc_id for u in found.corroborating] == ["log.txt"]


def test_years_that_differ_are_a_disagreement():
    a = unit("The lease on the depot ran until 2016.", "lease.pdf", date="2020-01-01")
    b = unit("The lease on the depot ran until 2019, when it was renewed.", "notes.md", date="2021-01-01")
    found = agreement("Until what year did the lease on the depot run?", a, b)
    assert found.conflict
    assert [s.value for s in found.ranked()] == ["2019", "2016"]  # one document each: the newer first


def test_a_title_in_capitals_is_what_who_is_asks():
    a = unit(
        "Chief Engineer | Ruth Okafor", "roster.md", passage="Northfield staff\nChief Engineer | Ruth Okafor"
    )
    b = unit("Northfield's Chief Engineer Paul Meyer signed the permit.", "permit.txt")
    found = agreement("Who is Northfield's Chief Engineer?", a, b)
    assert found.conflict
    assert {s.value for s in found.stances} == {"Ruth Okafor", "Paul Meyer"}


def test_a_contraction_is_no_possessive_so_who_s_someone_weighs_nothing():
    a = unit("Maria Lind met Ola Berg, the board chair, on Monday.", "a.md")
    b = unit("Maria Lind met John Smith, the finance chief, on Tuesday.", "b.md")
    assert not agreement("Who's Maria Lind?", a, b).stances


def test_a_preposition_that_does_not_tell_values_apart_is_not_followed():
    text = "The base closed at the end of 2009; it had opened in 1999."
    assert value_of(analyse("In what year did the base close?"), unit(text, "a")) == ("y=2009", "2009")


def test_a_date_s_year_is_a_plausible_year_and_shown_with_it():
    a = unit("The strike at the plant began on March 6, 1500 workers walking out.", "a.md")
    b = unit("The strike at the plant began on March 6, 2026.", "b.md")
    assert not agreement("When did the strike at the plant begin?", a, b).conflict
    c = unit("The strike at the plant began on March 6, 2025.", "c.md")
    found = agreement("When did the strike at the plant begin?", b, c)
    assert found.conflict and {s.value for s in found.stances} == {"March 6, 2026", "March 6, 2025"}


def test_a_year_named_in_passing_does_not_make_the_question_ask_for_a_year():
    a = unit("The dock strike began on March 6, 2025.", "a.md")
    b = unit("The dock strike began on March 20, 2025.", "b.md")
    assert agreement("When did the dock strike begin last year?", a, b).conflict


@pytest.mark.parametrize("order", [(0, 1, 2), (1, 0, 2), (2, 0, 1)])
def test_dates_of_more_or_less_precision_group_the_same_in_any_order(order):
    texts = [
        "The plant reopened on March 6 after the inspection.",
        "The plant reopened on March 6, 2025, after the inspection.",
        "The plant reopened on March 6, 2026, after the inspection.",
    ]
    units = [unit(texts[i], f"doc{i}.md") for i in order]
    assert agreement("When did the plant reopen?", *units).conflict


@pytest.mark.parametrize(
    "question, text, value",
    [
        ("In which region is the depot?", "The depot is in the region of Kent, near the coast.", "kent"),
        ("Which state did the firm move to?", "The firm moved its office to Ohio state last year.", "ohio"),
        # a possessive or an article before the name is not the place
        ("In which region was the dam built?", "Norland's Vester region got the new dam.", "vester"),
        # joined by lower-case words, after a bearing
        (
            "In which province is the port?",
            "The port lies in Santo Domingo de los Tsáchilas province.",
            "santo domingo de los tsachilas",
        ),
        ("In which province is the port?", "The port lies in Northern Carchi province.", "carchi"),
        # the question's own names are not the answer
        (
            "In which Danish city did the fair open?",
            "The fair opened in the Danish city of Aarhus.",
            "aarhus",
        ),
    ],
)
def test_a_unit_gives_the_place_of_the_category_asked(question, text, value):
    found = value_of(analyse(question), unit(text, "a"))
    assert found is not None and found[0] == value


def test_places_of_the_category_asked_disagree():
    a = unit("The depot opened in the region of Kent in 2019.", "a.md")
    b = unit("The depot opened in Essex region in 2019.", "b.md")
    found = agreement("In which region did the depot open?", a, b)
    assert found.conflict and {s.value for s in found.stances} == {"Kent", "Essex"}


def test_a_unit_naming_no_place_gives_the_one_its_passage_names():
    passage = "Crews repaired the flooded pumping station. The work took place in the province of Lera."
    a = unit("Crews repaired the flooded pumping station.", "report.txt", passage=passage)
    b = unit("Crews repaired the flooded pumping station in Dorne province.", "memo.md")
    found = agreement("In which province did crews repair the flooded pumping station?", a, b)
    assert found.conflict
    lera, dorne = found.stances
    assert lera.value == "Lera" and lera.units[0].text == "The work took place in the province of Lera."
    assert passage[lera.units[0].start : lera.units[0].end] == lera.units[0].text
    assert dorne.value == "Dorne"


def test_a_unit_naming_a_place_without_the_category_does_not_read_its_passage():
    passage = "The army raided the camp near Lago Agrio. Troops from Orellana province joined later."
    q = analyse("In which province did the army raid the camp?")
    a = unit("The army raided the camp near Lago Agrio.", "report.txt", passage=passage)
    assert weigh(q, Support(a, (a,)), [a], ()).stances == ()


def test_a_passage_naming_several_places_gives_none():
    passage = "Crews repaired the flooded pumping station. Lera province and Dorne province sent help."
    q = analyse("In which province did crews repair the flooded pumping station?")
    a = unit("Crews repaired the flooded pumping station.", "report.txt", passage=passage)
    assert weigh(q, Support(a, (a,)), [a], ()).stances == ()


def _restated(question: str, answer: str, other: str):
    """The agreement when ``other`` is not eligible itself: its passage lacks a detail the question
    gives."""
    q = analyse(question)
    a, b = unit(answer, "a.txt", score=0.8), unit(other, "b.html", score=0.75)
    return weigh(q, Support(a, (a,)), [a, b], ())


def test_a_unit_restating_the_answer_s_with_another_value_disagrees_without_the_question_s_detail():
    found = _restated(
        "How many warehouses did the fire at the old mill destroy on Friday?",
        "On Friday a fire at the old mill destroyed five warehouses, the city council said.",
        "The city council said a fire at the old mill destroyed three warehouses.",
    )
    assert [s.value for s in found.stances] == ["five", "three"]


@pytest.mark.parametrize(
    "other",
    [
        # another place: another fire
        "The city council said a fire at the old mill in Harlow destroyed three warehouses.",
        # another year: another fire
        "In 2019 a fire at the old mill destroyed three warehouses, the city council said.",
        # too few of the same words: another account
        "Three warehouses burned down after sparks from a welding job, insurers said.",
    ],
)
def test_a_unit_that_does_not_restate_the_answer_s_needs_the_question_s_details(other):
    found = _restated(
        "How many warehouses did the fire at the old mill destroy on Friday?",
        "On Friday a fire at the old mill destroyed five warehouses, the city council said.",
        other,
    )
    assert not found.conflict


@pytest.mark.parametrize(
    "question, text, value",
    [
        ("Is the plant open on Sundays?", "The plant is open on Sundays from ten to four.", "yes"),
        ("Is the plant open on Sundays?", "The plant is not open on Sundays.", "no"),
        ("Does the warranty cover water damage?", "Water damage is never covered by the warranty.", "no"),
        ("Did the board approve the merger?", "The board failed to approve the merger in May.", "no"),
        # a negation of another thing, or far from what is asked, denies nothing
        (
            "Does the warranty cover water damage?",
            "The warranty covers water damage but not fire damage.",
            "yes",
        ),
        (
            "Does the warranty cover water damage?",
            "Without exception, the warranty covers water damage.",
            "yes",
        ),
        # a negation elsewhere in the sentence denies nothing that is asked
        (
            "Is the plant open on Sundays?",
            "The plant, which has no night shift at all, is open on Sundays.",
            "yes",
        ),
        # as in speech, a negated question is answered as the plain one
        ("Isn't the plant open on Sundays?", "The plant is not open on Sundays.", "no"),
    ],
)
def test_a_unit_says_yes_or_no_to_a_yes_no_question(question, text, value):
    assert value_of(analyse(question), unit(text, "a")) == (value, value)


def test_a_unit_leaving_a_term_of_a_yes_no_question_unsaid_gives_nothing():
    assert (
        value_of(analyse("Is the plant open on Sundays?"), unit("The plant is not open today.", "a")) is None
    )


def test_documents_saying_yes_and_no_disagree():
    a = unit("The warranty covers water damage for two years.", "terms.pdf")
    b = unit("Water damage is not covered by the warranty.", "faq.md")
    c = unit("As the warranty covers water damage, keep the receipt.", "guide.html")
    found = agreement("Does the warranty cover water damage?", a, b, c)
    assert [(s.value, len(s.units)) for s in found.ranked()] == [("yes", 2), ("no", 1)]


def test_a_question_asking_for_something_else_after_an_auxiliary_is_no_yes_no_question():
    q = analyse("Can you tell me how many people died in the floods?")
    assert not q.yes_no and q.kind == "number"
    assert not analyse("Was it Noboa or Lasso who signed the decree?").yes_no
    assert analyse("Was the decree signed by Noboa?").yes_no
    assert analyse("Which state-owned company won the tender?").category == ""
