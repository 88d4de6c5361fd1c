"""Fusion and diversity as pure functions; the three retrievers over a real index with a hashing embedder."""

from rag.reading import parse_document
from rag.retrieval import Retriever, diversify, fuse
from rag.types import Chunk, Filters
from tests.conftest import store_docs


def chunk(cid: str) -> Chunk:
    doc_id = cid.split("#")[0]
    return Chunk(id=cid, doc_id=doc_id, index=0, text=cid, start=0, end=0, title=doc_id, date=None)


def ids(chunks) -> list[str]:
    return [c.id for c in chunks]


def test_fusion_rewards_agreement_between_rankings():
    dense = [chunk("a#0"), chunk("b#0"), chunk("c#0"), chunk("e#0")]
    words = [chunk("f#0"), chunk("c#0"), chunk("d#0"), chunk("b#0")]
    # After each ranking's first, b and c (in both lists) beat d and e (found by one ranking only).
    assert ids(fuse([dense, words])) == ["a#0", "f#0", "c#0", "b#0", "d#0", "e#0"]
    assert ids(fuse([dense, []])) == ids(dense)


def test_each_rankings_first_survives_fusion():
    # The keyword ranking's first (a table row holding the question's rare numbers) is near the end of
    # the dense ranking; by fused score alone, passages both rankings put halfway would push it out.
    dense = [chunk(f"prose#{i}") for i in range(20)] + [chunk("row#0")]
    words = [chunk("row#0")] + [chunk(f"prose#{i}") for i in range(1, 20)]
    assert ids(fuse([dense, words]))[:2] == ["row#0", "prose#0"]
    assert "row#0" in ids(diversify(fuse([dense, words]), 4))


def test_diversity_keeps_one_document_from_taking_every_place():
    ranked = [chunk(f"long#{i}") for i in range(6)] + [chunk("b#0"), chunk("c#0")]
    kept = ids(diversify(ranked, 4))
    assert kept == ["long#0", "long#1", "b#0", "c#0"]
    # With nothing else to show, the long document gets its places back.
    assert ids(diversify([chunk(f"long#{i}") for i in range(6)], 4)) == [f"long#{i}" for i in range(4)]


MANTA = "The harbour of Manta reopened after the storm. Fishing boats returned to the quay on Monday."
PLAN = "The city council approved the budget for the new library. Construction begins in spring."


def test_each_retriever_finds_the_passage_and_scores_it_by_cosine(index, embedder):
    store_docs(
        index,
        [
            parse_document(MANTA, doc_id="manta.txt"),
            parse_document(PLAN, doc_id="plan.txt"),
            parse_document("date 2026-05-01 Festival\nThe harbour festival drew crowds.", doc_id="fest.txt"),
        ],
        embedder,
    )
    query = embedder.embed_query("When did the harbour of Manta reopen?")
    for method in ("dense", "keyword", "hybrid"):
        hits = Retriever(index, embedder, method).retrieve("When did the harbour of Manta reopen?", 3)
        assert hits[0].chunk.doc_id == "manta.txt", method
        assert abs(hits[0].score - float(query @ embedder.embed_query(hits[0].chunk.text))) < 1e-4, method
        dated = Retriever(index, embedder, method).retrieve("harbour", 3, Filters(date_from="2026-04-01"))
        assert {h.chunk.doc_id for h in dated} == {"fest.txt"}, method
