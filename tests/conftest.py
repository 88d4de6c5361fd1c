from __future__ import annotations

from pathlib import Path

import pytest

from rag.reading import parse_document
from rag.store import ChromaStore
from tests.fakes import HashEmbedder

CORPUS = Path(__file__).resolve().parent.parent / "data" / "corpus"


@pytest.fixture
def embedder() -> HashEmbedder:
    return HashEmbedder()


@pytest.fixture
def store(tmp_path: Path) -> ChromaStore:
    return ChromaStore.open(tmp_path / "store", "testing", embedding_model=HashEmbedder.name)


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
