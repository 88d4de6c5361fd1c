"""Integration fixtures: the real embedding model, a real Chroma store holding data/corpus, the real GGUF."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from rag.api import ingest
from tests.conftest import CORPUS


@pytest.fixture(scope="session")
def corpus_store(tmp_path_factory) -> Path:
    """data/corpus ingested once per test session into a temporary store (collection 'documents')."""
    store = tmp_path_factory.mktemp("store")
    report = ingest([CORPUS], store=store)
    assert len(report.added) == 5
    return store


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
