"""Build data/eval/manuals/corpus/ from texts installed on a Debian machine (no network).

Run from the repository root with the project's venv (markdown-it-py renders the HTML page):

    .venv/bin/python data/eval/manuals/make_corpus.py

Sources (all redistributable; see README.md for licences):
  /usr/share/common-licenses/MPL-2.0                 -> mozilla_public_license_2.0.txt (verbatim)
  /usr/share/doc/liblzma-dev/xz-file-format.txt.gz   -> xz_file_format_spec.txt (decompressed, verbatim)
  /usr/share/man/man1/bzip2.1.gz                     -> bzip2_manual_page.txt (groff -Tutf8 -man, ragged right, no hyphenation)
  /usr/share/doc/zlib1g-dev/FAQ.gz                   -> zlib_faq.txt (decompressed, verbatim)
  /usr/share/doc/nodejs/SECURITY.md                  -> nodejs_security_policy.md (verbatim)
  /usr/share/doc/systemd/UIDS-GIDS.md.gz             -> systemd_uids_gids.html (front matter dropped,
                                                        rendered with markdown-it-py "commonmark" + tables)
"""

import gzip
import html
import os
import re
import subprocess
from pathlib import Path

from markdown_it import MarkdownIt

OUT = Path(__file__).resolve().parent / "corpus"
LIMIT = 60_000  # bytes; every source used here is below it, so nothing is cut


def write(name: str, text: str) -> None:
    data = text.encode("utf-8")
    assert len(data) < LIMIT, (name, len(data))
    (OUT / name).write_bytes(data)
    print(f"{name}: {len(data)} bytes")


def gunzip(path: str) -> str:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return f.read()


def man_page(path: str) -> str:
    # ".na" + ".rm ad": fill lines but never justify them (the man macros re-enable adjustment at
    # every paragraph, so the "ad" request is removed). Justified text pads lines with runs of
    # spaces that look like table columns to a plain-text reader.
    source = re.sub(r"^(\.TH .*)$", r"\1\n.na\n.rm ad", gunzip(path), count=1, flags=re.M)
    env = dict(os.environ, LC_ALL="C.UTF-8")
    out = subprocess.run(
        ["groff", "-Tutf8", "-man", "-P-cbou", "-rLL=78n", "-rHY=0"],
        input=source, capture_output=True, text=True, check=True, env=env,
    ).stdout
    # collapse runs of blank lines left by groff's page layout
    out = re.sub(r"\n{3,}", "\n\n", out)
    return out.strip() + "\n"


def markdown_page(md: str, title: str) -> str:
    md = re.sub(r"\A---\n.*?\n---\n", "", md, flags=re.S)  # Jekyll front matter
    body = MarkdownIt("commonmark").enable("table").render(md)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{html.escape(title)}</title>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n"
    )


def main() -> None:
    OUT.mkdir(exist_ok=True)
    write("mozilla_public_license_2.0.txt", Path("/usr/share/common-licenses/MPL-2.0").read_text())
    write("xz_file_format_spec.txt", gunzip("/usr/share/doc/liblzma-dev/xz-file-format.txt.gz"))
    write("bzip2_manual_page.txt", man_page("/usr/share/man/man1/bzip2.1.gz"))
    write("zlib_faq.txt", gunzip("/usr/share/doc/zlib1g-dev/FAQ.gz"))
    write("nodejs_security_policy.md", Path("/usr/share/doc/nodejs/SECURITY.md").read_text())
    write(
        "systemd_uids_gids.html",
        markdown_page(gunzip("/usr/share/doc/systemd/UIDS-GIDS.md.gz"),
                      "Users, Groups, UIDs and GIDs on systemd Systems"),
    )


if __name__ == "__main__":
    main()
