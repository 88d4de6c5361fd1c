"""The index with a real Chroma store and manifest in tmp_path and a hashing embedder: exact, incremental
writes; recovery from interrupted ones; settings and model checks; keyword search and its filters."""

from pathlib import Path

import pytest

from rag.errors import StoreError
from rag.index import Index
from rag.manifest import DONE, WRITING
from rag.reading import parse_document
from rag.types import Filters
from tests.conftest import TEST_SETTINGS, store_docs
from tests.fakes import HashEmbedder


def doc(text: str, doc_id: str = "a.txt"):
    return parse_document(text, doc_id=doc_id, path=f"/docs/{doc_id}")


LONG = " ".join(f"Fact {i} is about the harbour of Manta and its ships." for i in range(12))


def snapshot(index: Index) -> dict:
    """Everything the index holds, to compare two indexes for equality."""
    got = index.vectors._collection.get(include=["documents", "metadatas", "embeddings"])
    vectors = {
        cid: (text, meta, tuple(round(float(x), 5) for x in vec))
        for cid, text, meta, vec in zip(
            got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True
        )
    }
    db = index.manifest._db
    return {
        "vectors": vectors,
        "entries": [(e.doc_id, e.content_hash, e.chunk_ids, e.state) for e in index.manifest.entries()],
        "keyword_rows": sorted(db.execute("SELECT chunk_id, doc_id, text, length FROM chunks").fetchall()),
        "keyword_matches": sorted(c.id for c, _ in index.manifest.search("harbour", 1000)),
    }


def test_storing_twice_changes_nothing(index, embedder, news_doc):
    first = store_docs(index, [news_doc], embedder)
    before, calls = snapshot(index), embedder.calls
    again = store_docs(index, [news_doc], embedder)
    assert first.added == ["news/strikes.txt"] and again.unchanged == ["news/strikes.txt"]
    assert snapshot(index) == before
    assert embedder.calls == calls, "an unchanged document must not be embedded again"


def test_a_changed_document_replaces_its_chunks_everywhere(index, embedder):
    store_docs(index, [doc(LONG)], embedder)
    long_count = index.vectors.count()
    report = store_docs(index, [doc("Only one short fact now.")], embedder)
    assert report.updated == ["a.txt"]
    assert long_count > 1 and index.vectors.count() == 1
    assert index.manifest.entry("a.txt").chunk_ids == ("a.txt#0",)
    assert index.manifest.search("harbour Manta", 5) == []
    assert [c.text for c, _ in index.manifest.search("short fact", 5)] == ["Only one short fact now."]


def test_one_batch_of_changes_leaves_what_a_fresh_index_of_the_result_holds(index, embedder, tmp_path):
    """Ingestion writes many documents per store call: added and changed ones together."""
    store_docs(index, [doc(LONG, "a.txt"), doc("Beta was here before. It said little.", "b.txt")], embedder)
    final = [doc("Only one short fact now.", "a.txt"), doc(LONG, "b.txt"), doc(LONG + " New.", "c.txt")]
    report = store_docs(index, final, embedder)
    assert (report.updated, report.added) == (["a.txt", "b.txt"], ["c.txt"])
    fresh = Index.open(tmp_path / "fresh", "testing", embedding_model=HashEmbedder.name, create=True)
    store_docs(fresh, final, embedder)
    assert snapshot(index) == snapshot(fresh)


def test_documents_are_listed_with_chunk_counts(index, embedder, news_doc):
    store_docs(index, [news_doc, doc(LONG, "b.txt")], embedder)
    listed = {d.doc_id: d for d in index.documents()}
    assert set(listed) == {"news/strikes.txt", "b.txt"}
    assert listed["news/strikes.txt"].date == "2026-03-09"
    assert sum(d.chunks for d in listed.values()) == index.vectors.count()


def test_dense_query_returns_scored_chunks_best_first(index, embedder, news_doc):
    store_docs(index, [news_doc, doc(LONG, "b.txt")], embedder)
    hits = index.vectors.query(embedder.embed_query("harbour of Manta ships"), 3)
    assert hits[0].chunk.doc_id == "b.txt"
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert -1.0 <= hits[-1].score <= 1.0


def test_a_write_cut_short_is_redone_whole(index, embedder):
    """A crash after the vectors were half written: the manifest still says 'writing', so the next run
    redoes the document, and the stray chunks of the cut write do not survive it."""
    store_docs(index, [doc(LONG)], embedder)
    clean = snapshot(index)
    index.manifest.announce("a.txt", path="/docs/a.txt", content_hash="new", state=WRITING)
    index.vectors._collection.delete(ids=["a.txt#0"])
    index.vectors._collection.add(
        ids=["a.txt#99"], embeddings=[embedder.embed_query("stray")], metadatas=[{"doc_id": "a.txt"}]
    )
    assert index.status(doc(LONG)) == "updated"
    assert store_docs(index, [doc(LONG)], embedder).updated == ["a.txt"]
    assert snapshot(index) == clean


def test_a_removal_cut_short_is_finished_by_the_next_writer(index, embedder):
    store_docs(index, [doc(LONG), doc("Another doc.", "b.txt")], embedder)
    index.manifest.announce("a.txt", path="/docs/a.txt", content_hash="x", state="removing")
    store_docs(index, [], embedder)
    assert [e.doc_id for e in index.manifest.entries()] == ["b.txt"]
    assert index.vectors.ids() == {"b.txt#0"}
    assert index.manifest.search("harbour", 5) == []


def test_remove_deletes_every_chunk_and_keyword_row(index, embedder):
    store_docs(index, [doc(LONG)], embedder)
    with index.writing():
        assert index.remove("a.txt") > 1
        assert index.remove("a.txt") == 0
    assert index.vectors.count() == 0 and index.manifest.entries() == []
    assert index.manifest.search("harbour", 5) == []


def test_other_chunking_settings_ask_for_a_reindex(index, embedder):
    store_docs(index, [doc(LONG)], embedder)
    other = {**TEST_SETTINGS, "chunking": "words/40/5"}
    with (
        pytest.raises(StoreError, match=r"chunking words/20/5 -> words/40/5.*rag reindex"),
        index.writing(settings=other),
    ):
        pass
    with index.writing(settings={**TEST_SETTINGS, "chunking": "words/40/5"}, rebuild=True):
        assert index.vectors.count() == 0 and index.manifest.entries() == []
    assert index.manifest.settings()["chunking"] == "words/40/5"


def test_vectors_no_manifest_lists_are_cleared(index, embedder):
    """A store written before manifests existed, or a rebuild cut between its two steps."""
    index.vectors._collection.add(
        ids=["old#0"], embeddings=[embedder.embed_query("old")], metadatas=[{"doc_id": "old"}]
    )
    store_docs(index, [doc("New fact.")], embedder)
    assert index.vectors.ids() == {"a.txt#0"}


def test_opening_with_another_embedding_model_is_an_error(tmp_path: Path):
    Index.open(tmp_path, "docs", embedding_model=HashEmbedder.name, create=True)
    with pytest.raises(StoreError, match="built with embedding model 'test/hash-embedder'"):
        Index.open(tmp_path, "docs", embedding_model="other/model")


def test_a_missing_store_names_the_command_that_makes_it(tmp_path: Path):
    with pytest.raises(StoreError, match="rag ingest"):
        Index.open(tmp_path / "absent", "documents", embedding_model="m")
    Index.open(tmp_path / "present", "docs", embedding_model="m", create=True)
    with pytest.raises(StoreError, match="no collection 'other'.*rag ingest.*--collection other"):
        Index.open(tmp_path / "present", "other", embedding_model="m")


def test_keyword_search_ranks_rare_words_and_reads_no_query_syntax(index, embedder, news_doc):
    store_docs(index, [news_doc, doc(LONG, "b.txt")], embedder)
    hits = index.manifest.search("Where is Sucumbios?", 3)
    assert hits and "Sucumbios" in hits[0][0].text and hits[0][1] > 0
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    for hostile in ('"', "AND OR NOT", "NEAR(a b)", "*", "col:umn", "", "the of and"):
        index.manifest.search(hostile, 3)  # no syntax error, whatever the user types


def test_keyword_filters_by_document_and_date(index, embedder, news_doc):
    dated = parse_document("date 2026-05-01 Harbour news\nThe harbour of Manta reopened.", doc_id="c.txt")
    store_docs(index, [news_doc, doc(LONG, "b.txt"), dated], embedder)
    assert {c.doc_id for c, _ in index.manifest.search("harbour", 10)} == {"b.txt", "c.txt"}
    assert {c.doc_id for c, _ in index.manifest.search("harbour", 10, Filters(documents=("b.txt",)))} == {
        "b.txt"
    }
    may = Filters(date_from="2026-04-01", date_to="2026-05-31")
    assert {c.doc_id for c, _ in index.manifest.search("harbour", 10, may)} == {"c.txt"}
    assert {h.chunk.doc_id for h in index.vectors.query(embedder.embed_query("harbour"), 10, may)} == {
        "c.txt"
    }


def test_manifest_entries_are_done_after_a_write(index, embedder, news_doc):
    store_docs(index, [news_doc], embedder)
    (entry,) = index.manifest.entries()
    assert entry.state == DONE and entry.content_hash == news_doc.content_hash and entry.chunk_ids
