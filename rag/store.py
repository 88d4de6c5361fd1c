"""The persistent vector store: chunks, their embeddings and metadata in a local Chroma collection."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import numpy as np

from rag.errors import StoreError
from rag.structure import decode_blocks, encode_blocks
from rag.types import Chunk, Document, Embedded, Filters, Hit

T = TypeVar("T")


class ChromaStore:
    """One Chroma collection in cosine space. Embeddings are always passed in, never computed by Chroma.

    The collection records the embedding model that filled it; opening it with another is an error,
    because vectors from two models cannot be compared.
    """

    def __init__(self, collection, client, path: Path | None = None) -> None:
        self._collection = collection
        self._client = client
        self._path = path  # the embedded store's folder; None on a server

    @classmethod
    def open(
        cls,
        path: Path,
        collection: str,
        *,
        embedding_model: str,
        create: bool = True,
        url: str = "",
    ) -> ChromaStore:
        """The collection in the embedded store at ``path``, or on the Chroma server at ``url``."""
        if not url and not create and not (path / "chroma.sqlite3").exists():
            raise StoreError(f"no store at {path}: run `rag ingest data/corpus` (or your documents) first")
        where = url or path
        client = _server_client(url) if url else _client(path)
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
                raise StoreError(f"cannot open collection {collection!r} in {where}: {e}") from e
            raise StoreError(
                f"no collection {collection!r} in {where}: "
                f"run `rag ingest data/corpus --collection {collection}`"
            ) from e
        made_with = (coll.metadata or {}).get("embedding_model")
        if made_with != embedding_model:
            raise StoreError(
                f"collection {collection!r} in {where} was built with embedding model {made_with!r}, "
                f"not {embedding_model!r}: ingest into a new collection or run `rag reindex`"
            )
        return cls(coll, client, None if url else path)

    def count(self) -> int:
        return self._collection.count()

    def replace(self, batch: Sequence[Embedded]) -> None:
        """Store each document's chunks as the whole of it: upsert them all, then drop any other chunk
        of those documents (an old version's, or a crashed write's)."""
        if not batch:
            return
        for doc, chunks, vectors in batch:
            if len(chunks) != len(vectors):
                raise ValueError(f"{doc.id}: {len(chunks)} chunks but {len(vectors)} embeddings")
        ids = [c.id for _, chunks, _ in batch for c in chunks]
        texts = [c.text for _, chunks, _ in batch for c in chunks]
        metadatas = [_metadata(doc, c) for doc, chunks, _ in batch for c in chunks]
        embeddings = np.concatenate([vectors for _, _, vectors in batch])
        doc_ids = [doc.id for doc, _, _ in batch]
        old_ids = set(self._collection.get(where={"doc_id": {"$in": doc_ids}}, include=[])["ids"])
        step = self._client.get_max_batch_size()
        for at in range(0, len(ids), step):
            self._collection.upsert(
                ids=ids[at : at + step],
                embeddings=embeddings[at : at + step],
                documents=texts[at : at + step],
                metadatas=metadatas[at : at + step],
            )
        stale = old_ids - set(ids)
        if stale:
            self._collection.delete(ids=sorted(stale))

    def remove(self, doc_id: str) -> int:
        ids = self._collection.get(where={"doc_id": doc_id}, include=[])["ids"]
        if ids:
            self._collection.delete(ids=ids)
        return len(ids)

    def query(self, embedding: np.ndarray, k: int, filters: Filters = Filters()) -> list[Hit]:
        # Chroma returns fewer than k when it holds fewer, none when empty: no count first, which
        # would cost a scan of the collection (13 ms at 100k chunks).
        got = self._while_written(
            lambda: self._collection.query(
                query_embeddings=[embedding],
                n_results=k,
                where=_where(filters),
                include=["documents", "metadatas", "distances"],
            )
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

    def embeddings(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        got = self._while_written(lambda: self._collection.get(ids=list(ids), include=["embeddings"]))
        return {cid: np.asarray(vec) for cid, vec in zip(got["ids"], got["embeddings"], strict=True)}

    def ids(self) -> set[str]:
        return set(self._collection.get(include=[])["ids"])

    def reset(self) -> None:
        """Empty the collection, keeping its name and settings (for a rebuild)."""
        name, metadata = self._collection.name, self._collection.metadata
        self._client.delete_collection(name)
        self._collection = self._client.create_collection(name, metadata=metadata)

    def _while_written(self, read: Callable[[], T], attempts: int = 4) -> T:
        """``read()``, tried again when it fails because another process is writing the embedded store.

        Each process keeps its own copy of the vector index in memory, which does not see what another
        process writes, while the keyword index (SQLite) does: a chunk found by its words can be missing
        from the vectors ("Error finding id"). So the store is opened afresh from disk and the read tried
        again. Within one process (the chat window ingesting an upload) all readers share one copy.
        """
        from chromadb.errors import InternalError

        for attempt in range(attempts):
            try:
                return read()
            except InternalError:
                if attempt == attempts - 1 or self._path is None:
                    raise StoreError(
                        "the store is being written by an ingest: ask again in a moment"
                    ) from None
                time.sleep(0.05 * 2**attempt)
                self._reopen()
        raise AssertionError("unreachable")

    def _reopen(self) -> None:
        """This process's copy of the store, read again from disk. Chroma keeps one per folder per
        process; it is dropped from Chroma's cache without being stopped (whoever holds it, such as a
        writer in another thread, keeps using it), so the next client loads a new one."""
        from chromadb.api.shared_system_client import SharedSystemClient

        SharedSystemClient._identifier_to_system.pop(str(self._path), None)
        self._client = _client(self._path)
        self._collection = self._client.get_collection(self._collection.name)


def _client(path: Path):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))


def _server_client(url: str):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    parts = urlsplit(url if "://" in url else f"http://{url}")
    if not parts.hostname:
        raise StoreError(f"not a Chroma server URL: {url!r} (expected http://host:port)")
    try:
        return chromadb.HttpClient(
            host=parts.hostname,
            port=parts.port or (443 if parts.scheme == "https" else 8000),
            ssl=parts.scheme == "https",
            settings=ChromaSettings(anonymized_telemetry=False),
        )
    except Exception as e:  # chromadb raises ValueError, ConnectError, ... for an unreachable server
        raise StoreError(f"cannot reach the Chroma server at {url}: {e} (RAG_CHROMA_URL)") from e


def _metadata(doc: Document, chunk: Chunk) -> dict:
    meta = {
        "doc_id": doc.id,
        "title": doc.title,
        "content_hash": doc.content_hash,
        "index": chunk.index,
        "start": chunk.start,
        "end": chunk.end,
    }
    if doc.date:  # Chroma compares only numbers, so the date is kept as one too for range filters
        meta["date"] = doc.date
        meta["day"] = int(doc.date.replace("-", ""))
    if chunk.page is not None:
        meta["page"] = chunk.page
        meta["page_starts"] = ",".join(map(str, chunk.page_starts))
    if chunk.blocks:
        meta["blocks"] = encode_blocks(chunk.blocks)
    return meta


def _where(filters: Filters) -> dict | None:
    clauses: list[dict] = []
    if filters.documents:
        clauses.append({"doc_id": {"$in": list(filters.documents)}})
    if filters.date_from:
        clauses.append({"day": {"$gte": int(filters.date_from.replace("-", ""))}})
    if filters.date_to:
        clauses.append({"day": {"$lte": int(filters.date_to.replace("-", ""))}})
    if len(clauses) > 1:
        return {"$and": clauses}
    return clauses[0] if clauses else None


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
        page=meta.get("page"),
        page_starts=tuple(int(p) for p in meta.get("page_starts", "").split(",") if p),
        blocks=decode_blocks(meta.get("blocks")),
    )
