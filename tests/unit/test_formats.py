import codecs
import datetime as dt
import io
import logging
import random
import re
import time
import zipfile
from functools import cache

import docx
import pypdf
import pytest
from fpdf import FPDF
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.formats import SUFFIXES, UnreadableFile, decode_text, extract
from rag.reading import build_document
from rag.structure import ROW

SENTENCES = (
    "The harbour bridge reopened on Monday.",
    "Ferries will keep running until June.",
    "The council meets again in autumn.",
)

ARTICLE_PAGE = b"""<!doctype html>
<html><head><meta charset="utf-8"><title>Harbour &amp; Town News</title>
<style>p { color: red }</style>
<script>var menu = "<p>not text</p>";</script></head>
<body>
<header><h1>Town News</h1></header>
<nav><ul><li><a href="/">Home</a></li><li><a href="/about">About</a></li></ul></nav>
<article>
  <h2>Bridge reopens</h2>
  <p>The bridge &mdash; closed since May &ndash; reopened on&nbsp;Monday.</p>
  <p hidden>Draft paragraph.</p>
  <div aria-hidden="true">Share this</div>
  <p>Traffic   is
     flowing &lt;again&gt;.</p>
  <ul><li>Cars<li>Bikes</ul>
</article>
<aside>Related stories</aside>
<footer>&copy; 2026 Town News</footer>
</body></html>
"""


@cache
def pdf_bytes(pages: tuple[str, ...] = SENTENCES, title: str | None = "Harbour report") -> bytes:
    pdf = FPDF()
    if title:
        pdf.set_title(title)
    pdf.set_font("Helvetica", size=12)
    for sentence in pages:
        pdf.add_page()
        if sentence:
            pdf.multi_cell(0, 10, f"{sentence}\nA second line, about the {sentence.split()[1]}.")
        else:
            pdf.rect(20, 20, 50, 50)
    return bytes(pdf.output())


@cache
def docx_bytes() -> bytes:
    document = docx.Document()
    document.core_properties.title = "Quarterly report"
    document.add_heading("Results", level=1)
    document.add_paragraph("Sales rose in the spring.")
    table = document.add_table(rows=2, cols=2)
    for row, values in zip(table.rows, [("Region", "Sales"), ("North", "12")], strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.add_paragraph("")
    document.add_paragraph("Costs stayed flat.")
    return _saved(document)


def _saved(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _rezipped(raw: bytes, change) -> bytes:
    """``raw`` zip with each member's bytes passed through ``change(name, data)``; None drops it."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = change(info.filename, source.read(info))
            if data is not None:
                target.writestr(info, data)
    return out.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _encrypted(user_password: str) -> bytes:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf_bytes())))
    writer.encrypt(user_password, owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# ---- PDF ----------------------------------------------------------------------------------------


def test_pdf_text_page_offsets_and_title():
    got = extract(pdf_bytes(), ".pdf")
    assert got.title == "Harbour report"
    assert [part.page for part in got.parts] == [1, 1, 2, 2, 3, 3]
    doc = build_document(got, doc_id="a.pdf")
    assert len(doc.pages) == 3 and doc.pages[0] == 0
    for offset, sentence in zip(doc.pages, SENTENCES, strict=True):
        assert doc.text[offset:].startswith(sentence)
        assert doc.page_at(offset + 1) == doc.pages.index(offset) + 1


def test_pdf_without_title_metadata_has_no_title():
    assert extract(pdf_bytes(title=None), ".pdf").title is None


def test_pdf_with_only_drawings_has_no_text_layer():
    with pytest.raises(UnreadableFile, match=r"^PDF has no text layer \(a scan\?\)$"):
        extract(pdf_bytes(pages=("", "")), ".pdf")


def test_pdf_locked_with_a_password_is_encrypted_but_owner_only_lock_reads():
    with pytest.raises(UnreadableFile, match="^encrypted PDF$"):
        extract(_encrypted("secret"), ".pdf")
    assert extract(_encrypted(""), ".pdf").text.startswith(SENTENCES[0])


def test_malformed_pdf_logs_no_pypdf_warnings(caplog):
    with caplog.at_level(logging.WARNING), pytest.raises(UnreadableFile):
        extract(pdf_bytes()[: len(pdf_bytes()) // 2], ".pdf")
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]


# ---- DOCX ---------------------------------------------------------------------------------------


def test_docx_paragraphs_and_tables_in_body_order_with_title():
    got = extract(docx_bytes(), ".docx")
    assert (got.text, got.title) == (
        "Results\n\nSales rose in the spring.\n\nRegion | Sales\nNorth | 12\n\nCosts stayed flat.",
        "Quarterly report",
    )


def test_docx_merged_cell_is_read_once():
    document = docx.Document()
    table = document.add_table(rows=1, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "Both columns"
    table.cell(0, 2).text = "Last"
    assert extract(_saved(document), ".docx").text == "Both columns | Last"


def test_docx_without_core_properties_has_no_title():
    # python-docx would answer "Word Document" here: it invents the missing part.
    def drop_core(name: str, data: bytes) -> bytes | None:
        if name == "docProps/core.xml":
            return None
        if name == "_rels/.rels":
            return re.sub(rb"<Relationship [^>]*core-properties[^>]*/>", b"", data)
        return data

    assert extract(_rezipped(docx_bytes(), drop_core), ".docx").title is None


def test_spreadsheet_renamed_to_docx_is_not_a_word_document():
    def as_spreadsheet(name: str, data: bytes) -> bytes:
        if name == "[Content_Types].xml":
            return data.replace(b"wordprocessingml.document.main+xml", b"spreadsheetml.sheet.main+xml")
        return data

    with pytest.raises(UnreadableFile, match="not a Word document"):
        extract(_rezipped(docx_bytes(), as_spreadsheet), ".docx")


# ---- HTML ---------------------------------------------------------------------------------------


def test_html_keeps_only_the_article_text():
    got = extract(ARTICLE_PAGE, ".html")
    assert got.title == "Harbour & Town News"
    assert got.text == (
        "Bridge reopens\n\n"
        "The bridge — closed since May – reopened on Monday.\n\n"
        "Traffic is flowing <again>.\n\n"
        "Cars\nBikes"
    )


def test_html_without_main_content_drops_page_chrome_and_titles_from_h1():
    page = b"""<body><header><h1>Town site</h1></header><nav>Menu</nav>
    <svg><title>Logo</title></svg><h1>Opening hours</h1><div>Mon<br>Tue</div>
    <table><tr><td>Open<td>9:00</tr><tr><th>Closed</th><th>18:00</th></tr></table>
    <form><button>Search</button></form><footer>Contact</footer>"""
    got = extract(page, ".HTM")
    assert (got.text, got.title) == (
        "Opening hours\n\nMon\nTue\n\nOpen | 9:00\nClosed | 18:00",
        "Opening hours",
    )


def test_html_header_inside_an_article_stays():
    page = b"<header>Site</header><article><header><h1>Headline</h1></header><p>Body.</p></article>"
    assert extract(page, ".html").text == "Headline\n\nBody."


def test_html_honours_a_meta_charset():
    page = b'<meta charset="koi8-r"><p>' + "Привет, мир".encode("koi8-r") + b"</p>"
    assert extract(page, ".html").text == "Привет, мир"


def test_html_with_only_markup_has_no_text():
    with pytest.raises(UnreadableFile, match="^no text in HTML$"):
        extract(b"<html><script>x = 1</script><nav>Home</nav></html>", ".html")


@pytest.mark.parametrize(
    "tail",
    [b"<a" * 100_000, b"</" * 100_000, b"<!" * 100_000, b"<!-- a >" * 50_000, b"<![ a >" * 50_000],
    ids=["open-tags", "open-end-tags", "open-declarations", "open-comments", "open-sections"],
)
def test_unclosed_markup_takes_linear_time(tail):
    # html.parser before Python 3.13.4 took minutes on each of these (quadratic rescans).
    start = time.perf_counter()
    assert extract(b"<p>Kept.</p>" + tail, ".html").text.startswith("Kept.")
    assert time.perf_counter() - start < 3


def test_unclosed_comment_hides_the_rest_and_marked_sections_are_bogus_comments():
    page = b"<p>One</p><![if !supportLists]>- <![endif]>Two<![foo[ x ]]><!-- left open <p>Three</p>"
    assert extract(page, ".html").text == "One\n\n- Two"


# ---- Text and encodings -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "café\r\nthé".encode("utf-8-sig"),
        codecs.BOM_UTF16_LE + "café\r\nthé".encode("utf-16-le"),
        codecs.BOM_UTF16_BE + "café\r\nthé".encode("utf-16-be"),
        codecs.BOM_UTF32_LE + "café\r\nthé".encode("utf-32-le"),
        b"caf\xe9\r\nth\xe9",
    ],
    ids=["utf-8-bom", "utf-16-le", "utf-16-be", "utf-32-le", "latin-1"],
)
def test_text_encodings_decode_to_the_same_text(raw):
    assert decode_text(raw) == "café\r\nthé"
    assert extract(raw, ".txt").text.split() == ["café", "thé"]


def test_windows_1252_quotes_are_not_control_characters():
    assert decode_text(b"\x93quoted\x94 \x96 dash") == "“quoted” – dash"


def test_markdown_is_read_as_its_structure_not_its_markup():
    got = extract(b"# Title\n\n* item with **bold** and a [link](http://x.org)\n", ".Markdown")
    assert got.text == "Title\n\nitem with bold and a link"
    assert [part.kind for part in got.parts] == ["heading", "item"]


def test_unknown_suffix_is_a_programming_error():
    with pytest.raises(ValueError, match=r"unsupported suffix '\.odt'"):
        extract(b"text", ".odt")


# ---- Bad input ----------------------------------------------------------------------------------

NOISE = random.Random(7).randbytes(4096)


@pytest.mark.parametrize(
    ("raw", "suffix", "reason"),
    [
        (b"", ".txt", "empty file"),
        (b" \n\t\r\n ", ".md", "empty file"),
        (codecs.BOM_UTF8 + b"  \n", ".txt", "empty file"),
        (b"", ".pdf", "empty file"),
        (NOISE, ".txt", "binary data, not text"),
        (b"text\x00with\x00nuls", ".md", "binary data, not text"),
        (b"\x01\x02\x03\x04\x05\x06<p>hi</p>", ".html", "binary data, not text"),
        (pdf_bytes()[: len(pdf_bytes()) // 2], ".pdf", "corrupt PDF: "),
        (b"this is not a PDF", ".pdf", "corrupt PDF: "),
        (NOISE, ".pdf", "corrupt PDF: "),
        (NOISE, ".docx", "corrupt DOCX: not a zip file"),
        (docx_bytes()[: len(docx_bytes()) // 2], ".docx", "corrupt DOCX: not a zip file"),
        (
            _rezipped(docx_bytes(), lambda name, data: data if name.startswith("word/") else None),
            ".docx",
            "corrupt DOCX: ",
        ),
        (_zip({"notes.txt": b"hello"}), ".docx", "corrupt DOCX: "),
    ],
    ids=[
        "empty",
        "whitespace",
        "bom-only",
        "empty-pdf",
        "noise-txt",
        "nuls",
        "controls",
        "truncated-pdf",
        "text-as-pdf",
        "noise-pdf",
        "noise-docx",
        "truncated-docx",
        "docx-without-package-parts",
        "zip-not-docx",
    ],
)
def test_bad_input_is_unreadable_with_a_short_one_line_reason(raw, suffix, reason):
    with pytest.raises(UnreadableFile) as caught:
        extract(raw, suffix)
    message = str(caught.value)
    assert message.startswith(reason)
    assert "\n" not in message and 0 < len(message) < 120


# ---- Properties ---------------------------------------------------------------------------------


def _text_or_unreadable(raw: bytes, suffix: str) -> None:
    try:
        got = extract(raw, suffix)
    except UnreadableFile as e:
        assert "\n" not in str(e) and len(str(e)) < 120
    else:
        assert isinstance(got.text, str) and got.text.strip()
        doc = build_document(got, doc_id=f"x{suffix}")
        assert all(0 <= offset <= len(doc.text) for offset in doc.pages)
        assert all(0 <= b.start < b.end <= len(doc.text) for b in doc.blocks)


@pytest.mark.parametrize("suffix", SUFFIXES)
@settings(max_examples=200, deadline=None)
@given(raw=st.binary(max_size=2048))
def test_any_bytes_give_text_or_unreadable(suffix, raw):
    _text_or_unreadable(raw, suffix)


@settings(max_examples=200, deadline=None)
@given(
    kind=st.sampled_from([".pdf", ".docx", ".html"]),
    cut=st.floats(0, 1),
    at=st.floats(0, 1),
    junk=st.binary(min_size=1, max_size=32),
)
def test_damaged_real_files_give_text_or_unreadable(kind, cut, at, junk):
    raw = {".pdf": pdf_bytes(), ".docx": docx_bytes(), ".html": ARTICLE_PAGE}[kind]
    raw = raw[: int(len(raw) * cut)]
    where = int(len(raw) * at)
    _text_or_unreadable(raw[:where] + junk + raw[where + len(junk) :], kind)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="<>/!-=\"'&;#[]? \nabpdivtrscriptl", max_size=300))
def test_tag_soup_gives_text_or_unreadable(soup):
    _text_or_unreadable(soup.encode(), ".html")


_TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc"), include_characters="\n\t"), min_size=1).filter(
    lambda text: not text.startswith("\ufeff")
)


@settings(max_examples=200, deadline=None)
@given(text=_TEXT, encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "utf-32"]))
def test_text_round_trips_through_decode_text(text, encoding):
    raw = text.encode(encoding)
    if encoding == "utf-16-be":
        raw = codecs.BOM_UTF16_BE + raw
    assert decode_text(raw) == text
    # a hyphen at a line end joins words; pipes, tabs and runs of spaces make table cells
    if text.strip() and not set(text) & set("-|\t") and "   " not in text:
        assert extract(raw, ".txt").text.split() == " ".join(text.split()).split()


def test_a_pdf_table_s_rows_are_rows_under_their_header_cells():
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 8, "Pump models and their rated pressure.")
    with pdf.table() as table:  # ruled cells, as office programs draw them
        for cells in (("Model", "Pressure", "Price"), ("P-10", "10 bar", "$410"), ("P-16", "16 bar", "$520")):
            row = table.row()
            for cell in cells:
                row.cell(cell)
    pdf.multi_cell(0, 8, "Prices include delivery.")
    parts = extract(bytes(pdf.output()), ".pdf").parts
    rows = [p for p in parts if p.kind == ROW]
    assert [r.text for r in rows] == [
        "Model | Pressure | Price",
        "P-10 | 10 bar | $410",
        "P-16 | 16 bar | $520",
    ]
    assert {r.header for r in rows} == {"Model | Pressure | Price"} and {r.page for r in rows} == {1}
    assert parts[0].text.startswith("Pump models") and parts[-1].text == "Prices include delivery."


# Dates: what each format says of when it was written, as YYYY-MM-DD


def test_markdown_front_matter_gives_title_and_date_and_is_not_text():
    raw = (
        b'---\ntitle: "Pump guide"\ndate: 2024-05-02\nupdated: 2025-01-09T10:00:00Z\ntags: [a, b]\n---\n'
        b"# Use\n\nRun it dry.\n"
    )
    found = extract(raw, ".md")
    assert (found.title, found.date) == ("Pump guide", "2025-01-09")
    assert not any("tags" in p.text or "---" in p.text for p in found.parts)


def test_markdown_without_front_matter_keeps_a_rule_as_text():
    found = extract(b"Intro line.\n\n---\n\nAfter the rule.\n", ".md")
    assert found.date is None and any("After the rule" in p.text for p in found.parts)


def test_html_date_from_its_metadata_modified_before_published():
    page = (
        b'<html><head><meta property="article:published_time" content="2025-02-01T08:00:00+01:00">'
        b'<meta name="dcterms.modified" content="2025-03-04"></head><body><p>Text.</p></body></html>'
    )
    assert extract(page, ".html").date == "2025-03-04"
    assert extract(b"<p>No date here.</p>", ".html").date is None


def test_pdf_date_from_its_info_dictionary():
    pdf = FPDF()
    pdf.set_creation_date(dt.datetime(2024, 11, 5, 9, 30))
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Dated page.")
    assert extract(bytes(pdf.output()), ".pdf").date == "2024-11-05"


def test_docx_date_from_core_properties_but_not_python_docx_s_template_date():
    document = docx.Document()
    document.add_paragraph("Dated text.")
    assert extract(_saved(document), ".docx").date is None  # python-docx's 2013-12-23
    document.core_properties.modified = dt.datetime(2025, 6, 30, 12, 0)
    assert extract(_saved(document), ".docx").date == "2025-06-30"
