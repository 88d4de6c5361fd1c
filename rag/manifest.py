"""The manifest: which documents a collection holds, at which content hash, in which chunks, made
with which embedding model and chunking settings. One SQLite file per collection, beside the vectors.

It is what makes ingestion exact. A write is announced here first (state ``writing``), then made in
the vector store, then recorded here together with the keyword index in one transaction (state
``done``). So after a crash at any moment, a document is either ``done`` and whole, or still marked
``writing``/``removing`` and redone by the next run; and every vector carries its document id, so
redoing a document clears whatever half-written state it left.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rag import keywords
from rag.errors import StoreError
from rag.types import Chunk, Document, Filters, SetAside

WRITING, REMOVING, DONE = "writing", "removing", "done"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    date TEXT,
    chunk_ids TEXT NOT NULL DEFAULT '[]',
    state TEXT NOT NULL,
    updated REAL NOT NULL,
    set_aside TEXT NOT NULL DEFAULT '[]'
);
"""
# Added after the first stores were made: (column, its definition) for ALTER TABLE.
_LATER_COLUMNS = (("set_aside", "TEXT NOT NULL DEFAULT '[]'"),)


@dataclass(frozen=True)
class Entry:
    doc_id: str
    path: str
    content_hash: str
    title: str
    date: str | None
    chunk_ids: tuple[str, ...]
    state: str
    set_aside: tuple[SetAside, ...] = ()
    """Sentences set aside at ingest as addressed to an AI assistant (``rag.injection``)."""


class Manifest:
    """One collection's manifest and keyword index. Safe to share between threads; other processes
    may read it while one writes (SQLite WAL)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, timeout=60, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # with WAL: durable when a process dies
        self._db.executescript(_SCHEMA + keywords.SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(documents)")}
        for column, definition in _LATER_COLUMNS:
            if column not in columns:
                with self._transaction() as db:
                    db.execute(f"ALTER TABLE documents ADD COLUMN {column} {definition}")
        if keywords.needs_upgrade(self._db):
            with self._transaction() as db:
                keywords.upgrade(db)
        self._postings: keywords.Postings | None = None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- the settings the collection was built with ------------------------------------------------

    def settings(self) -> dict[str, str]:
        with self._lock:
            return dict(self._db.execute("SELECT key, value FROM settings"))

    def check_settings(self, wanted: dict[str, str]) -> None:
        """Record ``wanted`` in a new collection; in one built otherwise, refuse to mix the two."""
        built = self.settings()
        if not built:
            with self._transaction() as db:
                db.executemany("INSERT INTO settings VALUES (?, ?)", sorted(wanted.items()))
            return
        differ = {k: (built.get(k), v) for k, v in wanted.items() if built.get(k) != v}
        if differ:
            change = ", ".join(f"{k} {old} -> {new}" for k, (old, new) in sorted(differ.items()))
            raise StoreError(f"this collection was built with other settings ({change}): run `rag reindex`")

    # -- documents ------------------------------------------------------------------------------------

    def entry(self, doc_id: str) -> Entry | None:
        with self._lock:
            row = self._db.execute(f"SELECT {_ENTRY} FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return _entry(row) if row else None

    def entries(self, state: str | None = None) -> list[Entry]:
        sql = f"SELECT {_ENTRY} FROM documents" + (" WHERE state = ?" if state else "") + " ORDER BY doc_id"
        with self._lock:
            rows = self._db.execute(sql, (state,) if state else ()).fetchall()
        return [_entry(row) for row in rows]

    def announce(self, doc_id: str, *, path: str, content_hash: str, state: str) -> None:
        """Say, before touching the vectors, that ``doc_id`` is about to be written or removed."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO documents (doc_id, path, content_hash, state, updated) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT(doc_id) DO UPDATE SET path = excluded.path,"
                " content_hash = excluded.content_hash, state = excluded.state, updated = excluded.updated",
                (doc_id, path, content_hash, state, time.time()),
            )

    def record(self, doc: Document, chunks: Sequence[Chunk]) -> None:
        """``doc`` is stored whole, as ``chunks``: its keyword rows and its entry change together."""
        with self._transaction() as db:
            keywords.delete_chunks(db, doc.id)
            keywords.add_chunks(db, chunks)
            db.execute(
                "UPDATE documents SET path = ?, content_hash = ?, title = ?, date = ?, chunk_ids = ?,"
                " state = ?, updated = ?, set_aside = ? WHERE doc_id = ?",
                (
                    doc.path,
                    doc.content_hash,
                    doc.title,
                    doc.date,
                    json.dumps([c.id for c in chunks]),
                    DONE,
                    time.time(),
                    json.dumps(
                        [[s.start, s.end, s.text, s.reason] for s in doc.set_aside], ensure_ascii=False
                    ),
                    doc.id,
                ),
            )

    def forget(self, doc_id: str) -> None:
        with self._transaction() as db:
            keywords.delete_chunks(db, doc_id)
            db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))

    def clear(self) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM documents")
            db.execute("DELETE FROM settings")
            keywords.clear(db)

    # -- the keyword index ----------------------------------------------------------------------------

    def search(self, text: str, k: int, filters: Filters = Filters()) -> list[tuple[Chunk, float]]:
        with self._lock:
            return keywords.search(self._db, self._current_postings(), text, k, filters)

    def chunks(self, ids: Sequence[str]) -> dict[str, Chunk]:
        with self._lock:
            return keywords.chunks_by_id(self._db, ids)

    def _current_postings(self) -> keywords.Postings:
        """The keyword index in memory, read again only when some process has changed it since."""
        postings = self._postings
        if postings is None or postings.generation != keywords.generation(self._db):
            known = postings.vocabulary if postings else None
            self._postings = postings = keywords.Postings.load(self._db, known)
        return postings

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")


_ENTRY = "doc_id, path, content_hash, title, date, chunk_ids, state, set_aside"


def _entry(row: tuple) -> Entry:
    doc_id, path, content_hash, title, date, chunk_ids, state, set_aside = row
    aside = tuple(SetAside(*item) for item in json.loads(set_aside or "[]"))
    return Entry(doc_id, path, content_hash, title, date, tuple(json.loads(chunk_ids)), state, aside)
