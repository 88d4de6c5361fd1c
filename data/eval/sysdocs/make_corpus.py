"""Build data/eval/sysdocs/corpus/ from texts installed on a Debian 12 machine (no network).

Run from the repository root (standard library only; needs man-db, groff and bsdextrautils' col):

    .venv/bin/python data/eval/sysdocs/make_corpus.py

Sources (all redistributable; see README.md for packages, versions and licences):
  /usr/share/man/man1/tar.1.gz                       -> tar_manual_page.txt
        (rendered: LC_ALL=C.UTF-8 MANWIDTH=72 MAN_KEEP_FORMATTING=0 man --nh -P cat tar | col -bx)
  /usr/share/man/man1/grep.1.gz                      -> grep_manual_page.txt
        (rendered the same way)
  /usr/share/doc/dpkg/spec/triggers.txt              -> dpkg_triggers_spec.txt (verbatim)
  /usr/share/doc/git/RelNotes/2.39.0.txt             -> git_2.39.0_release_notes.txt (verbatim)
  /usr/share/doc/libarchive13/copyright              -> libarchive_debian_copyright.txt (verbatim)
  /usr/share/doc/gdb/README.gz                       -> gdb_readme.txt (decompressed, verbatim)

Nothing is cut: every output is between 8 KB and 60 KB.
"""

import gzip
import os
import subprocess
from pathlib import Path

OUT = Path(__file__).resolve().parent / "corpus"
MIN, LIMIT = 8_000, 60_000  # bytes


def write(name: str, text: str) -> None:
    data = text.encode("utf-8")
    assert MIN <= len(data) <= LIMIT, (name, len(data))
    assert b"\b" not in data, name
    (OUT / name).write_bytes(data)
    print(f"{name}: {len(data)} bytes")


def gunzip(path: str) -> str:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return f.read()


def man_page(page: str) -> str:
    # man-db's own formatting at 72 columns, justified as man shows it, but with hyphenation
    # off (--nh) so that no word is split across lines; `col -bx` removes any overstrike
    # sequences and turns tabs into spaces.
    env = dict(os.environ, LC_ALL="C.UTF-8", MANWIDTH="72", MAN_KEEP_FORMATTING="0")
    env.pop("MANPAGER", None)
    env.pop("PAGER", None)
    rendered = subprocess.run(
        ["man", "--nh", "-P", "cat", page], capture_output=True, check=True, env=env
    ).stdout
    plain = subprocess.run(
        ["col", "-bx"], input=rendered, capture_output=True, check=True, env=env
    ).stdout
    return plain.decode("utf-8")


def main() -> None:
    OUT.mkdir(exist_ok=True)
    write("tar_manual_page.txt", man_page("tar"))
    write("grep_manual_page.txt", man_page("grep"))
    write("dpkg_triggers_spec.txt", Path("/usr/share/doc/dpkg/spec/triggers.txt").read_text("utf-8"))
    write("git_2.39.0_release_notes.txt",
          Path("/usr/share/doc/git/RelNotes/2.39.0.txt").read_text("utf-8"))
    write("libarchive_debian_copyright.txt",
          Path("/usr/share/doc/libarchive13/copyright").read_text("utf-8"))
    write("gdb_readme.txt", gunzip("/usr/share/doc/gdb/README.gz"))


if __name__ == "__main__":
    main()
