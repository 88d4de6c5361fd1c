"""One settings object. Only the edges (CLI, UI) read the environment; components take plain arguments."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

from rag.errors import InputError

PROJECT_DIR = Path(__file__).resolve().parent.parent
MODES = ("auto", "generative", "extractive")
RETRIEVERS = ("dense", "keyword", "hybrid")


@dataclass(frozen=True)
class Settings:
    """Every knob, with its default. ``Settings.from_env()`` reads ``RAG_<NAME>`` for each field."""

    store: Path = Path(".rag")
    collection: str = "documents"
    model: str = "gemma3-270m"
    models_dir: Path = PROJECT_DIR / "models"
    k: int = 8
    mode: str = "auto"
    retriever: str = "hybrid"
    chunk_tokens: int = 160
    chunk_overlap: int = 32
    context_tokens: int = 2048
    answer_tokens: int = 64
    evidence_shown: int = 1
    min_confidence: float = 0.0
    """Answers estimated less likely right than this are shown as the closest passage instead."""
    threads: int = max(1, os.cpu_count() or 1)
    max_file_mb: int = 50
    chroma_url: str = ""
    """A Chroma server (``http://host:port``) to keep the vectors in instead of the embedded store."""
    llm_url: str = ""
    """An OpenAI-compatible server to generate with instead of a GGUF in this process."""
    llm_model: str = ""
    """The model to ask that server for; empty: the one it serves."""
    llm_style: str = "completion"
    """``completion`` (the pipeline's own prompt) or ``chat`` (the server applies its chat template)."""

    def __post_init__(self) -> None:
        if self.evidence_shown < 1:
            raise InputError(f"evidence_shown must be at least 1, got {self.evidence_shown}")
        if self.k < 1:
            raise InputError(f"k must be at least 1, got {self.k}")
        if self.mode not in MODES:
            raise InputError(f"mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        if self.retriever not in RETRIEVERS:
            raise InputError(f"retriever must be one of {', '.join(RETRIEVERS)}, got {self.retriever!r}")
        if self.llm_style not in ("completion", "chat"):
            raise InputError(f"llm_style must be 'completion' or 'chat', got {self.llm_style!r}")
        if self.max_file_mb < 1:
            raise InputError(f"max_file_mb must be at least 1, got {self.max_file_mb}")
        if not 0 <= self.chunk_overlap < self.chunk_tokens:
            raise InputError(
                f"chunk overlap must be in [0, chunk_tokens={self.chunk_tokens}), got {self.chunk_overlap}"
            )
        if len(self.collection) < 3:
            raise InputError(f"collection names need 3+ characters, got {self.collection!r}")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Defaults, then ``RAG_*`` variables, then explicit overrides (``None`` overrides are ignored)."""
        environ = os.environ if environ is None else environ
        defaults = cls()
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = environ.get(f"RAG_{f.name.upper()}")
            if raw:
                values[f.name] = _parse(f.name, raw, type(getattr(defaults, f.name)))
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def with_(self, **changes: object) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _parse(name: str, raw: str, kind: type) -> object:
    if kind is int:
        try:
            return int(raw)
        except ValueError:
            raise InputError(f"RAG_{name.upper()} must be a whole number, got {raw!r}") from None
    if kind is float:
        try:
            return float(raw)
        except ValueError:
            raise InputError(f"RAG_{name.upper()} must be a number, got {raw!r}") from None
    if issubclass(kind, Path):
        return Path(raw).expanduser()
    return raw
