"""The persistent vector store: chunks, their embeddings and metadata in a local Chroma collection."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.errors import StoreError
from rag.types import Chunk, Document, Hit

INCOMPLETE = "incomplete"
"""What ``stored_hash`` says of a document whose chunks are not all of one version (a crash mid-write)."""


@dataclass(frozen=True)
class StoredDocument:
    doc_id: str
    title: str
    date: str | None
    chunks: int


class ChromaStore:
    """One Chroma collection in cosine space. Embeddings are always passed in, never computed by Chroma.

    The collection records the embedding model that filled it; opening it with another is an error,
    because vectors from two models cannot be compared.
    """

    def __init__(self, collection) -> None:
        self._collection = collection

    @classmethod
    def open(cls, path: Path, collection: str, *, embedding_model: str, create: bool = True) -> ChromaStore:
        if not create and not (path / "chroma.sqlite3").exists():
            raise StoreError(f"no store at {path}: run `rag ingest data/corpus` (or your documents) first")
        client = _client(path)
        try:
            if create:
                coll = client.get_or_create_collection(
                    collection,
                    metadata={"hnsw:space": "cosine", "embedding_model": embedding_model},
                )
            else:
                coll = client.get_collection(collection)
        except Exception as e:  # chromadb raises several types for a missing collection
            if create:
                raise StoreError(f"cannot open collection {collection!r} in {path}: {e}") from e
            raise StoreError(
                f"no collection {collection!r} in {path}: "
                f"run `rag ingest data/corpus --collection {collection}`"
            ) from e
        made_with = (coll.metadata or {}).get("embedding_model")
        if made_with != embedding_model:
            raise StoreError(
                f"collection {collection!r} in {path} was built with embedding model {made_with!r}, "
                f"not {embedding_model!r}: ingest into a new collection or delete {path}"
            )
        return cls(coll)

    def count(self) -> int:
        return self._collection.count()

    def stored_hash(self, doc_id: str) -> str | None:
        """The content hash ``doc_id`` is stored with; ``None`` if absent, ``INCOMPLETE`` if partly stored."""
        got = self._collection.get(where={"doc_id": doc_id}, include=["metadatas"])
        metas = got["metadatas"] or []
        if not metas:
            return None
        hashes = {m.get("content_hash") for m in metas}
        if len(hashes) != 1 or len(metas) != metas[0].get("n_chunks"):
            return INCOMPLETE
        return hashes.pop()

    def replace(self, doc: Document, chunks: Sequence[Chunk], embeddings: np.ndarray) -> None:
        """Store ``chunks`` as the whole of ``doc``: upsert them, then drop chunks the old version had."""
        if len(chunks) != len(embeddings):
            raise ValueError(f"{len(chunks)} chunks but {len(embeddings)} embeddings")
        old_ids = set(self._collection.get(where={"doc_id": doc.id}, include=[])["ids"])
        if chunks:
            self._collection.upsert(
                ids=[c.id for c in chunks],
                embeddings=embeddings,
                documents=[c.text for c in chunks],
                metadatas=[_metadata(doc, c, len(chunks)) for c in chunks],
            )
        stale = old_ids - {c.id for c in chunks}
        if stale:
            self._collection.delete(ids=sorted(stale))

    def remove(self, doc_id: str) -> int:
        ids = self._collection.get(where={"doc_id": doc_id}, include=[])["ids"]
        if ids:
            self._collection.delete(ids=ids)
        return len(ids)

    def query(self, embedding: np.ndarray, k: int, *, where: dict | None = None) -> list[Hit]:
        n = self.count()
        if n == 0:
            return []
        got = self._collection.query(
            query_embeddings=[embedding],
            n_results=min(k, n),
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        return [
            Hit(chunk=_chunk(cid, text, meta), score=1.0 - float(dist))
            for cid, text, meta, dist in zip(
                got["ids"][0],
                got["documents"][0],
                got["metadatas"][0],
                got["distances"][0],
                strict=True,
            )
        ]

    def documents(self) -> list[StoredDocument]:
        got = self._collection.get(include=["metadatas"])
        by_doc: dict[str, StoredDocument] = {}
        for meta in got["metadatas"] or []:
            doc_id = meta["doc_id"]
            seen = by_doc.get(doc_id)
            by_doc[doc_id] = StoredDocument(
                doc_id=doc_id,
                title=meta.get("title", doc_id),
                date=meta.get("date") or None,
                chunks=(seen.chunks if seen else 0) + 1,
            )
        return sorted(by_doc.values(), key=lambda d: d.doc_id)


def _client(path: Path):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))


def _metadata(doc: Document, chunk: Chunk, n_chunks: int) -> dict:
    meta = {
        "doc_id": doc.id,
        "title": doc.title,
        "path": doc.path,
        "content_hash": doc.content_hash,
        "index": chunk.index,
        "n_chunks": n_chunks,
        "start": chunk.start,
        "end": chunk.end,
    }
    if doc.date:
        meta["date"] = doc.date
    return meta


def _chunk(chunk_id: str, text: str, meta: dict) -> Chunk:
    return Chunk(
        id=chunk_id,
        doc_id=meta["doc_id"],
        index=int(meta["index"]),
        text=text,
        start=int(meta["start"]),
        end=int(meta["end"]),
        title=meta.get("title", meta["doc_id"]),
        date=meta.get("date") or None,
    )
