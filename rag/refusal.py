"""Deciding, without the model, whether the evidence can answer the question at all.

Tiny models answer every question, so refusal is the system's call. A question is answerable when
some evidence sentence scores well, comes from a passage that mentions the numbers and names the
question is specific about, and holds the kind of thing the question asks for (a number for "how
many", a date for "when", a name for "who" or "where") that the question does not already contain.
A sentence saying the detail was not disclosed, met before any that answers, is a reason to refuse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.text import content_terms, fold, names, numbers, stem, words
from rag.types import Evidence

MIN_SCORE = 0.3
"""Lowest evidence score (see ``rag.evidence``) an answer may rest on."""

_NUMBER_Q = re.compile(
    r"\b(how (many|much|old|long|far|large|big)|what (percentage|percent|share|proportion|number|age))\b"
)
_DATE_Q = re.compile(r"\b(when|what (year|date|day|month|time)|which (year|date|day|month))\b")
_PERSON_Q = re.compile(r"^\s*(who|whom|whose)\b|\bwho\b")
_PLACE_Q = re.compile(r"\bwhere\b|\bwhich (city|country|province|port|region|state|town|place)\b")
_DATE_WORDS = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "today",
        "yesterday",
        "tomorrow",
        "week",
        "weeks",
        "month",
        "months",
        "year",
        "years",
        "decade",
        "earlier",
        "ago",
        "last",
        "since",
        "until",
    ]
)
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_DATES = re.compile(
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
    """The evidence an answer can rest on (``evidence`` the best of ``eligible``), or why there is none."""

    evidence: Evidence | None
    eligible: tuple[Evidence, ...] = ()
    reason: str = ""

    @property
    def supported(self) -> bool:
        return self.evidence is not None


def expected_kind(question: str) -> str:
    """What the question asks for: ``number``, ``date``, ``person``, ``place`` or ``other``."""
    q = fold(question)
    if _NUMBER_Q.search(q):
        return "number"
    if _DATE_Q.search(q):
        return "date"
    if _PERSON_Q.search(q):
        return "person"
    if _PLACE_Q.search(q):
        return "place"
    return "other"


def holds_kind(kind: str, text: str, question: str, *, short_answer: bool = False) -> bool:
    """Whether ``text`` holds a new ``kind`` of thing: one not already in the question.

    In running text a capital at the start of a sentence says nothing; in a short answer
    ("Sucumbios province.") it is usually the answer, so ``short_answer`` counts it.
    """
    if kind == "number":  # a count or share, so a date ("May 1", "until 2009") is not one
        return any(not _is_year(n) for n in numbers(_DATES.sub(" ", text)) - numbers(question))
    if kind == "date":
        found = {fold(w) for w in words(text)} & _DATE_WORDS
        return bool(found - {fold(w) for w in words(question)}) or any(
            _is_year(n) for n in numbers(text) - numbers(question)
        )
    if kind in ("person", "place"):
        return bool(names(text, sentence_starts=short_answer) - names(question))
    return True


def _is_year(number: str) -> bool:
    return number.isdigit() and len(number) == 4 and 1800 <= int(number) <= 2100


def assess_support(question: str, evidence: list[Evidence], *, min_score: float = MIN_SCORE) -> Support:
    """The evidence that can answer ``question``, best first, or a refusal with its reason."""
    if not evidence:
        return Support(None, reason="nothing in the documents matches the question")
    if not content_terms(question):
        return Support(None, reason="the question has no words to look for")
    if evidence[0].score < min_score:
        return Support(
            None, reason=f"no passage is close enough to the question (best {evidence[0].score:.2f})"
        )
    kind = expected_kind(question)
    eligible: list[Evidence] = []
    for e in evidence:
        if e.score < min_score:
            break
        if not mentions_specifics(question, e):
            continue
        if _NOT_DISCLOSED.search(e.text):
            if not eligible:
                return Support(None, reason="the documents say this was not disclosed")
            continue
        if holds_kind(kind, e.text, question):
            eligible.append(e)
    if eligible:
        return Support(eligible[0], tuple(eligible))
    return Support(None, reason=f"no passage gives the {kind} the question asks for about what it names")


def mentions_specifics(question: str, e: Evidence) -> bool:
    """Whether the passage around ``e`` mentions the numbers and names the question is specific about.

    "Where did the March 6 strikes take place?" is about the strikes of March 6: a sentence from a
    passage that never mentions 6 is about something else, however close its words are.
    """
    context = f"{e.chunk.title} {e.chunk.text}"
    context_stems = {stem(n) for n in names(context)} | set(content_terms(context))
    if numbers(question) - numbers(context):
        return False
    return all(stem(n) in context_stems for n in names(question, sentence_starts=False))
