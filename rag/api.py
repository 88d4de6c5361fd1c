"""The public Python entry points. Heavy things (embedder, models, stores) load once per process."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path

from rag.config import Settings
from rag.embeddings import DEFAULT_EMBEDDING_MODEL, SentenceTransformerEmbedder
from rag.generation import LlamaGenerator
from rag.ingestion import IngestReport, ingest_documents
from rag.models import resolve_model
from rag.pipeline import Pipeline
from rag.reading import find_documents, read_document
from rag.store import ChromaStore, StoredDocument
from rag.types import Answer, Turn

_lock = threading.Lock()


@lru_cache(maxsize=1)
def shared_embedder() -> SentenceTransformerEmbedder:
    embedder = SentenceTransformerEmbedder()
    embedder.warm_up()
    return embedder


@lru_cache(maxsize=4)
def shared_generator(
    path: Path, name: str, style: str | None, context_tokens: int, threads: int
) -> LlamaGenerator:
    return LlamaGenerator(path, name=name, style=style, context_tokens=context_tokens, threads=threads)


def warm_up(*, mode: str | None = None, model: str | None = None) -> None:
    """Load the embedding model and, unless ``mode`` is extractive, the generator, so that the first
    answer is as fast as the rest. A missing model is an error now rather than at the first question."""
    settings = Settings.from_env(mode=mode, model=model)
    shared_embedder()
    if settings.mode != "extractive":
        resolved = resolve_model(settings.model, settings.models_dir)
        shared_generator(
            resolved.path, resolved.name, resolved.prompt, settings.context_tokens, settings.threads
        )


def open_store(settings: Settings, *, create: bool = False) -> ChromaStore:
    return ChromaStore.open(
        settings.store, settings.collection, embedding_model=DEFAULT_EMBEDDING_MODEL, create=create
    )


def build_pipeline(settings: Settings) -> Pipeline:
    """A pipeline for ``settings``: the model is resolved now (a missing one fails early), loaded lazily."""
    store = open_store(settings)
    generator = None
    if settings.mode != "extractive":
        model = resolve_model(settings.model, settings.models_dir)

        def generator() -> LlamaGenerator:
            return shared_generator(
                model.path, model.name, model.prompt, settings.context_tokens, settings.threads
            )

    return Pipeline(
        store=store,
        embedder=shared_embedder(),
        generator=generator,
        k=settings.k,
        mode=settings.mode,
        answer_tokens=settings.answer_tokens,
        evidence_shown=settings.evidence_shown,
    )


@lru_cache(maxsize=8)
def _cached_pipeline(settings: Settings) -> Pipeline:
    return build_pipeline(settings)


def pipeline_for(settings: Settings) -> Pipeline:
    with _lock:
        return _cached_pipeline(settings)


def stream_answer(
    question: str,
    *,
    k: int | None = None,
    mode: str | None = None,
    history: Sequence[Turn] = (),
    collection: str | None = None,
    store: str | Path | None = None,
    model: str | None = None,
    where: dict | None = None,
) -> Iterator[str | Answer]:
    """Yield the answer's text as it is verified, piece by piece, and last the full ``Answer``."""
    settings = Settings.from_env(
        k=k, mode=mode, collection=collection, model=model, store=Path(store) if store else None
    )
    yield from pipeline_for(settings).stream(question, history=history, where=where)


def answer(
    question: str,
    *,
    k: int | None = None,
    mode: str | None = None,
    history: Sequence[Turn] = (),
    collection: str | None = None,
    store: str | Path | None = None,
    model: str | None = None,
    where: dict | None = None,
) -> Answer:
    """Answer ``question`` from the documents, with cited sources, or refuse when they don't say.

    ``mode``: ``auto`` (generate, verify, quote the evidence if verification fails), ``generative``
    (refuse instead of quoting) or ``extractive`` (no model: quote the best evidence sentence).
    ``history``: earlier turns, so that follow-up questions can be understood.
    """
    *_, final = stream_answer(
        question,
        k=k,
        mode=mode,
        history=history,
        collection=collection,
        store=store,
        model=model,
        where=where,
    )
    return final


def ingest(
    paths: Sequence[str | Path],
    *,
    collection: str | None = None,
    store: str | Path | None = None,
    progress: bool = False,
) -> IngestReport:
    """Read, chunk, embed and store the files and folders in ``paths``; unchanged documents are skipped."""
    settings = Settings.from_env(collection=collection, store=Path(store) if store else None)
    files = list(find_documents([Path(p) for p in paths]))  # bad paths fail before any work
    target = open_store(settings, create=True)
    documents = (read_document(file, root) for file, root in files)
    return ingest_documents(
        documents,
        store=target,
        embedder=shared_embedder(),
        max_tokens=settings.chunk_tokens,
        overlap_tokens=settings.chunk_overlap,
        progress=progress,
        total=len(files),
    )


def documents(*, collection: str | None = None, store: str | Path | None = None) -> list[StoredDocument]:
    """The documents in the store, with their titles, dates and chunk counts."""
    settings = Settings.from_env(collection=collection, store=Path(store) if store else None)
    return open_store(settings).documents()


def remove(doc_id: str, *, collection: str | None = None, store: str | Path | None = None) -> int:
    """Remove a document from the store; returns how many chunks went with it (0: it was not there)."""
    settings = Settings.from_env(collection=collection, store=Path(store) if store else None)
    return open_store(settings).remove(doc_id)
