import os
from pathlib import Path

import pytest

from rag.errors import InputError
from rag.reading import UnreadableFile, find_documents, parse_document, read_document


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
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD.txt").write_text("hidden")
    (tmp_path / "skip.bin").write_bytes(b"\0")
    found = list(find_documents([tmp_path]))
    assert [(f.doc_id, f.supported) for f in found] == [
        ("skip.bin", False),
        ("sub/x.md", True),
        ("y.txt", True),
    ]
    assert [read_document(f, max_bytes=100).id for f in found if f.supported] == ["sub/x.md", "y.txt"]
    (single,) = find_documents([tmp_path / "sub" / "x.md"])
    assert read_document(single, max_bytes=100).id == "x.md"


def test_content_hash_changes_with_content(tmp_path: Path):
    f = tmp_path / "d.txt"
    f.write_text("one")
    (found,) = find_documents([f])
    first = read_document(found, max_bytes=100).content_hash
    f.write_text("two")
    assert read_document(found, max_bytes=100).content_hash != first


def test_a_missing_path_is_an_error_before_any_work(tmp_path: Path):
    (tmp_path / "a.txt").write_text("a")
    with pytest.raises(InputError, match="no such file"):
        list(find_documents([tmp_path / "a.txt", tmp_path / "nope"]))


def test_too_large_and_unreadable_files_give_one_line_reasons(tmp_path: Path):
    big = tmp_path / "big.txt"
    big.write_text("x" * 2_000)
    (found,) = find_documents([big])
    with pytest.raises(UnreadableFile, match=r"too large: 0.0 MB, over the 0.001 MB limit"):
        read_document(found, max_bytes=1_000)
    big.chmod(0)
    try:
        if not os.access(big, os.R_OK):  # root reads anything
            with pytest.raises(UnreadableFile, match="cannot read it: Permission denied"):
                read_document(found, max_bytes=10_000)
    finally:
        big.chmod(0o644)
