"""Ingestion: read documents, skip the unchanged ones, chunk, embed in batches, store."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from rag.chunking import TokenCounter, chunk_document, count_tokens
from rag.embeddings import Embedder
from rag.store import ChromaStore
from rag.types import Chunk, Document

# Chunks embedded per call: large enough to keep the model busy, small enough to bound memory.
_EMBED_GROUP = 512


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    chunks: int = 0

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged ({self.chunks} chunks embedded)"
        )


def ingest_documents(
    documents: Iterable[Document],
    *,
    store: ChromaStore,
    embedder: Embedder,
    max_tokens: int = 160,
    overlap_tokens: int = 32,
    count: TokenCounter = count_tokens,
    progress: bool = False,
    total: int | None = None,
) -> IngestReport:
    """Bring ``store`` up to date with ``documents``. Unchanged ones cost one lookup and no model work."""
    report = IngestReport()
    pending: list[tuple[Document, list[Chunk]]] = []
    for doc in _progress(documents, progress, total):
        stored = store.stored_hash(doc.id)
        if stored == doc.content_hash:
            report.unchanged.append(doc.id)
            continue
        (report.added if stored is None else report.updated).append(doc.id)
        chunks = chunk_document(doc, max_tokens=max_tokens, overlap_tokens=overlap_tokens, count=count)
        pending.append((doc, chunks))
        if sum(len(c) for _, c in pending) >= _EMBED_GROUP:
            report.chunks += _embed_and_store(pending, store, embedder, progress)
            pending = []
    report.chunks += _embed_and_store(pending, store, embedder, progress)
    return report


def _embed_and_store(
    pending: list[tuple[Document, list[Chunk]]], store: ChromaStore, embedder: Embedder, progress: bool
) -> int:
    texts = [chunk.text for _, chunks in pending for chunk in chunks]
    if not pending:
        return 0
    vectors = embedder.embed_documents(texts, progress=progress)
    at = 0
    for doc, chunks in pending:
        store.replace(doc, chunks, vectors[at : at + len(chunks)])
        at += len(chunks)
    return len(texts)


def _progress(documents: Iterable[Document], enabled: bool, total: int | None) -> Iterator[Document]:
    if not enabled:
        yield from documents
        return
    from tqdm import tqdm

    yield from tqdm(documents, desc="ingesting", unit="doc", total=total, leave=False)
