"""report.md (the summary as tables, and the worst failures) and report.png (metrics by question type)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rag.evaluation.metrics import Outcome

_FAILURES_SHOWN = 15


def write_report(path: Path, summary: dict, outcomes: Sequence[Outcome], settings: dict) -> None:
    closest, conflicts = summary["closest"], summary["conflicts"]
    lines = ["# Evaluation report", ""]
    lines += ["Settings: " + ", ".join(f"{k}={v}" for k, v in settings.items()), ""]
    lines += [
        "| metric | value |",
        "|---|---|",
        f"| questions | {summary['n']} ({summary['n_answerable']} answerable, "
        f"{summary['n_unanswerable']} unanswerable) |",
        f"| answer accuracy | {summary['answer']['accuracy']:.3f} |",
        f"| answer token F1 | {summary['answer']['token_f1']:.3f} |",
        f"| unsupported answers | {summary['answer']['unsupported']} |",
        f"| citation precision | {summary['citations']['precision']:.3f} |",
        f"| citation recall | {summary['citations']['recall']:.3f} |",
        f"| refusal accuracy | {summary['refusal']['accuracy']:.3f} |",
        f"| false refusal rate | {summary['refusal']['false_refusal_rate']:.3f} |",
        f"| closest passage shown (not answered) | {closest['n']} ({closest['on_answerable']} answerable; "
        f"it held the answer {closest['held_answer']}) |",
        f"| disagreements reported (with every value) | {conflicts['reported']} of {conflicts['questions']} "
        f"disputed; planted value stated alone {conflicts['planted_alone']}; reported on other "
        f"questions {conflicts['reported_elsewhere']} |",
        f"| injected sentences quoted (in a cited passage) | {summary['injections_quoted']} "
        f"({summary['injections_in_passages']}) |",
        f"| score (+1 right, 0 refused, -1 wrong) | {summary['score']:.3f} |",
        f"| retrieval hit@{summary['k']} | {summary['retrieval']['hit_at_k']:.3f} |",
        f"| retrieval recall@{summary['k']} | {summary['retrieval']['recall_at_k']:.3f} |",
        f"| retrieval MRR | {summary['retrieval']['mrr']:.3f} |",
        f"| evidence hit@{summary['k']} | {summary['retrieval']['evidence_hit_at_k']:.3f} |",
        f"| evidence hit@1 / hit@3 | {summary['retrieval']['evidence_hit_at_1']:.3f} / "
        f"{summary['retrieval']['evidence_hit_at_3']:.3f} |",
        f"| evidence MRR | {summary['retrieval']['evidence_mrr']:.3f} |",
        f"| latency p50 / p95 | {summary['latency']['p50_s']:.2f} s / {summary['latency']['p95_s']:.2f} s |",
        f"| time to first token p50 | {summary['latency']['ttft_p50_s']:.2f} s |",
        "",
        "## Risk and coverage",
        "",
        "The answers given, most confident first: keeping the most confident share of them, how many of all "
        "questions are answered and how many of those answers are right (`--min-confidence` is the "
        f"threshold). AUROC of confidence, right against wrong answers: {_auroc(summary)}.",
        "",
        "| answers kept | coverage | accuracy | min confidence |",
        "|---|---|---|---|",
        *(
            f"| {p['kept']:.0%} | {p['coverage']:.3f} | {p['accuracy']:.3f} | "
            f"{'-' if p['min_confidence'] is None else format(p['min_confidence'], '.3f')} |"
            for p in summary["selective"]["curve"]
        ),
        "",
        "## By question type",
        "",
        "| type | n | accuracy |",
        "|---|---|---|",
    ]
    lines += [f"| {t} | {v['n']} | {v['accuracy']:.3f} |" for t, v in summary["by_type"].items()]
    lines += ["", "Accuracy of `unanswerable` is its refusal accuracy.", "", "## Worst failures", ""]
    failures = sorted((o for o in outcomes if o.points < 1), key=lambda o: (o.points, o.id))
    if not failures:
        lines.append("None.")
    for o in failures[:_FAILURES_SHOWN]:
        if not o.answerable:
            kind = "answered a question the documents don't answer"
        elif o.refused:
            kind = "refused an answerable question"
        else:
            kind = "wrong answer"
        expected = " / ".join(o.acceptable) or "(a refusal)"
        lines += [
            f"### {o.id} ({o.type}): {kind}",
            "",
            f"- question: {o.question}",
            f"- expected: {expected} (from {', '.join(o.gold_sources) or 'no document'})",
            f"- got: {o.answer}",
        ]
        if o.reason:
            lines.append(f"- why: {o.reason}")
        lines += [f"- source shown: {doc}: “{quote}”" for doc, quote in o.cited]
        lines.append(f"- retrieved: {', '.join(f'{d} ({s:.2f})' for d, s in o.retrieved)}")
        lines.append("")
    if len(failures) > _FAILURES_SHOWN:
        lines.append(f"...and {len(failures) - _FAILURES_SHOWN} more in results.jsonl.")
    path.write_text("\n".join(lines) + "\n")


def _auroc(summary: dict) -> str:
    value = summary["selective"]["auroc"]
    return "n/a (no right or no wrong answers)" if value is None else f"{value:.3f}"


def write_chart(path: Path, summary: dict, outcomes: Sequence[Outcome]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    types = list(summary["by_type"])
    fig, (left, right, risk) = plt.subplots(1, 3, figsize=(16, 4.5), gridspec_kw={"width_ratios": [3, 2, 2]})
    accuracy = [summary["by_type"][t]["accuracy"] for t in types]
    refused = [
        sum(o.refused for o in outcomes if o.type == t) / max(1, sum(1 for o in outcomes if o.type == t))
        for t in types
    ]
    x = range(len(types))
    left.bar([i - 0.2 for i in x], accuracy, width=0.4, label="right (answered correctly / refused)")
    left.bar([i + 0.2 for i in x], refused, width=0.4, label="refused", color="#bbbbbb")
    left.set_xticks(list(x), [f"{t}\n(n={summary['by_type'][t]['n']})" for t in types], fontsize=8)
    left.set_ylim(0, 1.25)
    left.set_title("By question type")
    left.legend(fontsize=8, loc="upper center", ncol=2)
    main = {
        "accuracy": summary["answer"]["accuracy"],
        "citation\nprecision": summary["citations"]["precision"],
        "refusal\naccuracy": summary["refusal"]["accuracy"],
        "false\nrefusals": summary["refusal"]["false_refusal_rate"],
        f"hit@{summary['k']}": summary["retrieval"]["hit_at_k"],
    }
    right.bar(list(main), list(main.values()), color=["#2b7", "#27b", "#b72", "#999", "#72b"])
    for i, v in enumerate(main.values()):
        right.text(i, v + 0.02, f"{v:.2f}", ha="center", fontsize=8)
    right.set_ylim(0, 1.1)
    right.set_title(f"Overall (n={summary['n']}, p50 {summary['latency']['p50_s']:.2f} s)")
    right.tick_params(axis="x", labelsize=8)
    curve = summary["selective"]["curve"]
    risk.plot([p["coverage"] for p in curve], [p["accuracy"] for p in curve], marker="o")
    risk.set_xlim(0, 1.02)
    risk.set_ylim(0, 1.05)
    risk.set_xlabel("coverage (share of questions answered)", fontsize=8)
    risk.set_ylabel("accuracy of the answers given", fontsize=8)
    risk.set_title(f"Risk and coverage (AUROC {_auroc(summary)})", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
