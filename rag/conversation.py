"""Follow-up questions: rewriting "and when does it end?" into a question that stands alone."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.text import content_terms, fold, names, words
from rag.types import Turn

_FOLLOW_UP_START = re.compile(r"^\s*(and|but|so|also|then|what about|how about)\b[\s,]*", re.IGNORECASE)
_REFERRING = frozenset(
    [
        "he",
        "she",
        "it",
        "they",
        "them",
        "his",
        "her",
        "its",
        "their",
        "there",
        "that",
        "this",
        "those",
        "these",
        "him",
        "one",
    ]
)
_MARKER = re.compile(r"\s*\[\d+\]")


@dataclass(frozen=True)
class Query:
    """What to look for. ``question`` decides what is asked (its key terms, its kind);
    ``search_text`` adds the conversation it follows, for retrieval."""

    question: str
    search_text: str


def is_follow_up(question: str) -> bool:
    """Starts like a continuation, refers back with a pronoun, or names nothing of its own."""
    if _FOLLOW_UP_START.match(question):
        return True
    if {fold(w) for w in words(question)} & _REFERRING:
        return True
    return not names(question) and len(content_terms(question)) <= 1


def standalone_query(question: str, history: Sequence[Turn] = ()) -> Query:
    """The question as asked when there is no history or it stands alone; otherwise the question
    (leading "and"/"what about" dropped) with the previous question and answer as search context."""
    question = question.strip()
    if not history or not is_follow_up(question):
        return Query(question, question)
    core = _FOLLOW_UP_START.sub("", question).strip() or question
    core = core[0].upper() + core[1:]
    last = history[-1]
    context = " ".join(part for part in (last.question, _MARKER.sub("", last.answer)[:300]) if part)
    return Query(core, f"{core} (Context: {context})")
