"""The values that flow from a document to an answer. All frozen: stages pass them on, never edit them."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class Block:
    """One block of a document as its author structured it (see ``rag.structure``): a ``kind``
    (heading, paragraph, item, row, field, code, quote), where it is in ``Document.text``, the
    headings it stands under (its own included, for a heading), a heading's level, and a table row's
    header cells (" | "-separated)."""

    kind: str
    start: int
    end: int
    section: tuple[str, ...] = ()
    level: int = 0
    header: str = ""


@dataclass(frozen=True)
class SetAside:
    """A sentence of a document set aside at ingest as addressed to an AI assistant, not evidence
    (``rag.injection``): where it was in ``Document.text``, what it said, and why."""

    start: int
    end: int
    text: str
    reason: str = ""


@dataclass(frozen=True)
class Document:
    """A document as read. ``text`` is what offsets in chunks, blocks and citations point into."""

    id: str
    title: str
    date: str | None
    text: str
    path: str
    content_hash: str
    pages: tuple[int, ...] = ()
    """For paged formats (PDF): where each page starts in ``text``; page n+1 starts at ``pages[n]``."""
    blocks: tuple[Block, ...] = ()
    """The blocks ``text`` is made of, in order."""
    set_aside: tuple[SetAside, ...] = ()
    """Sentences blanked out of ``text`` (spaces in their place) as addressed to an AI assistant."""

    def page_at(self, offset: int) -> int | None:
        """The 1-based page ``offset`` falls on, or ``None`` for an unpaged document."""
        return bisect_right(self.pages, offset) if self.pages else None


@dataclass(frozen=True)
class Chunk:
    """Whole blocks of one document (a long paragraph: whole sentences), sized in tokens.
    ``start``/``end`` index ``Document.text``."""

    id: str
    doc_id: str
    index: int
    text: str
    start: int
    end: int
    title: str
    date: str | None
    page: int | None = None
    """The page the chunk starts on (paged formats only)."""
    page_starts: tuple[int, ...] = ()
    """Offsets (into the document's text) where later pages start inside the chunk."""
    blocks: tuple[Block, ...] = ()
    """The blocks, or the part of a block, the chunk holds: offsets clipped to the chunk's."""

    def page_at(self, offset: int) -> int | None:
        return None if self.page is None else self.page + bisect_right(self.page_starts, offset)

    def block_at(self, offset: int) -> Block | None:
        """The block holding ``offset``, if the chunk knows its blocks."""
        return next((b for b in self.blocks if b.start <= offset < b.end), None)


class Embedded(NamedTuple):
    """A document ready to be stored: its chunks, and their embeddings (one row per chunk)."""

    doc: Document
    chunks: Sequence[Chunk]
    vectors: np.ndarray


@dataclass(frozen=True)
class Filters:
    """Which documents a question may be answered from. Empty means all of them.

    Dates are ``YYYY-MM-DD`` and inclusive; a date range leaves out documents without a date.
    """

    documents: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None

    def __bool__(self) -> bool:
        return bool(self.documents or self.date_from or self.date_to)


@dataclass(frozen=True)
class Hit:
    """A chunk found by retrieval, with its cosine similarity to the question (higher is closer).

    Hits come best first; with keyword or hybrid retrieval that order is not the order of ``score``."""

    chunk: Chunk
    score: float


@dataclass(frozen=True)
class Evidence:
    """An evidence unit chosen to show the model, numbered ``label`` in the prompt: a sentence of
    prose, or a whole list item, table row or label–value line.

    A sentence that leans on the one before it ("He said ...") is taken together with it, so ``text``
    may hold two sentences. ``start``/``end`` index the document's text. ``section`` is the heading
    path the unit stands under, and ``context`` what it was scored with besides its words (the path,
    a row's header cells): never quoted as the document's words.
    """

    label: int
    chunk: Chunk
    text: str
    start: int
    end: int
    score: float
    section: tuple[str, ...] = ()
    context: str = ""
    rank: float = 0.0
    """How much it looks like the unit that answers (``rag.evidence.UNIT_WEIGHTS``): orders the units
    that can answer, once the support decision has found some (``score`` is how close it is)."""

    @property
    def framed(self) -> str:
        """The unit on one line after its context, as the model is shown it: "(4. WARRANTY) Parts: 36
        months"."""
        return f"({' · '.join(self.context.splitlines())}) {self.text}" if self.context else self.text


@dataclass(frozen=True)
class Source:
    """A citation under an answer: where it came from and the exact sentence it rests on."""

    label: str
    doc_id: str
    title: str
    date: str | None
    chunk_id: str
    quote: str
    start: int
    end: int
    score: float
    passage: str
    page: int | None = None
    section: str = ""
    """The heading path of the quoted text: "Atlas-7 Service Manual › 4. WARRANTY"."""
    agrees_with: tuple[str, ...] = ()
    """The other cited documents (ids) that give the same value of what is asked (``rag.agreement``)."""


@dataclass(frozen=True)
class Position:
    """One value the documents give for what is asked, and the sources that give it."""

    value: str
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Timings:
    retrieve_s: float = 0.0
    generate_s: float = 0.0
    first_token_s: float = 0.0
    total_s: float = 0.0


@dataclass(frozen=True)
class Answer:
    """What ``rag.answer`` returns. ``retrieved`` are the passages considered, best first."""

    question: str
    text: str
    sources: tuple[Source, ...]
    refused: bool
    mode: str
    model: str
    timings: Timings = field(default_factory=Timings)
    standalone_question: str = ""
    retrieved: tuple[Hit, ...] = ()
    reason: str = ""
    """Why the answer took the shape it has: a refusal's cause, or why generation fell back."""
    outcome: str = "answer"
    """"answer" (the evidence passes every check), "closest" (the closest passage is shown, not
    claimed as the answer; ``reason`` says which check failed) or "refusal" (nothing close)."""
    confidence: float | None = None
    """How likely the answer is right, from the evidence and the checks (``rag.confidence``); None
    for a refusal or a closest passage."""
    signals: tuple[float, ...] = ()
    """What ``confidence`` was estimated from, in the order of ``rag.confidence.SIGNALS``."""
    conflicts: tuple[Position, ...] = ()
    """When the documents disagree on what is asked: each value with its sources, the value of most
    documents first, then the most recent; the text says so. Empty otherwise."""


@dataclass(frozen=True)
class Turn:
    """One exchange of a conversation, passed as ``history`` for follow-up questions."""

    question: str
    answer: str = ""
