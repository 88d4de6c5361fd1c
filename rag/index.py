"""The index of one collection: vectors in Chroma, and the manifest with its keyword index in SQLite,
kept equal to each other by one write protocol (see ``rag.manifest``) under one lock per store."""

from __future__ import annotations

import fcntl
import os
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from rag.errors import StoreError
from rag.manifest import DONE, REMOVING, WRITING, Manifest
from rag.store import ChromaStore
from rag.types import Document, Embedded

# How long a second ingest waits for the first before giving up.
LOCK_TIMEOUT_S = 600.0


@dataclass(frozen=True)
class StoredDocument:
    doc_id: str
    title: str
    date: str | None
    chunks: int
    path: str
    set_aside: tuple[str, ...] = ()
    """The sentences set aside at ingest as addressed to an AI assistant (``rag.injection``)."""


class Index:
    def __init__(self, vectors: ChromaStore, manifest: Manifest, lock_path: Path) -> None:
        self.vectors = vectors
        self.manifest = manifest
        self._lock_path = lock_path

    @classmethod
    def open(
        cls, store: Path, collection: str, *, embedding_model: str, create: bool = False, chroma_url: str = ""
    ) -> Index:
        """The collection ``collection`` in ``store`` (vectors on the server at ``chroma_url`` if
        given; the manifest and keyword index always live in ``store``)."""
        manifest_path = store / f"{collection}.manifest.sqlite3"
        if not create and not manifest_path.exists():
            raise StoreError(
                f"no collection {collection!r} in {store}: run `rag ingest data/corpus` (or your documents)"
                + ("" if collection == "documents" else f" with --collection {collection}")
            )
        lock_path = store / ".ingest.lock"
        # A new embedded store is created by whoever opens it first: two processes creating it at once
        # would both run Chroma's schema migrations ("table collections already exists").
        creating = create and not chroma_url
        with _exclusive(lock_path) if creating else nullcontext():
            vectors = ChromaStore.open(
                store, collection, embedding_model=embedding_model, create=create, url=chroma_url
            )
        return cls(vectors, Manifest(manifest_path), lock_path)

    # -- reading ----------------------------------------------------------------------------------------

    def status(self, doc: Document) -> str:
        """``added``, ``updated`` or ``unchanged``: what storing ``doc`` would do."""
        entry = self.manifest.entry(doc.id)
        if entry is None:
            return "added"
        if entry.state == DONE and entry.content_hash == doc.content_hash:
            return "unchanged"
        return "updated"

    def documents(self) -> list[StoredDocument]:
        return [
            StoredDocument(
                e.doc_id,
                e.title or e.doc_id,
                e.date,
                len(e.chunk_ids),
                e.path,
                tuple(s.text for s in e.set_aside),
            )
            for e in self.manifest.entries(DONE)
        ]

    # -- writing: only inside ``writing()`` -------------------------------------------------------------

    @contextmanager
    def writing(self, *, settings: dict[str, str] | None = None, rebuild: bool = False) -> Iterator[Index]:
        """Hold the store's write lock, check the collection was built with ``settings`` (or empty it
        first, to ``rebuild``), and finish what an interrupted run left. Another writer waits here."""
        with _exclusive(self._lock_path):
            if rebuild:
                self.clear()
            if settings is not None:
                self.manifest.check_settings(settings)
            for entry in self.manifest.entries(REMOVING):
                self.remove(entry.doc_id)
            if not self.manifest.entries() and self.vectors.count():
                # Vectors that no manifest lists: a store from before manifests, or a rebuild cut short.
                self.vectors.reset()
            yield self

    def write(self, batch: Sequence[Embedded]) -> None:
        """Store each document of ``batch`` whole, replacing any earlier version of it. Each is announced
        in the manifest, then the vectors of all of them are written at once (the store's calls cost
        far more per call than per vector), then each is recorded with its keyword rows."""
        for doc, _, _ in batch:
            self.manifest.announce(doc.id, path=doc.path, content_hash=doc.content_hash, state=WRITING)
        self.vectors.replace(batch)
        for doc, chunks, _ in batch:
            self.manifest.record(doc, chunks)

    def remove(self, doc_id: str) -> int:
        """Remove ``doc_id`` everywhere; how many chunks went with it (0: it was not there)."""
        entry = self.manifest.entry(doc_id)
        if entry is None:
            return 0
        self.manifest.announce(doc_id, path=entry.path, content_hash=entry.content_hash, state=REMOVING)
        removed = self.vectors.remove(doc_id)
        self.manifest.forget(doc_id)
        return removed

    def clear(self) -> None:
        """Empty the collection and forget its settings (a rebuild follows). The manifest goes first:
        vectors it no longer lists are cleared by the next ``writing()`` if this one is cut short."""
        self.manifest.clear()
        self.vectors.reset()


@contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """An advisory lock on ``path`` (released by the OS if the holder dies, even by SIGKILL). Waiting
    for it is said on stderr, even in quiet runs: a silent wait looks like a hang."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        deadline = time.monotonic() + LOCK_TIMEOUT_S
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise StoreError(
                        f"another ingest has held {path.parent} for {LOCK_TIMEOUT_S:.0f} s: try again later"
                    ) from None
                if not told:
                    print(f"rag: waiting for another ingest into {path.parent} to finish…", file=sys.stderr)
                    told = True
                time.sleep(0.2)
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
