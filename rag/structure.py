"""The document model: a document as the blocks its author wrote, each with its kind and its place
under the document's headings.

Readers (``rag.formats``) turn a file into ``Part``s: a heading with its level, a paragraph, a list
item, a table row with its header cells, a label–value line ("Filing Date: January 10, 2025"), a
preformatted block or a quotation. ``assemble`` lays the parts out as the document's text and gives
each its ``Block``: exact offsets into that text and its heading path. Everything after reading
(chunking, evidence, citations) works from those blocks, so a table row or a list item is never cut
in two and a line under "4. WARRANTY" is known to be about the warranty.

Plain text and PDF pages have no markup, so ``text_parts`` reads their structure off the lines:
blank-line paragraphs, hard-wrapped lines joined back, numbered and upper-case headings, bullets and
label–value lines.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from rag.text import word_set
from rag.types import Block

HEADING, PARAGRAPH, ITEM, ROW, FIELD, CODE, QUOTE = (
    "heading",
    "paragraph",
    "item",
    "row",
    "field",
    "code",
    "quote",
)
PROSE = frozenset({PARAGRAPH, QUOTE})
"""Kinds whose evidence units are sentences; the other kinds (but headings) are units whole."""
_LINE_KINDS = frozenset({ITEM, ROW, FIELD})  # consecutive ones are laid out a line apart, not a paragraph
SECTION_SEPARATOR = " › "


@dataclass(frozen=True)
class Part:
    """A block as a reader gives it, before it has offsets: its kind and text, a heading's level (1 is
    the top), a table row's header cells (" | "-separated), and the page it is on (PDF)."""

    kind: str
    text: str
    level: int = 0
    header: str = ""
    page: int | None = None


def assemble(parts: Iterable[Part]) -> tuple[str, tuple[Block, ...], tuple[int, ...]]:
    """The text the parts make, one after another (a blank line between blocks, a line break between
    consecutive items, rows and fields), their blocks with heading paths, and where each page starts.

    Blank parts are dropped; a part's text is trimmed, and inner runs of blank lines closed up.
    """
    pieces: list[str] = []
    blocks: list[Block] = []
    page_starts: dict[int, int] = {}
    path: list[tuple[int, str]] = []  # the open headings: (level, text)
    at = 0
    previous: Part | None = None
    for part in parts:
        text = re.sub(r"\n\s*\n", "\n", part.text.strip())
        if not text:
            continue
        if previous is not None:
            gap = "\n" if part.kind in _LINE_KINDS and part.kind == previous.kind else "\n\n"
            pieces.append(gap)
            at += len(gap)
        if part.page is not None:
            page_starts.setdefault(part.page, at)
        if part.kind == HEADING:
            level = part.level  # 0: a document title, above every numbered level
            path = [(lvl, title) for lvl, title in path if lvl < level] + [(level, " ".join(text.split()))]
        section = tuple(title for _, title in path)
        blocks.append(Block(part.kind, at, at + len(text), section, part.level, part.header))
        pieces.append(text)
        at += len(text)
        previous = part
    pages: tuple[int, ...] = ()
    if page_starts:
        last = max(page_starts)
        starts = [page_starts.get(n) for n in range(1, last + 1)]
        for n in range(len(starts) - 1, -1, -1):  # a page without text starts where the next one does
            if starts[n] is None:
                starts[n] = starts[n + 1] if n + 1 < len(starts) else at
        pages = tuple(starts)  # type: ignore[arg-type]
    return "".join(pieces), tuple(blocks), pages


def section_title(section: Sequence[str]) -> str:
    """A heading path as it is shown: "Atlas-7 Service Manual › 4. WARRANTY"."""
    return SECTION_SEPARATOR.join(section)


def framed_header(header: str) -> str:
    """A table row's header cells as the last line of the row's context: "(Route | Sunday)"."""
    return f"({header})" if header else ""


def row_header(context: str) -> str:
    """The header cells ``framed_header`` put at the end of a row's context, or ""."""
    last = context.rpartition("\n")[2]
    return last[1:-1] if last.startswith("(") and last.endswith(")") and " | " in last else ""


def header_cells(text: str, header: str) -> list[tuple[str, str]]:
    """A table row's cells, each with its header cell, or [] when the header does not line up with it."""
    cells, names = text.split(" | "), header.split(" | ")
    if not header or len(cells) != len(names):
        return []
    return list(zip(names, cells, strict=True))


def labelled_row(text: str, header: str) -> str:
    """A table row with each cell after its header cell: "Model: Atlas-7 | Load: 12 kg". The row as it
    is when the header does not line up with it."""
    cells = header_cells(text, header)
    if not cells or text == header:
        return text
    return " | ".join(f"{name}: {cell}" if name else cell for name, cell in cells)


# ---- Structure read off lines (plain text, PDF pages) ----------------------------------------------

# "4.2.  Retry Packet", "1. Purpose and scope", "A.1 Examples", "Appendix B. Changes", "Section 3"
_NUMBERED_HEADING = re.compile(
    r"^(?:(?:[Ss]ection|[Aa]ppendix|[Cc]hapter|[Aa]rticle|[Pp]art)\s+)?(\d{1,2}(?:\.\d{1,2})*\.?|[A-Z](?:\.\d{1,2})+\.?|[A-Z]\.)"
    r"\s+([A-Z].*)$"
)
# "- ", "• ", "o  " (older RFCs' bullet, two spaces after it: "o bien" is Spanish prose), "1) ", "(a) ",
# "iv. ", and clause numbers "4.1 " / "4.1.2. "
_BULLET = re.compile(
    r"^([-*•◦▪‣–·]|o(?= {2})|\(?(?:\d{1,3}|[a-z]|[ivx]{1,4})[.)]|\d{1,2}(?:\.\d{1,2})+\.?)\s+(?=\S)"
)
# "HSR Filing Fee: $30,000", "E23: Steam boiler overpressure.", "Early Termination Granted: ..."; not
# "Note that: ..." inside prose (the label starts with a capital or a digit and has at most 6 words),
# not a URL ("https://").
_FIELD = re.compile(r"^([A-Z0-9][^:\n]{0,60}?):[ \t]+(?!//)\S")
_FIELD_LABEL_WORDS = 6
# Words that make the words before a colon a clause, not a label; a reporting verb before a colon
# opens a quotation ('Minister Reimberg said: "Stay home."')
_CLAUSE_WORDS = word_set(
    """
    is are was were be been being am has have had do does did will would can could shall should may
    might must i we you he she it they this that these those there here
    said says told tells wrote writes added adds asked asks replied stated noted explained announced
    declared
    """
)
_HEADING_WORDS = 12
_SENTENCE_END = (".", "!", "?", ";", ",", '"', "”", "’", ")")
_CLAUSE_END = (".", "!", "?", ";", ",", ":")
_PIPE_ROW = re.compile(r"^\|.*\|$")
_TABLE_RULE = re.compile(r"\|[\s:|-]*-[\s:|-]*\|")
_WRAP_WIDTH = 150  # lines at most this long, in a paragraph of several, may be hard-wrapped
_WRAP_END = (".", "!", "?", ":", '"', "”")  # a wrapped line that ends so may end its paragraph
_CODE_MARKS = re.compile(r"[=(){}\[\];<>*/\\|+`]")  # what code, formulas and diagrams have, and headings lack
_CENTER_INDENT = 4  # a line indented this much or more, as far from both margins, is centered
_TITLE_LINES = 3  # a centered title may take this many lines
_MIN_WRAP_WIDTH = 40  # ... unless all are shorter than this: an address or a list of short lines
_WRAPPED_SHARE = 0.7  # a line at least this share of the wrap width was wrapped (word wrap leaves
# less than a word's length of room at a line's end)


def is_field(line: str) -> bool:
    """Whether a line is a label and its value: "Filing Date: January 10, 2025". A label names a
    thing, so a clause before a colon ("The reason was simple: ...") is not one."""
    match = _FIELD.match(line.strip())
    if not match:
        return False
    label = match.group(1).split()
    return len(label) <= _FIELD_LABEL_WORDS and not any(w.lower() in _CLAUSE_WORDS for w in label)


def heading_level(line: str) -> int:
    """The level of a line that is a heading by its look alone (0 if it is not one): a short numbered
    line that does not end like a sentence ("4.2.  Retry Packet" is 2, "1. Purpose and scope" is 1),
    or a short line in capitals ("FILING DETAILS" is 1)."""
    line = line.strip()
    if not line or len(line.split()) > _HEADING_WORDS or line.endswith(_SENTENCE_END):
        return 0
    numbered = _NUMBERED_HEADING.match(line)
    if numbered and any(c.isalpha() for c in numbered.group(2)) and not is_field(numbered.group(2)):
        return numbered.group(1).rstrip(".").count(".") + 1
    letters = [c for c in line if c.isalpha()]
    if len(letters) >= 3 and all(c.isupper() for c in letters) and not is_field(line):
        return 1
    return 0


def text_parts(text: str, *, paged: bool = False, title_line: bool = False) -> list[Part]:
    """The blocks of plain text: paragraphs split by blank lines, hard-wrapped lines joined back into
    their paragraph or list item, and lines that are headings, bullets, label–value lines or rows
    (pipe tables, columns aligned with spaces) standing on their own.

    A heading is a numbered or upper-case short line (``heading_level``), or a short line that does
    not end like a sentence and stands over a paragraph ("What owners should do"; not a line of code set
    in further than the text it illustrates): one level below the last numbered or upper-case heading.
    A label alone on its line ("Station:") takes the lines after it as its value. Form feeds divide
    pages (numbered from 1 with ``paged``): the running headers and footers beside them go, and a
    paragraph goes on across them. With ``title_line``, a short first line that does not end like a
    clause is the document's title (level 0), or else a short line set centered right under a header
    of label–value lines and columns (an RFC's title under its memo header).
    """
    lines = _unboxed(_page_lines(text))
    # The column the text is wrapped at, if it is: its widest line that is not too long to be wrapped
    width = max((len(line) for line, _ in lines if len(line) <= _WRAP_WIDTH), default=0)
    margin = _justified_margin([line for line, _ in lines], width)
    parts: list[Part] = []
    group: list[tuple[str, int]] = []
    header_only = True  # every part so far a label–value line or a row: a memo header, as RFCs open
    indents: list[int] = []  # of the first line of each part's group
    for line, page in [*lines, ("", 0)]:
        if line.strip():
            group.append((line.rstrip(), page))
        elif group:
            if title_line and parts and header_only and _centered(group, width):  # the title under it
                title = " ".join(line.strip() for line, _ in group)
                made = [Part(HEADING, title, level=0, page=group[0][1] if paged else None)]
            else:
                made = _group_parts(group, width, paged, margin)
            header_only = header_only and all(p.kind in (FIELD, ROW) for p in made)
            parts.extend(made)
            indents.extend([_indent(group[0][0])] * len(made))
            group = []
    if title_line and parts and parts[0].kind == PARAGRAPH and _short_line(parts[0].text, _CLAUSE_END):
        parts[0] = replace(parts[0], kind=HEADING, level=0)
    explicit = 0
    out: list[Part] = []
    for i, part in enumerate(parts):
        after = parts[i + 1] if i + 1 < len(parts) else None
        if part.kind == HEADING:
            explicit = part.level
        elif part.kind == FIELD and part.text.endswith(":") and after is not None and after.kind == PARAGRAPH:
            parts[i + 1] = replace(part, text=f"{part.text} {after.text}")  # "Station:" over its value
            continue
        elif (
            part.kind == PARAGRAPH
            and _short_line(part.text, _SENTENCE_END)
            and after is not None
            and after.kind in (PARAGRAPH, ITEM)
            and after.text.rstrip().endswith((".", "!", "?", ":", '"', "”"))
            and not _code_over(part.text, indents[i] - indents[i + 1])
        ):
            part = replace(part, kind=HEADING, level=explicit + 1)
        out.append(part)
    return out


def _centered(group: list[tuple[str, int]], width: int) -> bool:
    """Whether a blank-line-separated group is a title of at most three short lines, each set in the
    middle of a text wrapped at ``width``: as much space before it as after it, give or take a few."""
    if len(group) > _TITLE_LINES or width < _MIN_WRAP_WIDTH:
        return False
    lines = [line.rstrip() for line, _ in group]
    title = " ".join(line.strip() for line in lines)
    centered = all(
        _indent(line) >= _CENTER_INDENT and abs(_indent(line) - (width - len(line))) <= _CENTER_INDENT * 2
        for line in lines
    )
    words_in = len(title.split()) <= _HEADING_WORDS * len(lines)
    return (
        centered
        and words_in
        and not title.endswith(_CLAUSE_END)
        and len(re.findall(r"[^\W\d_]{2,}", title)) >= 2
    )


def _code_over(line: str, set_in: int) -> bool:
    """Whether a short line set in ``set_in`` columns further than the paragraph under it is code or a
    formula that the paragraph explains ("message = start-line CRLF [ body ]"), not its heading."""
    return set_in >= 2 and bool(_CODE_MARKS.search(line))


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _page_lines(text: str) -> list[tuple[str, int]]:
    """The lines of ``text`` with the page each is on: form feeds start pages, and the running lines
    (a header or footer: the first or last line of two pages or more, page numbers aside) go."""
    pages = [page.strip("\n").split("\n") for page in text.split("\f")]
    edges = Counter(
        _running(line)
        for page in pages
        for line in ([*filter(str.strip, page)][:1] + [*filter(str.strip, page)][-1:])
    )
    running = {line for line, n in edges.items() if n >= 2} if len(pages) > 2 else set()
    lines: list[tuple[str, int]] = []
    for n, page in enumerate(pages, start=1):
        kept = [line for line in page if _running(line) not in running]
        while kept and not kept[-1].strip():  # no blank line where a page turns
            kept.pop()
        first = next((i for i, line in enumerate(kept) if line.strip()), len(kept))
        lines += [(line, n) for line in kept[first:]]
    return lines


_BOX_FRAMES = "*#"  # not "|": a pipe table is no box
_BOX_LINES = 3


def _unboxed(lines: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """The lines with the text inside a box drawn with one character ("*  6. Disclaimer of Warranty  *"
    between rules of "*") taken out of it: runs of three lines or more that begin with the same frame
    character and end with it at the same column lose it, and a rule of it is a blank line."""
    out = list(lines)
    n = 0
    while n < len(lines):
        line = lines[n][0].rstrip()
        frame = line[:1] if line[:1] in _BOX_FRAMES and len(line) > 2 and line[-1] == line[:1] else ""
        end = n
        while end < len(lines) and frame and _framed(lines[end][0].rstrip(), frame, len(line)):
            end += 1
        if end - n >= _BOX_LINES:
            for i in range(n, end):
                inner = lines[i][0].rstrip()[1:-1]
                out[i] = ("" if not inner.strip(frame + " -=") else f" {inner}".rstrip(), lines[i][1])
            n = end
        else:
            n += 1
    return out


def _framed(line: str, frame: str, width: int) -> bool:
    """Whether ``line`` is a line of a box drawn with ``frame``: that character at both ends, and as long
    as the box's first line (``width``)."""
    return len(line) == width and line[0] == frame and line[-1] == frame


def _running(line: str) -> str:
    return " ".join(re.sub(r"\d+", "#", line).split()).lower()


def _short_line(text: str, ends: tuple[str, ...]) -> bool:
    return "\n" not in text and len(text.split()) <= _HEADING_WORDS and not text.rstrip().endswith(ends)


def heading_like(text: str) -> bool:
    """Short enough for a heading, on one line, and not ending like a sentence."""
    return _short_line(text, _SENTENCE_END)


def is_bullet(line: str) -> bool:
    """Whether a line starts like a list item: "- ", "• ", "1) ", "(a) ", "4.1 "."""
    return bool(_BULLET.match(line.strip()))


def _joined(lines: list[str]) -> str:
    """Wrapped lines as the one line they were: a word hyphenated at a line end is whole again
    ("adip-" + "iscing"), a hyphenated name keeps its hyphen ("Hart-Scott-" + "Rodino")."""
    pieces: list[str] = []
    for line in lines:
        line = line.strip()
        last = pieces[-1] if pieces else ""
        if re.search(r"[^\W\d_]-$", last[-2:]) and line[:1].isalpha():
            pieces[-1] = (last[:-1] if line[:1].islower() else last) + line
        else:
            pieces.append(line)
    return " ".join(pieces)


def _group_parts(lines: list[tuple[str, int]], width: int, paged: bool, margin: int = 0) -> list[Part]:
    """The blocks of one blank-line-separated group of ``(line, page)``, in a text wrapped at
    ``width``, and justified to ``margin`` if that is not 0 (see ``_justified_margin``): there, a line
    reaching the margin is prose spaced out, never a table's row."""
    parts: list[Part] = []
    hard_wrapped = len(lines) > 1 and width >= _MIN_WRAP_WIDTH
    current: list[str] = []
    kind, page, header = PARAGRAPH, None, ""
    table = _aligned_rows([line for line, _ in lines], margin)

    def close() -> None:
        if current:
            parts.append(Part(kind, _joined(current), page=page))
            current.clear()

    for n, (line, line_page) in enumerate(lines):
        stripped = line.strip()
        previous = current[-1].rstrip() if current else ""
        first_word = stripped.split()[0]
        # A line that does not end a sentence was wrapped when it is long, or when the next line's first
        # word would not have fitted on it ("... designed by Lasse Collin" over "<lasse.collin@tukaani.org>
        # and Igor Pavlov."); one that ends a sentence may end its paragraph (and when it does not, the
        # sentences are whole all the same)
        wrapped = (
            hard_wrapped
            and bool(current)
            and n not in table
            and not previous.endswith(_WRAP_END)
            and (
                _WRAPPED_SHARE * width <= len(previous) <= _WRAP_WIDTH
                or (len(previous) + 1 + len(first_word) > width and _has_alnum(first_word))
            )
        )
        # "12 bar and the valve opens" goes on; a table's row is no heading
        level = 0 if wrapped or n in table else heading_level(stripped)
        aligned = table.get(n)
        cells = (
            aligned.cells
            if aligned
            else _cells(stripped)
            if not (wrapped or _at_margin(line, margin))
            else []
        )
        if level or cells:
            close()
        if level:
            parts.append(Part(HEADING, stripped, level=level, page=line_page if paged else None))
            continue
        if aligned:  # its table's head line, if it has one, is its header (and is a row, never a unit)
            parts.append(Part(ROW, " | ".join(cells), header=aligned.head, page=line_page if paged else None))
            continue
        if cells:  # a rule "|---|---|" under a row makes it the header
            if _TABLE_RULE.fullmatch(stripped):
                if parts and parts[-1].kind == ROW:
                    header = parts[-1].text
                    parts[-1] = replace(parts[-1], header=header)
            else:
                parts.append(Part(ROW, " | ".join(cells), header=header, page=line_page if paged else None))
            continue
        header = ""
        # a line ending in a colon after a wrapped one ends a sentence ("... in the Port Registry:")
        starts_item = is_bullet(stripped)
        starts_field = is_field(stripped) or (_is_label(stripped) and not wrapped)
        goes_on = (
            current
            and not starts_item
            and not starts_field
            and (
                wrapped
                or (stripped[:1].islower() and not previous.endswith((".", "!", "?")))
                or (kind == FIELD and previous.endswith(":"))  # a label alone takes what follows
            )
        )
        if not goes_on:
            close()
            kind = ITEM if starts_item else FIELD if starts_field else PARAGRAPH
            page = line_page if paged else None
        current.append(line)
    close()
    return parts


def _cells(line: str) -> list[str]:
    """The cells of a table row: a pipe table's ("| Model | Load |", its rule "|---|" whole), or
    columns aligned with runs of spaces ("Ver   Type   Flags"); none for any other line."""
    if _TABLE_RULE.fullmatch(line):
        return [line]
    if _PIPE_ROW.match(line):
        return [cell.strip() for cell in line.strip("|").split("|")]
    cells = re.split(r" {3,}|\t+", line)
    return cells if len(cells) >= 2 and not is_field(line) else []


# Not the two spaces some put after a sentence; an ellipsis ("...") may stand in a table's cell
_INNER_GAP = re.compile(r"(?:(?<=[^\s.!?;:])|(?<=\.\.\.)) {2,}(?=\S)")


@dataclass(frozen=True)
class AlignedRow:
    """A line of a table whose columns are aligned with spaces (see ``_aligned_rows``)."""

    cells: list[str]
    head: str
    """The cells of its table's head line, " | "-separated, or "" when the table has none."""


def _aligned_rows(lines: list[str], margin: int = 0) -> dict[int, AlignedRow]:
    """The lines of a group that are rows of a table whose columns are aligned with spaces, by index:
    runs of two lines or more, each with a gap of two spaces or more inside it (not after a sentence)
    and none a heading, list item or label–value line, that have gaps at the same columns ("0x00   0
    bytes  None" over "0x0A  32 bytes  SHA-256"); in a justified text (``margin``), none reaching the
    margin, and one column starting at one place in every line. Each is cut at those columns (or at its
    own gaps of three spaces, where that gives more cells); the first line is the table's head when it
    has no digit and the rows under it do ("ID    Size      Check name")."""
    rows: dict[int, AlignedRow] = {}
    run: list[int] = []
    shared: set[int] = set()

    def close() -> None:
        if len(run) < 2 or (
            margin and not any(_column_edge([lines[n] for n in run], at) for at in _starts(shared))
        ):
            return
        cuts = _starts(shared)
        cells = {}
        for n in run:
            line = lines[n]
            cut = [line[a:b].strip() for a, b in zip([0, *cuts], [*cuts, len(line)], strict=True)]
            cells[n] = max([c for c in cut if c], _cells(line.strip()), key=len)
        first, *others = run
        headed = not _has_digit(lines[first]) and any(_has_digit(lines[n]) for n in others)
        head = " | ".join(cells[first]) if headed else ""
        rows.update((n, AlignedRow(cells[n], head)) for n in run)

    for n, line in enumerate(lines):
        stripped = line.strip()
        cell_like = not (
            is_field(stripped) or is_bullet(stripped) or heading_level(stripped) or _at_margin(line, margin)
        )
        gaps = (
            {i for m in _INNER_GAP.finditer(line) for i in range(m.start(), m.end())} if cell_like else set()
        )
        if run and gaps & shared:
            run.append(n)
            shared &= gaps
            continue
        close()
        run, shared = ([n], gaps) if gaps else ([], set())
    close()
    return rows


# Measured: in justified manual pages 65-75% of long lines have a gap between words and 96-99% of those
# end at one column; in the ragged texts of the question sets at most 17%, and a table's lines end anywhere
_JUSTIFIED_SHARE = 0.4
_JUSTIFIED_FLUSH = 0.8
_JUSTIFIED_LINES = 20


def _justified_margin(lines: list[str], width: int) -> int:
    """The column a justified text (a manual page) spaces its lines out to, or 0 for ragged text: many
    of its long lines have a gap of two spaces or more between words, which ragged text has only in
    tables and code, and nearly all of those end at one column, the margin."""
    long = [line for line in lines if len(line) >= _WRAPPED_SHARE * width]
    spaced = [len(line) for line in long if _INNER_GAP.search(line.strip())]
    if len(spaced) < max(_JUSTIFIED_LINES, _JUSTIFIED_SHARE * len(long)):
        return 0
    margin, flush = Counter(spaced).most_common(1)[0]
    return margin if flush >= _JUSTIFIED_FLUSH * len(spaced) else 0


def _at_margin(line: str, margin: int) -> bool:
    """Whether a line of a justified text reaches its margin: spaced out to fill it, its gaps are no
    table's columns. (A table row that happens to reach the margin is read as prose too.)"""
    return bool(margin) and len(line) >= margin


def _starts(columns: set[int]) -> list[int]:
    """Where each run of consecutive columns starts."""
    return [i for i in sorted(columns) if i - 1 not in columns]


def _column_edge(lines: list[str], at: int) -> bool:
    """Whether the text after the gap at column ``at`` starts at one column in every line: a table's
    column, which the spaces of justified lines, falling at the same columns by chance, are not."""
    return len({len(line) - len(line[at:].lstrip()) for line in lines}) == 1


def _has_alnum(text: str) -> bool:
    return any(c.isalnum() for c in text)


def _has_digit(text: str) -> bool:
    return any(c.isdigit() for c in text)


def _is_label(line: str) -> bool:
    """A label alone on its line, its value below it: "Maximum Segment Lifetime (MSL):"."""
    return line.endswith(":") and is_field(f"{line} -")


def with_fields(parts: Iterable[Part]) -> list[Part]:
    """Paragraphs made only of label–value lines ("Date: 2026-02-23" over "Issued by: ...") split into
    one field per line; other parts unchanged."""
    out: list[Part] = []
    for part in parts:
        lines = [line for line in part.text.split("\n") if line.strip()]
        if part.kind == PARAGRAPH and lines and all(is_field(line) for line in lines):
            out.extend(replace(part, kind=FIELD, text=line) for line in lines)
        else:
            out.append(part)
    return out


_COMMENT = re.compile(r"(?:#|//)(?:\s|$)")  # a comment line: "# Same as Black.", "// retry once"
_LINE_TEXT = re.compile(r"[^\s\u2500-\u257f](?:.*[^\s\u2500-\u257f])?")  # a line but its frame
_COLUMN_GAP = re.compile(r"\S\s{2,}(?=\S)")  # the gap before a second column ("-m, --minimal  Only ...")


def code_lines(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """The evidence units of a code block, as spans of ``text`` (shifted by ``offset``): its lines, not
    its "sentences" (a program has none) nor the whole block. A comment line goes with the line it
    comments on ("# Same as Black." with "line-length = 88"); a line set at the column where the line
    above starts its second column goes on with it (the wrapped description in a command's help:
    "-m, --minimal  Only output the charset detected to STDOUT. Disable JSON" over "output.").
    White space and box-drawing characters at a line's ends are left out, and a line with no letter or
    digit ("}", a rule of "─") is none."""
    units: list[list[int]] = []
    columns: set[int] = set()  # where the second column starts, in the first line of the unit
    comment_open = False
    at = 0
    for line in text.split("\n"):
        found = _LINE_TEXT.search(line)
        if not (found and _has_alnum(found.group())):
            comment_open, columns = False, set()  # "# end of loop" over "}" comments on nothing below
        else:
            start, end = at + found.start(), at + found.end()
            if units and (comment_open or found.start() in columns):
                units[-1][1] = end
            else:
                units.append([start, end])
                columns = {m.end() for m in _COLUMN_GAP.finditer(line, found.start(), found.end())}
            comment_open = bool(_COMMENT.match(found.group())) and (comment_open or units[-1][0] == start)
        at += len(line) + 1
    return [(offset + start, offset + end) for start, end in units]


# ---- Stored with each chunk ---------------------------------------------------------------------


def encode_blocks(blocks: Sequence[Block]) -> str:
    """Blocks as one JSON string, for stores that keep only flat values (Chroma metadata, SQLite)."""
    return json.dumps([[b.kind, b.start, b.end, list(b.section), b.level, b.header] for b in blocks])


def decode_blocks(stored: str | None) -> tuple[Block, ...]:
    """``encode_blocks`` undone; a store from before blocks gives none."""
    if not stored:
        return ()
    return tuple(
        Block(kind, start, end, tuple(section), level, header)
        for kind, start, end, section, level, header in json.loads(stored)
    )
