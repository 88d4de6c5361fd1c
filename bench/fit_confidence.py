"""Fit the weights of rag/confidence.py on `rag eval` results, and measure them on sets left out.

    python bench/fit_confidence.py default=eval-default other=eval-other ... [--out fit.json]

Each argument names a question set and the output folder of a `rag eval` run on it (its results.jsonl).
The examples are the answers given (not refusals, not closest passages): right when the question is
answerable and the answer correct. For each set in turn the model is fitted on the others and its AUROC
measured on the one left out, beside the AUROC of the weights rag/confidence.py has now; then it is
fitted on all of them. Prints both, and the weights fitted on all.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rag.confidence import BIAS, SIGNALS, WEIGHTS  # noqa: E402
from rag.evaluation.metrics import auroc  # noqa: E402

L2 = 1.0
"""Ridge penalty: the sets are small (tens of answers each), so weights are kept modest."""


def load(folder: Path) -> tuple[np.ndarray, np.ndarray]:
    rows = [json.loads(line) for line in (folder / "results.jsonl").open()]
    answered = [r for r in rows if not r["refused"] and r.get("signals")]
    x = np.array([r["signals"] for r in answered], dtype=float).reshape(-1, len(SIGNALS))
    y = np.array([bool(r["answerable"] and r["correct"]) for r in answered], dtype=float)
    return x, y


def fit(x: np.ndarray, y: np.ndarray, steps: int = 5000, rate: float = 0.1) -> tuple[np.ndarray, float]:
    """Logistic regression by gradient descent with an L2 penalty on the weights (not the bias)."""
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w + b)))
        w -= rate * (x.T @ (p - y) / len(y) + L2 * w / len(y))
        b -= rate * float(np.mean(p - y))
    return w, b


def score(x: np.ndarray, w: np.ndarray, b: float) -> list[float]:
    return list(1 / (1 + np.exp(-(x @ w + b))))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="+", metavar="SET=FOLDER")
    parser.add_argument("--out", type=Path, help="also write the figures and weights as JSON here")
    args = parser.parse_args()
    sets = {name: load(Path(folder)) for name, folder in (run.split("=", 1) for run in args.runs)}
    report: dict = {"signals": list(SIGNALS), "held_out": {}}
    header = ("left out", "answers", "right", "AUROC fitted on the others", "AUROC now")
    print(f"{header[0]:<12} {header[1]:>7} {header[2]:>6} {header[3]:>27} {header[4]:>10}")
    for name, (x, y) in sets.items():
        others = [s for n, s in sets.items() if n != name]
        w, b = fit(np.vstack([o[0] for o in others]), np.concatenate([o[1] for o in others]))
        held = auroc(score(x, w, b), [bool(v) for v in y])
        current = auroc(score(x, np.array(WEIGHTS), BIAS), [bool(v) for v in y])
        report["held_out"][name] = {
            "answers": len(y),
            "right": int(y.sum()),
            "auroc": held,
            "current": current,
        }
        print(f"{name:<12} {len(y):>7} {int(y.sum()):>6} {held!s:>27} {current!s:>10}")
    w, b = fit(np.vstack([s[0] for s in sets.values()]), np.concatenate([s[1] for s in sets.values()]))
    report["weights"], report["bias"] = [round(float(v), 3) for v in w], round(b, 3)
    print(f"\nfitted on all: WEIGHTS = {tuple(report['weights'])}\n               BIAS = {report['bias']}")
    if args.out:
        args.out.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
