"""Evidence selection: from retrieved chunks, the few sentences that bear on the question.

Tiny models answer well from three short numbered sentences and badly from whole articles, so what
they are shown is chosen here: every sentence of the retrieved chunks is scored against the question
by embedding similarity and by weighted overlap with the question's key terms, duplicates are
dropped, and a sentence that leans on the one before ("He said ...") or goes on with a quotation it
opened is taken together with it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from rag.embeddings import Embedder
from rag.text import content_terms, fold, split_sentences, words
from rag.types import Chunk, Evidence, Hit

# Weights of the three signals in a sentence's score. Dense similarity finds paraphrases, term
# overlap finds names and numbers the small embedding model blurs, and the chunk's own retrieval
# score keeps sentences from well-matched passages ahead of lone lucky ones.
DENSE_WEIGHT = 0.5
LEXICAL_WEIGHT = 0.4
CHUNK_WEIGHT = 0.1
# Sentences embedded per question, after ranking all of them by overlap and chunk score (see
# ``select_evidence``). Measured on both question sets: see the README's evaluation section.
EMBEDDED_CANDIDATES = 16
_MIN_WORDS = 4  # shorter lines are headings or bylines, not evidence
_HEADING_WORDS = 12  # a whole line this short without closing punctuation is a heading, not a statement
_LEANING_STARTS = frozenset(
    ["he", "she", "it", "they", "this", "that", "these", "those", "his", "her", "its", "their", "such"]
)


@dataclass(frozen=True)
class Candidate:
    hit: Hit
    text: str
    start: int
    end: int


def candidate_sentences(hits: list[Hit]) -> list[Candidate]:
    """Every sentence of the retrieved chunks once, in retrieval order; repeats across documents dropped."""
    seen_spans: set[tuple[str, int]] = set()
    seen_texts: set[str] = set()
    out: list[Candidate] = []
    for hit in hits:
        chunk = hit.chunk
        previous: tuple[int, int] | None = None
        for start, end in split_sentences(chunk.text, offset=chunk.start):
            sentence = chunk.text[start - chunk.start : end - chunk.start]
            key = " ".join(fold(w) for w in words(sentence))
            heading = _is_heading(chunk.text, start - chunk.start, sentence)
            if (chunk.doc_id, start) not in seen_spans and key not in seen_texts:
                seen_spans.add((chunk.doc_id, start))
                seen_texts.add(key)
                if len(words(sentence)) >= _MIN_WORDS and not heading:
                    if previous and (_leans_on_previous(sentence) or _leaves_quote_open(chunk, previous)):
                        start = previous[0]
                    out.append(
                        Candidate(hit, chunk.text[start - chunk.start : end - chunk.start], start, end)
                    )
            previous = None if heading else (start, end)  # "## Scope" is no sentence to lean on
    return out


def term_weights(question_terms: list[str], sentences: list[list[str]]) -> dict[str, float]:
    """IDF of each question term over the candidate sentences: a term in every sentence says little."""
    df = Counter(t for terms in sentences for t in set(terms))
    n = max(1, len(sentences))
    return {t: math.log(1 + (n + 1) / (df[t] + 0.5)) for t in question_terms}


def lexical_overlap(question_terms: list[str], weights: dict[str, float], terms: set[str]) -> float:
    """Weighted share of the question's key terms found in a sentence, in [0, 1]."""
    total = sum(weights.values())
    if not total:
        return 0.0
    return sum(weights[t] for t in question_terms if t in terms) / total


def select_evidence(
    question: str,
    hits: list[Hit],
    *,
    embedder: Embedder,
    max_sentences: int = 4,
    query_vector: np.ndarray | None = None,
    embedded: int | None = None,
) -> list[Evidence]:
    """The ``max_sentences`` best sentences for ``question``, best first, labelled 1..n.

    Embedding the sentences is what this stage costs, so they are first ranked by the cheap signals
    (term overlap, chunk score) and only the ``embedded`` (default ``EMBEDDED_CANDIDATES``) best of
    those are embedded and compared.
    """
    candidates = candidate_sentences(hits)
    if not candidates:
        return []
    q_terms = content_terms(question)
    cand_terms = [content_terms(c.text) for c in candidates]
    weights = term_weights(q_terms, cand_terms)
    cheap = [
        (LEXICAL_WEIGHT * lexical_overlap(q_terms, weights, set(terms)) + CHUNK_WEIGHT * cand.hit.score, cand)
        for cand, terms in zip(candidates, cand_terms, strict=True)
    ]
    cheap.sort(key=lambda pair: pair[0], reverse=True)  # stable: ties keep retrieval order
    cheap = cheap[: embedded or EMBEDDED_CANDIDATES]
    q_vec = embedder.embed_query(question) if query_vector is None else query_vector
    s_vecs = embedder.embed_documents([cand.text for _, cand in cheap])
    dense = np.asarray(s_vecs @ q_vec, dtype=float)
    scored = [(part + DENSE_WEIGHT * sim, cand) for (part, cand), sim in zip(cheap, dense, strict=True)]
    scored.sort(key=lambda pair: pair[0], reverse=True)
    chosen: list[tuple[float, Candidate]] = []
    for score, cand in scored:  # a sentence taken with the one it leans on holds that one: not both
        inside = [i for i, (_, other) in enumerate(chosen) if _holds_span(other, cand)]
        holding = [i for i, (_, other) in enumerate(chosen) if _holds_span(cand, other)]
        if inside:
            continue
        if holding:  # the longer one, in the shorter one's place: "He said it cost ..." is kept
            chosen[holding[0]] = (chosen[holding[0]][0], cand)
            chosen = [pair for i, pair in enumerate(chosen) if i not in holding[1:]]
        elif len(chosen) < max_sentences:
            chosen.append((score, cand))
    return [
        Evidence(
            label=n,
            chunk=cand.hit.chunk,
            text=cand.text,
            start=cand.start,
            end=cand.end,
            score=round(float(score), 4),
        )
        for n, (score, cand) in enumerate(chosen, start=1)
    ]


def _holds_span(a: Candidate, b: Candidate) -> bool:
    """Whether ``a``'s text holds all of ``b``'s (the same document, ``b``'s span within ``a``'s)."""
    return a.hit.chunk.doc_id == b.hit.chunk.doc_id and a.start <= b.start and b.end <= a.end


def _is_heading(text: str, at: int, sentence: str) -> bool:
    """A short line of its own that does not end like a sentence ("Rising Violence in Ecuador")."""
    line_start = at == 0 or text[at - 1] == "\n"
    line_end = at + len(sentence) >= len(text) or text[at + len(sentence)] == "\n"
    closed = sentence.rstrip().endswith((".", "!", "?", '"', "”", "'", "’", ")"))
    return line_start and line_end and not closed and len(words(sentence)) < _HEADING_WORDS


def _leaves_quote_open(chunk: Chunk, span: tuple[int, int]) -> bool:
    """Whether a quotation opened in the text at ``span`` is still open at its end: 'He said: "Stay
    home.' goes on in 'We are at war."'. That is, its last quotation mark opens one: a curly opening
    mark, or a straight one after a space, a colon or a bracket (not the inches of '12" wide')."""
    text = chunk.text[span[0] - chunk.start : span[1] - chunk.start]
    marks = list(re.finditer(r'["“”]', text))
    if not marks:
        return False
    last = marks[-1]
    before = text[last.start() - 1] if last.start() else " "
    return last.group() == "“" or (last.group() == '"' and (before.isspace() or before in "([:—-"))


def _leans_on_previous(sentence: str) -> bool:
    first = words(sentence)[:1]
    return bool(first) and fold(first[0]) in _LEANING_STARTS
