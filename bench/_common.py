"""Helpers shared by the benchmark scripts: where results go, how figures are summarized and saved."""

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
