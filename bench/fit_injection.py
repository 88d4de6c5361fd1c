"""Fit the injection classifier of ``rag.injection``: a logistic regression over a sentence's embedding
(all-MiniLM-L6-v2, the model ingest already holds) that says whether the sentence is addressed to an
AI assistant.

Trained on ``bench/data/injection_training.jsonl`` (sentences written for training, by someone who had
not seen the held-out test phrasings) and on every sentence of the repository's own corpora as
ordinary text. Reported, before anything is written:

- cross-validated recall and false-positive rate on the training sentences (5 folds), and
- for the corpora, leaving each corpus out in turn: how many of its sentences a model fitted without
  it flags (what a new user's documents would see).

A sentence is flagged when its probability reaches ``threshold``, or ``cue_threshold`` when a check
gives it a cue (``rag.injection.cued``). Each is the lowest at which the cross-validated false positives
stay at or under ``--max-fp`` on the corpora (none, by default) and ``--max-hard-fp`` on the training
file's ordinary sentences, many of them written to look like injections ("Ignore the warning light
if the tank is full."). Writes ``rag/injection_classifier.json``. Never reads
``tests/data/injection_phrasings.jsonl``: that file is the held-out test
(``tests/integration/test_injection_heldout.py``).

    .venv/bin/python bench/fit_injection.py [--max-fp 0] [--max-hard-fp 0.04] [--c 1] [--write]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag.api import shared_embedder  # noqa: E402
from rag.reading import Found, read_document  # noqa: E402
from rag.text import split_sentences  # noqa: E402

TRAINING = ROOT / "bench" / "data" / "injection_training.jsonl"
OUT = ROOT / "rag" / "injection_classifier.json"
CORPORA = [
    ROOT / "data" / "corpus",
    *sorted(p for p in (ROOT / "data" / "eval").glob("*/corpus") if p.parent.name != "conflicts"),
]


def corpus_sentences(folder: Path) -> list[str]:
    out = []
    for path in sorted(folder.iterdir()):
        try:
            doc = read_document(Found(path, folder, True), max_bytes=50_000_000)
        except Exception:
            continue
        for block in doc.blocks:
            for start, end in split_sentences(doc.text[block.start : block.end], block.start):
                text = " ".join(doc.text[start:end].split())
                if len(text) > 3:
                    out.append(text)
    return out


def fit(x: np.ndarray, y: np.ndarray, c: float):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, class_weight="balanced", max_iter=2000).fit(x, y)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--max-fp",
        type=float,
        default=0.0,
        help="largest share of corpus sentences flagged (cross-validated)",
    )
    parser.add_argument(
        "--max-hard-fp",
        type=float,
        default=0.04,
        help="largest share of the training file's ordinary (and deliberately look-alike) sentences flagged",
    )
    parser.add_argument("--c", type=float, default=1.0, help="inverse regularization strength")
    parser.add_argument("--write", action="store_true", help=f"write {OUT.relative_to(ROOT)}")
    args = parser.parse_args()
    from sklearn.model_selection import StratifiedKFold

    rows = [json.loads(line) for line in TRAINING.read_text().splitlines() if line.strip()]
    texts = [r["text"] for r in rows]
    labels = np.array([bool(r["injection"]) for r in rows])
    corpora = {
        folder.parent.name if folder.name == "corpus" else folder.name: corpus_sentences(folder)
        for folder in CORPORA
    }
    embedder = shared_embedder()
    x_train = embedder.embed_documents(texts)
    x_corpora = {name: embedder.embed_documents(sents) for name, sents in corpora.items()}
    everything = np.vstack([x_train, *x_corpora.values()])
    all_labels = np.concatenate([labels, np.zeros(sum(len(s) for s in corpora.values()), dtype=bool)])
    origin = np.concatenate(
        [np.full(len(texts), "training")] + [np.full(len(s), n) for n, s in corpora.items()]
    )

    # Cross-validated probabilities: training sentences by 5 folds, each corpus left out whole.
    prob = np.zeros(len(all_labels))
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    train_idx = np.flatnonzero(origin == "training")
    corpus_idx = np.flatnonzero(origin != "training")
    for fit_part, test_part in folds.split(x_train, labels):
        keep = np.concatenate([train_idx[fit_part], corpus_idx])
        model = fit(everything[keep], all_labels[keep], args.c)
        prob[train_idx[test_part]] = model.predict_proba(everything[train_idx[test_part]])[:, 1]
    for name in corpora:
        out = np.flatnonzero(origin == name)
        keep = np.flatnonzero(origin != name)
        model = fit(everything[keep], all_labels[keep], args.c)
        prob[out] = model.predict_proba(everything[out])[:, 1]

    from rag.injection import classified
    from rag.injection import cued as has_cue

    ordinary = (origin == "training") & ~all_labels
    documents = origin != "training"
    positives = all_labels
    every = [*texts, *(x for v in corpora.values() for x in v)]
    cued = np.array([has_cue(t) for t in every])
    prob = prob * np.array([classified(t) for t in every])  # what the detector never embeds, it never flags

    def flags(alone: float, with_cue: float) -> np.ndarray:
        return (prob >= alone) | (cued & (prob >= with_cue))

    def acceptable(flag: np.ndarray) -> bool:
        return flag[documents].mean() <= args.max_fp and flag[ordinary].mean() <= args.max_hard_fp

    grid = [round(float(t), 2) for t in np.arange(0.5, 1.0, 0.01)]
    threshold = next((t for t in grid if acceptable(flags(t, 1.01))), 0.99)
    cue_threshold = next((t for t in grid if t <= threshold and acceptable(flags(threshold, t))), threshold)
    flag = flags(threshold, cue_threshold)
    print(
        f"training file: {labels.sum()} injections, {(~labels).sum()} ordinary; corpora: "
        + ", ".join(f"{n} {len(s)}" for n, s in corpora.items())
    )
    print(
        f"flagged at p >= {threshold:.2f}, or p >= {cue_threshold:.2f} with a cue "
        "(cross-validated "
        f"false positives <= {args.max_fp} on the corpora, <= {args.max_hard_fp} on the training file's "
        "ordinary sentences)"
    )
    print(f"  recall (5-fold, training injections): {flag[positives].mean():.3f}")
    print(f"  false positives, ordinary training sentences: {flag[ordinary].mean():.4f}")
    for name in corpora:
        part = origin == name
        print(f"  false positives, corpus {name} left out: {int(flag[part].sum())}/{part.sum()}")
    families: dict[str, list[bool]] = {}
    for r, f in zip(rows, flag[: len(rows)], strict=True):
        if r["injection"]:
            families.setdefault(r.get("family", "?"), []).append(bool(f))
    print("  recall by family: " + ", ".join(f"{f} {np.mean(v):.2f}" for f, v in sorted(families.items())))

    final = fit(everything, all_labels, args.c)
    if args.write:
        OUT.write_text(
            json.dumps(
                {
                    "embedder": embedder.name,
                    "training": hashlib.sha256(TRAINING.read_bytes()).hexdigest()[:16],
                    "threshold": threshold,
                    "cue_threshold": cue_threshold,
                    "bias": float(final.intercept_[0]),
                    "weights": [round(float(w), 6) for w in final.coef_[0]],
                }
            )
            + "\n"
        )
        print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
