from pathlib import Path

import pytest

from rag.errors import InputError
from rag.reading import find_documents, parse_document, read_document


def test_date_header_becomes_date_and_title():
    doc = parse_document(" date 2026-03-04 Ecuador launches operations\n\nBody text.", doc_id="a.txt")
    assert doc.date == "2026-03-04"
    assert doc.title == "Ecuador launches operations"
    assert doc.text.startswith("Ecuador launches operations")


def test_without_header_the_first_line_is_the_title():
    doc = parse_document("\n# Town library opens\n\nThe library opened.", doc_id="b.md")
    assert doc.date is None
    assert doc.title == "Town library opens"


def test_long_first_line_title_is_cut_at_a_word():
    doc = parse_document("word " * 100, doc_id="c.txt")
    assert len(doc.title) <= 160 and doc.title.endswith("…")


def test_ids_are_paths_relative_to_the_ingested_root(tmp_path: Path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "x.md").write_text("# X\ntext")
    (tmp_path / "y.txt").write_text("Y\ntext")
    (tmp_path / "skip.bin").write_bytes(b"\0")
    found = [read_document(f, root).id for f, root in find_documents([tmp_path])]
    assert found == ["sub/x.md", "y.txt"]
    single = [read_document(f, root).id for f, root in find_documents([tmp_path / "sub" / "x.md"])]
    assert single == ["x.md"]


def test_content_hash_changes_with_content(tmp_path: Path):
    f = tmp_path / "d.txt"
    f.write_text("one")
    first = read_document(f, tmp_path).content_hash
    f.write_text("two")
    assert read_document(f, tmp_path).content_hash != first


def test_missing_path_and_unsupported_type_are_clear_errors(tmp_path: Path):
    with pytest.raises(InputError, match="no such file"):
        list(find_documents([tmp_path / "nope"]))
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    with pytest.raises(InputError, match="unsupported file type .pdf"):
        list(find_documents([tmp_path / "a.pdf"]))
