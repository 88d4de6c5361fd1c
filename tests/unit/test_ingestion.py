"""Ingesting files into a real index (Chroma and manifest in tmp_path) with a hashing embedder: bad files
cost only themselves, unknown types are named, sync removes what is gone; random input never crashes it."""

import string
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.index import Index
from rag.ingestion import ingest_files
from rag.reading import find_documents
from tests.conftest import TEST_SETTINGS, WORD_CHUNKS
from tests.fakes import HashEmbedder


def ingest(index: Index, paths: list[Path], *, sync: bool = False, max_bytes: int = 10_000):
    with index.writing(settings=TEST_SETTINGS):
        return ingest_files(
            list(find_documents(paths)),
            index=index,
            embedder=HashEmbedder(),
            chunking=WORD_CHUNKS,
            max_bytes=max_bytes,
            sync_roots=paths if sync else (),
        )


def write(folder: Path, files: dict[str, bytes | str]) -> Path:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    return folder


def test_bad_files_are_named_with_reasons_and_the_rest_go_in(index, tmp_path):
    docs = write(
        tmp_path / "docs",
        {
            "good.txt": "The harbour of Manta reopened on Monday.",
            "sub/also-good.md": "# Notes\nThe port of Guayaquil handled more ships.",
            "empty.txt": "",
            "noise.txt": bytes(range(256)) * 4,
            "broken.pdf": b"%PDF-1.7 this is not really a pdf",
            "broken.docx": b"PK\x03\x04 not a docx",
            "big.txt": "word " * 5_000,
            "photo.jpg": b"\xff\xd8\xff",
            ".hidden.txt": "never read",
        },
    )
    report = ingest(index, [docs])
    assert sorted(report.added) == ["good.txt", "sub/also-good.md"]
    failed = dict(report.failed)
    assert set(failed) == {
        str(docs / n) for n in ("empty.txt", "noise.txt", "broken.pdf", "broken.docx", "big.txt")
    }
    assert "empty" in failed[str(docs / "empty.txt")]
    assert "too large" in failed[str(docs / "big.txt")]
    assert all("\n" not in reason and len(reason) < 160 for reason in failed.values())
    assert report.skipped == [str(docs / "photo.jpg")]
    assert "2 added" in report.summary() and "5 failed" in report.summary()
    assert {d.doc_id for d in index.documents()} == {"good.txt", "sub/also-good.md"}


def test_sync_removes_documents_whose_files_are_gone(index, tmp_path):
    docs = write(tmp_path / "docs", {"a.txt": "Alpha fact.", "b.txt": "Beta fact.", "c.txt": "Gamma fact."})
    elsewhere = write(tmp_path / "other", {"z.txt": "Zeta fact."})
    ingest(index, [docs])
    ingest(index, [elsewhere])
    (docs / "b.txt").unlink()
    (docs / "c.txt").write_text("Gamma fact, revised.")
    plain = ingest(index, [docs])
    assert (
        plain.removed == []
        and plain.updated == ["c.txt"]
        and "b.txt" in {d.doc_id for d in index.documents()}
    )
    synced = ingest(index, [docs], sync=True)
    assert synced.removed == ["b.txt"] and synced.unchanged == ["a.txt", "c.txt"]
    assert {d.doc_id for d in index.documents()} == {"a.txt", "c.txt", "z.txt"}, (
        "other folders are left alone"
    )
    assert index.vectors.ids() == {"a.txt#0", "c.txt#0", "z.txt#0"}


def test_a_file_that_became_unreadable_keeps_its_last_good_version(index, tmp_path):
    docs = write(tmp_path / "docs", {"a.txt": "Alpha fact."})
    ingest(index, [docs])
    (docs / "a.txt").write_bytes(b"")
    report = ingest(index, [docs], sync=True)
    assert report.failed and report.removed == []
    assert [d.doc_id for d in index.documents()] == ["a.txt"]


def test_two_files_with_one_id_are_not_mixed(index, tmp_path):
    first = write(tmp_path / "one", {"notes.txt": "First notes."})
    second = write(tmp_path / "two", {"notes.txt": "Second notes."})
    report = ingest(index, [first, second])
    assert report.added == ["notes.txt"]
    assert report.failed == [
        (
            str(second / "notes.txt"),
            f"same document id 'notes.txt' as {first / 'notes.txt'}: ingest one folder",
        )
    ]


NAME_CHARS = string.ascii_letters + string.digits + " #%&'()+,-;=@[]^_`{}~é漢😀"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    files=st.dictionaries(
        st.tuples(
            st.text(NAME_CHARS, min_size=1, max_size=30),
            st.sampled_from([".txt", ".md", ".html", ".pdf", ".docx", ".bin", ""]),
        ),
        st.one_of(st.binary(max_size=3000), st.text(max_size=3000)),
        max_size=6,
    )
)
def test_random_files_and_names_never_crash_ingestion(tmp_path_factory, files):
    folder = tmp_path_factory.mktemp("random")
    for (stem, suffix), content in files.items():
        name = stem.strip(".") or "x"
        (folder / f"{name}{suffix}").write_bytes(
            content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content
        )
    index = Index.open(
        tmp_path_factory.mktemp("store"), "random", embedding_model=HashEmbedder.name, create=True
    )
    report = ingest(index, [folder])
    accounted = len(report.added) + len(report.failed) + len(report.skipped)
    assert accounted == len(list(folder.iterdir()))
    assert {d.doc_id for d in index.documents()} == set(report.added)
    again = ingest(index, [folder])
    assert again.added == [] and sorted(again.unchanged) == sorted(report.added)
