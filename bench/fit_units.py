"""Fit the weights that rank evidence units (rag/evidence.py), and measure them on sets left out.

    python bench/fit_units.py default=data/eval/questions.jsonl@data/corpus \\
        structured=data/eval/structured/questions.jsonl@data/eval/structured/corpus ... \\
        [--stores DIR] [--fit-on default,other,...]

Each argument names a question set, its questions and its corpus folders (joined by "+"). For every
answerable question the pipeline's own retrieval and unit candidates are computed (the units embedded
at answer time: ``EMBEDDED_CANDIDATES``), each with its ``UNIT_FEATURES``; a unit is right when it
holds one of the question's answers and overlaps one of its evidence spans. The model is a softmax over
a question's units (the unit ranked first is what gets quoted), fitted on every set but one and
measured on the one left out: how often the unit ranked first is right, against today's weights, over
the questions with a right unit among the candidates. Then it is fitted on the sets of ``--fit-on``
and those weights printed.

At answer time the rank orders only the units that passed the support decision, after what the question
says happened (``rag.refusal.assess_support``); the figure here, over all 16 candidates, is the
ranker's own.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rag.evidence import UNIT_FEATURES, UNIT_WEIGHTS, rank_features  # noqa: E402
from rag.text import fold  # noqa: E402

L2 = 0.5
"""Ridge penalty on the weights, divided by the number of questions: a light one (the shipped weights
were fitted with it)."""


def _squash(text: str) -> str:
    return "".join(fold(text).split())


def _right(unit: str, answers: list[str], evidence: list[str]) -> bool:
    u = _squash(unit)
    holds_answer = any(_squash(a) and _squash(a) in u for a in answers)
    overlaps = any(_squash(s) in u or (len(u) >= 20 and u in _squash(s)) for s in evidence if s.strip())
    return holds_answer and overlaps


def collect(
    name: str, questions: Path, corpora: list[Path], stores: Path
) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each answerable question with a right unit among its candidates: features and labels."""
    import rag
    from rag.api import build_pipeline
    from rag.config import Settings
    from rag.question import analyse

    store = stores / name
    if not store.exists():
        rag.ingest([str(c) for c in corpora], store=str(store))
    pipeline = build_pipeline(Settings.from_env(store=store, mode="extractive"))
    out = []
    rows = [json.loads(line) for line in questions.open() if line.strip()]
    for row in rows:
        if not row.get("answerable", True) or not row.get("answers"):
            continue
        text = row["question"]
        vector = pipeline.embedder.embed_query(text)
        hits = pipeline.retriever.retrieve(text, pipeline.k, vector=vector)
        units, _, features = rank_features(
            analyse(text), text, hits, embedder=pipeline.embedder, query_vector=vector
        )
        labels = np.array(
            [_right(u.text, row["answers"], row.get("evidence", [])) for u in units], dtype=float
        )
        if labels.any():
            out.append((features, labels))
    print(
        f"{name}: {len(out)} of {len(rows)} questions have a right unit among the candidates", file=sys.stderr
    )
    return out


def fit(groups, steps: int = 3000, rate: float = 0.5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weights of a softmax over each question's units, by gradient descent on the log-likelihood of its
    right units; features standardized over all units first. Returns weights, means, scales."""
    stacked = np.vstack([x for x, _ in groups])
    mean, scale = stacked.mean(axis=0), stacked.std(axis=0) + 1e-9
    w = np.zeros(stacked.shape[1])
    for _ in range(steps):
        grad = np.zeros_like(w)
        for x, y in groups:
            z = (x - mean) / scale
            s = z @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            target = y / y.sum()
            grad += z.T @ (p - target)
        w -= rate * (grad / len(groups) + L2 * w / len(groups))
    return w, mean, scale


def scorer(w: np.ndarray, mean: np.ndarray, scale: np.ndarray):
    return lambda x: ((x - mean) / scale) @ w


def top1(groups, score) -> float:
    return float(np.mean([y[int(np.argmax(score(x)))] for x, y in groups])) if groups else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="+", help="NAME=QUESTIONS@CORPUS[+CORPUS]")
    parser.add_argument(
        "--stores", type=Path, default=Path("bench-out/fit-units-stores"), help="stores of the corpora, kept"
    )
    parser.add_argument("--fit-on", default="", help="sets the final weights are fitted on (default: all)")
    parser.add_argument(
        "--cache",
        type=Path,
        help="save the collected features here (NAME.json), and read them instead of collecting again",
    )
    args = parser.parse_args()
    data = {}
    for spec in args.sets:
        name, rest = spec.split("=", 1)
        questions, corpora = rest.split("@", 1)
        cached = args.cache / f"{name}.json" if args.cache else None
        if cached and cached.exists():
            data[name] = [(np.array(x), np.array(y)) for x, y in json.loads(cached.read_text())]
            continue
        data[name] = collect(name, Path(questions), [Path(c) for c in corpora.split("+")], args.stores)
        if cached:
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_text(json.dumps([(x.tolist(), y.tolist()) for x, y in data[name]]))
    today = np.array(UNIT_WEIGHTS)
    left_out = {}
    print(f"{'left out':12} {'questions':>9} {'today':>7} {'fitted':>7}")
    for name, groups in data.items() if len(data) > 1 else ():
        others = [g for other, gs in data.items() if other != name for g in gs]
        fitted = top1(groups, scorer(*fit(others)))
        now = top1(groups, lambda x: x @ today)
        left_out[name] = {"questions": len(groups), "today": now, "fitted": fitted}
        print(f"{name:12} {len(groups):9d} {now:7.3f} {fitted:7.3f}")
    chosen = [n for n in args.fit_on.split(",") if n] or list(data)
    w, mean, scale = fit([g for n in chosen for g in data[n]])
    raw = w / scale  # on unstandardized features; the offset is the same for every unit of a question
    print(f"fitted on {', '.join(chosen)}:")
    print("UNIT_WEIGHTS = (" + ", ".join(f"{v:.3f}" for v in raw) + ")  # " + ", ".join(UNIT_FEATURES))
    out = Path("bench-out/fit_units.json")
    out.parent.mkdir(exist_ok=True)
    weights = dict(zip(UNIT_FEATURES, raw.round(3).tolist(), strict=True))
    out.write_text(json.dumps({"left_out": left_out, "fitted_on": chosen, "weights": weights}, indent=2))
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
