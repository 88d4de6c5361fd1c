"""The keyword index: SQLite FTS5 over chunk texts, ranked by BM25.

Names and numbers ("Mono Tole", "95 deaths") are where a small embedding model blurs and exact
words do not. The index lives in the manifest's database and changes in the manifest's transactions
(see ``rag.manifest``), so it always holds exactly the chunks of the documents the manifest lists.
It is incremental: a document's rows are replaced or deleted, never the whole index rebuilt.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence

from rag.text import STOPWORDS, normalize_word
from rag.types import Chunk, Filters

SCHEMA = """
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY,
    chunk_id TEXT NOT NULL UNIQUE,
    doc_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    page INTEGER,
    page_starts TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL,
    date TEXT,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_by_doc ON chunks(doc_id);
CREATE INDEX IF NOT EXISTS chunks_by_date ON chunks(date);
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_terms USING fts5(
    text, content='chunks', content_rowid='rowid', tokenize='porter unicode61 remove_diacritics 2'
);
"""

_COLUMNS = "c.chunk_id, c.doc_id, c.idx, c.start, c.end, c.page, c.page_starts, c.title, c.date, c.text"
_WORD = re.compile(r"\w+")
# Enough distinct terms for any real question; a pasted paragraph must not become a huge OR query.
_MAX_TERMS = 32


def add_chunks(db: sqlite3.Connection, chunks: Sequence[Chunk]) -> None:
    for chunk in chunks:
        cur = db.execute(
            "INSERT INTO chunks (chunk_id, doc_id, idx, start, end, page, page_starts, title, date, text)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                chunk.id,
                chunk.doc_id,
                chunk.index,
                chunk.start,
                chunk.end,
                chunk.page,
                ",".join(map(str, chunk.page_starts)),
                chunk.title,
                chunk.date,
                chunk.text,
            ),
        )
        db.execute("INSERT INTO chunk_terms (rowid, text) VALUES (?, ?)", (cur.lastrowid, chunk.text))


def delete_chunks(db: sqlite3.Connection, doc_id: str) -> None:
    # An external-content FTS5 table forgets a row only when told the text it indexed.
    rows = db.execute("SELECT rowid, text FROM chunks WHERE doc_id = ?", (doc_id,)).fetchall()
    db.executemany("INSERT INTO chunk_terms (chunk_terms, rowid, text) VALUES ('delete', ?, ?)", rows)
    db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))


def search(
    db: sqlite3.Connection, text: str, k: int, filters: Filters = Filters()
) -> list[tuple[Chunk, float]]:
    """The ``k`` chunks that best match the words of ``text``, best first, with their BM25 scores
    (higher is better). Any one word may match: BM25 weighs rare words, such as names, above common ones."""
    query = match_query(text)
    if not query:
        return []
    where, params = _filter_sql(filters)
    if where:  # the filters read the chunks table, so every match is joined to it before ranking
        sql = (
            f"SELECT {_COLUMNS}, -bm25(chunk_terms) AS score FROM chunk_terms"
            " JOIN chunks c ON c.rowid = chunk_terms.rowid"
            f" WHERE chunk_terms MATCH ?{where} ORDER BY bm25(chunk_terms) LIMIT ?"
        )
    else:  # ranked in the full-text index alone; only the k best are joined to their rows
        sql = (
            f"SELECT {_COLUMNS}, m.score FROM (SELECT rowid, -bm25(chunk_terms) AS score FROM chunk_terms"
            " WHERE chunk_terms MATCH ? ORDER BY bm25(chunk_terms) LIMIT ?) m"
            " JOIN chunks c ON c.rowid = m.rowid ORDER BY m.score DESC"
        )
    rows = db.execute(sql, (query, *params, k)).fetchall()
    return [(_chunk(row[:-1]), float(row[-1])) for row in rows]


def chunks_by_id(db: sqlite3.Connection, ids: Sequence[str]) -> dict[str, Chunk]:
    marks = ",".join("?" * len(ids))
    rows = db.execute(f"SELECT {_COLUMNS} FROM chunks c WHERE c.chunk_id IN ({marks})", tuple(ids))
    return {row[0]: _chunk(row) for row in rows}


def match_query(text: str) -> str:
    """An FTS5 query matching any content word of ``text``. Each word is quoted, so nothing the user
    types is read as query syntax (``AND``, ``NEAR``, ``*``, quotes)."""
    terms: dict[str, None] = {}
    for word in _WORD.findall(text):
        if normalize_word(word) not in STOPWORDS:
            terms.setdefault(word.lower(), None)
    return " OR ".join(f'"{term}"' for term in list(terms)[:_MAX_TERMS])


def _filter_sql(filters: Filters) -> tuple[str, list[str]]:
    sql, params = "", []
    if filters.documents:
        sql += f" AND c.doc_id IN ({','.join('?' * len(filters.documents))})"
        params += filters.documents
    if filters.date_from:
        sql += " AND c.date >= ?"
        params.append(filters.date_from)
    if filters.date_to:
        sql += " AND c.date <= ?"
        params.append(filters.date_to)
    return sql, params


def _chunk(row: tuple) -> Chunk:
    chunk_id, doc_id, idx, start, end, page, page_starts, title, date, text = row
    return Chunk(
        id=chunk_id,
        doc_id=doc_id,
        index=idx,
        text=text,
        start=start,
        end=end,
        title=title,
        date=date,
        page=page,
        page_starts=tuple(int(p) for p in page_starts.split(",") if p),
    )
