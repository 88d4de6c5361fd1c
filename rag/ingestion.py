"""Ingestion: read files, skip the unchanged ones, chunk, embed in batches, store; in ``sync`` mode
also remove the documents whose files are gone. One bad file costs only itself: it is named, with
its reason, in the report, and the run goes on."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rag.chunking import TokenCounter, chunk_document, count_tokens, search_text
from rag.embeddings import Embedder
from rag.index import Index
from rag.injection import Detector, screen
from rag.reading import Found, UnreadableFile, read_document
from rag.types import Chunk, Document, Embedded, SetAside

# Chunks embedded, then written to the store, per call: large enough to keep the model busy and make a
# store call's fixed cost small, small enough to bound memory (2,048 measured no faster at 2,000 docs).
_EMBED_GROUP = 512


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    """``(file, reason)`` for each file that could not be ingested."""
    skipped: list[str] = field(default_factory=list)
    """Files of types that are not read (named, not counted as failures)."""
    chunks: int = 0
    set_aside: dict[str, tuple[SetAside, ...]] = field(default_factory=dict)
    """Per document stored in this run, the sentences set aside as addressed to an AI assistant
    (``rag.injection``); documents with none are not listed."""

    def summary(self) -> str:
        aside = sum(len(found) for found in self.set_aside.values())
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.unchanged)} unchanged, "
            f"{len(self.removed)} removed, {len(self.failed)} failed"
            + (f", {_sentences(aside)} set aside" if aside else "")
            + f" ({self.chunks} chunks embedded)"
        )

    def notices(self) -> list[str]:
        """One line per document holding text addressed to an AI assistant."""
        return [set_aside_notice(doc_id, len(found)) for doc_id, found in self.set_aside.items()]

    def problems(self) -> list[str]:
        """One line per failed or skipped file."""
        return [f"failed: {file}: {reason}" for file, reason in self.failed] + [
            f"skipped (unsupported type): {file}" for file in self.skipped
        ]


def set_aside_notice(doc_id: str, count: int) -> str:
    """What ingest, the upload panel and the API say of a document with ``count`` sentences set aside."""
    return f"{doc_id}: contains text addressed to an AI assistant: {_sentences(count)} set aside"


def _sentences(n: int) -> str:
    return f"{n} sentence{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class Chunking:
    max_tokens: int = 160
    overlap_tokens: int = 32
    count: TokenCounter = count_tokens

    def chunk(self, doc: Document) -> list[Chunk]:
        return chunk_document(
            doc, max_tokens=self.max_tokens, overlap_tokens=self.overlap_tokens, count=self.count
        )


def ingest_files(
    files: Sequence[Found],
    *,
    index: Index,
    embedder: Embedder,
    chunking: Chunking = Chunking(),
    max_bytes: int = 50_000_000,
    sync_roots: Sequence[Path] = (),
    progress: bool = False,
    detector: Detector | None = None,
) -> IngestReport:
    """Bring ``index`` up to date with ``files``. With ``sync_roots``, documents whose files were under
    one of those folders and are no longer there are removed. Call inside ``index.writing()``."""
    report = IngestReport()
    seen: dict[str, Path] = {}

    def readable() -> Iterator[Document]:
        for found in _progress(files, progress):
            if not found.supported:
                report.skipped.append(str(found.path))
                continue
            try:
                doc = read_document(found, max_bytes=max_bytes)
                if doc.id in seen:
                    raise UnreadableFile(f"same document id {doc.id!r} as {seen[doc.id]}: ingest one folder")
            except UnreadableFile as e:
                report.failed.append((str(found.path), str(e)))
                continue
            finally:
                seen.setdefault(found.doc_id, found.path)
            yield doc

    store_documents(
        readable(),
        index=index,
        embedder=embedder,
        chunking=chunking,
        report=report,
        progress=progress,
        detector=detector,
    )
    if sync_roots:
        kept = {str(path.resolve()) for path in seen.values()}
        roots = [root.resolve() for root in sync_roots]
        for entry in index.manifest.entries():
            if entry.path not in kept and any(Path(entry.path).is_relative_to(root) for root in roots):
                index.remove(entry.doc_id)
                report.removed.append(entry.doc_id)
    return report


def store_documents(
    documents: Iterable[Document],
    *,
    index: Index,
    embedder: Embedder,
    chunking: Chunking = Chunking(),
    report: IngestReport | None = None,
    progress: bool = False,
    detector: Detector | None = None,
) -> IngestReport:
    """Store ``documents``. Unchanged ones cost one manifest lookup and no model work; the rest have
    the sentences addressed to an AI assistant set aside (``detector``, by default one using
    ``embedder``), are chunked, embedded in batches across documents, and written a batch at a time."""
    report = report if report is not None else IngestReport()
    detector = detector if detector is not None else Detector(embedder)
    pending: list[tuple[Document, list[Chunk]]] = []
    for doc in documents:
        status = index.status(doc)
        if status == "unchanged":
            report.unchanged.append(doc.id)
            continue
        (report.added if status == "added" else report.updated).append(doc.id)
        doc = screen(doc, detector)
        if doc.set_aside:
            report.set_aside[doc.id] = doc.set_aside
        pending.append((doc, chunking.chunk(doc)))
        if sum(len(chunks) for _, chunks in pending) >= _EMBED_GROUP:
            report.chunks += _embed_and_write(pending, index, embedder, progress)
            pending = []
    report.chunks += _embed_and_write(pending, index, embedder, progress)
    return report


def _embed_and_write(
    pending: list[tuple[Document, list[Chunk]]], index: Index, embedder: Embedder, progress: bool
) -> int:
    if not pending:
        return 0
    texts = [search_text(chunk) for _, chunks in pending for chunk in chunks]
    vectors = embedder.embed_documents(texts, progress=progress)
    batch, at = [], 0
    for doc, chunks in pending:
        batch.append(Embedded(doc, chunks, vectors[at : at + len(chunks)]))
        at += len(chunks)
    index.write(batch)
    return len(texts)


def _progress(files: Sequence[Found], enabled: bool) -> Iterable[Found]:
    if not enabled:
        return files
    from tqdm import tqdm

    return tqdm(files, desc="files", unit="file", leave=False)
