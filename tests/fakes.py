"""Fakes that implement the same protocols as the real parts, for fast unit tests."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence

import numpy as np

from rag.text import content_terms


class HashEmbedder:
    """Bag of word stems hashed into 256 dimensions: texts sharing words are close, as with a real model."""

    name = "test/hash-embedder"
    dims = 256

    def __init__(self) -> None:
        self.calls = 0
        self.texts_embedded = 0
        self.queries = 0

    def _vector(self, text: str) -> np.ndarray:
        v = np.zeros(self.dims, dtype=np.float32)
        for term in content_terms(text):
            v[int(hashlib.md5(term.encode()).hexdigest(), 16) % self.dims] += 1.0
        norm = np.linalg.norm(v)
        if not norm:
            v[0] = 1.0
            norm = 1.0
        return v / norm

    def embed_documents(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        self.calls += 1
        self.texts_embedded += len(texts)
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dims), np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        self.queries += 1
        return self._vector(text)


class ScriptedGenerator:
    """Returns a fixed reply (or one per call) and records the prompts it was given."""

    name = "scripted"
    context_tokens = 512

    def __init__(self, *replies: str, style: str = "completion", verbatim: bool = False) -> None:
        self.replies = list(replies)
        self.style = style
        self.verbatim = verbatim
        self.prompts: list[str] = []

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def render_chat(self, messages: list[dict[str, str]]) -> tuple[str, tuple[str, ...]]:
        return "".join(f"<{m['role']}>{m['content']}</{m['role']}>" for m in messages) + "<assistant>", (
            "</assistant>",
        )

    def stream(self, prompt: str, *, max_tokens: int, stop: Sequence[str]) -> Iterator[str]:
        self.prompts.append(prompt)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        for word in reply.split(" "):
            yield word + " "
