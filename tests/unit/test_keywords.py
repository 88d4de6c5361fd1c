"""The keyword index on its own, in a real SQLite manifest: its terms, its BM25 scores against a plain
re-computation, its reading of other connections' writes, and its upgrade from the FTS5 layout."""

import math
import sqlite3
from collections import Counter
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from rag import keywords
from rag.manifest import Manifest
from rag.types import Chunk


def chunk(doc_id: str, i: int, text: str) -> Chunk:
    return Chunk(f"{doc_id}#{i}", doc_id, i, text, start=0, end=len(text), title=doc_id, date=None)


def fill(manifest: Manifest, texts: dict[str, list[str]]) -> None:
    with manifest._transaction() as db:
        for doc_id, parts in texts.items():
            keywords.delete_chunks(db, doc_id)
            keywords.add_chunks(db, [chunk(doc_id, i, t) for i, t in enumerate(parts)])


def test_terms_are_folded_stemmed_words_without_stopwords():
    assert keywords.terms("The deaths in Sucumbíos; Ecuador's 4,860 dewars and 3.5 tons") == Counter(
        {"death": 1, "sucumbio": 1, "ecuador": 1, "4860": 1, "dewar": 1, "3.5": 1, "ton": 1}
    )
    assert keywords.terms("Strikes, strike, STRIKING") == Counter({"strike": 3})
    assert keywords.terms('" AND OR NOT NEAR(a b) * col:umn') == Counter({"near": 1, "col": 1, "umn": 1})


def reference_bm25(texts: list[str], query: str) -> list[float]:
    """BM25 (Lucene's idf, k1 = 1.2, b = 0.75) written out term by term, the way a textbook gives it."""
    docs = [keywords.terms(t) for t in texts]
    lengths = [sum(d.values()) for d in docs]
    average = sum(lengths) / len(docs) or 1.0
    scores = []
    for d, length in zip(docs, lengths, strict=True):
        score = 0.0
        for term in keywords.terms(query):
            df = sum(1 for other in docs if term in other)
            if term in d:
                idf = math.log(1 + (len(docs) - df + 0.5) / (df + 0.5))
                tf = d[term]
                score += idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * length / average))
        scores.append(score)
    return scores


WORDS = ["harbour", "Manta", "ships", "curfew", "Noboa", "95", "deaths", "army", "the", "of"]
TEXTS = st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(" ".join)


@settings(max_examples=40, deadline=None)
@given(
    texts=st.lists(TEXTS, min_size=1, max_size=9),
    query=st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join),
    k=st.integers(1, 10),
)
def test_search_gives_the_best_k_by_bm25(tmp_path_factory, texts, query, k):
    manifest = Manifest(tmp_path_factory.mktemp("kw") / "m.sqlite3")
    fill(manifest, {"d": texts})
    expected = reference_bm25(texts, query)
    got = manifest.search(query, k)
    assert len(got) == min(k, sum(s > 0 for s in expected))
    for found, score in got:
        assert math.isclose(score, expected[found.index], rel_tol=1e-4)
    cut = sorted(expected, reverse=True)[len(got) - 1] if got else math.inf
    assert all(s <= cut * (1 + 1e-4) for i, s in enumerate(expected) if i not in {c.index for c, _ in got})
    assert [s for _, s in got] == sorted((s for _, s in got), reverse=True)


def test_a_search_sees_what_another_connection_wrote_since(tmp_path: Path):
    path = tmp_path / "m.sqlite3"
    writer, reader = Manifest(path), Manifest(path)
    fill(writer, {"a": ["The harbour of Manta."]})
    assert [c.doc_id for c, _ in reader.search("harbour", 5)] == ["a"]
    fill(writer, {"a": ["Nothing about ships now."], "b": ["A harbour again.", "Harbour, harbour."]})
    assert [c.id for c, _ in reader.search("harbour", 5)] == ["b#1", "b#0"]
    assert reader.search("Manta", 5) == []
    with writer._transaction() as db:
        keywords.clear(db)
    assert reader.search("harbour", 5) == []


def test_an_fts5_keyword_index_is_upgraded_in_place(tmp_path: Path):
    path = tmp_path / "m.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE chunks (rowid INTEGER PRIMARY KEY, chunk_id TEXT NOT NULL UNIQUE, doc_id TEXT NOT NULL,"
        " idx INTEGER NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL, page INTEGER,"
        " page_starts TEXT NOT NULL DEFAULT '', title TEXT NOT NULL, date TEXT, text TEXT NOT NULL);"
        "CREATE VIRTUAL TABLE chunk_terms USING fts5(text, content='chunks', content_rowid='rowid');"
    )
    for i, text in enumerate(["The harbour of Manta.", "Curfew in Guayaquil."]):
        old.execute(
            "INSERT INTO chunks (chunk_id, doc_id, idx, start, end, title, text)"
            " VALUES (?, 'a', ?, 0, 0, 'A', ?)",
            (f"a#{i}", i, text),
        )
    old.commit()
    old.close()
    manifest = Manifest(path)
    assert [c.id for c, _ in manifest.search("curfew", 5)] == ["a#1"]
    tables = {name for (name,) in manifest._db.execute("SELECT name FROM sqlite_master")}
    assert "chunk_terms" not in tables
    assert not keywords.needs_upgrade(manifest._db)
