"""Mismatch checks: a passage close to a question that still does not answer it.

Questions that the documents do not answer are often a true question edited: negated ("Which problem
is *not* in P?" against a passage saying which one is), or with a word swapped for its opposite
("encoded *indirectly*" against "directly"), or with what it asks about moved to someone else. Such a
passage shares nearly every word with the question, so closeness cannot tell them apart. Each check
below looks for one kind of edit and says what it found, or "". A passage failing one is shown as the
closest passage, not as the answer.
"""

from __future__ import annotations

import re

from rag.lexicon import RELATIONS, base_form
from rag.question import Question, near_stems
from rag.structure import header_cells, row_header
from rag.text import (
    anchored_names,
    designations,
    fold,
    negated,
    negation_at,
    normalize_word,
    people,
    shares_stem,
    stem,
    word_matches,
    words,
)

NEGATION_REACH = 6
"""How many words on either side of a negation it bears on, within its clause."""
# Where a clause ends: "... a failed card never costs a take" bears on nothing before "so"
_CLAUSE_END = re.compile(r"[.;:!?]|,?\s+\b(?:so|but|because|while|although|though|whereas)\b", re.IGNORECASE)


def polarity(q: Question, text: str) -> str:
    """The question is negated and the passage is not, or the passage says the very word the question
    negates with no negation near it ("What variable is *not associated* with ...?" against "... is
    associated with ..."; a "not" elsewhere in it bears on something else). Where the passage words it
    otherwise, any negation in it will do ("What does the warranty not cover?", "The guarantee does
    not extend to ...")."""
    if not q.negated:
        return ""
    if not negated(text, terms=q.negation_terms) or (
        q.negated_word and _says_unnegated(text, q.negated_word, q.negation_terms)
    ):
        return "the question is negated and the passage is not"
    return ""


def _says_unnegated(text: str, word_stem: str, terms: frozenset[str] = frozenset()) -> bool:
    """Whether ``text`` says the word of stem ``word_stem`` with no negation within ``NEGATION_REACH``
    words of it in its clause, and nowhere with one: "goods are returned within 14 days" says
    "return" un-negated; "goods cannot be returned" does not. Negation words in ``terms`` name things
    here ("the nobody group") and negate nothing."""
    found = False
    for clause in _CLAUSE_END.split(text):
        folded = [fold(w) for w in words(clause)]
        for i, w in enumerate(folded):
            if not shares_stem(stem(base_form(w)), [word_stem]):
                continue
            window = range(max(0, i - NEGATION_REACH), min(len(folded), i + NEGATION_REACH + 1))
            if any(negation_at(folded, j, terms=terms) for j in window):
                return False
            found = True
    return found


def contrast(q: Question, text: str) -> str:
    """The passage uses the opposite of a word of the question in its place: the question's word is not
    in the passage, and its opposite is, among words that stand around the question's word too
    ("encoded indirectly" asked, "encoded directly" said). A compound is read whole and in its parts
    ("non-deterministic"; "worst" of "worst-case")."""
    whole = [fold(w) for w in words(text)]
    tokens = [part for token in whole for part in _whole_and_parts(token)]
    stems = [stem(base_form(t)) for t in tokens]  # "won" is "win"
    whole_stems = [stem(base_form(t)) for t in whole]
    for opposed in q.opposites:
        o = opposed.opposites
        if o.word in whole or shares_stem(stem(o.word), whole_stems):  # "handled" is "handle"
            continue
        relation = o.word in RELATIONS
        for i, (token, token_stem) in enumerate(zip(tokens, stems, strict=True)):
            if (token in o.words or token_stem in o.stems) and opposed.near & set(
                near_stems(stems, i, relation=relation)
            ):
                return f'the question says "{o.word}" where the passage says "{token}"'
    return ""


def _whole_and_parts(token: str) -> list[str]:
    parts = [p for p in token.split("-") if p]
    return [token, *parts] if len(parts) > 1 else [token]


DOER_GAP = 1
"""Words allowed between the doer's name and the predicate ("Bohemond I founded")."""


def subject(q: Question, text: str) -> str:
    """The passage says what the question asks about of someone else: it says what the question says
    happened, names a person the question does not, and lacks a name the question is about ("What
    principality did William found?" against "their prince Bohemond founded the Principality of
    Antioch"). The doer is read as a person named just before the first word of the predicate; a pronoun
    ("She founded ...") may be the question's subject and passes. Not for "who" questions, whose
    answer is a person the question does not name."""
    if q.kind == "person" or not q.proper_names or not q.predicate:
        return ""
    tokens = word_matches(text)
    said = {stem(t.group()) for t in tokens}
    absent = sorted(n for n in q.proper_names if stem(n) not in said)
    predicate = set(q.predicate)
    verb = next((t for t in tokens if stem(t.group()) in predicate), None)
    if not absent or verb is None:
        return ""
    # who does it: a person named just before the first word of what the question says happened,
    # in the same clause ("..., announced by Norrland Holdings, the branch closed" names no doer)
    clause_start = max((m.end() for m in re.finditer(r"[,;:()\n]", text[: verb.start()])), default=0)
    before = [t for t in tokens if clause_start <= t.start() and t.end() <= verb.start()][-DOER_GAP - 2 :]
    doers = people(text[before[0].start() : verb.start()]) if before else set()
    others = sorted(p for p in doers if not set(p.split()) & q.names)
    if others:
        asked = next((" ".join(run) for run in q.name_runs if absent[0] in run), absent[0])
        return f"the passage says it of {others[0].title()}, not of {asked.title()}"
    return ""


WHITHER = ("to", "from")
"""Prepositions of a route, whose places do not contain each other: "in Quito" may well be "in
Ecuador", but the crossing "to Lilla Björkö" is not the crossing "to Ytterö"."""


def counterpart(q: Question, text: str) -> str:
    """The passage goes elsewhere: where the question names a place after "to" or "from" that the
    passage does not name, the passage names another after the same word ("the crossing to Ytterö"
    asked, "50 minutes to Lilla Björkö" said)."""
    asked_places = [a for a in q.anchored if a[0] in WHITHER]
    if not asked_places:
        return ""
    said = {normalize_word(w) for w in words(text)}
    theirs = anchored_names(text)
    for preposition, name, asked in asked_places:
        if set(name) & said:
            continue
        other = next((w for p, n, w in theirs if p == preposition and not set(n) & q.names), None)
        if other:
            return f'the question says "{preposition} {asked}" where the passage says "{preposition} {other}"'
    return ""


def designator(q: Question, text: str, context: str = "") -> str:
    """The passage names another of what the question names by a letter or number, and never the
    question's own, in the unit or the headings over it (``context``): "Route B" where the question
    asks of "Route C", "Gate 7" of "Gate 4"."""
    if not q.designated:
        return ""
    said, named_around = designations(text) | _row_designations(text, context), designations(context)
    around = f"{context} {text}"
    for (noun, mark), asked in sorted(q.designated.items()):
        if (noun, mark) in said or (noun, mark) in named_around:
            continue
        if re.search(rf"\b{re.escape(noun)}s?\s+{re.escape(mark)}\b", around, re.IGNORECASE):
            continue  # also where designations leave it out: "... on Route C. Children ride free"
        other = next(
            (w for (n, m), w in sorted(said.items()) if n == noun and (n, m) not in q.designated), None
        )
        if other:
            return f'the question says "{asked}" where the passage says "{other}"'
    return ""


def _row_designations(text: str, context: str) -> dict[tuple[str, str], str]:
    """What a table row names by a cell that is a designator alone, read with its header cell: the row
    "B | 08:00, 13:15 | 11:00" under "Route | Monday–Friday | Sunday" names Route B. A plural header
    counts ("Tracks | 6"), it names nothing."""
    cells = header_cells(text, row_header(context))
    if len(cells) < 2:
        return {}
    found: dict[tuple[str, str], str] = {}
    for name, cell in cells:
        name, cell = name.strip(), cell.strip()
        named = designations(f"{name} {cell}")
        if len(cell.split()) == 1 and len(named) == 1 and not re.search(r"[^s]s$", name):
            found |= named
    return found


# How a unit is also written: a currency's sign and code, a measure's abbreviation
_UNIT_FORMS = {
    "dollars": ("$", "usd", "dollar"),
    "euros": ("€", "eur", "euro"),
    "pounds": ("£", "gbp", "pound", "lb", "lbs"),
    "yen": ("¥", "jpy"),
    "francs": ("chf", "franc"),
    "kronor": ("sek", "kr", "krona"),
    "kroner": ("nok", "dkk", "kr", "krone"),
    "meters": ("m", "metre", "metres", "meter"),
    "metres": ("m", "metre", "meters", "meter"),
    "kilometers": ("km", "kilometre", "kilometres"),
    "kilometres": ("km", "kilometer", "kilometers"),
    "kilograms": ("kg", "kilogram", "kilo", "kilos"),
    "grams": ("g", "gram"),
    "miles": ("mi", "mile", "mph"),
    "feet": ("ft", "foot"),
    "inches": ("in", '"', "inch"),
    "liters": ("l", "litre", "litres", "liter"),
    "litres": ("l", "liter", "liters", "litre"),
    "celsius": ("°c", "c"),
    "fahrenheit": ("°f", "f"),
    "percent": ("%", "per cent"),
    "hours": ("h", "hr", "hrs", "hour"),
    "minutes": ("min", "mins", "minute"),
    "seconds": ("s", "sec", "secs", "second"),
    "volts": ("v", "volt"),
    "watts": ("w", "watt"),
    "megabytes": ("mb", "megabyte"),
    "gigabytes": ("gb", "gigabyte"),
}


def unit(q: Question, text: str) -> str:
    """The question wants the answer in a unit ("in euros") the passage never gives it in: a price
    in dollars does not answer "How much is it in euros?"."""
    if not q.unit:
        return ""
    said = fold(text)
    tokens = {fold(w) for w in words(text)}
    forms = (q.unit, *_UNIT_FORMS.get(q.unit, ()))
    if any(f in tokens or (not f.isalnum() and f in said) for f in forms):
        return ""
    return f"the question asks for it in {q.unit}, and the passage does not give it in {q.unit}"


CHECKS = (polarity, contrast, subject, counterpart)
"""The checks of what a passage says: its own words only."""


def mismatch(q: Question, text: str, context: str = "") -> str:
    """Why ``text`` does not answer ``q`` although it is close to it, or "" when no check fails.
    ``context`` (its headings, a row's header cells) counts only for the unit it gives values in and
    the designators it names."""
    for check in CHECKS:
        problem = check(q, text)
        if problem:
            return problem
    return designator(q, text, context) or unit(q, f"{context} {text}")
