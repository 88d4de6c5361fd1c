"""The public Python entry points. Heavy things (embedder, models, stores) load once per process."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path

from rag.chunking import CHUNKER
from rag.config import Settings
from rag.embeddings import DEFAULT_EMBEDDING_MODEL, SentenceTransformerEmbedder
from rag.errors import InputError
from rag.generation import Generator, LlamaGenerator
from rag.index import Index, StoredDocument
from rag.ingestion import Chunking, IngestReport, ingest_files
from rag.injection import DETECTOR
from rag.models import is_verbatim, resolve_model
from rag.pipeline import Pipeline
from rag.reading import Found, find_documents
from rag.retrieval import Retriever
from rag.types import Answer, Filters, Turn

_lock = threading.Lock()
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@lru_cache(maxsize=1)
def shared_embedder() -> SentenceTransformerEmbedder:
    embedder = SentenceTransformerEmbedder()
    embedder.warm_up()
    return embedder


@lru_cache(maxsize=4)
def shared_generator(
    path: Path, name: str, style: str | None, context_tokens: int, threads: int, verbatim: bool
) -> LlamaGenerator:
    return LlamaGenerator(
        path, name=name, style=style, context_tokens=context_tokens, threads=threads, verbatim=verbatim
    )


def warm_up(*, mode: str | None = None, model: str | None = None) -> None:
    """Load the embedding model and, unless ``mode`` is extractive, the generator, so that the first
    answer is as fast as the rest. A missing model is an error now rather than at the first question."""
    settings = Settings.from_env(mode=mode, model=model)
    shared_embedder()
    if settings.mode != "extractive":
        generator = generator_factory(settings)()
        if settings.llm_url:
            generator.models()  # a server that is not there fails now, not at the first question


def generator_factory(settings: Settings) -> Callable[[], Generator]:
    """How to get the generator ``settings`` name. The model is resolved now (a missing one fails
    early) and loaded at the first call; ``RAG_LLM_URL`` sends generation to a server instead."""
    if settings.llm_url:
        from rag.generation import ServerGenerator

        server = ServerGenerator(
            settings.llm_url,
            name=settings.llm_model,
            style=settings.llm_style,
            context_tokens=settings.context_tokens,
            verbatim=is_verbatim(settings.llm_model, settings.models_dir),
        )
        return lambda: server
    model = resolve_model(settings.model, settings.models_dir)
    return lambda: shared_generator(
        model.path, model.name, model.prompt, settings.context_tokens, settings.threads, model.verbatim
    )


def open_index(settings: Settings, *, create: bool = False) -> Index:
    return Index.open(
        settings.store,
        settings.collection,
        embedding_model=DEFAULT_EMBEDDING_MODEL,
        create=create,
        chroma_url=settings.chroma_url,
    )


def index_settings(settings: Settings) -> dict[str, str]:
    """What a collection's chunks depend on: changing any of it needs ``rag reindex``. A store built
    before the injection detector lacks ``injection``, so it is rebuilt rather than mixed."""
    return {
        "embedding_model": DEFAULT_EMBEDDING_MODEL,
        "chunk_tokens": str(settings.chunk_tokens),
        "chunk_overlap": str(settings.chunk_overlap),
        "chunker": CHUNKER,
        "injection": DETECTOR,
    }


def build_pipeline(settings: Settings) -> Pipeline:
    """A pipeline for ``settings``: the model is resolved now (a missing one fails early), loaded lazily."""
    embedder = shared_embedder()
    return Pipeline(
        retriever=Retriever(open_index(settings), embedder, settings.retriever),
        embedder=embedder,
        generator=None if settings.mode == "extractive" else generator_factory(settings),
        k=settings.k,
        mode=settings.mode,
        answer_tokens=settings.answer_tokens,
        evidence_shown=settings.evidence_shown,
        min_confidence=settings.min_confidence,
    )


@lru_cache(maxsize=8)
def _cached_pipeline(settings: Settings) -> Pipeline:
    return build_pipeline(settings)


def pipeline_for(settings: Settings) -> Pipeline:
    with _lock:
        return _cached_pipeline(settings)


def _settings(store: str | Path | None = None, **overrides: object) -> Settings:
    return Settings.from_env(store=Path(store) if store else None, **overrides)


def stream_answer(
    question: str,
    *,
    k: int | None = None,
    mode: str | None = None,
    history: Sequence[Turn] = (),
    collection: str | None = None,
    store: str | Path | None = None,
    model: str | None = None,
    retriever: str | None = None,
    documents: Sequence[str] = (),
    date_from: str | None = None,
    date_to: str | None = None,
) -> Iterator[str | Answer]:
    """Yield the answer's text as it is verified, piece by piece, and last the full ``Answer``."""
    settings = _settings(store, k=k, mode=mode, collection=collection, model=model, retriever=retriever)
    filters = make_filters(documents, date_from, date_to)
    yield from pipeline_for(settings).stream(question, history=history, filters=filters)


def answer(
    question: str,
    *,
    k: int | None = None,
    mode: str | None = None,
    history: Sequence[Turn] = (),
    collection: str | None = None,
    store: str | Path | None = None,
    model: str | None = None,
    retriever: str | None = None,
    documents: Sequence[str] = (),
    date_from: str | None = None,
    date_to: str | None = None,
) -> Answer:
    """Answer ``question`` from the documents, with cited sources, or refuse when they don't say.

    ``mode``: ``auto`` (generate, verify, quote the evidence if verification fails), ``generative``
    (refuse instead of quoting) or ``extractive`` (no model: quote the best evidence sentence).
    ``history``: earlier turns, so that follow-up questions can be understood.
    ``retriever``: ``hybrid`` (default), ``dense`` or ``keyword``.
    ``documents``, ``date_from``, ``date_to`` (``YYYY-MM-DD``, inclusive): answer only from these.
    """
    *_, final = stream_answer(
        question,
        k=k,
        mode=mode,
        history=history,
        collection=collection,
        store=store,
        model=model,
        retriever=retriever,
        documents=documents,
        date_from=date_from,
        date_to=date_to,
    )
    return final


def make_filters(
    documents: Sequence[str] = (), date_from: str | None = None, date_to: str | None = None
) -> Filters:
    for name, day in (("date_from", date_from), ("date_to", date_to)):
        if day and not _DAY.fullmatch(day):
            raise InputError(f"{name} must be a date like 2026-03-09, got {day!r}")
    if date_from and date_to and date_from > date_to:
        raise InputError(f"the date range is empty: {date_from} is after {date_to}")
    return Filters(documents=tuple(documents), date_from=date_from or None, date_to=date_to or None)


def ingest(
    paths: Sequence[str | Path],
    *,
    collection: str | None = None,
    store: str | Path | None = None,
    sync: bool = False,
    progress: bool = False,
) -> IngestReport:
    """Read, chunk, embed and store the files and folders in ``paths``; unchanged documents are skipped.

    With ``sync``, documents once ingested from under these folders whose files are gone are removed.
    Files that cannot be read are listed in the report's ``failed``, with reasons; the rest go in.
    """
    return ingest_into(_settings(store, collection=collection), paths, sync=sync, progress=progress)


def ingest_into(
    settings: Settings, paths: Sequence[str | Path], *, sync: bool = False, progress: bool = False
) -> IngestReport:
    files = list(find_documents([Path(p) for p in paths]))  # bad paths fail before any work
    index = open_index(settings, create=True)
    with index.writing(settings=index_settings(settings)):
        return ingest_files(
            files,
            index=index,
            embedder=shared_embedder(),
            chunking=Chunking(settings.chunk_tokens, settings.chunk_overlap),
            max_bytes=settings.max_file_mb * 1_000_000,
            sync_roots=[Path(p) for p in paths if Path(p).is_dir()] if sync else (),
            progress=progress,
        )


def reindex(
    *, collection: str | None = None, store: str | Path | None = None, progress: bool = False
) -> IngestReport:
    """Rebuild the collection from its documents' files with the current settings (after a change of
    chunking or embedding model). Documents whose files are gone are dropped and listed as removed."""
    return rebuild(_settings(store, collection=collection), progress=progress)


def rebuild(settings: Settings, *, progress: bool = False) -> IngestReport:
    index = open_index(settings)
    entries = index.manifest.entries()
    gone = [e.doc_id for e in entries if not Path(e.path).is_file()]
    files = [_found(e.doc_id, Path(e.path)) for e in entries if e.doc_id not in gone]
    with index.writing(settings=index_settings(settings), rebuild=True):
        report = ingest_files(
            files,
            index=index,
            embedder=shared_embedder(),
            chunking=Chunking(settings.chunk_tokens, settings.chunk_overlap),
            max_bytes=settings.max_file_mb * 1_000_000,
            progress=progress,
        )
    with _lock:
        _cached_pipeline.cache_clear()  # their collection handles point at the one just rebuilt
    report.removed += gone
    return report


def _found(doc_id: str, path: Path) -> Found:
    """The file ``path`` found again under the root that gives it ``doc_id``."""
    root = path
    for _ in doc_id.split("/"):
        root = root.parent
    return Found(path, root, supported=True)


def documents(*, collection: str | None = None, store: str | Path | None = None) -> list[StoredDocument]:
    """The documents in the store, with their titles, dates and chunk counts."""
    return open_index(_settings(store, collection=collection)).documents()


def remove(doc_id: str, *, collection: str | None = None, store: str | Path | None = None) -> int:
    """Remove a document from the store; returns how many chunks went with it (0: it was not there)."""
    return remove_from(_settings(store, collection=collection), doc_id)


def remove_from(settings: Settings, doc_id: str) -> int:
    index = open_index(settings)
    with index.writing():
        return index.remove(doc_id)
