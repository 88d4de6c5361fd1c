"""The structured question set (data/eval/structured: PDF, DOCX, Markdown, HTML and RFC-style text)
answered by the real system: every quoted answer is a whole evidence unit (a sentence, a whole block,
or a line of code), and every citation names the heading path it stands under."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rag.api import answer, ingest

pytestmark = [pytest.mark.integration, pytest.mark.slow]

STRUCTURED = Path(__file__).resolve().parents[2] / "data" / "eval" / "structured"
# What may stand just before a unit that starts inside a block, and what a unit that ends inside one
# ends with: a sentence's end.
_SENTENCE_BEFORE = re.compile(r"""[.!?…]["'”’)\]]*\s+$""")
_SENTENCE_END = tuple(".!?…\"'”’)]")


@pytest.fixture(scope="module")
def structured_store(tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("structured")
    report = ingest([STRUCTURED / "corpus"], store=store)
    assert not report.failed and len(report.added) == 6
    return store


def test_every_quoted_answer_is_a_whole_unit_with_its_section(structured_store):
    from rag.reading import Found, read_document
    from rag.structure import code_lines

    questions = [json.loads(line) for line in (STRUCTURED / "questions.jsonl").read_text().splitlines()]
    documents = {}
    quoted = 0
    for q in questions:
        result = answer(q["question"], store=structured_store, mode="extractive")
        for source in result.sources:
            if source.doc_id not in documents:
                path = STRUCTURED / "corpus" / source.doc_id
                documents[source.doc_id] = read_document(Found(path, path.parent, True), max_bytes=10**8)
            doc = documents[source.doc_id]
            assert doc.text[source.start : source.end] == source.quote
            block = next(b for b in doc.blocks if b.start <= source.start < b.end)
            assert block.kind != "heading", f"{q['id']} quotes a heading: {source.quote!r}"
            if block.kind == "code":  # a code block's units are its lines
                lines = code_lines(doc.text[block.start : block.end], offset=block.start)
                whole = (source.start, source.end) in lines
            else:
                starts_whole = source.start == block.start or _SENTENCE_BEFORE.search(
                    doc.text[block.start : source.start]
                )
                whole = starts_whole and (source.end == block.end or source.quote.endswith(_SENTENCE_END))
            assert whole, f"{q['id']} quotes a fragment: {source.quote!r}"
            assert source.end <= block.end or block.kind in ("paragraph", "quote")
            assert source.section == " › ".join(block.section), q["id"]
            quoted += 1
    assert quoted >= len(questions) // 2  # most questions are answered, so the check has something to check
