"""Local question answering over your own documents, with cited sources and honest refusals.

from rag import answer, ingest
ingest(["data/corpus"])
print(answer("In which province did the March 6 strikes take place?").text)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rag.api import answer, documents, ingest, reindex, remove, stream_answer, warm_up
    from rag.types import Answer, Source, Timings, Turn

__all__ = [
    "answer",
    "stream_answer",
    "ingest",
    "documents",
    "remove",
    "reindex",
    "warm_up",
    "Answer",
    "Source",
    "Timings",
    "Turn",
]


def __getattr__(name: str):
    # Importing rag stays instant; torch, chromadb and llama.cpp load on first use.
    if name in ("answer", "stream_answer", "ingest", "documents", "remove", "reindex", "warm_up"):
        from rag import api

        return getattr(api, name)
    if name in ("Answer", "Source", "Timings", "Turn"):
        from rag import types

        return getattr(types, name)
    raise AttributeError(f"module 'rag' has no attribute {name!r}")
