"""Reading documents from disk into ``Document`` values: text, title, date, id, content hash.

Finding files and reading each one are separate steps so that one bad file costs only itself: the
caller gets a reason for it (``UnreadableFile``) and goes on with the rest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rag.errors import InputError
from rag.formats import SUFFIXES, Extracted, UnreadableFile, extract
from rag.structure import HEADING, assemble
from rag.types import Document

__all__ = [
    "SUFFIXES",
    "Found",
    "UnreadableFile",
    "build_document",
    "find_documents",
    "parse_document",
    "read_document",
]

_TITLE_CHARS = 160


@dataclass(frozen=True)
class Found:
    """A file met while walking the given paths. ``supported`` is false for types we cannot read."""

    path: Path
    root: Path
    supported: bool

    @property
    def doc_id(self) -> str:
        """The path relative to the folder it was found under: what identifies the document."""
        return self.path.relative_to(self.root).as_posix()


def find_documents(paths: list[Path]) -> Iterator[Found]:
    """Every file under ``paths``, folders walked recursively in name order. Hidden files and folders
    (``.git``, ``.DS_Store``) are passed over. A path that does not exist is an error before any work."""
    for path in paths:
        if not path.exists():
            raise InputError(f"no such file or folder: {path}")
    for path in paths:
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in file.relative_to(path).parts)
                if file.is_file() and not hidden:
                    yield Found(file, path, _supported(file))
        else:
            yield Found(path, path.parent, _supported(path))


def _supported(path: Path) -> bool:
    return path.suffix.lower() in SUFFIXES


def read_document(found: Found, *, max_bytes: int) -> Document:
    """The document in ``found``; ``UnreadableFile`` with a one-line reason when there is none to read."""
    try:
        doc_id = found.doc_id
        doc_id.encode("utf-8")
    except UnicodeEncodeError:
        raise UnreadableFile("the file name is not valid UTF-8") from None
    try:
        size = found.path.stat().st_size
        if size > max_bytes:
            raise UnreadableFile(
                f"too large: {size / 1e6:.1f} MB, over the {max_bytes / 1e6:g} MB limit (RAG_MAX_FILE_MB)"
            )
        raw = found.path.read_bytes()
    except OSError as e:
        raise UnreadableFile(f"cannot read it: {e.strerror or e}") from None
    extracted = extract(raw, found.path.suffix)
    return build_document(
        extracted,
        doc_id=doc_id,
        path=str(found.path.resolve()),
        content_hash=hashlib.sha256(raw).hexdigest(),
    )


def build_document(extracted: Extracted, *, doc_id: str, path: str = "", content_hash: str = "") -> Document:
    """The document a reader's blocks make: its text laid out from them (``rag.structure.assemble``),
    titled by the file's own title, else the heading it opens with, else its first line, else its id."""
    text, blocks, pages = assemble(extracted.parts)
    first_line = next((line for line in text.splitlines() if line.strip()), doc_id)
    opening = blocks[0] if blocks and blocks[0].kind == HEADING else None
    title = extracted.title or (text[opening.start : opening.end] if opening else first_line)
    title = " ".join(title.split())
    if len(title) > _TITLE_CHARS:
        title = title[: _TITLE_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return Document(
        id=doc_id,
        title=title,
        date=extracted.date,
        text=text,
        path=path,
        content_hash=content_hash or hashlib.sha256(text.encode()).hexdigest(),
        pages=pages,
        blocks=blocks,
    )


def parse_document(text: str, *, doc_id: str, path: str = "") -> Document:
    """A document from its text, as a file holding it is read: Markdown if ``doc_id`` ends in ``.md``,
    else plain text. An optional first line ``date YYYY-MM-DD <headline>`` gives date and title."""
    suffix = ".md" if doc_id.lower().endswith((".md", ".markdown")) else ".txt"
    return build_document(extract(text.encode(), suffix), doc_id=doc_id, path=path)
