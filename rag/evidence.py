"""Evidence selection: from retrieved chunks, the few evidence units that bear on the question.

Tiny models answer well from three short numbered sentences and badly from whole articles, so what
they are shown is chosen here. The units are the sentences of prose blocks and the whole list items,
table rows and label–value lines of the others (``rag.structure``); a heading is never one. Every unit
of the retrieved chunks is scored against the question, with the headings it stands under and a
row's header cells as its context, by embedding similarity and by weighted overlap with the
question's key terms; duplicates are dropped, and a sentence that leans on the one before ("He said
...") or goes on with a quotation it opened is taken together with it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, replace

import numpy as np

from rag.embeddings import Embedder
from rag.structure import HEADING, PARAGRAPH, PROSE, ROW, labelled_row, section_title
from rag.text import content_terms, fold, split_sentences, words
from rag.types import Block, Chunk, Evidence, Hit

# Weights of the three signals in a sentence's score. Dense similarity finds paraphrases, term
# overlap finds names and numbers the small embedding model blurs, and the chunk's own retrieval
# score keeps sentences from well-matched passages ahead of lone lucky ones.
DENSE_WEIGHT = 0.5
LEXICAL_WEIGHT = 0.4
CHUNK_WEIGHT = 0.1
# Sentences embedded per question, after ranking all of them by overlap and chunk score (see
# ``select_evidence``). Measured on both question sets: see the README's evaluation section.
EMBEDDED_CANDIDATES = 16
_UNIT_WORDS = 80  # a list item, row or field longer than this is split at sentences like prose
_LEANING_STARTS = frozenset(
    ["he", "she", "it", "they", "this", "that", "these", "those", "his", "her", "its", "their", "such"]
)


@dataclass(frozen=True)
class Candidate:
    hit: Hit
    text: str
    start: int
    end: int
    section: tuple[str, ...] = ()
    context: str = ""
    """The headings the unit stands under, and a table row's header cells (``unit_context``)."""
    scored: str = ""
    """What the unit is scored by: its context and its words, a row's cells after their headers."""


def candidate_sentences(hits: list[Hit]) -> list[Candidate]:
    """Every evidence unit of the retrieved chunks once, in retrieval order; repeats across documents
    dropped. A chunk from a store without blocks is one paragraph."""
    seen_spans: set[tuple[str, int]] = set()
    seen_texts: set[str] = set()
    out: list[Candidate] = []
    for hit in hits:
        chunk = hit.chunk
        previous: tuple[int, int] | None = None
        lead_in = ""  # a sentence ending in a colon, and so about the items, rows or fields after it
        for block in chunk.blocks or (Block(PARAGRAPH, chunk.start, chunk.end),):
            prose = block.kind in PROSE
            if not prose:
                previous = None  # "## Scope" or a table row is no sentence to lean on
            if block.kind == HEADING:
                lead_in = ""
                continue
            introduced = "" if prose else lead_in
            context = unit_context(block, chunk.title, introduced)
            section_only = unit_context(replace(block, header=""), chunk.title, introduced)
            units = _units(chunk, block)
            if prose and units:
                last = chunk.text[units[-1][0] - chunk.start : units[-1][1] - chunk.start]
                lead_in = last if last.endswith(":") else ""
            for start, end in units:
                sentence = chunk.text[start - chunk.start : end - chunk.start]
                key = " ".join(fold(w) for w in words(sentence))
                if (chunk.doc_id, start) in seen_spans or key in seen_texts or not key:
                    continue
                seen_spans.add((chunk.doc_id, start))
                seen_texts.add(key)
                if (
                    prose
                    and previous
                    and (_leans_on_previous(sentence) or _leaves_quote_open(chunk, previous))
                ):
                    start = previous[0]
                text = chunk.text[start - chunk.start : end - chunk.start]
                if block.kind == ROW and labelled_row(text, block.header) != text:
                    scored = "\n".join(filter(None, [section_only, labelled_row(text, block.header)]))
                else:
                    scored = "\n".join(filter(None, [context, text]))
                out.append(Candidate(hit, text, start, end, block.section, context, scored))
                previous = (start, end) if prose else None
    return out


def unit_context(block: Block, title: str, lead_in: str = "") -> str:
    """The headings a unit stands under, the document's title left out (every unit of the document has
    it, so it tells none apart); the sentence that introduces a list, table or set of fields ("Report a
    lost device to the IT desk at once:"); and a table row's header cells."""
    section = section_title([h for h in block.section if h != title])
    header = f"({block.header})" if block.header and block.kind == ROW else ""
    return "\n".join(filter(None, [section, lead_in, header]))


def _units(chunk: Chunk, block: Block) -> list[tuple[int, int]]:
    """A block's evidence units: its sentences for prose (and for a very long item, row or field), the
    whole block otherwise."""
    text = chunk.text[block.start - chunk.start : block.end - chunk.start]
    if block.kind == ROW and text == block.header:  # a table's header row says what rows hold, not a fact
        return []
    if block.kind in PROSE or len(text.split()) > _UNIT_WORDS:
        return split_sentences(text, offset=block.start)
    stripped = text.strip()
    left = text.index(stripped[:1]) if stripped else 0
    return [(block.start + left, block.start + left + len(stripped))] if stripped else []


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
    cand_terms = [content_terms(c.scored) for c in candidates]
    weights = term_weights(q_terms, cand_terms)
    cheap = [
        (LEXICAL_WEIGHT * lexical_overlap(q_terms, weights, set(terms)) + CHUNK_WEIGHT * cand.hit.score, cand)
        for cand, terms in zip(candidates, cand_terms, strict=True)
    ]
    cheap.sort(key=lambda pair: pair[0], reverse=True)  # stable: ties keep retrieval order
    cheap = cheap[: embedded or EMBEDDED_CANDIDATES]
    q_vec = embedder.embed_query(question) if query_vector is None else query_vector
    s_vecs = embedder.embed_documents([cand.scored for _, cand in cheap])
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
            section=cand.section,
            context=cand.context,
        )
        for n, (score, cand) in enumerate(chosen, start=1)
    ]


def _holds_span(a: Candidate, b: Candidate) -> bool:
    """Whether ``a``'s text holds all of ``b``'s (the same document, ``b``'s span within ``a``'s)."""
    return a.hit.chunk.doc_id == b.hit.chunk.doc_id and a.start <= b.start and b.end <= a.end


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
