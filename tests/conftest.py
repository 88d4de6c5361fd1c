from __future__ import annotations

from pathlib import Path

import pytest

from rag.index import Index
from rag.ingestion import Chunking, IngestReport, store_documents
from rag.reading import parse_document
from tests.fakes import HashEmbedder

CORPUS = Path(__file__).resolve().parent.parent / "data" / "corpus"


@pytest.fixture
def embedder() -> HashEmbedder:
    return HashEmbedder()


# Small chunks counted in words, so that short test texts make several chunks.
WORD_CHUNKS = Chunking(max_tokens=20, overlap_tokens=5, count=lambda text: len(text.split()))
TEST_SETTINGS = {"embedding_model": HashEmbedder.name, "chunking": "words/20/5"}


@pytest.fixture
def index(tmp_path: Path) -> Index:
    return Index.open(tmp_path / "store", "testing", embedding_model=HashEmbedder.name, create=True)


def store_docs(index: Index, docs, embedder, chunking: Chunking = WORD_CHUNKS) -> IngestReport:
    """``docs`` written into ``index`` the way ingestion does, under its lock."""
    with index.writing(settings=TEST_SETTINGS):
        return store_documents(docs, index=index, embedder=embedder, chunking=chunking)


@pytest.fixture
def news_doc():
    text = (
        "date 2026-03-09 Weekly roundup from the region\n"
        "U.S. and Ecuadoran forces conducted joint strikes inside Ecuador on March 6.\n"
        "The operation was carried out in the northeastern province of Sucumbios "
        "near the border with Colombia.\n"
        "No details on casualties were immediately provided.\n"
        "Around 70% of the drugs produced by Colombia and Peru are shipped through Ecuador.\n"
        "Gen. Francis L. Donovan said the joint forces succeeded. He praised the Ecuadorian troops.\n"
    )
    return parse_document(text, doc_id="news/strikes.txt", path="news/strikes.txt")
