"""Evidence selection: from retrieved chunks, the few evidence units that bear on the question.

Tiny models answer well from three short numbered sentences and badly from whole articles, so what they
are shown is chosen here. The units are the sentences of prose blocks and the whole list items, table
rows and label–value lines of the others, and the lines of code (``rag.structure``); a heading is never
one. Every unit of the retrieved chunks is scored against the question, with the headings it stands under
and a row's header cells as its context, by embedding similarity and by weighted overlap with the
question's key terms (how close it is), and ranked by weights learned from the question sets over those
and a few more features (whether it holds the kind of thing asked for, ends in a colon...), which orders
the units that can answer; duplicates are dropped, and a sentence that leans on the one before ("He said
...") or goes on with a quotation it opened is taken together with it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, replace

import numpy as np

from rag.embeddings import Embedder
from rag.question import Question
from rag.refusal import holds_kind
from rag.structure import (
    CODE,
    HEADING,
    PARAGRAPH,
    PROSE,
    ROW,
    code_lines,
    framed_header,
    labelled_row,
    section_title,
)
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

UNIT_FEATURES = (
    "dense",
    "lexical",
    "chunk",
    "own_terms",
    "kind",
    "predicate",
    "structured",
    "length",
    "lead_in",
)
"""What ranks a unit among the embedded candidates (``rank_features``), in order:
- ``dense``, ``lexical``, ``chunk``: the three parts of its score (above);
- ``own_terms``: the weighted share of the question's key terms in the unit's own words (not its headings);
- ``kind``: 1 when the question asks for a number, date, person... and the unit holds one
  (``rag.refusal.holds_kind``), else 0;
- ``predicate``: the share of what the question says happened that the unit says;
- ``structured``: 1 for a list item, table row or label–value line, 0 for a sentence;
- ``length``: log(1 + its words);
- ``lead_in``: 1 when it ends with a colon (it introduces what follows)."""
UNIT_WEIGHTS = (5.532, 10.135, 4.017, -4.055, 4.509, 1.706, -0.087, 0.115, -4.456)
"""The weights of ``UNIT_FEATURES`` giving a unit's ``Evidence.rank``, which orders the units that can
answer (not the units the support decision weighs: ranked this way, units holding a person or a number
reached it for unanswerable questions too, and the default set's refusal accuracy fell from 0.93 to
0.71). Fitted by ``bench/fit_units.py`` on every question set but manuals/ (held out). Left out in turn,
they put a right unit first more often than the score alone did on 4 sets (default 0.72 -> 0.82, other/
0.73 -> 0.86, third/ 0.72 -> 0.89, structured/ 0.70 -> 0.77), as often on squad2-cct and manuals/, less
often on conflicts/ (0.55 -> 0.52)."""
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
    prose: bool = True
    """A sentence of prose, not a list item, table row or label–value line."""


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
                out.append(Candidate(hit, text, start, end, block.section, context, scored, prose))
                previous = (start, end) if prose else None
    return out


def unit_context(block: Block, title: str, lead_in: str = "") -> str:
    """The headings a unit stands under, the document's title left out (every unit of the document has
    it, so it tells none apart); the sentence that introduces a list, table or set of fields ("Report a
    lost device to the IT desk at once:"); and a table row's header cells."""
    section = section_title([h for h in block.section if h != title])
    header = framed_header(block.header) if block.kind == ROW else ""
    return "\n".join(filter(None, [section, lead_in, header]))


def _units(chunk: Chunk, block: Block) -> list[tuple[int, int]]:
    """A block's evidence units: its sentences for prose (and for a very long item, row or field), its
    lines for code (``rag.structure.code_lines``), the whole block otherwise."""
    text = chunk.text[block.start - chunk.start : block.end - chunk.start]
    if block.kind == ROW and text == block.header:  # a table's header row says what rows hold, not a fact
        return []
    if block.kind == CODE:
        return code_lines(text, offset=block.start)
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
    q: Question,
    question: str,
    hits: list[Hit],
    *,
    embedder: Embedder,
    max_sentences: int = 4,
    query_vector: np.ndarray | None = None,
    embedded: int | None = None,
) -> list[Evidence]:
    """The ``max_sentences`` closest units to the question ``q`` (searched for as ``question``), closest
    first, labelled 1..n, each with its ``rank`` by ``UNIT_WEIGHTS``."""
    candidates, scores, features = rank_features(
        q, question, hits, embedder=embedder, query_vector=query_vector, embedded=embedded
    )
    ranks = features @ np.asarray(UNIT_WEIGHTS)
    scored = sorted(zip(scores, ranks, candidates, strict=True), key=lambda t: -t[0])
    chosen: list[tuple[float, float, Candidate]] = []
    for score, rank, cand in scored:  # a sentence taken with the one it leans on holds that one: not both
        inside = [i for i, (*_, other) in enumerate(chosen) if _holds_span(other, cand)]
        holding = [i for i, (*_, other) in enumerate(chosen) if _holds_span(cand, other)]
        if inside:
            continue
        if holding:  # the longer one, in the shorter one's place: "He said it cost ..." is kept
            kept_score, kept_rank, _ = chosen[holding[0]]
            chosen[holding[0]] = (kept_score, max(kept_rank, rank), cand)
            chosen = [kept for i, kept in enumerate(chosen) if i not in holding[1:]]
        elif len(chosen) < max_sentences:
            chosen.append((score, rank, cand))
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
            rank=round(float(rank), 4),
        )
        for n, (score, rank, cand) in enumerate(chosen, start=1)
    ]


def rank_features(
    q: Question,
    question: str,
    hits: list[Hit],
    *,
    embedder: Embedder,
    query_vector: np.ndarray | None = None,
    embedded: int | None = None,
) -> tuple[list[Candidate], np.ndarray, np.ndarray]:
    """The candidate units worth embedding, their scores and their ``UNIT_FEATURES`` (one row each).

    Embedding the units is what this stage costs, so they are first ranked by the cheap signals (term
    overlap, chunk score) and only the ``embedded`` (default ``EMBEDDED_CANDIDATES``) best of those
    are embedded and compared.
    """
    candidates = candidate_sentences(hits)
    if not candidates:
        return [], np.zeros(0), np.zeros((0, len(UNIT_FEATURES)))
    q_terms = content_terms(question)
    cand_terms = [content_terms(c.scored) for c in candidates]
    weights = term_weights(q_terms, cand_terms)
    cheap = [
        (lexical_overlap(q_terms, weights, set(terms)), cand)
        for cand, terms in zip(candidates, cand_terms, strict=True)
    ]
    # stable: ties keep retrieval order
    cheap.sort(key=lambda pair: LEXICAL_WEIGHT * pair[0] + CHUNK_WEIGHT * pair[1].hit.score, reverse=True)
    cheap = cheap[: embedded or EMBEDDED_CANDIDATES]
    q_vec = embedder.embed_query(question) if query_vector is None else query_vector
    s_vecs = embedder.embed_documents([cand.scored for _, cand in cheap])
    dense = np.asarray(s_vecs @ q_vec, dtype=float)
    rows = []
    for (lexical, cand), similarity in zip(cheap, dense, strict=True):
        own = set(content_terms(cand.text))
        predicate = sum(t in own for t in q.predicate) / len(q.predicate) if q.predicate else 0.0
        asks_kind = q.kind != "other" and holds_kind(q, cand.text, context=cand.hit.chunk.text)
        rows.append(
            [
                similarity,
                lexical,
                cand.hit.score,
                lexical_overlap(q_terms, weights, own),
                float(asks_kind),
                predicate,
                float(not cand.prose),
                math.log1p(len(words(cand.text))),
                float(cand.text.rstrip().endswith(":")),
            ]
        )
    features = np.asarray(rows, dtype=float)
    scores = features[:, :3] @ np.array([DENSE_WEIGHT, LEXICAL_WEIGHT, CHUNK_WEIGHT])
    return [cand for _, cand in cheap], scores, features


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
