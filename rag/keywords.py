"""The keyword index: chunks ranked by BM25 over their words.

Names and numbers ("Mono Tole", "95 deaths") are where a small embedding model blurs and exact
words do not. The index lives in the manifest's database and changes in the manifest's transactions
(see ``rag.manifest``), so it always holds exactly the chunks of the documents the manifest lists.

- **Stored** (persistent, incremental): each chunk row carries its length in terms and its terms as a
  blob of (term id, count) pairs; ``terms`` gives each term its id. A document's rows are replaced or
  deleted, never the whole index rebuilt. A term is a word folded to lower case without accents,
  stemmed (Snowball English: "deaths" ~ "death"), stopwords left out; a number keeps its separators
  out ("4,860" ~ "4860").
- **Scored** (in memory): ``Postings`` turns those blobs into one array of chunks per term, with each
  chunk's BM25 term weight, the first time a process searches and again after the index changed (a
  generation number in the database says when): never per query. A query adds its terms' weights into
  one array of scores and takes the best k. Scoring every chunk that holds a common word ("cost" is in
  60% of some collections) is then a few vector operations, not a row-by-row ranking.
"""

from __future__ import annotations

import math
import re
import sqlite3
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import Stemmer

from rag.chunking import search_text
from rag.structure import decode_blocks, encode_blocks
from rag.text import STOPWORDS, fold, normalize_word
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
    text TEXT NOT NULL,
    length INTEGER,
    terms BLOB,
    blocks TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS chunks_by_doc ON chunks(doc_id);
CREATE INDEX IF NOT EXISTS chunks_by_date ON chunks(date);
CREATE TABLE IF NOT EXISTS terms (id INTEGER PRIMARY KEY, term TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS keyword_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""

# BM25 as in Lucene: term frequency saturates at K1, length normalized by B, idf never negative.
K1, B = 1.2, 0.75
# Enough distinct terms for any real question; a pasted paragraph must not become a huge query.
_MAX_TERMS = 32
# Numbers whole, with their separators ("4,860", "3.5"); otherwise runs of letters and digits.
_TOKEN = re.compile(r"\d+(?:[,.]\d+)+|\w+")
_COLUMNS = (
    "c.rowid, c.chunk_id, c.doc_id, c.idx, c.start, c.end, c.page, c.page_starts, c.title, c.date, c.text,"
    " c.blocks"
)
_PAIR = np.dtype("<u4")  # the blob: term id, count, term id, count, ...
_STEMMER = Stemmer.Stemmer("english")


# -- terms ------------------------------------------------------------------------------------------------


def terms(text: str) -> Counter[str]:
    """The terms of ``text`` with their counts: "Ecuador's 95 deaths" -> {ecuador: 1, 95: 1, death: 1}."""
    folded = text.lower() if text.isascii() else fold(text)
    counts = Counter(_TOKEN.findall(folded))
    found: Counter[str] = Counter()
    for token, n in counts.items():
        term = _term(token)
        if term:
            found[term] += n
    return found


@lru_cache(maxsize=200_000)
def _term(token: str) -> str:
    if token[0].isdigit():
        return normalize_word(token)
    word = normalize_word(token)
    if len(word) < 2 or word in STOPWORDS:
        return ""
    return word if word.isdigit() else _STEMMER.stemWord(word)


# -- writing: inside the manifest's transactions ----------------------------------------------------------


def add_chunks(db: sqlite3.Connection, chunks: Sequence[Chunk]) -> None:
    for chunk in chunks:
        db.execute(
            "INSERT INTO chunks (chunk_id, doc_id, idx, start, end, page, page_starts, title, date, text,"
            " blocks, length, terms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                encode_blocks(chunk.blocks),
                *_indexed(db, search_text(chunk)),
            ),
        )
    if chunks:
        _changed(db)


def delete_chunks(db: sqlite3.Connection, doc_id: str) -> None:
    if db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,)).rowcount:
        _changed(db)


def clear(db: sqlite3.Connection) -> None:
    db.execute("DELETE FROM chunks")
    _changed(db)


def needs_upgrade(db: sqlite3.Connection) -> bool:
    """Whether this is a keyword index from before term blobs (an SQLite FTS5 table) or blocks."""
    fts = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'chunk_terms'").fetchone()
    return not {"terms", "blocks"} <= _columns(db) or fts is not None


def upgrade(db: sqlite3.Connection) -> None:
    """Bring a keyword index from before term blobs to this one: every chunk's terms are computed once
    from its stored text, and the FTS5 table goes. Call inside a write transaction."""
    if not needs_upgrade(db):  # another process did it while this one waited
        return
    if "terms" not in _columns(db):
        db.execute("ALTER TABLE chunks ADD COLUMN length INTEGER")
        db.execute("ALTER TABLE chunks ADD COLUMN terms BLOB")
    if "blocks" not in _columns(db):  # chunks from before it have none until `rag reindex`
        db.execute("ALTER TABLE chunks ADD COLUMN blocks TEXT NOT NULL DEFAULT ''")
    db.execute("DROP TABLE IF EXISTS chunk_terms")
    missing = db.execute("SELECT rowid, text FROM chunks WHERE terms IS NULL").fetchall()
    if missing:
        print(f"rag: indexing the words of {len(missing)} chunks (once, for this version)…", file=sys.stderr)
    for rowid, text in missing:
        db.execute("UPDATE chunks SET length = ?, terms = ? WHERE rowid = ?", (*_indexed(db, text), rowid))
    _changed(db)


def _columns(db: sqlite3.Connection) -> set[str]:
    return {row[1] for row in db.execute("PRAGMA table_info(chunks)")}


def _indexed(db: sqlite3.Connection, text: str) -> tuple[int, bytes]:
    """What a chunk row stores of its text's terms: their number, and the blob of (term id, count)."""
    counts = terms(text)
    ids = _term_ids(db, counts)
    pairs = np.array([(ids[term], n) for term, n in counts.items()], dtype=_PAIR).reshape(-1)
    return sum(counts.values()), pairs.tobytes()


def _term_ids(db: sqlite3.Connection, wanted: Iterable[str]) -> dict[str, int]:
    """The id of each term, new terms given one. Ids are never reused or changed (``clear`` keeps them),
    so any reader may keep what it has read of them."""
    wanted = list(wanted)
    ids: dict[str, int] = {}
    for at in range(0, len(wanted), 500):
        part = wanted[at : at + 500]
        marks = ",".join("?" * len(part))
        ids.update(db.execute(f"SELECT term, id FROM terms WHERE term IN ({marks})", part))
    for term in wanted:
        if term not in ids:
            ids[term] = db.execute("INSERT INTO terms (term) VALUES (?)", (term,)).lastrowid
    return ids


def _changed(db: sqlite3.Connection) -> None:
    db.execute(
        "INSERT INTO keyword_state (key, value) VALUES ('generation', 1)"
        " ON CONFLICT(key) DO UPDATE SET value = value + 1"
    )


def generation(db: sqlite3.Connection) -> int:
    """A number that changes whenever any process changes the keyword index."""
    row = db.execute("SELECT value FROM keyword_state WHERE key = 'generation'").fetchone()
    return row[0] if row else 0


# -- reading -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Postings:
    """The keyword index of one generation, in memory: for each term id ``t``, the chunks holding it are
    ``chunks[starts[t]:starts[t + 1]]`` (positions in ``rowids``), with their BM25 term weights (the
    saturated, length-normalized count, before idf) in ``weights`` at the same places."""

    generation: int
    rowids: np.ndarray  # int64, ascending: the chunk row at each position
    starts: np.ndarray  # int64, one more than the number of term ids
    chunks: np.ndarray  # int32
    weights: np.ndarray  # float32
    vocabulary: dict[str, int]

    @classmethod
    def load(cls, db: sqlite3.Connection, vocabulary: dict[str, int] | None = None) -> Postings:
        """Read the index as it is now. ``vocabulary``: term ids read before, to be extended."""
        vocabulary = dict(vocabulary or {})
        newest = max(vocabulary.values(), default=0)
        db.execute("BEGIN")  # one snapshot: every term id a row holds is in the vocabulary read with it
        try:
            number = generation(db)
            vocabulary.update(db.execute("SELECT term, id FROM terms WHERE id > ?", (newest,)))
            rows = db.execute("SELECT rowid, length, terms FROM chunks ORDER BY rowid").fetchall()
        finally:
            db.execute("COMMIT")
        rowids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        lengths = np.fromiter((r[1] for r in rows), dtype=np.float64, count=len(rows))
        pairs = np.frombuffer(b"".join(r[2] for r in rows), dtype=_PAIR).reshape(-1, 2)
        per_chunk = np.fromiter((len(r[2]) // 8 for r in rows), dtype=np.int64, count=len(rows))
        owner = np.repeat(np.arange(len(rows), dtype=np.int32), per_chunk)
        term_ids, counts = pairs[:, 0].astype(np.int32), pairs[:, 1].astype(np.float64)
        average = (float(lengths.mean()) if len(rows) else 0.0) or 1.0
        norm = K1 * (1 - B + B * lengths / average)
        weights = counts * (K1 + 1) / (counts + norm[owner])
        order = np.argsort(term_ids, kind="stable")
        size = max(vocabulary.values(), default=0) + 1
        starts = np.zeros(size + 1, dtype=np.int64)
        np.cumsum(np.bincount(term_ids, minlength=size), out=starts[1:])
        return cls(
            generation=number,
            rowids=rowids,
            starts=starts,
            chunks=owner[order],
            weights=weights[order].astype(np.float32),
            vocabulary=vocabulary,
        )

    def scores(self, text: str) -> np.ndarray:
        """The BM25 score of every chunk (by position) for the terms of ``text``; 0 where none occurs."""
        scores = np.zeros(len(self.rowids), dtype=np.float32)
        n = len(self.rowids)
        for term in list(terms(text))[:_MAX_TERMS]:
            t = self.vocabulary.get(term)
            if t is None or t + 1 >= len(self.starts):
                continue
            lo, hi = self.starts[t], self.starts[t + 1]
            if hi > lo:
                idf = math.log(1 + (n - (hi - lo) + 0.5) / ((hi - lo) + 0.5))
                scores[self.chunks[lo:hi]] += np.float32(idf) * self.weights[lo:hi]
        return scores

    def best(self, scores: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The rows of the ``k`` best-scoring chunks (above 0; within ``allowed`` positions if given),
        best first, ties by row."""
        if allowed is not None:
            scores = np.where(allowed, scores, 0)
        found = np.flatnonzero(scores > 0)
        if len(found) > k:
            found = found[np.argpartition(-scores[found], k - 1)[:k]]
        found = found[np.lexsort((self.rowids[found], -scores[found]))]
        return [(int(self.rowids[i]), float(scores[i])) for i in found]


def search(
    db: sqlite3.Connection, postings: Postings, text: str, k: int, filters: Filters = Filters()
) -> list[tuple[Chunk, float]]:
    """The ``k`` chunks that best match the words of ``text``, best first, with their BM25 scores
    (higher is better). Any one word may match: BM25 weighs rare words, such as names, above common ones."""
    if k <= 0:
        return []
    allowed = None
    where, params = _filter_sql(filters)
    if where:
        rows = [r for (r,) in db.execute(f"SELECT c.rowid FROM chunks c WHERE 1{where}", params)]
        allowed = np.isin(postings.rowids, np.array(rows, dtype=np.int64))
    best = postings.best(postings.scores(text), k, allowed)
    if not best:
        return []
    marks = ",".join("?" * len(best))
    found = {
        row[0]: _chunk(row[1:])
        for row in db.execute(
            f"SELECT {_COLUMNS} FROM chunks c WHERE c.rowid IN ({marks})", [r for r, _ in best]
        )
    }
    # A row deleted by another process since ``postings`` was read is left out.
    return [(found[rowid], score) for rowid, score in best if rowid in found]


def chunks_by_id(db: sqlite3.Connection, ids: Sequence[str]) -> dict[str, Chunk]:
    marks = ",".join("?" * len(ids))
    rows = db.execute(f"SELECT {_COLUMNS} FROM chunks c WHERE c.chunk_id IN ({marks})", tuple(ids))
    return {row[1]: _chunk(row[1:]) for row in rows}


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
    chunk_id, doc_id, idx, start, end, page, page_starts, title, date, text, blocks = row
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
        blocks=decode_blocks(blocks),
    )
