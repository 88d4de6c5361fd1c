from pathlib import Path

import pytest

from rag.errors import StoreError
from rag.ingestion import ingest_documents
from rag.reading import parse_document
from rag.store import INCOMPLETE, ChromaStore
from tests.fakes import HashEmbedder


def words(text: str) -> int:
    return len(text.split())


def ingest(docs, store, embedder):
    return ingest_documents(
        docs, store=store, embedder=embedder, max_tokens=20, overlap_tokens=5, count=words
    )


def doc(text: str, doc_id: str = "a.txt"):
    return parse_document(text, doc_id=doc_id)


LONG = " ".join(f"Fact {i} is about the harbour of Manta and its ships." for i in range(12))


def test_ingesting_twice_changes_nothing(store, embedder, news_doc):
    first = ingest([news_doc], store, embedder)
    count, calls = store.count(), embedder.calls
    again = ingest([news_doc], store, embedder)
    assert first.added == ["news/strikes.txt"] and again.unchanged == ["news/strikes.txt"]
    assert store.count() == count
    assert embedder.calls == calls, "an unchanged document must not be embedded again"


def test_a_changed_document_replaces_its_chunks(store, embedder):
    ingest([doc(LONG)], store, embedder)
    long_count = store.count()
    report = ingest([doc("Only one short fact now.")], store, embedder)
    assert report.updated == ["a.txt"]
    assert long_count > 1 and store.count() == 1
    hit = store.query(embedder.embed_query("short fact"), 5)[0]
    assert hit.chunk.text == "Only one short fact now."


def test_documents_are_listed_with_chunk_counts(store, embedder, news_doc):
    ingest([news_doc, doc(LONG, "b.txt")], store, embedder)
    listed = {d.doc_id: d for d in store.documents()}
    assert set(listed) == {"news/strikes.txt", "b.txt"}
    assert listed["news/strikes.txt"].date == "2026-03-09"
    assert sum(d.chunks for d in listed.values()) == store.count()


def test_query_returns_scored_chunks_best_first(store, embedder, news_doc):
    ingest([news_doc, doc(LONG, "b.txt")], store, embedder)
    hits = store.query(embedder.embed_query("harbour of Manta ships"), 3)
    assert hits[0].chunk.doc_id == "b.txt"
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert -1.0 <= hits[-1].score <= 1.0


def test_partly_stored_document_is_seen_as_incomplete(store, embedder):
    ingest([doc(LONG)], store, embedder)
    store._collection.delete(ids=["a.txt#0"])
    assert store.stored_hash("a.txt") == INCOMPLETE
    assert ingest([doc(LONG)], store, embedder).updated == ["a.txt"]
    assert store.stored_hash("a.txt") == doc(LONG).content_hash


def test_remove_deletes_every_chunk(store, embedder):
    ingest([doc(LONG)], store, embedder)
    assert store.remove("a.txt") > 1
    assert store.count() == 0


def test_opening_with_another_embedding_model_is_an_error(tmp_path: Path):
    ChromaStore.open(tmp_path, "docs", embedding_model=HashEmbedder.name)
    with pytest.raises(StoreError, match="built with embedding model 'test/hash-embedder'"):
        ChromaStore.open(tmp_path, "docs", embedding_model="other/model")


def test_a_missing_store_names_the_command_that_makes_it(tmp_path: Path):
    with pytest.raises(StoreError, match="rag ingest"):
        ChromaStore.open(tmp_path / "absent", "docs", embedding_model="m", create=False)
    ChromaStore.open(tmp_path / "present", "docs", embedding_model="m")
    with pytest.raises(StoreError, match="no collection 'other'.*rag ingest"):
        ChromaStore.open(tmp_path / "present", "other", embedding_model="m", create=False)
