"""Helpers shared by the benchmark scripts: where results go, how figures are summarized and saved,
and how the time spent embedding is taken from outside `rag/`."""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "bench-out"
"""Results go here (git-ignored), never under bench/."""


def median(values: Sequence[float]) -> float | None:
    """The median, or ``None`` for no values (a stage that never ran is not a zero)."""
    return round(statistics.median(values), 4) if values else None


def machine() -> dict:
    """What the figures were measured on; the load average says how busy the (shared) machine was."""
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def write_json(out_dir: Path, name: str, figures: dict) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / name
    path.write_text(json.dumps(figures, indent=2, default=str) + "\n")
    return path


class EmbedTimer:
    """Times an embedder's ``embed_documents`` calls while in use (wraps the method on the instance;
    ``rag/`` is untouched). With ``report_every``, prints a line with the chunks embedded so far, the
    rate and the time left to reach ``expected`` each time that many more are done."""

    def __init__(self, embedder, *, expected: int = 0, report_every: int = 0) -> None:
        self.embedder, self.expected, self.report_every = embedder, expected, report_every
        self.seconds, self.calls, self.texts = 0.0, 0, 0
        self._next_report = report_every

    def __enter__(self) -> EmbedTimer:
        original = self.embedder.embed_documents
        entered = time.perf_counter()

        def timed(texts, *args, **kwargs):
            started = time.perf_counter()
            try:
                return original(texts, *args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started
                self.calls += 1
                self.texts += len(texts)
                if self.report_every and self.texts >= self._next_report:
                    self._next_report += self.report_every
                    self._report(time.perf_counter() - entered)

        self.embedder.embed_documents = timed
        return self

    def __exit__(self, *exc) -> None:
        vars(self.embedder).pop("embed_documents", None)

    def _report(self, elapsed: float) -> None:
        rate = self.texts / elapsed
        eta = max(0.0, (self.expected - self.texts) / rate)
        print(
            f"\n  ingest: {self.texts:,}/~{self.expected:,} chunks, {rate:.0f} chunks/s,"
            f" ETA {eta / 60:.1f} min, load {os.getloadavg()[0]:.2f}",
            flush=True,
        )
