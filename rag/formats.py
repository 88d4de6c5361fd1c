"""Turning a file's raw bytes into the blocks of its text (see ``rag.structure``), one reader per
format: plain text, Markdown, HTML, PDF, DOCX. Each reads the structure its format states (Markdown's
headings, lists, tables and code; HTML's h1–h6, li, tr/th/td, dl/dt/dd, pre; DOCX heading and list
styles and tables) and reads it off the lines where the format states none (plain text, PDF pages).

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
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from typing import TYPE_CHECKING, NamedTuple

from rag.errors import RagError
from rag.structure import (
    CODE,
    FIELD,
    HEADING,
    ITEM,
    PARAGRAPH,
    QUOTE,
    ROW,
    Part,
    assemble,
    heading_like,
    is_bullet,
    text_parts,
    with_fields,
)

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.table import Table, _Row
    from docx.text.paragraph import Paragraph
    from pypdf import PdfReader

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx")


@dataclass(frozen=True)
class Extracted:
    """A file's blocks in reading order, and the title and date the file itself gives, if any."""

    parts: tuple[Part, ...]
    title: str | None = None
    date: str | None = None

    @property
    def text(self) -> str:
        """The text the parts lay out (``rag.structure.assemble``)."""
        return assemble(self.parts)[0]


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
    got = read(raw)
    parts = tuple(part for part in got.parts if part.text.strip())
    if not parts:  # markup with nothing in it: "#", "<p></p>"
        raise UnreadableFile("no text in the file")
    return replace(got, parts=parts)


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


# An optional first line "date YYYY-MM-DD <headline>" gives a text file its date and title.
_DATE_HEADER = re.compile(r"\A[ \t\ufeff]*date[ \t]+(\d{4}-\d{2}-\d{2})[ \t]+([^\n]*)")


def _read_text(raw: bytes) -> Extracted:
    text, date, headline = _dated(_newlines(decode_text(raw)))
    parts = text_parts(text, title_line=not headline)
    if headline:
        parts.insert(0, _headline(headline))
    if not parts:
        raise UnreadableFile("empty file")
    title = headline or next((p.text for p in parts if p.kind == HEADING and p.level == 0), None)
    return Extracted(tuple(parts), title=title, date=date)


def _headline(headline: str) -> Part:
    """The header's headline as the document's title heading, or, when it is a whole sentence ("U.S.
    and Ecuadoran forces conducted joint strikes ... (SOUTHCOM)."), as the paragraph it is."""
    return Part(HEADING, headline, level=0) if heading_like(headline) else Part(PARAGRAPH, headline)


def _dated(text: str) -> tuple[str, str | None, str | None]:
    """The text without its "date YYYY-MM-DD <headline>" first line, and that date and headline."""
    header = _DATE_HEADER.match(text)
    if header is None:
        return text, None, None
    return text[header.end() :], header.group(1), header.group(2).strip() or None


# ---- Markdown -----------------------------------------------------------------------------------

# YAML front matter (Jekyll, Hugo, Obsidian, MkDocs): "---" lines around "key: value" lines
_FRONT_MATTER = re.compile(r"\A[\ufeff]?---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_FRONT_FIELD = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:[ \t]*(.*?)[ \t]*$", re.M)


def _front_matter(text: str) -> tuple[str, str | None, str | None]:
    """The text without its YAML front matter, and the ``date`` (or ``updated``/``lastmod``) and
    ``title`` it gives. Only top-level "key: value" lines are read; nothing else of YAML is needed."""
    found = _FRONT_MATTER.match(text)
    if found is None:
        return text, None, None
    fields = {k.lower(): v.strip("\"'") for k, v in _FRONT_FIELD.findall(found.group(1))}
    dates = [iso_date(fields[k]) for k in ("date", "updated", "lastmod", "last_modified") if fields.get(k)]
    title = _clean(fields.get("title"))
    return text[found.end() :], max(filter(None, dates), default=None), title


def iso_date(value: object) -> str | None:
    """A date as YYYY-MM-DD from what documents give: "2026-03-20", "2026-03-20T10:00:00Z", a
    ``datetime``, PDF's "D:20260320100000+01'00'"; None otherwise."""
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    found = re.match(r"\s*(?:D:)?(\d{4})-?(\d{2})-?(\d{2})", str(value))
    if not found:
        return None
    year, month, day = found.groups()
    return f"{year}-{month}-{day}" if "01" <= month <= "12" and "01" <= day <= "31" else None


def _read_markdown(raw: bytes) -> Extracted:
    from markdown_it import MarkdownIt

    text, date, headline = _dated(_newlines(decode_text(raw)))
    if headline is None:
        text, date, headline = _front_matter(text)
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    parts = _markdown_parts(tokens)
    if headline:
        parts.insert(0, _headline(headline))
    if not parts:
        raise UnreadableFile("no text in Markdown")
    title = headline or next((p.text for p in parts if p.kind == HEADING and p.level == 1), None)
    return Extracted(tuple(parts), title=title, date=date)


def _markdown_parts(tokens: list) -> list[Part]:
    """Blocks from markdown-it's token stream: headings, paragraphs (in a list item, an item; in a
    block quote, a quote), table rows under their header row, code blocks, and HTML blocks' text."""
    parts: list[Part] = []
    containers: list[str] = []  # open list items and block quotes, innermost last
    header, cells, in_head = "", [], False
    for i, token in enumerate(tokens):
        kind = token.type
        if kind in ("list_item_open", "blockquote_open"):
            containers.append(kind)
        elif kind in ("list_item_close", "blockquote_close"):
            containers.pop()
        elif kind == "thead_open":
            in_head = True
        elif kind == "thead_close":
            in_head = False
        elif kind == "tr_open":
            cells = []
        elif kind in ("th_open", "td_open"):
            cells.append(" ".join(_inline_text(tokens[i + 1]).split()))
        elif kind == "tr_close":
            row = " | ".join(cells)
            header = row if in_head else header
            parts.append(Part(ROW, row, header=header))
        elif kind == "table_close":
            header = ""
        elif kind == "inline" and tokens[i - 1].type == "heading_open":
            parts.append(
                Part(HEADING, " ".join(_inline_text(token).split()), level=int(tokens[i - 1].tag[1]))
            )
        elif kind == "inline" and tokens[i - 1].type == "paragraph_open":
            inner = containers[-1] if containers else ""
            level = containers.count("list_item_open")
            text = _inline_text(token)
            if inner == "list_item_open":
                parts.append(Part(ITEM, " ".join(text.split()), level=level))
            elif inner == "blockquote_open":
                parts.append(Part(QUOTE, " ".join(text.split())))
            else:
                parts.extend(_paragraph(text))
        elif kind in ("fence", "code_block"):
            parts.append(Part(CODE, token.content.rstrip("\n")))
        elif kind == "html_block":
            parts.extend(_paragraph(re.sub(r"<[^>]*>", " ", token.content)))
    return parts


def _paragraph(text: str) -> list[Part]:
    """A paragraph of "Label: value" lines as one field per line, any other as one line of words."""
    fields = with_fields([Part(PARAGRAPH, text)])
    return fields if fields[0].kind == FIELD else [Part(PARAGRAPH, " ".join(text.split()))]


def _inline_text(token) -> str:
    """The words of an inline token without its markup; soft and hard breaks as line breaks."""
    out: list[str] = []
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif child.type == "image":
            out.append(child.content)
    return "".join(out)


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
_CELL_GAP = " | "
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
    parts = parser.parts()
    if not parts:
        raise UnreadableFile("no text in HTML")
    return Extracted(tuple(parts), title=parser.title(), date=parser.date())


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


# The kind of block an element's text makes, by the innermost element that says one
_KIND_TAGS = {f"h{n}": HEADING for n in range(1, 7)} | {
    "li": ITEM,
    "th": "th",
    "td": ROW,
    "tr": ROW,
    "dt": "dt",
    "dd": "dd",
    "pre": CODE,
    "blockquote": QUOTE,
}


class _Piece(NamedTuple):
    """Text of a page and the kind of block it is in (``_KIND_TAGS``), with a heading's level or a
    list item's depth."""

    text: str
    kind: str = PARAGRAPH
    level: int = 0


# <meta> names that date a page, the later kind of date first
_HTML_DATES = (
    "article:modified_time",
    "dcterms.modified",
    "last-modified",
    "datemodified",
    "article:published_time",
    "dcterms.date",
    "dc.date",
    "dcterms.created",
    "date",
    "datepublished",
    "pubdate",
    "publish-date",
)


class _PageText(HTMLParser):
    """Visible text of a page, with the text of its main content (main, article) kept apart."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._stack: list[_Element] = []
        self._open_tags: Counter[str] = Counter()
        self._inside_dropped = 0  # open elements whose text is dropped
        self._inside_main = 0  # open main-content elements
        self._cells = 0  # cells so far in the current table row
        self._all: list[_Piece | int] = []
        self._main_text: list[_Piece | int] = []
        self._capture: list[str] | None = None  # text of the <title> or <h1> being read
        self._capture_depth = 0
        self._titles: dict[str, str] = {}
        self._dates: dict[str, str] = {}

    def parts(self) -> list[Part]:
        return _page_parts(self._main_text) or _page_parts(self._all)

    def title(self) -> str | None:
        return self._titles.get("title") or self._titles.get("h1")

    def date(self) -> str | None:
        """The page's date from its metadata: modified if it says so, else published."""
        return next((self._dates[name] for name in _HTML_DATES if name in self._dates), None)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        while self._stack and self._stack[-1].tag in _IMPLIED_END.get(tag, ()):
            self._pop()
        self._emit(_LINE if tag in _LINES else _PARAGRAPH if tag in _PARAGRAPHS else "")
        if tag == "meta":
            values = dict(attrs)
            name = (values.get("name") or values.get("property") or values.get("itemprop") or "").lower()
            if name in _HTML_DATES and (date := iso_date(values.get("content") or "")):
                self._dates.setdefault(name, date)
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
                self._emit(_CELL_GAP)
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
        if isinstance(piece, int) and (self._open_tags["td"] or self._open_tags["th"]):
            piece = " "  # a paragraph inside a table cell does not break its row
        if piece and not self._inside_dropped:
            entry = self._piece(piece) if isinstance(piece, str) else piece
            self._all.append(entry)
            if self._inside_main:
                self._main_text.append(entry)

    def _piece(self, text: str) -> _Piece:
        for depth, element in enumerate(reversed(self._stack)):
            kind = _KIND_TAGS.get(element.tag)
            if kind == HEADING:
                return _Piece(text, kind, int(element.tag[1]))
            if kind == ITEM:
                lists = sum(e.tag in ("ul", "ol") for e in self._stack[: len(self._stack) - depth])
                return _Piece(text, kind, lists)
            if kind:
                return _Piece(text, kind)
        return _Piece(text)


def _hidden(attrs: dict[str, str]) -> bool:
    return (
        "hidden" in attrs
        or attrs.get("aria-hidden") == "true"
        or bool(_DISPLAY_NONE.search(attrs.get("style", "")))
    )


def _page_parts(pieces: list[_Piece | int]) -> list[Part]:
    """Text pieces and breaks as blocks: each line a block of the kind of the text that opens it,
    except that lines of one paragraph, pre or blockquote stay one block, a table row of header cells
    (th) heads the rows after it, and a term (dt) and its definition (dd) make one label–value line.
    Two line breaks with nothing between them (``<br><br>``) split paragraphs, as they look on screen.
    """
    lines: list[tuple[str, _Piece, bool]] = []  # (text, the piece that opens it, only header cells)
    groups: list[list[tuple[str, _Piece, bool]]] = []
    line: list[_Piece] = []
    for piece in [*pieces, _PARAGRAPH]:
        if isinstance(piece, _Piece):
            line.append(piece)
            continue
        cells = [p for p in line if p.text.strip() and p.text != _CELL_GAP]
        if cells:
            lines.append(
                (
                    " ".join("".join(p.text for p in line).split()),
                    cells[0],
                    all(p.kind == "th" for p in cells),
                )
            )
        elif piece == _LINE:
            piece = _PARAGRAPH
        line = []
        if piece == _PARAGRAPH and lines:
            groups.append(lines)
            lines = []
    parts: list[Part] = []
    for group in groups:
        header, opened = "", len(parts)
        for text, first, header_cells in group:
            previous = parts[-1] if len(parts) > opened else None
            if first.kind in ("th", ROW):
                header = text if header_cells else header
                parts.append(Part(ROW, text, header=header))
            elif first.kind == "dd" and previous is not None and previous.kind == "dt":
                parts[-1] = Part(FIELD, f"{previous.text}: {text}")
            elif (
                first.kind in (PARAGRAPH, CODE, QUOTE)
                and previous is not None
                and previous.kind == first.kind
            ):
                parts[-1] = replace(previous, text=f"{previous.text}\n{text}")
            else:
                parts.append(Part(first.kind, text, level=first.level))
    kinds = {"dt": PARAGRAPH, "dd": PARAGRAPH}  # a term without its definition, or the reverse
    return with_fields(replace(p, kind=kinds.get(p.kind, p.kind)) for p in parts)


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
    # One text, its pages apart by form feeds: running headers and footers go, paragraphs go on
    parts = text_parts("\f".join(texts), paged=True, title_line=True)
    return Extracted(
        tuple(_with_table_rows(parts, _pdf_tables(raw))), title=_pdf_title(reader), date=_pdf_date(reader)
    )


def _pdf_tables(raw: bytes) -> dict[tuple[int, str], tuple[str, str]]:
    """The rows of the PDF's tables, by page and squashed text (what pypdf gives a row as: a line of
    its words), each with its cells and its table's header cells, " | "-separated. pdfplumber finds
    the tables from ruling lines and aligned words; a file it cannot read has none."""
    import pdfplumber  # slow to import, and only PDFs need it

    found: dict[tuple[int, str], tuple[str, str]] = {}
    try:
        with pdfplumber.open(io.BytesIO(raw)) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                for table in page.extract_tables():
                    rows = [[" ".join((cell or "").split()) for cell in row] for row in table]
                    rows = [row for row in rows if any(row)]
                    if len(rows) < 2 or max(map(len, rows)) < 2:
                        continue
                    header = " | ".join(rows[0])
                    for row in rows:
                        found[(number, _squash(" ".join(row)))] = (" | ".join(row), header)
    except Exception:  # noqa: BLE001 (a table finder's failure costs the tables, never the text)
        return {}
    return found


def _with_table_rows(parts: list[Part], rows: dict[tuple[int, str], tuple[str, str]]) -> list[Part]:
    """``parts`` with each line that is a table's row made that row, under its table's header cells."""
    out = []
    for part in parts:
        row = rows.get((part.page or 0, _squash(part.text)))
        out.append(Part(ROW, row[0], header=row[1], page=part.page) if row else part)
    return out


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).replace("•", "")


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


def _pdf_date(reader: PdfReader) -> str | None:
    """The /Info dictionary's modification date, else its creation date."""
    try:
        info = reader.metadata
        return iso_date(info.get("/ModDate") or info.get("/CreationDate") or "") if info else None
    except Exception:  # a broken /Info dictionary costs the date, not the text
        return None


# ---- DOCX ---------------------------------------------------------------------------------------


def _read_docx(raw: bytes) -> Extracted:
    if not zipfile.is_zipfile(io.BytesIO(raw)):
        raise UnreadableFile("corrupt DOCX: not a zip file")
    with _parser_errors("DOCX"):
        document = _open_docx(raw)
        parts = with_fields(part for item in document.iter_inner_content() for part in _docx_parts(item))
        title, date = _docx_title(document)
    if not parts:
        raise UnreadableFile("no text in DOCX")
    return Extracted(tuple(parts), title=title, date=date)


def _open_docx(raw: bytes) -> DocxDocument:
    import docx  # slow to import, and most corpora have no DOCX

    try:
        return docx.Document(io.BytesIO(raw))
    except ValueError as e:
        if "not a Word file" in str(e):  # python-docx's message names a BytesIO, not the file
            raise UnreadableFile("not a Word document (a renamed .xlsx or .pptx?)") from e
        raise


_DOCX_BOLD_LEVEL = 7  # below every "Heading N" style: a bold line heads what follows it, not the document
_DOCX_HEADING = re.compile(r"^(?:heading|título|titre|überschrift)\s*(\d)$", re.IGNORECASE)


def _docx_parts(item: Paragraph | Table) -> list[Part]:
    """A paragraph as a heading (by its "Heading N" or "Title" style), a list item (a list style or
    numbering) or a paragraph; a table as rows under its first row's cells."""
    from docx.table import Table

    if isinstance(item, Table):
        rows = [row for row in map(_docx_row, item.rows) if row]
        return [Part(ROW, row, header=rows[0]) for row in rows]
    text = item.text.strip()
    style = (item.style.name if item.style is not None else "") or ""
    heading = _DOCX_HEADING.match(style.strip())
    if heading or style == "Title":
        return [Part(HEADING, text, level=int(heading.group(1)) if heading else 0)]
    numbered = item._p.pPr is not None and item._p.pPr.numPr is not None
    if numbered or style.lower().startswith("list") or is_bullet(text):
        return [Part(ITEM, text)]
    bold = [run.bold for run in item.runs if run.text.strip()]
    if bold and all(bold) and heading_like(text):  # a short line all in bold, styled by hand
        return [Part(HEADING, text, level=_DOCX_BOLD_LEVEL)]
    return [Part(PARAGRAPH, text)]


def _docx_row(row: _Row) -> str:
    """Non-empty cells joined by " | "; python-docx repeats a merged cell once per column it spans."""
    cells: list[str] = []
    previous = None
    for cell in row.cells:
        if cell is not previous and (text := " ".join(cell.text.split())):
            cells.append(text)
        previous = cell
    return " | ".join(cells)


# python-docx's template's date: every document it makes without setting one carries it
_PYTHON_DOCX_DATE = "2013-12-23"


def _docx_title(document: DocxDocument) -> tuple[str | None, str | None]:
    """The core properties' title and date (modified, else created), read only if the part exists:
    python-docx invents "Word Document" and its template's date."""
    from docx.opc.constants import RELATIONSHIP_TYPE

    try:
        part = document.part.package.part_related_by(RELATIONSHIP_TYPE.CORE_PROPERTIES)
    except KeyError:
        return None, None
    properties = part.core_properties
    date = iso_date(properties.modified or properties.created or "")
    return _clean(properties.title), None if date == _PYTHON_DOCX_DATE else date


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
    ".md": _read_markdown,
    ".markdown": _read_markdown,
    ".html": _read_html,
    ".htm": _read_html,
    ".pdf": _read_pdf,
    ".docx": _read_docx,
}
