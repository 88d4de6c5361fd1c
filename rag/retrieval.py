"""Retrieval: the passages that matter for a question, by meaning (dense), by words (keyword), or both
fused (hybrid), optionally limited to some documents or dates.

Hybrid fuses the two rankings by reciprocal rank (RRF): a passage's score is the sum over rankings of
``1 / (RRF_K + rank)``. It needs no calibration between cosine and BM25 scores, which live on
different scales; each ranking's own first is kept ahead of the rest. The fused list is then
diversified so that one long document does not take every place. Every hit carries its cosine
similarity to the question whatever ranked it, because the stages after retrieval (evidence, refusal)
read that score.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from rag.config import RETRIEVERS
from rag.embeddings import Embedder
from rag.index import Index
from rag.types import Chunk, Filters, Hit

RRF_K = 60
# Each ranking offers this many candidates per place asked for, so fusion has something to choose from.
POOL_FACTOR = 3


class Retriever:
    def __init__(self, index: Index, embedder: Embedder, method: str = "hybrid") -> None:
        if method not in RETRIEVERS:
            raise ValueError(f"retriever must be one of {', '.join(RETRIEVERS)}, got {method!r}")
        self.index = index
        self.embedder = embedder
        self.method = method

    def retrieve(
        self, text: str, k: int, filters: Filters = Filters(), *, vector: np.ndarray | None = None
    ) -> list[Hit]:
        """The ``k`` best passages for ``text``, best first. ``vector``: ``text`` already embedded."""
        query = self.embedder.embed_query(text) if vector is None else vector
        if self.method == "dense":
            return self.index.vectors.query(query, k, filters)
        pool = k if self.method == "keyword" else k * POOL_FACTOR
        by_words = [chunk for chunk, _ in self.index.manifest.search(text, pool, filters)]
        if self.method == "keyword":
            return self._with_cosines(by_words, query)
        by_meaning = self.index.vectors.query(query, pool, filters)
        fused = fuse([[h.chunk for h in by_meaning], by_words])
        cosines = {h.chunk.id: h.score for h in by_meaning}
        return self._with_cosines(diversify(fused, k), query, cosines)

    def _with_cosines(
        self, chunks: list[Chunk], query: np.ndarray, known: dict[str, float] | None = None
    ) -> list[Hit]:
        known = dict(known or {})
        missing = [c.id for c in chunks if c.id not in known]
        if missing:
            for chunk_id, vector in self.index.vectors.embeddings(missing).items():
                known[chunk_id] = float(np.dot(vector, query))
        return [Hit(chunk=c, score=known.get(c.id, 0.0)) for c in chunks]


def fuse(rankings: list[list[Chunk]]) -> list[Chunk]:
    """Reciprocal rank fusion of ``rankings`` (each best first) into one list, best first, except that
    each ranking's own first comes before the rest. By fused score alone, the passage one ranking puts
    first and the other far down loses to passages both put halfway: the one table row holding the
    question's rare numbers ("UID range 60514…60577") to prose about UID ranges in general."""
    scores: dict[str, float] = {}
    chunks: dict[str, Chunk] = {}
    for ranking in rankings:
        for rank, chunk in enumerate(ranking, start=1):
            scores[chunk.id] = scores.get(chunk.id, 0.0) + 1.0 / (RRF_K + rank)
            chunks.setdefault(chunk.id, chunk)
    firsts = {ranking[0].id for ranking in rankings if ranking}
    return [chunks[cid] for cid in sorted(scores, key=lambda cid: (cid not in firsts, -scores[cid]))]


def diversify(chunks: list[Chunk], k: int) -> list[Chunk]:
    """The first ``k`` of ``chunks`` with at most half of the places (rounded up, at least 2) going to
    any one document, as long as other documents have candidates to fill them; order kept."""
    cap = max(2, math.ceil(k / 2))
    per_doc: Counter[str] = Counter()
    kept, held_back = [], []
    for chunk in chunks:
        if per_doc[chunk.doc_id] < cap:
            per_doc[chunk.doc_id] += 1
            kept.append(chunk)
        else:
            held_back.append(chunk)
    if len(kept) < k:  # too few other documents: the crowding one gets its places back
        kept += held_back[: k - len(kept)]
        kept.sort(key=chunks.index)
    return kept[:k]
