"""The mismatch checks, on phrasings they were not written from (contracts, manuals, science)."""

import logging
import os

import pytest

from rag import lexicon
from rag.lexicon import opposites
from rag.mismatch import contrast, counterpart, designator, mismatch, polarity, subject
from rag.question import analyse
from rag.refusal import assess_support
from rag.text import stem
from rag.types import Chunk, Evidence

# Outside CI, a machine without WordNet skips these with one line; CI installs it (.ci/run), so never there.
WORDNET = lexicon.wordnet_folder().joinpath("data.adj").is_file()
needs_wordnet = pytest.mark.skipif(
    not WORDNET and not os.environ.get("CI"),
    reason="WordNet not installed: `apt-get install wordnet-base` to run the antonym tests",
)


@pytest.mark.parametrize(
    ("question", "passage"),
    [
        (
            "Which party may not assign the agreement?",
            "The Supplier may assign the agreement to an affiliate.",
        ),
        ("What does the warranty never cover?", "The warranty covers parts and labour for 36 months."),
        ("Which valve doesn't open at 12 bar?", "The overpressure valve opens at 12 bar."),
        # the word the question negates said with no negation near it: a "never" of another clause
        # bears on something else
        (
            "Which valve doesn't open at 12 bar?",
            "The overpressure valve opens at 12 bar, so that the boiler can never burst.",
        ),
        ("Which files are not encrypted?", "All files are encrypted at rest. Keys never leave the HSM."),
        (
            "Which items can't be returned?",
            "Unworn items can be returned within 30 days; refunds can't be paid.",
        ),
    ],
)
def test_a_negated_question_does_not_rest_on_a_passage_saying_what_is(question, passage):
    assert polarity(analyse(question), passage)


@pytest.mark.parametrize(
    ("question", "passage"),
    [
        ("Which party may not assign the agreement?", "Neither party may assign the agreement."),
        ("What does the warranty not cover?", "The warranty does not cover damage from misuse."),
        ("Which tests failed?", "Two of the seven tests failed on the ARM runner."),
        (
            "Which accounts are never archived?",
            "Accounts of former staff are archived after a year; shared accounts never are archived.",
        ),
        # worded otherwise, any negation will do
        ("What does the warranty not cover?", "The guarantee does not extend to damage from misuse."),
        ("Which items can't be returned?", "Custom orders are final sale and cannot be sent back."),
        ("Who cannot vote in the board election?", "Contractors are not eligible to cast a ballot."),
        ("What is the capital of Peru?", "Lima is the capital of Peru."),  # neither is negated
        # a negation in a condition after the question says which case is meant
        (
            "Which error code does the client return when it cannot reach the server?",
            "Code 7: server unreachable.",
        ),
    ],
)
def test_polarity_passes_when_both_or_neither_are_negated(question, passage):
    assert not polarity(analyse(question), passage)


@needs_wordnet
@pytest.mark.parametrize(
    ("question", "passage", "said"),
    [
        (
            "What is the maximum pressure of the pump?",
            "The minimum pressure of the pump is 2 bar.",
            "minimum",
        ),
        ("Who may sell the shares?", "Only employees may buy the shares.", "buy"),
        (
            "When does the output voltage increase?",
            "The output voltage decreases when the load rises.",
            "decreases",
        ),
        (
            "Which settings are forbidden in production?",
            "Debug settings are permitted in production.",
            "permitted",
        ),
        # the opposite inside a compound
        ("Which tests run on the slow path?", "The unit tests run on the fast-path runner.", "fast"),
        # a synonym of a word shares its opposites: "hard" means "difficult", whose opposite is "easy"
        (
            "Which cases are harder to test on the bench?",
            "Some cases are easier to test on the bench.",
            "easier",
        ),
        (
            "What limits the accuracy of the gauge?",
            "Nothing limits the inaccuracy of the gauge.",
            "inaccuracy",
        ),
    ],
)
def test_a_question_using_the_opposite_of_the_passages_word_is_a_mismatch(question, passage, said):
    assert f'"{said}"' in contrast(analyse(question), passage)


def test_a_negation_word_the_question_names_a_thing_by_negates_nothing_in_the_passage():
    q = analyse("Which shells do not start the none profile?")
    assert q.negation_terms == {"none"}
    assert polarity(q, "Both shells start the none profile at login.")
    assert not polarity(q, "The dash shell does not start the none profile.")
    # a negation in a condition still negates
    q = analyse("Which files are not deleted when no backup exists?")
    assert not q.negation_terms
    assert not polarity(q, "When no backup exists, the configuration files are kept.")


def test_a_preposition_of_time_has_its_opposite_where_it_governs_the_same_thing():
    twin = analyse("Which firmware versions after 2.0 drop the serial console?")
    assert '"prior"' in contrast(twin, "Firmware versions prior to 2.0 drop the serial console.")
    assert not contrast(twin, "Firmware versions after 2.0 drop it; those before 1.0 never had one.")
    # the opposite must govern what the question's preposition governs
    assert not contrast(
        twin, "Before you update, back up the settings. Version 2.1 drops the serial console."
    )
    returns = analyse("How long after delivery may goods be returned?")
    assert not contrast(
        returns, "Goods may be returned within 14 days. Goods damaged before use are replaced."
    )
    # "over"/"under" and "above"/"below" have too many other senses to be taken as opposites
    assert not contrast(analyse("Which data is encrypted under TLS?"), "Data sent over the network uses TLS.")


@pytest.mark.parametrize(
    ("question", "passage"),
    [
        ("Which keys are unknown to the server?", "Keys known to the server are listed in keys.txt."),
        ("What kind of machine is non-deterministic?", "A deterministic machine follows one path."),
    ],
)
def test_a_negating_prefix_makes_an_opposite_without_wordnet(question, passage):
    assert contrast(analyse(question), passage)


@pytest.mark.parametrize(
    ("question", "passage"),
    [
        ("What is the maximum pressure?", "The maximum pressure is 16 bar; the minimum is 2 bar."),
        ("Who may sell the shares?", "Employees may sell the shares they buy."),
        ("What is the capital of Peru?", "Lima is the capital of Peru."),
        # in another form: WordNet's "handless" (against "handed") shares the stem of "handle"
        ("How many parcels did the depot handle in May?", "The depot handled 9,000 parcels in May."),
        # a verb's synonyms do not share its opposites: "stop" is "end", but "begins" is no edit of it
        (
            "How much notice stops the contract from renewing?",
            "The contract begins on 1 May and renews unless notice is given 90 days before.",
        ),
        ("What is the latest firmware?", "The latest firmware is 2.4; later builds are betas."),
        # WordNet lists "offer" as a form of "off" and as a word of its own: it is no "off" against "on"
        (
            "Which plans does the shop offer on weekends?",
            "The shop on the high street sells plans on weekends.",
        ),
        ("Which computer runs the newest build?", "The build computer runs the new build nightly."),
    ],
)
def test_contrast_passes_when_the_question_word_is_there_too(question, passage):
    assert not contrast(analyse(question), passage)


def test_mismatch_names_the_first_check_that_fails_or_nothing():
    q = analyse("Which party may not assign the agreement?")
    assert mismatch(q, "The Supplier may assign the agreement.") == polarity(q, "The Supplier may assign.")
    assert mismatch(q, "Neither party may assign the agreement.") == ""


def test_without_wordnet_opposites_come_from_prefixes_and_a_warning_says_so(monkeypatch, tmp_path, caplog):
    monkeypatch.setenv("RAG_WORDNET", str(tmp_path))
    lexicon.antonyms.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="rag.lexicon"):
            found = opposites("maximum")
        assert not found.stems and "unmaximum" in found.words
        assert "wordnet-base" in caplog.text and str(tmp_path) in caplog.text
    finally:
        lexicon.antonyms.cache_clear()


@needs_wordnet
def test_wordnet_antonyms_are_read_by_stem():
    assert "minimu" in opposites("maximum").stems or "minimum" in opposites("maximum").stems
    assert opposites("permitted").stems & {"forbid"}


@needs_wordnet
def test_synonyms_of_nouns_and_adjectives_share_their_opposites_but_verbs_do_not():
    assert "easy" in opposites("hard").stems  # "hard" is a synonym of "difficult", opposed to "easy"
    assert opposites("simplicity").stems & {"diffic", "difficulti"}
    assert not opposites("stop").stems & {"begin", "begins"}


@pytest.mark.parametrize(
    ("question", "passage"),
    [
        ("Which company did Ingrid Hale found in 2004?", "Marcus Webb founded Alder Labs in 2004."),
        ("What port did Admiral Rook blockade?", "Captain Ilse Marr blockaded the port of Varna."),
    ],
)
def test_a_passage_saying_it_of_someone_else_is_a_mismatch(question, passage):
    assert "not of" in subject(analyse(question), passage)


@pytest.mark.parametrize(
    ("question", "passage"),
    [
        ("Which company did Ingrid Hale found in 2004?", "Ingrid Hale founded Alder Labs in 2004."),
        ("Which company did Ingrid Hale found in 2004?", "She founded Alder Labs in 2004."),  # no one else
        ("Who founded Alder Labs?", "Marcus Webb founded Alder Labs in 2004."),  # "who": a new person answers
        ("What port did Admiral Rook blockade?", "Rook's fleet sailed south in May."),  # says nothing of it
    ],
)
def test_subject_passes_when_the_passage_may_be_about_the_question_s_subject(question, passage):
    assert not subject(analyse(question), passage)


def test_an_opposite_counts_only_among_the_words_around_the_question_s_word():
    q = analyse("Which door is locked at night?")
    assert not contrast(
        q, "The east door is closed at night, and the old unlocked shed stands near the barn."
    )
    assert contrast(q, "The east door is unlocked at night.")


def test_an_opposite_the_question_itself_names_is_not_an_edit():
    q = analyse("Is the output of a function problem simple or complex?")
    assert not contrast(q, "The output of a function problem is complex.")


def test_whether_or_not_is_not_a_negation():
    q = analyse("Which test decides whether or not a number is prime?")
    assert not q.negated and not polarity(q, "The AKS test decides if a number is prime.")


def test_a_word_of_a_relative_clause_is_not_checked_for_opposites():
    q = analyse("Which fee did the tenant who lost the appeal pay?")
    assert not contrast(q, "The landlord won the appeal, and the tenant paid a $40 fee.")
    assert contrast(analyse("Which fee did the tenant lose?"), "The tenant won a $40 fee.")


def test_a_name_far_before_the_predicate_is_not_its_doer():
    q = analyse("In which month did the Oslo office close its branch?")
    passage = "After the merger announced by Norrland Holdings, the branch of the office closed in May."
    assert not subject(q, passage)


def test_a_condition_or_a_relative_clause_does_not_negate_the_question():
    q = analyse("If the session has not ended, after how many packets does the sender stop?")
    assert not q.negated and not polarity(q, "The sender stops after 16 packets.")
    assert not analyse("Which bill was passed by the members who did not vote in May?").negated
    assert analyse("Which member did not vote?").negated
    # "whether or not" negates nothing: the word negated is the one after the real "not"
    assert analyse("Which parts, whether or not damaged, are not replaced?").negated_word == stem("replaced")


@pytest.mark.parametrize(
    ("question", "text", "context", "fails"),
    [
        ("What does the HX-7 cost in euros?", "HX-7 | 8 | $899", "Model | Tracks | Price (USD)", True),
        ("What does the HX-7 cost in dollars?", "HX-7 | 8 | $899", "Model | Tracks | Price", False),
        ("What does the HX-7 cost in euros?", "HX-7 | 8 | 849", "Model | Tracks | Price (EUR)", False),
        ("How far is the ferry trip in kilometres?", "The crossing is 14 km long.", "", False),
        ("How far is the ferry trip in miles?", "The crossing is 14 km long.", "", True),
        ("How far is the ferry trip?", "The crossing is 14 km long.", "", False),
    ],
)
def test_a_question_asking_in_a_unit_needs_a_passage_giving_that_unit(question, text, context, fails):
    assert bool(mismatch(analyse(question), text, context)) is fails


@pytest.mark.parametrize(
    ("question", "passage"),
    [
        ("How long does the bus take to Norrby?", "The bus takes 40 minutes to Vallby."),
        ("Which gate do flights from Oslo leave?", "Flights from Bergen leave from gate 12."),
        ("What does a taxi from Central Station cost?", "A taxi from Harbour Square costs 300 kr."),
    ],
)
def test_a_passage_placing_it_elsewhere_is_a_mismatch(question, passage):
    assert "where the passage says" in counterpart(analyse(question), passage)


@pytest.mark.parametrize(
    ("question", "passage"),
    [
        ("How long does the bus take to Norrby?", "The bus takes 40 minutes to Norrby."),
        ("How long does the bus take to Norrby?", "The bus takes 40 minutes."),  # names no other place
        # a time is no place
        ("How many visitors came in March?", "In April, 900 visitors came."),
        # the other place is the question's too
        ("How long does the bus take from Vallby to Norrby?", "It takes 40 minutes from Vallby."),
        # an adjective of a people or place is no place
        ("How many trucks drove to Lerida?", "Forty trucks drove to the Spanish border."),
        # a place may hold another: "in Quito" may be "in Ecuador"; only a route's ends are compared
        ("How many people died in Ecuador?", "Twelve people died in Quito."),
        # the question's place, written with a possessive or with dots
        ("How many troops were sent to Ecuador?", "The US sent 200 troops to Ecuador's coast."),
        ("How long is the flight to D.C.?", "The flight to D.C. takes two hours."),
        # no place: "according to"
        ("How many troops were sent to Ecuador?", "200 troops were sent, according to the Pentagon."),
    ],
)
def test_counterpart_passes_when_the_passage_may_be_about_the_question_s_place(question, passage):
    assert not counterpart(analyse(question), passage)


def test_a_passage_naming_another_route_gate_or_annex_is_no_answer_for_the_one_asked():

    q = analyse("How long is the walk from Gate 4 to the lounge?")
    assert designator(q, "From Gate 7 the walk to the lounge takes 12 minutes.") == (
        'the question says "Gate 4" where the passage says "Gate 7"'
    )
    assert not designator(q, "From Gate 4 the walk to the lounge takes 12 minutes.")
    assert not designator(q, "Gates 4 and 7 are a 12-minute walk from the lounge; Gate 7 is closer.")
    assert not designator(q, "The lounge is a 12-minute walk from the gates.")
    assert not designator(q, "Gate 7 is shut. The walk from Gate 4. Then 12 minutes to the lounge.")
    assert not designator(analyse("Who won the seat of Mark A. Tell?"), "Mark B. Tell won.")  # initials
    # lists, ranges, Roman numerals and number words name the asked one too; a second asked one is no other
    assert not designator(q, "Gates 2, 3, and 4 are a 12-minute walk from the lounge.")
    assert not designator(q, "Gates 2 to 5 are a 12-minute walk from the lounge; Gate 7 is closer.")
    assert not designator(analyse("Who may sell Schedule 2 drugs?"), "Schedule II drugs, unlike Schedule III")
    assert not designator(
        analyse("What happens in Stage 1?"), "In Stage one the pump fills; Stage 2 drains it."
    )
    both = analyse("How do Gate 4 and Gate 7 differ?")
    assert not designator(both, "Gate 7 is a 12-minute walk from the lounge.")
    # the headings over a unit name it too
    assert not designator(q, "From here the walk to the lounge takes 12 minutes, or 4 from Gate 7.", "Gate 4")
    annex = analyse("What does Annex C list?")
    assert designator(annex, "Annex B lists the spare parts.") and not designator(
        annex, "Annex C lists tools."
    )
    # counts, dates, years and longer numbers name nothing
    assert not designator(
        analyse("Which plant sold 40 boats in March 2024?"), "The yard sold 35 boats in May 2023."
    )
    assert not designator(analyse("What does Table 3.2 show?"), "Table 3.1 shows the fees.")


def test_a_table_row_names_what_its_key_cell_designates_under_the_header():
    q = analyse("Which bins does the crew empty on Monday in Zone 3?")
    header = "Collection days › Bins\n(Zone | Monday | Thursday)"
    assert designator(q, "2 | Glass and paper | Garden waste", header) == (
        'the question says "Zone 3" where the passage says "Zone 2"'
    )
    assert not designator(q, "3 | Plastic | Glass", header)
    # a plural header counts: "2" under "Pumps" is how many, not Pump 2
    assert not designator(analyse("What does Pump 3 cost?"), "P-40 | 2 | 1,200", "(Model | Pumps | Price)")


def test_of_two_rows_the_one_naming_what_the_question_names_answers():
    text = "Single, Route B | 72 kr\nSingle, Route C | 95 kr"
    chunk = Chunk(id="f#0", doc_id="f", index=0, text=text, start=0, end=len(text), title="Fares", date=None)

    def row(line: str, score: float) -> Evidence:
        start = text.index(line)
        return Evidence(label=1, chunk=chunk, text=line, start=start, end=start + len(line), score=score)

    b, c = row("Single, Route B | 72 kr", 0.7), row("Single, Route C | 95 kr", 0.6)
    question = analyse("How much is a single ticket on Route C?")
    assert assess_support(question, [b, c]).evidence is c
    refused = assess_support(question, [b])
    assert not refused.supported and refused.closest is b and "Route B" in refused.reason


def test_a_row_is_read_with_its_header_cells_for_its_key_and_for_what_it_says():
    text = "\n".join(
        [
            "Setup allowances are paid with the first salary.",
            "A | 07:10 | 10:00",
            "B | 08:00 | 11:00",
            "Design | €750",
        ]
    )
    chunk = Chunk(id="p#0", doc_id="p", index=0, text=text, start=0, end=len(text), title="Policy", date=None)

    def unit(line: str, score: float, context: str = "", rank: float = 0.0) -> Evidence:
        start = text.index(line)
        return Evidence(1, chunk, line, start, start + len(line), score, context=context, rank=rank)

    timetable = "Departures\n(Route | Weekdays | Sunday)"
    a, b = unit("A | 07:10 | 10:00", 0.7, timetable), unit("B | 08:00 | 11:00", 0.6, timetable)
    assert assess_support(analyse("When does the Sunday ferry on Route B leave?"), [a, b]).evidence is b
    # the row says the allowance its header names, as much as the paragraph repeating the words: then
    # the learned rank decides (without the header, the paragraph went first whatever the rank)
    paragraph = unit("Setup allowances are paid with the first salary.", 0.7, "5 Allowances", rank=1.0)
    design = unit("Design | €750", 0.6, "5 Allowances\n(Role | Setup allowance)", rank=2.0)
    q = analyse("Which setup allowance does a Design employee receive?")
    assert assess_support(q, [paragraph, design]).evidence is design
