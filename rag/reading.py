"""Reading documents from disk into ``Document`` values: text, title, date, id, content hash.

Finding files and reading each one are separate steps so that one bad file costs only itself: the
caller gets a reason for it (``UnreadableFile``) and goes on with the rest.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rag.errors import InputError
from rag.formats import SUFFIXES, UnreadableFile, extract
from rag.types import Document

__all__ = ["SUFFIXES", "Found", "UnreadableFile", "find_documents", "parse_document", "read_document"]

_DATE_HEADER = re.compile(r"\A[ \t\ufeff]*date[ \t]+(\d{4}-\d{2}-\d{2})[ \t]+")
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
    return parse_document(
        extracted.text,
        doc_id=doc_id,
        path=str(found.path.resolve()),
        content_hash=hashlib.sha256(raw).hexdigest(),
        title=extracted.title,
        pages=extracted.pages,
    )


def parse_document(
    text: str,
    *,
    doc_id: str,
    path: str = "",
    content_hash: str = "",
    title: str | None = None,
    pages: tuple[int, ...] = (),
) -> Document:
    """Split off an optional first line ``date YYYY-MM-DD <headline>`` into date and title.

    The text keeps the headline (it often states the news) but not the ``date ...`` prefix. Without
    the header the title is the one the file format gives, else the first non-empty line (a Markdown
    ``#`` dropped), and there is no date.
    """
    date = None
    original = len(text)
    header = _DATE_HEADER.match(text)
    if header:
        date = header.group(1)
        text = text[header.end() :]
        title = None  # the header's headline is the title
    text = text.lstrip("\ufeff \t\n")
    cut = original - len(text)
    text = text.rstrip()
    if pages:  # offsets move with the text cut off the front
        pages = tuple(max(0, p - cut) for p in pages)
    first_line = next((line for line in text.splitlines() if line.strip()), doc_id)
    title = (title or first_line).strip().lstrip("#").strip()
    if len(title) > _TITLE_CHARS:
        title = title[: _TITLE_CHARS - 1].rsplit(" ", 1)[0] + "…"
    if not content_hash:
        content_hash = hashlib.sha256(text.encode()).hexdigest()
    return Document(
        id=doc_id, title=title, date=date, text=text, path=path, content_hash=content_hash, pages=pages
    )
