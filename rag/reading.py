"""Reading documents from disk into ``Document`` values: text, title, date, id, content hash."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

from rag.errors import InputError
from rag.types import Document

SUPPORTED_SUFFIXES = (".txt", ".md")
_DATE_HEADER = re.compile(r"\A[ \t\ufeff]*date[ \t]+(\d{4}-\d{2}-\d{2})[ \t]+")
_TITLE_CHARS = 160


def find_documents(paths: list[Path]) -> Iterator[tuple[Path, Path]]:
    """``(file, root)`` for every supported file under ``paths``; ids are made relative to ``root``."""
    for path in paths:
        if not path.exists():
            raise InputError(f"no such file or folder: {path}")
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                if file.is_file() and file.suffix.lower() in SUPPORTED_SUFFIXES:
                    yield file, path
        elif path.suffix.lower() in SUPPORTED_SUFFIXES:
            yield path, path.parent
        else:
            raise InputError(
                f"unsupported file type {path.suffix or '(none)'} for {path}: "
                f"expected one of {', '.join(SUPPORTED_SUFFIXES)}"
            )


def read_document(path: Path, root: Path) -> Document:
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig", errors="replace").replace("\r\n", "\n")
    return parse_document(
        text,
        doc_id=path.relative_to(root).as_posix(),
        path=str(path),
        content_hash=hashlib.sha256(raw).hexdigest(),
    )


def parse_document(text: str, *, doc_id: str, path: str = "", content_hash: str = "") -> Document:
    """Split off an optional first line ``date YYYY-MM-DD <headline>`` into date and title.

    The text keeps the headline (it often states the news) but not the ``date ...`` prefix. Without
    the header the title is the first non-empty line (a Markdown ``#`` dropped) and there is no date.
    """
    date = None
    header = _DATE_HEADER.match(text)
    if header:
        date = header.group(1)
        text = text[header.end() :]
    text = text.strip("\ufeff \t\n")
    first_line = next((line for line in text.splitlines() if line.strip()), doc_id)
    title = first_line.strip().lstrip("#").strip()
    if len(title) > _TITLE_CHARS:
        title = title[: _TITLE_CHARS - 1].rsplit(" ", 1)[0] + "…"
    if not content_hash:
        content_hash = hashlib.sha256(text.encode()).hexdigest()
    return Document(id=doc_id, title=title, date=date, text=text, path=path, content_hash=content_hash)
