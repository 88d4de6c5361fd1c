"""Verifying a generated answer against the evidence it cites, and turning evidence into sources.

Every sentence of an answer must rest on evidence: its ``[n]`` markers must point at evidence that
was shown, and every number and capitalized name in it must occur in the evidence it cites. A
sentence without markers is attributed to the shown evidence that holds all of its claims. Anything
that fails is not shown: the caller falls back or refuses.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.question import Question
from rag.structure import section_title
from rag.text import content_terms, fold, names, numbers, spans_of_time, split_sentences, stem, words
from rag.types import Evidence, Source

_MARKER = re.compile(r"\s*\[(\d+)\]")
_REFUSAL_WORDS = re.compile(
    r"\b(not (mentioned|stated|say|said|provided|known)|no information|unknown|cannot|can't|"
    r"don't know|unanswerable)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Claim:
    """One answer sentence and the evidence labels it rests on."""

    text: str
    labels: tuple[int, ...]


def strip_markers(text: str) -> str:
    return _MARKER.sub("", text).strip()


def unsupported_terms(text: str, support: str) -> set[str]:
    """Numbers and capitalized names in ``text`` that do not occur in ``support``, and spans of time
    whose number ``support`` gives in another unit only ("10 hours" where it says "every ten
    minutes")."""
    support_numbers = numbers(support)
    support_names = names(support) | {stem(w) for w in names(support)}
    support_stems = set(content_terms(support))
    missing = {n for n in numbers(text) if n not in support_numbers}
    missing |= {
        n
        for n in names(text)
        if n not in support_names and stem(n) not in support_names and stem(n) not in support_stems
    }
    spans = spans_of_time(support)
    missing |= {
        f"{n} {unit}"
        for n, unit in spans_of_time(text) - spans
        if any(n == other for other, _ in spans)  # given in another unit, not without one
    }
    return missing


def check_sentence(
    sentence: str,
    evidence: list[Evidence],
    q: Question,
    said: Sequence[Claim] = (),
    *,
    verbatim: bool = False,
) -> tuple[Claim | None, str]:
    """The claim ``sentence`` makes and the evidence it rests on, or ``None`` and what is wrong.

    ``said`` are the claims already accepted for this answer: the first one must say something the
    question does not (a model that echoes the question has not answered it). ``verbatim``: the
    sentence must be a run of the words of a unit it cites (``in_its_words``), for a model too small
    to reword the evidence faithfully (``Generator.verbatim``).
    """
    by_label = {e.label: e for e in evidence}
    labels = tuple(dict.fromkeys(int(m) for m in _MARKER.findall(sentence)))
    bare = _MARKER.sub("", sentence).strip()
    if not content_terms(bare):
        return None, f"no answer in {sentence!r}"
    if _REFUSAL_WORDS.search(bare):
        return None, f"the model declined or hedged: {bare!r}"
    if any(label not in by_label for label in labels):
        return None, f"cites evidence that was not shown: {sentence!r}"
    if labels:
        missing = unsupported_terms(bare, " ".join(by_label[label].text for label in labels))
        if missing:
            return None, f"{', '.join(sorted(missing))} not in the cited evidence"
    else:
        labels = _attribute(bare, evidence)
        if labels is None:
            return None, f"no evidence holds {bare!r}"
    if not said and not set(content_terms(bare)) - set(q.terms):
        return None, "the answer only repeats the question"
    if verbatim and not any(in_its_words(bare, by_label[label].text) for label in labels):
        return None, f"{bare!r} is not in the words of the evidence it cites"
    return Claim(bare, labels), ""


def in_its_words(sentence: str, text: str) -> bool:
    """Whether ``sentence`` is a run of the words of ``text`` (case, punctuation and spacing aside):
    "0x21" and "the zlib format" are in the words of "... using the zlib format ...", "The date of
    the first distribution" is not in those of "on the date the Contributor first distributes"."""
    wanted = " ".join(words(fold(sentence)))
    return bool(wanted) and f" {wanted} " in f" {' '.join(words(fold(text)))} "


def verify(answer: str, evidence: list[Evidence], q: Question) -> tuple[tuple[Claim, ...], str]:
    """Check every sentence of ``answer``: its claims, or none and the first problem found."""
    claims: list[Claim] = []
    for start, end in split_sentences(answer):
        claim, problem = check_sentence(answer[start:end], evidence, q, said=claims)
        if claim is None:
            return (), problem
        claims.append(claim)
    return (tuple(claims), "") if claims else ((), "the model gave no answer")


def _attribute(sentence: str, evidence: list[Evidence]) -> tuple[int, ...] | None:
    """Labels of the shown evidence that holds every number and name of ``sentence``: the single
    sentence sharing most words with it, else the best pair that holds them together."""
    terms = set(content_terms(sentence))

    def overlap(e: Evidence) -> tuple[int, float]:
        return len(terms & set(content_terms(e.text))), e.score

    holders = [e for e in evidence if not unsupported_terms(sentence, e.text)]
    if holders:
        return (max(holders, key=overlap).label,)
    pairs = [
        (a, b)
        for i, a in enumerate(evidence)
        for b in evidence[i + 1 :]
        if not unsupported_terms(sentence, f"{a.text} {b.text}")
    ]
    if pairs:
        a, b = max(pairs, key=lambda pair: (overlap(pair[0])[0] + overlap(pair[1])[0], pair[0].score))
        return (a.label, b.label)
    return None


def to_source(label: int, e: Evidence) -> Source:
    return Source(
        label=f"[{label}]",
        doc_id=e.chunk.doc_id,
        title=e.chunk.title,
        date=e.chunk.date,
        chunk_id=e.chunk.id,
        quote=e.text,
        start=e.start,
        end=e.end,
        score=e.score,
        passage=e.chunk.text,
        page=e.chunk.page_at(e.start),
        section=section_title(e.section),
    )


def cite(claims: tuple[Claim, ...], evidence: list[Evidence]) -> tuple[str, tuple[Source, ...]]:
    """Answer text with markers renumbered 1..m in order of first citation, and the m sources."""
    by_label = {e.label: e for e in evidence}
    order: dict[int, int] = {}
    parts = []
    for claim in claims:
        for label in claim.labels:
            order.setdefault(label, len(order) + 1)
        markers = "".join(f"[{order[label]}]" for label in claim.labels)
        body, end = (claim.text[:-1], claim.text[-1]) if claim.text[-1] in ".!?" else (claim.text, "")
        parts.append(f"{body} {markers}{end}")
    sources = tuple(to_source(new, by_label[old]) for old, new in order.items())
    return " ".join(parts), sources
