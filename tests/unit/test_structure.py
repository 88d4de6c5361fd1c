"""The document model: blocks read from each format, their offsets and heading paths."""

import io

import pytest

from rag.formats import extract
from rag.reading import build_document, parse_document
from rag.structure import (
    FIELD,
    HEADING,
    ITEM,
    PARAGRAPH,
    ROW,
    Part,
    assemble,
    code_lines,
    heading_level,
    is_field,
    text_parts,
)

RFC = """\
4.  Connection Establishment

   A client that wishes to open a connection sends an Initial packet
   carrying the first flight of the handshake to the server, which
   replies with its own Initial packet.

4.2.  Retry Packet

   The server MAY send a Retry packet in response to an Initial packet
   to validate the client's address before it commits any state.

   Maximum Segment Lifetime (MSL): 120 seconds
"""


def kinds(parts):
    return [(p.kind, p.text) for p in parts]


def test_hard_wrapped_lines_are_joined_into_their_paragraph():
    parts = text_parts(RFC)
    assert (
        PARAGRAPH,
        "A client that wishes to open a connection sends an Initial packet carrying the "
        "first flight of the handshake to the server, which replies with its own Initial packet.",
    ) in kinds(parts)


def test_numbered_section_headings_have_their_level():
    parts = [p for p in text_parts(RFC) if p.kind == HEADING]
    assert [(p.text, p.level) for p in parts] == [
        ("4.  Connection Establishment", 1),
        ("4.2.  Retry Packet", 2),
    ]


def test_label_value_lines_stand_alone_even_in_a_wrapped_paragraph():
    text = (
        "The parties filed under the Hart-Scott-Rodino Act and paid the fee set by\n"
        "the rules of the Federal Trade Commission for a transaction of this size.\n"
        "HSR Filing Fee: $30,000\n"
        "Filing Date: January 10, 2025\n"
        "Early Termination Granted: January 28, 2025\n"
    )
    parts = text_parts(text)
    assert kinds(parts)[1:] == [
        (FIELD, "HSR Filing Fee: $30,000"),
        (FIELD, "Filing Date: January 10, 2025"),
        (FIELD, "Early Termination Granted: January 28, 2025"),
    ]
    assert parts[0].kind == PARAGRAPH and parts[0].text.endswith("of this size.")


def test_a_field_with_two_sentences_stays_one_unit():
    assert kinds(text_parts("E23: Steam boiler overpressure. Check the OPV calibration at 12 bar.")) == [
        (FIELD, "E23: Steam boiler overpressure. Check the OPV calibration at 12 bar.")
    ]


def test_bullets_are_items_and_their_wrapped_lines_go_with_them():
    text = "- Drain the tank before you move the unit to\n  another room.\n- Keep the lid closed.\n"
    assert kinds(text_parts(text)) == [
        (ITEM, "- Drain the tank before you move the unit to another room."),
        (ITEM, "- Keep the lid closed."),
    ]


def test_an_older_rfc_s_o_bullets_are_items():
    text = (
        "   o  Records are delivered at most once, even when a station\n"
        "      restarts in the middle of a transfer.\n\n"
        "   o  A collector serves up to 4096 stations.\n"
    )
    assert kinds(text_parts(text)) == [
        (
            ITEM,
            "o  Records are delivered at most once, even when a station restarts in the middle of a "
            "transfer.",
        ),
        (ITEM, "o  A collector serves up to 4096 stations."),
    ]
    spanish = "Puede indicar la ruta en la orden\no bien con la variable de entorno.\n"
    assert kinds(text_parts(spanish)) == [
        (PARAGRAPH, "Puede indicar la ruta en la orden o bien con la variable de entorno.")
    ]


def test_long_lines_are_paragraphs_of_their_own_and_a_short_line_over_prose_is_a_heading():
    long_a = (
        "Noboa said the operation would continue for as long as it takes, and that the army was ready. " * 2
    )
    long_b = (
        "The minister added that the border crossings would stay closed until further notice, he said. " * 2
    )
    text = f"{long_a}\nRising Violence in Ecuador\n{long_b}\n"
    assert [p.kind for p in text_parts(text)] == [PARAGRAPH, HEADING, PARAGRAPH]


def test_upper_case_and_numbered_lines_are_headings_sentences_are_not():
    assert heading_level("4. WARRANTY") == 1
    assert heading_level("FILING DETAILS") == 1
    assert heading_level("4.2.  Retry Packet") == 2
    assert heading_level("1. The parties agree to the terms below.") == 0
    assert heading_level("Filing Date: January 10, 2025") == 0
    assert is_field("Filing Date: January 10, 2025")
    assert not is_field("see https://example.org: it says so")
    assert not is_field("The reason was simple: the valve stuck and the pressure rose further")


def test_assemble_gives_exact_offsets_heading_paths_and_pages():
    parts = [
        Part(HEADING, "Atlas-7 Service Manual", level=0, page=1),
        Part(HEADING, "4. WARRANTY", level=1, page=1),
        Part(FIELD, "Parts: 36 months", page=1),
        Part(FIELD, "Labour: 12 months", page=2),
        Part(HEADING, "5. SUPPORT", level=1, page=2),
        Part(PARAGRAPH, "Call the hotline.", page=2),
    ]
    text, blocks, pages = assemble(parts)
    assert [text[b.start : b.end] for b in blocks] == [p.text for p in parts]
    assert blocks[2].section == ("Atlas-7 Service Manual", "4. WARRANTY")
    assert blocks[5].section == ("Atlas-7 Service Manual", "5. SUPPORT")
    assert pages == (0, blocks[3].start)
    assert text[blocks[2].end : blocks[3].start] == "\n"  # fields a line apart


def test_a_dated_text_file_gives_date_title_and_a_title_heading():
    doc = parse_document(
        "date 2026-03-03 Ecuador to launch operations\nQuito - The president spoke.", doc_id="a"
    )
    assert (doc.date, doc.title) == ("2026-03-03", "Ecuador to launch operations")
    assert doc.blocks[0].kind == HEADING and doc.blocks[1].section == ("Ecuador to launch operations",)


MARKDOWN = b"""\
# Harbor CLI

Harbor ships containers.

## Install

### From source

1. Clone the repository.
2. Run the installer:
   - on Linux, `make install`
   - on macOS, `brew install harbor`

| Flag | Default | Meaning |
|------|---------|---------|
| `--port` | 8080 | where it listens |
| `--workers` | 4 | worker threads |

```sh
harbor serve --port 9000
```

Version: 2.1
Licence: MIT
"""


def test_markdown_blocks():
    got = extract(MARKDOWN, ".md")
    assert got.title == "Harbor CLI"
    parts = kinds(got.parts)
    assert (ITEM, "Clone the repository.") in parts
    assert (ITEM, "on Linux, make install") in parts
    assert (ROW, "--port | 8080 | where it listens") in parts
    assert (FIELD, "Version: 2.1") in parts and (FIELD, "Licence: MIT") in parts
    assert ("code", "harbor serve --port 9000") in parts
    row = next(p for p in got.parts if p.text.startswith("--workers"))
    assert row.header == "Flag | Default | Meaning"
    doc = build_document(got, doc_id="README.md")
    block = next(b for b in doc.blocks if doc.text[b.start : b.end].startswith("--port"))
    assert block.section == ("Harbor CLI", "Install", "From source")
    nested = next(p for p in got.parts if p.text.startswith("on macOS"))
    assert nested.level == 2


HTML = b"""<html><head><title>Glossary</title></head><body>
<nav><a href="/">Home</a></nav>
<main><h1>Glossary</h1><h2>Terms</h2>
<dl><dt>MSL</dt><dd>Maximum segment lifetime, 120 seconds.</dd>
<dt>RTO</dt><dd>Retransmission timeout.</dd></dl>
<h2>Limits</h2>
<table><tr><th>Item</th><th>Limit</th></tr><tr><td>Upload</td><td>20 MB</td></tr></table>
<ul><li>First point</li><li>Second point</li></ul>
<pre>line one
line two</pre>
<p>A closing paragraph.</p></main></body></html>"""


def test_html_blocks():
    got = extract(HTML, ".html")
    assert kinds(got.parts) == [
        (HEADING, "Glossary"),
        (HEADING, "Terms"),
        (FIELD, "MSL: Maximum segment lifetime, 120 seconds."),
        (FIELD, "RTO: Retransmission timeout."),
        (HEADING, "Limits"),
        (ROW, "Item | Limit"),
        (ROW, "Upload | 20 MB"),
        (ITEM, "First point"),
        (ITEM, "Second point"),
        ("code", "line one\nline two"),
        (PARAGRAPH, "A closing paragraph."),
    ]
    assert got.parts[6].header == "Item | Limit"
    assert [p.level for p in got.parts[:2]] == [1, 2]


def test_docx_blocks():
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_heading("Leave Policy", level=1)
    document.add_heading("Annual leave", level=2)
    document.add_paragraph("Employees accrue leave monthly.")
    document.add_paragraph("Full-time staff: 25 days", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    for cell, text in zip(
        table.rows[0].cells + table.rows[1].cells, ["Grade", "Days", "G1", "25"], strict=True
    ):
        cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    got = extract(buffer.getvalue(), ".docx")
    assert kinds(got.parts) == [
        (HEADING, "Leave Policy"),
        (HEADING, "Annual leave"),
        (PARAGRAPH, "Employees accrue leave monthly."),
        (ITEM, "Full-time staff: 25 days"),
        (ROW, "Grade | Days"),
        (ROW, "G1 | 25"),
    ]
    assert got.parts[5].header == "Grade | Days"


SPEC = """\
Atlas-7 Service Manual

4. WARRANTY

Parts: 36 months from the date of delivery
Labour: 12 months

5. LIMITS

| Model | Load | Voltage |
|-------|------|---------|
"""


def spec_chunks(max_tokens: int = 1000):
    from rag.chunking import chunk_document

    doc = parse_document(
        SPEC + "".join(f"| A-{n} | {n} kg | 220 V |\n" for n in range(40)), doc_id="spec.txt"
    )
    return doc, chunk_document(doc, max_tokens=max_tokens, overlap_tokens=0, count=lambda t: len(t.split()))


def test_chunks_hold_whole_blocks_and_never_end_with_a_heading():
    doc, chunks = spec_chunks(max_tokens=12)
    assert len(chunks) > 3
    whole = {doc.text[b.start : b.end] for b in doc.blocks}
    for chunk in chunks:
        for block in chunk.blocks:
            assert chunk.text[block.start - chunk.start : block.end - chunk.start] in whole
        assert chunk.blocks[-1].kind != HEADING


def test_search_text_puts_the_headings_a_chunk_stands_under_before_it():
    from rag.chunking import search_text

    _, chunks = spec_chunks(max_tokens=12)
    later = chunks[-1]
    assert search_text(later).startswith("Atlas-7 Service Manual › 5. LIMITS\n")
    assert search_text(later).endswith(later.text)


def test_evidence_units_are_whole_fields_and_rows_never_headings():
    from rag.evidence import candidate_sentences
    from rag.types import Hit

    _, chunks = spec_chunks()
    units = candidate_sentences([Hit(chunks[0], 0.5)])
    texts = [u.text for u in units]
    assert "Parts: 36 months from the date of delivery" in texts
    assert "4. WARRANTY" not in texts and "Atlas-7 Service Manual" not in texts
    parts = next(u for u in units if u.text.startswith("Parts"))
    assert parts.context == "4. WARRANTY"  # the title is left out: every unit has it
    row = next(u for u in units if u.text.startswith("A-3 |"))
    assert "Load: 3 kg" in row.scored


def test_running_headers_and_footers_go_and_a_paragraph_goes_on_across_a_form_feed():
    def page(n: int, body: str) -> str:
        header = "RFC 9871        Saltmarsh Transport        April 2026"
        return f"{header}\n\n{body}\n\nVarga-Lund      [Page {n}]\n"

    text = (
        page(1, "   A Station keeps a copy of every record until the Collector has\n   acknowledged")
        + "\f"
        + page(2, "   it, and drops the copy once the acknowledgement arrives.")
        + "\f"
        + page(3, "   Done.")
    )
    parts = text_parts(text, paged=True)
    assert [(p.kind, p.text, p.page) for p in parts] == [
        (
            PARAGRAPH,
            "A Station keeps a copy of every record until the Collector has acknowledged it, and drops "
            "the copy once the acknowledgement arrives.",
            1,
        ),
        (PARAGRAPH, "Done.", 3),
    ]


def test_a_label_alone_on_its_line_takes_the_indented_lines_below_as_its_value():
    text = (
        "   Maximum Segment Lifetime (MSL):\n"
        "      The longest time a packet may remain in the\n"
        "      network.\n"
    )
    assert kinds(text_parts(text)) == [
        (FIELD, "Maximum Segment Lifetime (MSL): The longest time a packet may remain in the network.")
    ]


def test_columns_aligned_with_spaces_are_table_rows():
    text = "Model      Load     Voltage\nA-3        3 kg     220 V\n"
    assert kinds(text_parts(text)) == [(ROW, "Model | Load | Voltage"), (ROW, "A-3 | 3 kg | 220 V")]


def test_items_after_a_sentence_ending_in_a_colon_are_scored_with_it():
    from rag.chunking import chunk_document
    from rag.evidence import candidate_sentences
    from rag.types import Hit

    doc = parse_document(
        "# IT policy\n\n## Lost devices\n\nReport a lost or stolen laptop to the IT desk at once:\n\n"
        "- by telephone on extension 4400;\n- by e-mail to it@example.org.\n\nThanks.\n",
        doc_id="policy.md",
    )
    chunk = chunk_document(doc, max_tokens=200, overlap_tokens=0, count=lambda t: len(t.split()))[0]
    units = {u.text: u for u in candidate_sentences([Hit(chunk, 0.5)])}
    assert "Report a lost or stolen laptop" in units["by telephone on extension 4400;"].context
    assert units["by telephone on extension 4400;"].context.startswith("Lost devices")
    assert "Report" not in units["Thanks."].context


MEMO_HEADER = """\
Network Working Group                                          P. Tamm
Request for Comments: 9999                                Fjordline AS
Category: Informational                                      June 2024


               Lantern Beacons for Small Harbour Approaches

Abstract

   This memo describes a simple lantern signal that small harbours can
   use to mark an approach channel at night without radio equipment.

1.  Introduction

   Harbour masters asked for a signal that anyone can build from parts
   sold in a hardware shop, and that a skipper reads at a glance.
"""


def test_a_centered_line_under_a_memo_header_is_the_title_of_a_plain_text_document():
    extracted = extract(MEMO_HEADER.encode(), ".txt")
    assert extracted.title == "Lantern Beacons for Small Harbour Approaches"
    document = build_document(extracted, doc_id="rfc9999.txt")
    intro = next(b for b in document.blocks if document.text[b.start : b.end].startswith("Harbour masters"))
    assert intro.section == ("Lantern Beacons for Small Harbour Approaches", "1. Introduction")
    assert document.pages == ()  # plain text has no pages, title or not


def test_a_title_centered_on_two_lines_is_one_title():
    two = MEMO_HEADER.replace(
        "               Lantern Beacons for Small Harbour Approaches\n",
        "           Lantern Beacons and Leading Lights for Small Harbour\n"
        "                  Approaches Without Radio Equipment\n",
    )
    title = "Lantern Beacons and Leading Lights for Small Harbour Approaches Without Radio Equipment"
    assert extract(two.encode(), ".txt").title == title


def test_an_indented_line_is_no_title_unless_centered_and_before_any_heading():
    flush_left = MEMO_HEADER.replace("               Lantern", "   Lantern")
    assert extract(flush_left.encode(), ".txt").title is None
    later = MEMO_HEADER.replace("               Lantern Beacons for Small Harbour Approaches\n\n", "")
    later += "\n               Lantern Beacons for Small Harbour Approaches\n"
    assert extract(later.encode(), ".txt").title is None
    letter = "Dear Ms Berg,\n\nThe quay reopens on Monday. We thank you for your patience.\n\n"
    letter += "                         Anna Berg\n\n                       Harbour Master\n"
    assert extract(letter.encode(), ".txt").title is None  # a signature, under no memo header


def test_a_short_line_set_in_from_the_text_under_it_is_code_not_a_heading():
    text = (
        "2.  Message Format\n\n"
        "   A message is a start line and an optional body:\n\n"
        "     message = start-line CRLF [ body ]\n\n"
        "   The default port is 7070.\n\n"
        "Ship Arrivals\n\n"
        "   Ships arrive at dawn.\n"
    )
    parts = text_parts(text + "\n  Mooring fees\n\nBoats pay by the metre.\n")
    assert (PARAGRAPH, "message = start-line CRLF [ body ]") in kinds(parts)
    headings = ["2.  Message Format", "Ship Arrivals", "Mooring fees"]  # a heading set in, without code
    assert [p.text for p in parts if p.kind == HEADING] == headings


def test_a_console_screenshot_s_lines_leave_out_the_box_at_their_ends_and_rules_are_no_lines():
    text = (
        "\u256d\u2500 Options \u2500\u2500\u2500\u2500\u256e\n"
        "\u2502 --install-completion   Install completion for the shell. \u2502\n"
        "\u2502                        Needs Bash or Zsh.               \u2502\n"
        "\u2570\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u256f\n"
        "    }\n"
    )
    spans = code_lines(text, offset=100)
    assert [text[a - 100 : b - 100] for a, b in spans] == [
        "Options",
        "--install-completion   Install completion for the shell. \u2502\n"
        "\u2502                        Needs Bash or Zsh.",
    ]


SPEC_TABLE = """\
        The second byte of Stream Flags is a bit field:

            Bit(s)  Mask  Description
             0-3    0x0F  Type of Check:
                              ID    Size      Check name
                              0x00   0 bytes  None
                              0x01   4 bytes  CRC32
                              0x0A  32 bytes  SHA-256
             4-7    0xF0  Reserved for future use.

        Implementations SHOULD support at least the Check IDs 0x00
        (None) and 0x01 (CRC32).  Supporting other Check IDs is
        OPTIONAL.  If an unsupported Check is used, the decoder
        SHOULD indicate a warning or error.  A decoder that meets a
        Check ID it does not know reads the Check field all the
        same, since the size of the field follows from the ID, and
        it can then go on to the next Block as if the Check were
        one it supports, which is what most decoders do in practice.
"""


def test_columns_aligned_by_two_spaces_are_rows_under_their_head_and_sentence_gaps_are_not():
    parts = text_parts(SPEC_TABLE)
    rows = [(p.text, p.header) for p in parts if p.kind == ROW]
    assert rows == [
        ("Bit(s) | Mask | Description", "Bit(s) | Mask | Description"),
        ("0-3 | 0x0F | Type of Check:", "Bit(s) | Mask | Description"),
        ("ID | Size | Check name", "ID | Size | Check name"),
        ("0x00 | 0 bytes | None", "ID | Size | Check name"),
        ("0x01 | 4 bytes | CRC32", "ID | Size | Check name"),
        ("0x0A | 32 bytes | SHA-256", "ID | Size | Check name"),
        ("4-7 | 0xF0  Reserved for future use.", ""),  # the outer table's, not under the inner head
    ]
    assert parts[-1].kind == PARAGRAPH and parts[-1].text.endswith("what most decoders do in practice.")


def _justify(words: list[str], width: int, indent: int = 7) -> list[str]:
    """Words set as a manual page sets them: lines spaced out to end at ``width``, the last ragged."""
    lines, line = [], []
    for word in words:
        if line and indent + len(" ".join([*line, word])) > width:
            lines.append(line)
            line = []
        line.append(word)
    out = []
    for words_ in lines:
        gaps, room = len(words_) - 1, width - indent - len("".join(words_))
        spaced = "".join(w + " " * (room // gaps + (i < room % gaps)) for i, w in enumerate(words_[:-1]))
        out.append(" " * indent + spaced + words_[-1])
    return [*out, " " * indent + " ".join(line)]


def test_a_justified_text_s_spaces_are_no_table():
    words = (
        "Use archive file or device ARCHIVE. If this option is not given, tar will first examine the "
        "environment variable TAPE. If it is set, its value will be used as the archive name. "
    ) * 12
    lines = _justify(words.split(), 60)
    parts = text_parts("\n".join(lines))
    assert [p.kind for p in parts] == [PARAGRAPH] and parts[0].text.endswith("used as the archive name.")
    assert len(lines) > 20 and all(len(line) == 60 for line in lines[:-1])


def test_a_line_is_wrapped_when_the_next_word_would_not_have_fitted_on_it():
    text = (
        "0.1. Notices and Acknowledgements\n\n"
        "        This file format was designed by Lasse Collin\n"
        "        <lasse.collin@tukaani.org> and Igor Pavlov.\n\n"
        "        Special thanks for helping with this document goes to\n"
        "        Ville Koskinen. Thanks for helping with this document goes to\n"
        "        Mark Adler, H. Peter Anvin, Mikko Pouru, and Lars Wirzenius.\n\n"
        "        The widest line of the text, which sets the column it is wrapped at.\n"
    )
    assert kinds(text_parts(text))[:2] == [
        (HEADING, "0.1. Notices and Acknowledgements"),
        (
            PARAGRAPH,
            "This file format was designed by Lasse Collin <lasse.collin@tukaani.org> and Igor Pavlov.",
        ),
    ]


def test_text_in_a_box_of_asterisks_is_read_without_its_frame():
    lines = ["", "6. Disclaimer of Warranty", "-------------------------", ""]
    lines += ["Covered Software is provided under", 'this License on an "as is" basis.', ""]
    text = "\n".join(["*" * 40, *(f"*  {line:<36}*" for line in lines), "*" * 40])
    assert kinds(text_parts(text)) == [
        (HEADING, "6. Disclaimer of Warranty"),
        (PARAGRAPH, 'Covered Software is provided under this License on an "as is" basis.'),
    ]
