"""Turning a file's raw bytes into plain text, one reader per format: text, Markdown, HTML, PDF, DOCX.

Content a reader cannot use raises ``UnreadableFile`` with a short reason, so an ingest can skip that
one file and say why instead of stopping on it.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from itertools import accumulate
from typing import TYPE_CHECKING, NamedTuple

from rag.errors import RagError

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.table import Table, _Row
    from docx.text.paragraph import Paragraph
    from pypdf import PdfReader

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx")


@dataclass(frozen=True)
class Extracted:
    """Plain text with paragraphs split by blank lines; ``pages[i]`` is where page ``i + 1`` starts."""

    text: str
    title: str | None = None
    pages: tuple[int, ...] = ()


class UnreadableFile(RagError):
    """A file whose content cannot be turned into text; the message is a short one-line reason."""


def extract(raw: bytes, suffix: str) -> Extracted:
    """The text of a file, read as its ``suffix`` says (as ``Path.suffix`` gives it, in any case).

    Raises ``UnreadableFile`` for content that cannot be read, ``ValueError`` for a suffix not in
    ``SUFFIXES``.
    """
    read = _READERS.get(suffix.lower())
    if read is None:
        raise ValueError(f"unsupported suffix {suffix!r}: expected one of {', '.join(SUFFIXES)}")
    if not raw.strip():
        raise UnreadableFile("empty file")
    return read(raw)


# ---- Plain text ---------------------------------------------------------------------------------

_BINARY = "binary data, not text"
# UTF-32 comes first: its little-endian BOM begins with the UTF-16 one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Control characters that text files do not contain. Tab, newlines, form feed, SUB (the DOS end of
# file) and ESC (terminal colours in logs) are left out: real text has them.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x19\x1c-\x1f\x7f-\x9f]")
_MAX_CONTROL_SHARE = 0.02


def decode_text(raw: bytes) -> str:
    """Text in the encoding its BOM names, else UTF-8, else Windows-1252 / Latin-1; the BOM dropped.

    Raises ``UnreadableFile`` for bytes that are not text: NULs without a UTF-16/32 BOM, or more than a
    few control characters.
    """
    return _checked(_decode(raw))


def _decode(raw: bytes) -> str:
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw[len(bom) :].decode(encoding)
            except UnicodeDecodeError:
                raise UnreadableFile(_BINARY) from None
    if b"\x00" in raw:
        raise UnreadableFile(_BINARY)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # Windows-1252 before Latin-1: its smart quotes and dashes are Latin-1 control characters.
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _checked(text: str) -> str:
    if len(_CONTROL.findall(text)) > _MAX_CONTROL_SHARE * len(text):
        raise UnreadableFile(_BINARY)
    return text


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _read_text(raw: bytes) -> Extracted:
    text = _newlines(decode_text(raw))
    if not text.strip():
        raise UnreadableFile("empty file")
    return Extracted(text)


# ---- HTML ---------------------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([a-z0-9_.-]+)""", re.IGNORECASE)

# Never page text, wherever they are.
_DROPPED = frozenset(
    {"script", "style", "noscript", "template", "svg", "nav", "aside", "form", "button", "iframe", "title"}
)
# Page chrome around the content; inside an article they hold its headline and byline, so they stay.
_CHROME = frozenset({"header", "footer"})
_MAIN = frozenset({"main", "article"})
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source"}
    | {"track", "wbr"}
)
_LINES = frozenset({"br", "li", "dt", "dd", "tr"})
_PARAGRAPHS = frozenset(
    {"address", "article", "aside", "blockquote", "body", "caption", "details", "dialog", "div", "dl"}
    | {"fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header"}
    | {"hr", "html", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "ul"}
)
_LINE, _PARAGRAPH = 1, 2  # breaks in the parser's output, between its text pieces
# What a start tag closes when its end tag was left out: HTML allows ``<li>a<li>b`` and ``<p>a<div>``.
_IMPLIED_END = {tag: frozenset({"p"}) for tag in _PARAGRAPHS} | {
    "li": frozenset({"li"}),
    "dt": frozenset({"dt", "dd"}),
    "dd": frozenset({"dt", "dd"}),
    "tr": frozenset({"tr", "td", "th"}),
    "td": frozenset({"td", "th"}),
    "th": frozenset({"td", "th"}),
}
_DISPLAY_NONE = re.compile(r"display\s*:\s*none")
_COMMENT_END = re.compile(r"--\s*>")  # as html.parser ends a comment


def _read_html(raw: bytes) -> Extracted:
    html = _newlines(_decode_html(raw))
    if not html.strip():
        raise UnreadableFile("empty file")
    parser = _PageText()
    with _parser_errors("HTML"):
        parser.feed(_defuse(html))
        parser.close()
    text = parser.text()
    if not text:
        raise UnreadableFile("no text in HTML")
    return Extracted(text, title=parser.title())


def _decode_html(raw: bytes) -> str:
    """``decode_text``, unless there is no BOM and a simple ``<meta charset>`` decodes the bytes."""
    encoding = _declared_encoding(raw)
    if encoding and not any(raw.startswith(bom) for bom, _ in _BOMS):
        try:
            return _checked(raw.decode(encoding))
        except (LookupError, UnicodeError):
            pass
    return decode_text(raw)


def _declared_encoding(raw: bytes) -> str | None:
    match = _META_CHARSET.search(raw, 0, 4096)
    if match is None:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name
    except LookupError:
        return None
    # As browsers do: a page readable as ASCII is not UTF-16, and "latin-1" pages are Windows-1252.
    if name.startswith(("utf-16", "utf-32")):
        return None
    return "cp1252" if name in ("ascii", "iso8859-1") else name


def _defuse(html: str) -> str:
    """Rewrite what ``html.parser`` (before Python 3.13.4) gets stuck on into what browsers see.

    It rescans to the end of the input once per unclosed comment or tag, which is quadratic: 200 kB of
    ``<a<a<a`` took over a minute. So a comment left open runs to the end and is cut, a ``<`` after
    the last ``>`` is text, and ``<![`` becomes a plain bogus comment (the parser raises
    AssertionError on ``<![`` without a CDATA-like keyword).
    """
    last_comment_end = max((end.end() for end in _COMMENT_END.finditer(html)), default=0)
    unclosed = html.find("<!--", last_comment_end)
    if unclosed >= 0:
        html = html[:unclosed]
    last_tag_end = html.rfind(">") + 1
    return html[:last_tag_end].replace("<![", "<!-[") + html[last_tag_end:].replace("<", "&lt;")


class _Element(NamedTuple):
    tag: str
    dropped: bool
    main: bool


class _PageText(HTMLParser):
    """Visible text of a page, with the text of its main content (main, article) kept apart."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._stack: list[_Element] = []
        self._open_tags: Counter[str] = Counter()
        self._inside_dropped = 0  # open elements whose text is dropped
        self._inside_main = 0  # open main-content elements
        self._cells = 0  # cells so far in the current table row
        self._all: list[str | int] = []
        self._main_text: list[str | int] = []
        self._capture: list[str] | None = None  # text of the <title> or <h1> being read
        self._capture_depth = 0
        self._titles: dict[str, str] = {}

    def text(self) -> str:
        return _tidy(self._main_text) or _tidy(self._all)

    def title(self) -> str | None:
        return self._titles.get("title") or self._titles.get("h1")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        while self._stack and self._stack[-1].tag in _IMPLIED_END.get(tag, ()):
            self._pop()
        self._emit(_LINE if tag in _LINES else _PARAGRAPH if tag in _PARAGRAPHS else "")
        if tag in _VOID:
            return
        self._start_cell(tag)
        values = {name: (value or "").strip().lower() for name, value in attrs}
        main = tag in _MAIN or values.get("role") == "main"
        dropped = tag in _DROPPED or (tag in _CHROME and not self._inside_main) or _hidden(values)
        # The first <title>, or <h1>, that is not inside a dropped element: not an SVG icon's <title>,
        # not the site name in the page header.
        if tag in ("title", "h1") and tag not in self._titles and not self._inside_dropped:
            self._capture, self._capture_depth = [], len(self._stack) + 1
        self._stack.append(_Element(tag, dropped, main))
        self._open_tags[tag] += 1
        self._inside_dropped += dropped
        self._inside_main += main

    def handle_endtag(self, tag: str) -> None:
        if self._open_tags[tag]:  # a stray end tag closes nothing
            while self._pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self._capture is not None:
            self._capture.append(data)
        if self._open_tags["pre"]:  # keeps its line breaks
            for line_break, line in enumerate(data.split("\n")):
                self._emit(_LINE if line_break else "")
                self._emit(line)
        else:
            self._emit(data)

    def _start_cell(self, tag: str) -> None:
        if tag == "tr":
            self._cells = 0
        elif tag in ("td", "th"):
            if self._cells:
                self._emit(" | ")
            self._cells += 1

    def _pop(self) -> str:
        """Close the innermost open element; returns its tag."""
        entry = self._stack.pop()
        self._emit(_PARAGRAPH if entry.tag in _PARAGRAPHS else "")
        self._open_tags[entry.tag] -= 1
        self._inside_dropped -= entry.dropped
        self._inside_main -= entry.main
        if self._capture is not None and len(self._stack) < self._capture_depth:
            if title := " ".join("".join(self._capture).split()):
                self._titles[entry.tag] = title
            self._capture = None
        return entry.tag

    def _emit(self, piece: str | int) -> None:
        if piece and not self._inside_dropped:
            self._all.append(piece)
            if self._inside_main:
                self._main_text.append(piece)


def _hidden(attrs: dict[str, str]) -> bool:
    return (
        "hidden" in attrs
        or attrs.get("aria-hidden") == "true"
        or bool(_DISPLAY_NONE.search(attrs.get("style", "")))
    )


def _tidy(pieces: list[str | int]) -> str:
    """Text pieces and breaks as lines of single-spaced words, paragraphs split by a blank line.

    Two line breaks with nothing between them (``<br><br>``) split paragraphs, as they look on screen.
    """
    paragraphs: list[str] = []
    lines: list[str] = []
    words: list[str] = []
    for piece in [*pieces, _PARAGRAPH]:
        if isinstance(piece, str):
            words.append(piece)
            continue
        if line := " ".join("".join(words).split()):
            lines.append(line)
        elif piece == _LINE:
            piece = _PARAGRAPH
        words = []
        if piece == _PARAGRAPH and lines:
            paragraphs.append("\n".join(lines))
            lines = []
    return "\n\n".join(paragraphs)


# ---- PDF ----------------------------------------------------------------------------------------


def _read_pdf(raw: bytes) -> Extracted:
    import pypdf  # slow to import, and most corpora have no PDF

    _quiet_pypdf()
    with _parser_errors("PDF"):
        try:
            reader = pypdf.PdfReader(io.BytesIO(raw))
            if reader.is_encrypted and reader.decrypt("") == pypdf.PasswordType.NOT_DECRYPTED:
                raise UnreadableFile("encrypted PDF")
            texts = _page_texts(reader)
        except pypdf.errors.DependencyError as e:  # AES needs the optional `cryptography` package
            raise UnreadableFile("encrypted PDF: reading AES needs `pip install cryptography`") from e
    if not any(texts):
        raise UnreadableFile("PDF has no text layer (a scan?)")
    offsets = accumulate((len(text) + 2 for text in texts[:-1]), initial=0)
    return Extracted("\n\n".join(texts), title=_pdf_title(reader), pages=tuple(offsets))


def _quiet_pypdf() -> None:
    """Silence pypdf, unless the application has set a level for its logger.

    On a malformed file it logs a warning per repair and an error per font it cannot decode (with the
    whole 256-entry table); what matters reaches the user as text or as ``UnreadableFile``.
    """
    log = logging.getLogger("pypdf")
    if log.level == logging.NOTSET:
        log.setLevel(logging.CRITICAL)


def _page_texts(reader: PdfReader) -> list[str]:
    """Each page's text; a broken page reads as empty, unless every page is broken."""
    texts: list[str] = []
    failure: Exception | None = None
    for page in reader.pages:
        try:
            texts.append(_newlines(page.extract_text()).strip())
        except Exception as e:  # pypdf raises many types on a malformed page; keep the other pages
            texts.append("")
            failure = failure or e
    if failure is not None and not any(texts):
        raise failure
    return texts


def _pdf_title(reader: PdfReader) -> str | None:
    try:
        title = reader.metadata.title if reader.metadata else None
        return _clean(title) if isinstance(title, str) else None  # undecodable titles come as bytes
    except Exception:  # a broken /Info dictionary costs the title, not the text
        return None


# ---- DOCX ---------------------------------------------------------------------------------------


def _read_docx(raw: bytes) -> Extracted:
    if not zipfile.is_zipfile(io.BytesIO(raw)):
        raise UnreadableFile("corrupt DOCX: not a zip file")
    with _parser_errors("DOCX"):
        document = _open_docx(raw)
        blocks = [_docx_block(item) for item in document.iter_inner_content()]
        title = _docx_title(document)
    text = "\n\n".join(block for block in blocks if block)
    if not text:
        raise UnreadableFile("no text in DOCX")
    return Extracted(text, title=title)


def _open_docx(raw: bytes) -> DocxDocument:
    import docx  # slow to import, and most corpora have no DOCX

    try:
        return docx.Document(io.BytesIO(raw))
    except ValueError as e:
        if "not a Word file" in str(e):  # python-docx's message names a BytesIO, not the file
            raise UnreadableFile("not a Word document (a renamed .xlsx or .pptx?)") from e
        raise


def _docx_block(item: Paragraph | Table) -> str:
    from docx.table import Table

    if isinstance(item, Table):
        return "\n".join(row for row in map(_docx_row, item.rows) if row)
    return item.text.strip()


def _docx_row(row: _Row) -> str:
    """Non-empty cells joined by " | "; python-docx repeats a merged cell once per column it spans."""
    cells: list[str] = []
    previous = None
    for cell in row.cells:
        if cell is not previous and (text := " ".join(cell.text.split())):
            cells.append(text)
        previous = cell
    return " | ".join(cells)


def _docx_title(document: DocxDocument) -> str | None:
    """The core-properties title, read only if the part exists: python-docx invents "Word Document"."""
    from docx.opc.constants import RELATIONSHIP_TYPE

    try:
        part = document.part.package.part_related_by(RELATIONSHIP_TYPE.CORE_PROPERTIES)
    except KeyError:
        return None
    return _clean(part.core_properties.title)


# ---- Shared -------------------------------------------------------------------------------------

_REASON_CHARS = 80


@contextmanager
def _parser_errors(kind: str) -> Iterator[None]:
    """Any parser failure becomes ``UnreadableFile("corrupt <kind>: <reason>")``.

    The catch is broad on purpose: pypdf, python-docx and lxml raise dozens of types on malformed
    files (KeyError, struct.error, RecursionError...), and one bad file must not stop an ingest.
    """
    try:
        yield
    except UnreadableFile:
        raise
    except Exception as e:
        raise UnreadableFile(f"corrupt {kind}: {_reason(e)}") from e


def _reason(error: Exception) -> str:
    """The first line of an exception's message, cut to fit one line of a report."""
    message = str(error.args[0]) if len(error.args) == 1 else str(error)  # str(KeyError) adds quotes
    line = next(iter(message.strip().splitlines()), "").strip() or type(error).__name__
    return line if len(line) <= _REASON_CHARS else line[: _REASON_CHARS - 1] + "…"


def _clean(title: object) -> str | None:
    """A title on one line, or None when it is missing or blank."""
    return " ".join(str(title or "").split()) or None


_READERS = {
    ".txt": _read_text,
    ".md": _read_text,
    ".markdown": _read_text,
    ".html": _read_html,
    ".htm": _read_html,
    ".pdf": _read_pdf,
    ".docx": _read_docx,
}
