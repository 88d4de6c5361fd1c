"""Deciding, without the model, whether the evidence can answer the question at all.

Tiny models answer every question, so refusal is the system's call. A question is answerable when
some evidence sentence scores well, comes from a passage that mentions the numbers and names the
question is specific about and the thing whose value it asks for (the "capital" of "What is the
capital of Peru?"), and holds the kind of thing the question asks for (a number for "how many", a
date for "when", a person for "who", a name for "where") that the question does not already
contain. A sentence saying that what is asked was not disclosed is a reason to refuse. Of the
sentences that can answer, one that says what the question says happened comes first (see
``Question.predicate``). The best of them must not be an edited twin of the question (negated, with a
word turned into its opposite, said of someone else, in another unit: ``rag.mismatch``); if it is, it
is shown as the closest passage, not as the answer. The question is analysed once
(``rag.question``); every check reads that.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

from rag.lexicon import states_bound
from rag.mismatch import designator, mismatch
from rag.question import Question
from rag.structure import labelled_row, row_header
from rag.text import (
    CALENDAR,
    MEASURES,
    STOPWORDS,
    TIME_UNITS,
    clock_times,
    content_terms,
    fold,
    name_runs,
    names,
    normalize_word,
    numbers,
    people,
    shares_stem,
    stem,
    sums,
    word_set,
    words,
)
from rag.types import Evidence

MIN_SCORE = 0.3
"""Lowest evidence score (see ``rag.evidence``) an answer may rest on."""
NAMED_MARGIN = 0.1
"""How much lower the score of a sentence naming every name of the question may be, when those names
are specific: the embedding model blurs rare names ("SOCSOUTH"), so a sentence anchored by them but
worded otherwise scores low."""

# What answers look like
_COUNT = re.compile(r"\d[\d.]*(%|s)?")  # "12s" is "dozens"
_MAGNITUDES = frozenset(["100", "1000", "1000000", "1000000000"])  # "hundred" ... "billion" alone
_DATE_WORDS = CALENDAR | word_set(
    "today yesterday tomorrow week weeks month months year years decade earlier ago last since until"
)
# What answers "when" by itself: "Saturdays", "three days ago"; not the words that only lead to a date
# ("until stocks last", "since the policy was introduced")
_DATE_ANSWERS = (_DATE_WORDS - word_set("since until")) | {
    f"{day}s" for day in CALENDAR if day.endswith("day")
}
# "15.04.2025", "2025-04-15", "15/4/25", "on the 14th"
_NUMERIC_DATE = re.compile(
    r"\b(\d{1,2}[./-]\d{1,2}[./-](\d{4}|\d{2})|\d{4}-\d{2}-\d{2})\b|\bon the \d{1,2}(st|nd|rd|th)\b(?! floor)"
)
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
DATES = re.compile(
    rf"\b({_MONTHS})\.? \d{{1,2}}(st|nd|rd|th)?\b|\b\d{{1,2}}(st|nd|rd|th)? ({_MONTHS})\b", re.I
)
_NOT_DISCLOSED = re.compile(
    r"\b(did not|didn't|does not|do not|would not|declined to|refused to) (disclose|say|reveal|specify|"
    r"provide|comment|confirm)|\bnot (been )?(disclosed|revealed|specified|made public|provided)|"
    r"\bno details\b|\bundisclosed\b|\bwere not immediately\b|\bare secret\b|\bremains? unclear\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Support:
    """The evidence an answer can rest on (``evidence`` the best of ``eligible``), or why there is none:
    then ``closest`` may hold a passage that comes close but fails a mismatch check (``reason``)."""

    evidence: Evidence | None
    eligible: tuple[Evidence, ...] = ()
    reason: str = ""
    closest: Evidence | None = None

    @property
    def supported(self) -> bool:
        return self.evidence is not None


def holds_kind(q: Question, text: str, *, short_answer: bool = False, context: str = "") -> bool:
    """Whether ``text`` holds a new thing of the kind ``q`` asks for: one not already in the question.

    In running text a capital at the start of a sentence says nothing; in a short answer
    ("Sucumbios province.") it is usually the answer, so ``short_answer`` counts it. A sentence
    answers "who" only if it names a person (see ``rivals``; ``context`` is its passage).
    """
    kind = q.kind
    if kind == "number" and short_answer:  # "4,860." answers "How many dewars ...?"
        return bool(_counts(text) - q.numbers)
    if kind in ("number", "money"):  # a count or share, so a date ("May 1", "until 2009") is not one
        return bool(rivals(q, text))
    if kind == "duration":  # "for a decade", "several days earlier", "90 minutes"
        units = {fold(w) for w in words(text)} & TIME_UNITS
        return bool(units - q.words) or bool(rivals(q, text, kind="number"))
    if kind == "date":
        found = {fold(w) for w in words(text)} & _DATE_ANSWERS
        return (
            bool(found - q.words)
            or any(_is_year(n) for n in numbers(text) - q.numbers)
            or bool(_NUMERIC_DATE.search(text))
            or (not q.day_asked and bool(clock_times(text) - q.times))
        )
    if kind == "person" and not short_answer:  # "Who is ...?" needs a person; "Who won?" a name
        return bool(rivals(q, text, context=context))
    if kind in ("person", "place"):
        return bool(names(text, sentence_starts=short_answer) - q.names)
    return True


def rivals(q: Question, text: str, *, context: str = "", kind: str = "") -> set[str]:
    """The people (for a ``person`` question), counts (``number``), sums (``money``) or names
    (``place``) in ``text`` that the question does not already name: what an answer could pick
    from. Empty for other kinds. ``context``, the passage around ``text``, tells whether a lone
    surname is a person's; ``kind`` overrides the kind ``q`` asks for.

    When a sentence holds two ("Noboa met Francis Donovan and Mark Schafer"), a tiny model picks
    the wrong one about as often as the right one, so the pipeline quotes the sentence instead.
    """
    kind = kind or q.kind
    if kind == "number":
        spaced = _COMPOUND.sub(r"\1 \2", DATES.sub(" ", text))  # "a six-word phrase" counts six
        found = {n for n in _counts(spaced) - q.numbers if not _is_year(n)}
        counted = q.asked[-1:]  # "How many dewars ...?" is answered by "4,860 ... dewars"
        return found & _counts_of(counted[0], spaced) if counted else found
    if kind == "money":
        return sums(text) - q.sums
    asked = q.names
    if kind == "person":
        found = new_people(text, q, context=context)
        if found or q.who_is:  # "Who is the defense minister?" asks for a person
            return found
        # "Who won the cup?" may be answered by a team or a company: then any new name will do
        return {n for n in names(text, sentence_starts=False) if n not in asked and n not in _DATE_WORDS}
    if kind == "place":
        asked_stems = {stem(n) for n in asked}
        named = {w for p in people(text, context=context) for w in p.split()}
        return {
            n
            for n in names(text, sentence_starts=False)
            if stem(n) not in asked_stems and n not in _DATE_WORDS and n not in named
        }
    return set()


def new_people(text: str, q: Question, *, context: str = "") -> set[str]:
    """The people ``text`` names, but not those the question names, even in part ("Noboa")."""
    return {p for p in people(text, context=context) if p.split()[-1] not in q.names}


def picks(kind: str, answer: str, options: set[str]) -> bool:
    """Whether a short ``answer`` gives one of the ``options`` (see ``rivals``) for a ``kind`` question."""
    if kind == "number":
        return bool(_counts(answer) & options)
    if kind == "money":
        return bool(sums(answer) & options)
    if kind == "person":  # "Donovan" gives "francis l donovan"
        return any(option.split()[-1] in names(answer) for option in options)
    return bool(names(answer) & options)


def _counts(text: str) -> set[str]:
    """The numbers in ``text`` that can be counts: not "million" alone, not a model like "CX-30"."""
    return {n for n in numbers(text) if _COUNT.fullmatch(n) and n not in _MAGNITUDES}


def _initials(text: str) -> str:
    """The first letters of each unpunctuated run of words, stopwords skipped, runs apart: "the chief
    financial officer, Ingrid" gives "cfo i", so that an acronym in a question ("CFO") is found."""
    runs = re.split(r"[^\w\s'’-]+", text)
    return " ".join(
        "".join(fold(w)[0] for w in words(run) if normalize_word(w) not in STOPWORDS) for run in runs
    )


_COMPOUND = re.compile(r"\b(\w+)-([a-z]{3,})\b")  # "six-word", "12-page"; not a model, "CX-30"
_LABEL_END = re.compile(r"\s*(?:[|=]|:(?=\s))\s*")  # "Aerators: 8", "Aerators | 8"; not "10:00"


def _counts_of(noun: str, text: str, *, within: int = 5) -> set[str]:
    """The numbers in ``text`` that count ``noun``: followed by it within ``within`` words ("4,860
    CX-30 liquid nitrogen storage dewars"; "a six word phrase", as ``rivals`` spaces "six-word"), or
    the value of a label naming it in its last ``within`` words ("Paddle aerators, model AQ-55: 8
    units"). A number followed by a unit of measure measures something and counts nothing: "3.5 mm
    mini-jack" is no count of jacks (but "5 days" counts days)."""
    tokens = words(text)
    found = {
        number
        for i, token in enumerate(tokens)
        for number in _counts(token)
        if not _measured(tokens[i + 1 : i + 2], noun)
        and any(_same_word(noun, t) for t in tokens[i + 1 : i + 1 + within])
    }
    parts = _LABEL_END.split(text)
    for label, value in zip(parts, parts[1:], strict=False):
        first = value.split(maxsplit=1)[:1]  # "8 units"; not a time, "10:00", a version, "2.4.1", "4th"
        plain = first and re.fullmatch(r"\d[\d,]*|[a-z]+", first[0].rstrip(",;."))
        # the label names them in the plural: "Pumps: 14", not "Room: 101" nor "Employee ID: 40213"
        if plain and any(_same_word(noun, t) and t.endswith("s") for t in words(label)[-within:]):
            found |= _counts(first[0].rstrip(",;."))
    return found


def _measured(following: Sequence[str], noun: str) -> bool:
    """Whether the word after a number (``following``: one or none) is a unit of measure, not ``noun``."""
    return bool(following) and fold(following[0]) in MEASURES and not _same_word(noun, following[0])


def _same_word(word: str, other: str) -> bool:
    """The same word in another form: "dewars" ~ "dewar", "hourly" ~ "hour" (a derived form)."""
    a, b = stem(word), stem(other)
    return a == b or (len(b) >= 4 and a.startswith(b))


# How a sentence saying something was not disclosed names what it withholds ("did not disclose the
# number of troops or how long they will remain"), by the kind of thing asked for
_KIND_WORDS = {
    "duration": r"how long|duration|length",
    "number": r"how many|number|count|figure|toll|size",
    "money": r"how much|cost|price|amount|value|sum",
    "date": r"when(?! asked)|date|timing|timeline",
    "person": r"who|identity|identities|names?",
    "place": r"where|location",
}


_WITHHELD_WITHIN = 8  # words after "did not disclose" in which what is withheld is named


def _withholds(q: Question, text: str) -> bool:
    """Whether a sentence saying something was not disclosed says it of what the question asks: after
    the words saying so, within a few words, it names the kind of thing asked for ("how long"); it
    names the thing asked about (the "troops" of "How many troops ...?"); and it names something
    else the question names ("... did not disclose how long they will remain in Ecuador" for "How
    long will the airmen stay in Ecuador?"). Then the documents say they do not know, whatever else
    the evidence says."""
    phrase = _KIND_WORDS.get(q.kind)
    said = _NOT_DISCLOSED.search(text)
    if not phrase or not said:
        return False
    after = " ".join(words(text[said.end() :])[:_WITHHELD_WITHIN])
    if not re.search(rf"\b({phrase})\b", fold(after)):
        return False
    stems = content_terms(text)
    asked = [stem(w) for w in (*q.asked, *q.counted)]
    if not all(shares_stem(t, stems) for t in asked):
        return False
    others = content_terms(re.sub(rf"\b({phrase})\b", " ", fold(q.text)))
    return any(shares_stem(t, stems) for t in others if t not in asked)


def _names_every_name(q: Question, e: Evidence, evidence: Sequence[Evidence]) -> bool:
    """Whether the sentence names every name of the question, and they are specific: named in at most
    half of the evidence's passages (a question's "Noboa" in a corpus about Noboa says little)."""
    asked = {stem(n) for n in q.proper_names}
    if not asked or not asked <= {stem(n) for n in names(e.text)}:
        return False
    passages = {o.chunk.id: {stem(n) for n in names(_context(o))} for o in evidence}
    return all(sum(n in found for found in passages.values()) <= (len(passages) + 1) // 2 for n in asked)


def _predicate_overlap(predicate: Sequence[str], terms: Sequence[str]) -> int:
    """How many of the question's predicate stems a sentence's ``terms`` share."""
    return sum(shares_stem(t, terms) for t in predicate)


def _is_year(number: str) -> bool:
    return number.isdigit() and len(number) == 4 and 1800 <= int(number) <= 2100


def assess_support(q: Question, evidence: list[Evidence], *, min_score: float = MIN_SCORE) -> Support:
    """The evidence that can answer the question ``q``, best first, or a refusal with its reason."""
    if not evidence:
        return Support(None, reason="nothing in the documents matches the question")
    if not q.terms:
        return Support(None, reason="the question has no words to look for")
    # 1. Close enough: the score, a little lower for a sentence naming the question's specific names
    close = [
        e
        for e in evidence
        if e.score >= min_score - (NAMED_MARGIN if _names_every_name(q, e, evidence) else 0)
    ]
    if not close:
        return Support(
            None, reason=f"no passage is close enough to the question (best {evidence[0].score:.2f})"
        )
    # 2. A sentence saying that what is asked was not disclosed, in a document about what the question
    # names, is a refusal (its own words may differ: "the specifics are secret" for "the terms")
    kind = q.kind
    withheld = [
        e
        for e in close
        if _NOT_DISCLOSED.search(e.text) and not _unmentioned(q, _document_context(e, evidence))
    ]
    if any(_withholds(q, e.text) for e in withheld):
        return Support(None, reason="the documents say this was not disclosed")
    # 3. Eligible: from a passage about what the question names, holding the kind of thing it asks for.
    # A sentence withholding some detail may still give another ("offered the job to Helen
    # Brightwater, but has not disclosed the salary" answers "who"); met before any that answers and
    # giving nothing, it is a refusal.
    eligible: list[Evidence] = []
    mentioned = False
    for e in close:
        gives = holds_kind(q, e.text, context=e.chunk.text) and not (e in withheld and kind == "other")
        if e in withheld and not gives:
            if not eligible:
                return Support(None, reason="the documents say this was not disclosed")
            continue
        if not mentions_specifics(q, e, others=evidence):
            continue
        mentioned = True
        if gives:
            eligible.append(e)
    # 4. Ranked: a sentence (or a row, read with its header cells) that says what the question says
    # happened ("sank", "visited") before one that only shares its names, then by how much each looks
    # like the unit that answers (``rank``, learned); for "who", one naming a person before one naming
    # only a company. A row of "Route B" goes after every other for a question of "Route C"
    # (``designator``).
    eligible.sort(
        key=lambda e: (
            bool(designator(q, e.text, e.context)),
            -_predicate_overlap(q.predicate, content_terms(labelled_row(e.text, row_header(e.context)))),
            -e.rank,
        )
    )
    if kind == "person":
        eligible.sort(key=lambda e: not new_people(e.text, q, context=e.chunk.text))
    # 5. Not an edited twin of the question: negated where it is not, or saying the opposite
    if eligible:
        problem = mismatch(q, eligible[0].text, eligible[0].context)
        if problem:
            return Support(None, reason=problem, closest=eligible[0])
        return Support(eligible[0], tuple(eligible))
    if not mentioned:
        named = ", ".join(q.specifics)
        return Support(None, reason=f"no passage close to the question mentions all of: {named}")
    return Support(None, reason=f"no passage gives the {kind} the question asks for about what it names")


def also_answers(
    q: Question,
    e: Evidence,
    evidence: Sequence[Evidence],
    *,
    min_score: float = MIN_SCORE,
    specific: bool = True,
) -> bool:
    """Whether ``e`` passes the checks the answer's evidence passed (close enough, about what the
    question names, holding the kind of thing asked for, withholding nothing, no edited twin of the
    question): whether its document speaks to the question too (see ``rag.agreement``). ``evidence``
    are the units the support was assessed on. Without ``specific``, its passage need not mention
    every name and number the question does (for a unit restating the answer's)."""
    return (
        e.score >= min_score
        and not _NOT_DISCLOSED.search(e.text)
        and holds_kind(q, e.text, context=e.chunk.text)
        and (not specific or mentions_specifics(q, e, others=[*evidence, e]))
        and not mismatch(q, e.text, e.context)
    )


def mentions_specifics(q: Question, e: Evidence, *, others: Sequence[Evidence] = ()) -> bool:
    """Whether the passage around ``e`` mentions the numbers and names the question is specific about,
    and the thing it asks about (``Question.asked``).

    "Where did the March 6 strikes take place?" is about the strikes of March 6: a sentence from a
    passage that never mentions 6 is about something else, however close its words are.

    A document is cut into passages anywhere, and "the 38-year-old leader" of one passage is the
    "Noboa" of the one before. So the numbers and names (not the thing asked about) may also be in
    the passages of other evidence sentences in ``others`` from the same document.

    A question may join two passages through a thing it describes by a clause and does not name
    ("the month the US announced a deployment to the base *that it had operated until 2009*": the
    announcement never says 2009). So numbers and names of the clause that the passage and its
    document lack may be found in the passage of another evidence sentence in ``others``, when that
    sentence names something (not in the question) that this passage names too: the bridge
    ("Manta"). What the question says outside the clause must be in this passage or its document, and
    the thing asked about in this passage.
    """
    context = _context(e)
    stems = _context_stems(context)
    if not all(
        any(_same_word(w, t) or _same_word(_unhyphenated(w), t) for t in stems)
        or alternatives & stems
        or states_bound(w, e.text)  # the unit itself: "at most 12 bicycles"
        for w, alternatives in zip(q.asked, q.asked_synonyms, strict=True)
    ):
        return False
    missing = _unmentioned(q, context, stems)
    if missing:  # "the 38-year-old leader" of a passage is the "Noboa" of the one before it
        missing &= _unmentioned(q, _document_context(e, others))
    if not missing:
        return True
    if not q.clause or missing & _unmentioned(q, q.clause):
        return False
    bridges = {n for n in names(context) if n not in _DATE_WORDS} - q.names
    return any(
        not missing & _unmentioned(q, _context(other)) and bridges & names(other.text, sentence_starts=False)
        for other in others
        if other.chunk.id != e.chunk.id
    )


def _document_context(e: Evidence, evidence: Sequence[Evidence]) -> str:
    """The passages of ``evidence`` from ``e``'s document, ``e``'s first."""
    same = [o.chunk for o in evidence if o.chunk.doc_id == e.chunk.doc_id]
    chunks = {c.id: c for c in [e.chunk, *same]}
    return " ".join([e.context, *(f"{c.title} {c.text}" for c in chunks.values())])


def _context(e: Evidence) -> str:
    """The passage around ``e``: its document's title and file name (a question may name "the
    README"), the headings and header cells the unit stands under (a line under "4. WARRANTY" is about
    the warranty), and its chunk."""
    return f"{e.chunk.title} {file_words(e.chunk.doc_id)} {e.context} {e.chunk.text}"


def file_words(doc_id: str) -> str:
    """The words of a document's file name, not its numbers (a date or a version says nothing of what
    a question names): "manuals/skerry_readme_2024.md" gives "skerry readme"."""
    return " ".join(re.findall(r"[^\W\d_]{3,}", PurePath(doc_id).stem))


def _context_stems(context: str) -> set[str]:
    """Stems of the names and content words of ``context``, a hyphenated word also as one word and as
    its parts: "e-mail" is mentioned by "email", "start-up" mentions "startup" and "start"."""
    hyphenated = [w for w in words(context) if "-" in w]
    variants = {stem(_unhyphenated(w)) for w in hyphenated}
    variants |= {stem(part) for w in hyphenated for part in w.split("-") if len(part) > 2}
    return {stem(n) for n in names(context)} | set(content_terms(context)) | variants


def _unmentioned(q: Question, context: str, context_stems: set[str] | None = None) -> set[str]:
    """The numbers and names of the question that ``context`` does not mention. ``context_stems``:
    ``_context_stems(context)``, if already computed. A name is mentioned by an abbreviation that
    stands for it, and an abbreviation by the words it stands for (``_abbreviated``)."""
    context_stems = _context_stems(context) if context_stems is None else context_stems
    missing = {
        n
        for n in q.proper_names
        # of any words, not only names: "the chief financial officer" is the "CFO" (three letters at
        # least: two are the initials of too many pairs of words)
        if not (
            stem(n) in context_stems
            or stem(_unhyphenated(n)) in context_stems  # "IA-64" is mentioned by "IA64"
            or (n in q.acronyms and len(n) > 2 and n in _initials(context))
        )
    }
    if missing:
        missing -= _abbreviated(q, context)
    found = {_unhyphenated(n) for n in numbers(context)}
    return {n for n in q.numbers if _unhyphenated(n) not in found} | missing


def _unhyphenated(word: str) -> str:
    return word.replace("-", "")


def _abbreviated(q: Question, context: str) -> set[str]:
    """The names of the question that ``context`` gives in the other form, abbreviated or spelled out:
    "Power Delivery" by "USB-C PD", "EU" by "European Union", "HSR" by "Hart-Scott-Rodino"."""
    c_initials = {"".join(w[0] for w in run) for run in _spans(name_runs(context))}
    c_acronyms = {fold(w).rstrip("s") for w in re.findall(r"\b[A-Z][A-Z0-9]{1,5}s?\b", context)}
    found: set[str] = set()
    for span in _spans(q.name_runs):  # the question spells out what the passage abbreviates
        if "".join(w[0] for w in span) in c_acronyms:
            found.update(span)
    for run in q.name_runs:  # the question abbreviates what the passage spells out
        if len(run) == 1 and run[0] in c_initials:
            found.update(run)
    # also inside a run ("US and Ecuadorian forces"), from words of three letters or more ("World War I,
    # Italian ..." does not spell "II")
    spelled = {"".join(w[0] for w in span) for span in _spans(name_runs(context)) if min(map(len, span)) > 2}
    found |= q.acronyms & spelled
    return {n for n in q.proper_names if set(n.split("-")) <= found}


def _spans(runs: Sequence[Sequence[str]]) -> list[Sequence[str]]:
    """Every stretch of two words or more of each run."""
    return [run[i:j] for run in runs for i in range(len(run)) for j in range(i + 2, len(run) + 1)]
