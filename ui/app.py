"""The chat window: a Gradio Blocks app over the public ``rag`` API only.

Left: the conversation (streamed answers, numbered sources with the quoted sentence highlighted in its
passage, refusals in their own colour). Right: the documents in the store (upload, remove) and the
settings (k, mode, model, collection). Generation goes through Gradio's queue one request at a time,
because llama.cpp is not thread-safe; everyone else sees their place in the queue.
"""

from __future__ import annotations

import html
import os
import re
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before gradio is imported

import gradio as gr  # noqa: E402

from rag import Answer, Source, Turn
from rag.config import MODES, RETRIEVERS, Settings
from rag.errors import RagError
from rag.formats import SUFFIXES

if TYPE_CHECKING:
    from rag.server import Access

Run = Callable[[Callable[[], Iterable[object]]], Iterable[object]]
"""How model work is run: ``rag serve`` passes its job queue, so that the window and the API take turns."""

EXAMPLES = [
    "In which province did the March 6 strikes take place?",
    "What share of the drugs produced by Colombia and Peru passes through Ecuador?",
    "Who is the commander of US Southern Command?",
    "How many US troops were deployed to Manta?",
]
DEFAULT_MAX_UPLOAD_MB = 20.0
UPLOADS = "uploads"
TABLE_HEADERS = ["document", "title", "date", "chunks"]

CSS = """
#chat .answer-text { line-height: 1.5; }
#chat .sources { margin-top: .6em; border-top: 1px solid var(--border-color-primary); padding-top: .4em; }
#chat .sources-title { font-size: .8em; font-weight: 600; text-transform: uppercase; opacity: .7; }
#chat details.source { margin: .35em 0; }
#chat details.source summary { cursor: pointer; }
#chat details.source .quote { font-style: italic; }
#chat details.source .passage { margin: .3em 0 .3em 1em; font-size: .92em; }
#chat mark { background: #fde68a; color: #1f2937; padding: 0 .1em; border-radius: 2px; }
#chat .score { opacity: .7; font-size: .85em; }
#chat .note { opacity: .65; font-size: .8em; margin-top: .3em; }
#chat .refusal { border-left: 4px solid #d97706; background: #fff7ed; color: #7c2d12;
                 padding: .5em .8em; border-radius: 4px; }
#chat .refusal .reason { font-size: .85em; opacity: .85; margin-top: .2em; }
#chat .refusal .badge { background: #d97706; color: #fff; font-size: .75em; font-weight: 700;
                        text-transform: uppercase; padding: .1em .45em; border-radius: 3px;
                        margin-right: .4em; }
#chat .closest { border-left: 4px solid #2563eb; background: #eff6ff; color: #1e3a8a;
                 padding: .5em .8em; border-radius: 4px; }
#chat .closest .reason { font-size: .85em; opacity: .85; margin-top: .2em; }
#chat .closest .badge { background: #2563eb; color: #fff; font-size: .75em; font-weight: 700;
                        text-transform: uppercase; padding: .1em .45em; border-radius: 3px;
                        margin-right: .4em; }
#chat .conflict { border-left: 4px solid #7c3aed; background: #f5f3ff; color: #3b0764;
                  padding: .5em .8em; border-radius: 4px; }
#chat .conflict .badge { background: #7c3aed; color: #fff; font-size: .75em; font-weight: 700;
                         text-transform: uppercase; padding: .1em .45em; border-radius: 3px;
                         margin-right: .4em; }
#chat .conflict ul { margin: .3em 0 0 1.2em; padding: 0; }
#chat .agrees { opacity: .7; font-size: .85em; }
#chat .error { border-left: 4px solid #dc2626; background: #fef2f2; color: #7f1d1d;
               padding: .5em .8em; border-radius: 4px; }
#chat .pending { opacity: .6; font-style: italic; }
"""


# ---------------------------------------------------------------------------------------------------
# formatting. Messages are HTML on one line: a blank line would end the HTML block for the Markdown
# renderer and let the text after it be read as Markdown.


def _h(text: str) -> str:
    return html.escape(text).replace("\r", "").replace("\n", "<br>")


def format_source(source: Source) -> str:
    """A source as an expandable block: title, date, document and score; the quote marked in its passage."""
    date = f" · {_h(source.date)}" if source.date else ""
    page = f" · page {source.page}" if source.page else ""
    section = (
        f"<span class='section'>§ {_h(source.section)}</span><br>"
        if source.section and source.section != source.title
        else ""
    )
    others = len(source.agrees_with)
    agrees = (
        f" <span class='agrees'>· agrees with {others} other document{'s' if others > 1 else ''}</span>"
        if others
        else ""
    )
    passage = _h(source.passage)
    quote = _h(source.quote)
    body = passage.replace(quote, f"<mark>{quote}</mark>", 1) if quote in passage else f"<mark>{quote}</mark>"
    return (
        f"<details class='source'><summary><b>{_h(source.label)}</b> "
        f"{_h(source.title)}{date} · <code>{_h(source.doc_id)}</code>{page} "
        f"<span class='score'>score {source.score:.2f}</span>{agrees}<br>{section}"
        f"<span class='quote'>“{quote}”</span></summary>"
        f"<div class='passage'>{body}</div></details>"
    )


def format_answer(answer: Answer) -> str:
    """The final message: the answer and its sources; the closest passage, marked as not the answer,
    with its source and why; or a refusal with its reason."""
    if answer.refused and answer.outcome != "closest":
        why = f"<div class='reason'>Why: {_h(answer.reason)}</div>" if answer.reason else ""
        return (
            f"<div class='refusal'><span class='badge'>Not answered</span> "
            f"<span class='answer-text'>{_h(answer.text)}</span>{why}</div>"
        )
    if answer.refused:  # the closest passage: the best evidence, not claimed as the answer
        why = f"<div class='reason'>Why not an answer: {_h(answer.reason)}</div>" if answer.reason else ""
        parts = [
            f"<div class='closest'><span class='badge'>Closest passage</span> "
            f"<span class='answer-text'>{_h(answer.text)}</span>{why}</div>"
        ]
    elif answer.conflicts:  # the documents disagree: every value with its sources, none picked
        values = "".join(
            f"<li><b>{_h(p.value)}</b> {_h(''.join(s.label for s in p.sources))} "
            f"<span class='agrees'>{_h(_documents(p.sources))}</span></li>"
            for p in answer.conflicts
        )
        parts = [
            f"<div class='conflict'><span class='badge'>Sources disagree</span> "
            f"<span class='answer-text'>{_h(answer.text)}</span><ul>{values}</ul></div>"
        ]
    else:
        parts = [f"<div class='answer-text'>{_h(answer.text)}</div>"]
    if answer.sources:
        parts.append("<div class='sources'><div class='sources-title'>Sources</div>")
        parts.extend(format_source(s) for s in answer.sources)
        parts.append("</div>")
    # Not ``answer.reason``: it may quote a generated answer that failed verification, never shown.
    note = [f"{answer.timings.total_s:.1f} s", answer.mode]
    if answer.confidence is not None:
        note.append(f"confidence {answer.confidence:.2f}")
    if answer.model and answer.mode != "extractive":
        note.append(answer.model)
    parts.append(f"<div class='note'>{_h(' · '.join(note))}</div>")
    return "".join(parts)


def _documents(sources: Sequence[Source]) -> str:
    """ "2 documents, latest 2026-03-09" or the one document's title and date."""
    dates = [s.date for s in sources if s.date]
    latest = f", latest {max(dates)}" if dates else ""
    if len(sources) == 1:
        return f"{sources[0].title}{latest.replace(', latest', ',')}"
    return f"{len(sources)} documents{latest}"


def format_error(message: str) -> str:
    return f"<div class='error'><b>Error:</b> {_h(message)}</div>"


def _content_text(content: object) -> str:
    """The text of a chat message's content as Gradio hands it over (a string, or a list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or content.get("content") or "")
    if isinstance(content, list | tuple):
        return "".join(_content_text(part) for part in content)
    return "" if content is None else str(content)


_ANSWER_TEXT = re.compile(r"<(?:div|span) class=['\"]answer-text['\"]>(.*?)</(?:div|span)>", re.S)


def _unh(text: str) -> str:
    return html.unescape(text.replace("<br>", "\n").replace("▍", ""))


def turns_from_chat(chat: list[dict]) -> list[Turn]:
    """The conversation as ``Turn``s, read back from the chat itself (so API callers can pass their own).

    Errors and unfinished answers give a turn with an empty answer.
    """
    turns: list[Turn] = []
    question: str | None = None
    for message in chat or []:
        role = message.get("role") if isinstance(message, dict) else None
        text = _content_text(message.get("content")) if isinstance(message, dict) else ""
        if role == "user":
            if question is not None:
                turns.append(Turn(question=question))
            question = _unh(text)
        elif role == "assistant" and question is not None:
            found = _ANSWER_TEXT.search(text)
            turns.append(Turn(question=question, answer=_unh(found.group(1)) if found else ""))
            question = None
    if question is not None:
        turns.append(Turn(question=question))
    return turns


# ---------------------------------------------------------------------------------------------------
# answering


def respond(
    message: str, chat: list[dict], settings: Settings, filters: dict, run: Run | None = None
) -> Iterator[list[dict]]:
    """Stream one answer into the chat; errors become a short message and the app keeps working.

    ``filters``: ``documents``, ``date_from``, ``date_to`` for ``rag.api.make_filters``; ``run``: how
    to run the answering (default: here and now).
    """
    from rag.api import make_filters, pipeline_for

    history = turns_from_chat(chat)
    chat = [
        *(chat or []),
        {"role": "user", "content": _h(message)},
        {"role": "assistant", "content": "<span class='pending'>Searching your documents…</span>"},
    ]
    yield chat
    text = ""
    try:
        limits = make_filters(**filters)
        answering = lambda: pipeline_for(settings).stream(message, history=history, filters=limits)  # noqa: E731
        answers = run(answering) if run else answering()
        for piece in answers:
            if isinstance(piece, Answer):
                chat[-1] = {"role": "assistant", "content": format_answer(piece)}
            else:
                text += piece
                streaming = f"<div class='answer-text'>{_h(text)}▍</div>"
                chat[-1] = {"role": "assistant", "content": streaming}
            yield chat
    except RagError as e:
        chat[-1] = {"role": "assistant", "content": format_error(str(e))}
        yield chat
    except Exception as e:  # never a traceback in the window
        problem = f"unexpected error: {type(e).__name__}: {e}"
        chat[-1] = {"role": "assistant", "content": format_error(problem)}
        yield chat


# ---------------------------------------------------------------------------------------------------
# documents


def max_upload_mb(environ: dict[str, str] | None = None) -> float:
    raw = (os.environ if environ is None else environ).get("RAG_UI_MAX_UPLOAD_MB", "").strip()
    if not raw:
        return DEFAULT_MAX_UPLOAD_MB
    try:
        value = float(raw)
    except ValueError:
        raise RagError(f"RAG_UI_MAX_UPLOAD_MB must be a number of megabytes, got {raw!r}") from None
    if value <= 0:
        raise RagError(f"RAG_UI_MAX_UPLOAD_MB must be positive, got {raw!r}")
    return value


def parse_auth(value: str | None) -> list[tuple[str, str]] | None:
    """``RAG_UI_AUTH``: ``user:password``, or ``@/path/to/file`` holding ``user:password`` lines."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.startswith("@"):
        path = Path(value[1:]).expanduser()
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as e:
            raise RagError(f"RAG_UI_AUTH: cannot read {path}: {e.strerror or e}") from None
        where = str(path)
    else:
        lines, where = [value], "RAG_UI_AUTH"
    pairs = []
    for n, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        user, sep, password = line.partition(":")
        if not sep or not user or not password:
            raise RagError(f"{where} line {n}: expected user:password")
        pairs.append((user, password))
    if not pairs:
        raise RagError(f"{where}: no user:password lines")
    return pairs


def safe_filename(name: str) -> str:
    """The last path part of ``name``, with every character outside [A-Za-z0-9._-] replaced by ``_``."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[^A-Za-z0-9._-]", "_", base).lstrip(".")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    if not stem.strip("_-."):
        base = f"upload.{suffix}" if suffix else "upload"
    return base[-200:]


def document_rows(settings: Settings) -> list[list]:
    from rag.api import open_index

    try:
        docs = open_index(settings).documents()
    except RagError:
        return []  # no store or collection yet: an empty table, filled by the first upload
    # A document with text addressed to an AI assistant is marked in its title cell.
    return [
        [
            d.doc_id,
            d.title + (f" ⚠ {len(d.set_aside)} set aside" if d.set_aside else ""),
            d.date or "",
            d.chunks,
        ]
        for d in docs
    ]


def save_upload(source: Path, original_name: str, uploads: Path, limit_bytes: int) -> Path:
    """Copy an uploaded file into ``uploads`` under a safe name; refuse unsupported or oversized files."""
    name = safe_filename(original_name)
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise RagError(f"{original_name}: unsupported type; use {', '.join(SUFFIXES)}")
    size = source.stat().st_size
    if size > limit_bytes:
        raise RagError(
            f"{original_name}: {size / 1e6:.1f} MB is over the {limit_bytes / 1e6:g} MB upload limit"
        )
    uploads.mkdir(parents=True, exist_ok=True)
    target = uploads / name
    shutil.copyfile(source, target)
    return target


def _upload_name(file: object) -> tuple[Path, str]:
    """(temporary path, the name the user gave the file) for what gr.File hands over."""
    path = Path(getattr(file, "name", None) or str(file))
    original = getattr(file, "orig_name", None) or path.name
    return path, original


# ---------------------------------------------------------------------------------------------------
# the app


def model_choices(settings: Settings) -> list[str]:
    from rag.models import load_catalog

    try:
        names = [spec.name for spec in load_catalog(settings.models_dir)]
    except RagError:
        names = []
    return names if settings.model in names else [settings.model, *names]


def build_app(
    settings: Settings,
    *,
    max_upload_bytes: int | None = None,
    access: Access | None = None,
    run: Run | None = None,
) -> gr.Blocks:
    """The chat window. ``access`` (from ``rag serve``): with users, the logged-in user sees and uses only
    the workspaces they may read, and uploads and removes only where they may edit; ``run``: how model
    work is run (default: here and now)."""
    if max_upload_bytes is None:
        max_upload_bytes = int(max_upload_mb() * 1_000_000)
    users = access is not None and not access.local

    def uploads(collection: str) -> Path:
        # Served with workspaces: a folder each, so that two workspaces' files of one name stay apart.
        base = Path(settings.store) / UPLOADS
        return base / collection if access is not None else base

    def once(work: Callable[[], object]) -> object:
        """``work()``, through ``run`` when there is one."""
        return next(iter(run(lambda: [work()]))) if run else work()

    def user_of(request: gr.Request | None) -> str | None:
        """The logged-in user; None for the one local user (no accounts)."""
        if access is None or access.local:
            return None
        name = getattr(request, "username", None)
        if not name:
            raise RagError("log in to use the documents")
        return name

    def check(collection_value: str, request: gr.Request | None, *, edit: bool = False) -> None:
        """Raise unless the user may read (or, with ``edit``, change) the collection."""
        user = user_of(request)
        if user is None:
            return
        name = (collection_value or "").strip()
        if name not in access.readable(user):
            raise RagError(f"you may not read workspace {name!r}" if name else "choose a workspace")
        if edit and not access.can_edit(user, name):
            raise RagError(f"you may only read workspace {name!r}, not change it")

    with gr.Blocks(title="Ask your documents", analytics_enabled=False) as app:
        gr.Markdown(
            "## Ask your documents\nAnswers come only from your documents, with the sentences they rest on. "
            "When the documents don't say, the answer says so."
        )
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    label="Conversation",
                    height=640,
                    elem_id="chat",
                    placeholder="Ask a question about your documents, or pick an example below.",
                    feedback_options=None,
                    latex_delimiters=[],
                    buttons=["copy"],
                )
                with gr.Row():
                    box = gr.Textbox(
                        placeholder="Ask a question about your documents…",
                        show_label=False,
                        scale=8,
                        elem_id="question",
                        submit_btn=False,
                    )
                    send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                with gr.Row():
                    clear = gr.Button("Clear conversation", size="sm", elem_id="clear", scale=0)
                gr.Examples(EXAMPLES, inputs=box, label="Examples (default corpus)")
            with gr.Column(scale=2):
                with gr.Accordion("Documents", open=True, elem_id="documents-panel"):
                    table = gr.Dataframe(
                        headers=TABLE_HEADERS,
                        datatype=["str", "str", "str", "number"],
                        value=[],
                        interactive=False,
                        wrap=True,
                        max_chars=70,
                        column_widths=["30%", "40%", "17%", "13%"],
                        max_height=420,
                        elem_id="documents",
                        show_label=False,
                    )
                    files = gr.File(
                        label=f"Add documents ({', '.join(SUFFIXES)}, up to "
                        f"{max_upload_bytes / 1e6:g} MB each)",
                        file_count="multiple",
                        file_types=list(SUFFIXES),
                        elem_id="upload",
                        height=120,
                    )
                    with gr.Row():
                        to_remove = gr.Dropdown(
                            label="Remove a document",
                            choices=[],
                            value=None,
                            scale=3,
                            elem_id="remove-choice",
                            allow_custom_value=False,
                        )
                        remove_btn = gr.Button("Remove", variant="stop", scale=1, elem_id="remove")
                    status = gr.Markdown("", elem_id="documents-status")
                with gr.Accordion("Settings", open=False, elem_id="settings"):
                    k = gr.Slider(1, 20, value=settings.k, step=1, label="Passages retrieved (k)")
                    mode = gr.Radio(list(MODES), value=settings.mode, label="Answer mode")
                    retriever = gr.Radio(
                        list(RETRIEVERS), value=settings.retriever, label="Retrieval", elem_id="retriever"
                    )
                    model = gr.Dropdown(
                        model_choices(settings),
                        value=settings.model,
                        label="Model",
                        allow_custom_value=not users,  # a team's users may not load any file as a model
                    )
                    if users:  # filled with the logged-in user's workspaces when the page loads
                        collection = gr.Dropdown(
                            choices=[], value=None, label="Workspace", elem_id="collection"
                        )
                    else:
                        collection = gr.Textbox(
                            value=settings.collection, label="Collection", elem_id="collection"
                        )
                with gr.Accordion("Answer only from…", open=False, elem_id="filters"):
                    only = gr.Dropdown(
                        label="These documents (none chosen: all)",
                        choices=[],
                        value=[],
                        multiselect=True,
                        elem_id="only-documents",
                    )
                    with gr.Row():
                        date_from = gr.Textbox(
                            "", label="Dated from", placeholder="YYYY-MM-DD", elem_id="date-from"
                        )
                        date_to = gr.Textbox(
                            "", label="Dated to", placeholder="YYYY-MM-DD", elem_id="date-to"
                        )

        def chosen(collection_value: str, **changes) -> Settings:
            """``settings`` with what the window's controls say."""
            return settings.with_(collection=(collection_value or settings.collection).strip(), **changes)

        # New parameters go last: /ask callers pass them by position.
        def ask(
            question,
            chat,
            k,
            mode,
            model,
            collection,
            retriever,
            only,
            date_from,
            date_to,
            request: gr.Request = None,
        ):
            chat = chat or []
            if not question or not question.strip():
                yield chat, question
                return
            try:
                check(collection, request)
                if users and model and model not in model_choices(settings):
                    raise RagError(f"model {model!r} is not one of this server's")
            except RagError as e:
                yield [*chat, {"role": "assistant", "content": format_error(str(e))}], question
                return
            asked = chosen(
                collection,
                k=int(k or settings.k),
                mode=mode,
                retriever=retriever,
                model=(model or "").strip(),
            )
            filters = {
                "documents": only or (),
                "date_from": (date_from or "").strip() or None,
                "date_to": (date_to or "").strip() or None,
            }
            for updated in respond(question.strip(), chat, asked, filters, run):
                yield updated, ""

        # One event for both triggers, so that the concurrency limit of 1 covers them together.
        gr.on(
            [box.submit, send.click],
            ask,
            [box, chatbot, k, mode, model, collection, retriever, only, date_from, date_to],
            [chatbot, box],
            api_name="ask",
            concurrency_id="rag",
            concurrency_limit=1,
        )
        clear.click(lambda: ([], ""), None, [chatbot, box], api_visibility="private", queue=False)

        def refresh(collection_value, note="", request: gr.Request = None):
            try:
                check(collection_value, request)
                rows = document_rows(chosen(collection_value))
            except RagError as e:
                rows, note = [], note or f"**{e}**"
            ids = [row[0] for row in rows]
            return rows, gr.update(choices=ids, value=None), note, gr.update(choices=ids, value=[])

        listing = [table, to_remove, status, only]

        def add_files(file_list, collection_value, request: gr.Request = None, progress=gr.Progress()):  # noqa: B008
            from rag.api import ingest_into

            target = chosen(collection_value)
            notes = []
            file_list = file_list or []
            try:
                check(collection_value, request, edit=True)
            except RagError as e:
                notes, file_list = [f"**Not added:** {e}"], []
            for i, file in enumerate(file_list):
                path, original = _upload_name(file)
                progress((i, len(file_list)), desc=f"ingesting {original}")
                try:
                    saved = save_upload(path, original, uploads(target.collection), max_upload_bytes)
                    report = once(lambda saved=saved: ingest_into(target, [saved]))
                    if report.failed:
                        saved.unlink()
                        notes.append(f"**Not added:** {original}: {report.failed[0][1]}")
                    else:
                        notes.append(f"Ingested `{saved.name}`: {report.summary()}")
                        notes += [f"**⚠ {line}**" for line in report.notices()]
                except RagError as e:
                    notes.append(f"**Not added:** {e}")
                except Exception as e:  # never a traceback in the window
                    notes.append(f"**Not added:** {original}: {type(e).__name__}: {e}")
            progress((len(file_list), len(file_list)), desc="done")
            return (*refresh(collection_value, "\n\n".join(notes), request), None)

        files.upload(
            add_files,
            [files, collection],
            [*listing, files],
            api_visibility="private",
            concurrency_id="rag",
            concurrency_limit=1,
        )

        def drop(doc_id, collection_value, request: gr.Request = None):
            from rag.api import remove_from

            if not doc_id:
                return refresh(collection_value, "Choose a document to remove.", request)
            try:
                check(collection_value, request, edit=True)
                target = chosen(collection_value)
                chunks = once(lambda: remove_from(target, doc_id))
            except RagError as e:
                return refresh(collection_value, f"**Not removed:** {e}", request)
            uploaded = uploads(target.collection) / safe_filename(doc_id)
            if uploaded.name == doc_id and uploaded.is_file():
                uploaded.unlink()
            note = f"Removed `{doc_id}` ({chunks} chunks)" if chunks else f"`{doc_id}` was not in the store"
            return refresh(collection_value, note, request)

        remove_btn.click(
            drop,
            [to_remove, collection],
            listing,
            api_visibility="private",
            concurrency_id="rag",
            concurrency_limit=1,
        )

        def pick(evt: gr.SelectData, rows):
            try:
                row = evt.index[0] if isinstance(evt.index, list | tuple) else evt.index
                return gr.update(value=rows.iloc[row, 0] if hasattr(rows, "iloc") else rows[row][0])
            except (IndexError, KeyError, TypeError):
                return gr.update()

        table.select(pick, [table], [to_remove], api_visibility="private", queue=False)
        if users:

            def start(request: gr.Request):
                try:
                    names = access.readable(user_of(request))
                except RagError:
                    names = []
                first = names[0] if names else None
                return gr.update(choices=names, value=first), *refresh(first, "", request)

            collection.change(refresh, [collection], listing, api_visibility="private")
            app.load(start, None, [collection, *listing], api_visibility="private")
        else:
            collection.submit(refresh, [collection], listing, api_visibility="private")
            collection.blur(refresh, [collection], listing, api_visibility="private")
            app.load(refresh, [collection], listing, api_visibility="private")

    # llama.cpp is not thread-safe: one answer (or ingestion) at a time; the rest wait in the queue and
    # see their place in it. No max_size: every request is kept until its turn.
    app.queue(default_concurrency_limit=1)
    return app


def theme():
    """The default theme with system fonts: the page loads nothing from outside this machine."""
    return gr.themes.Default(
        font=["ui-sans-serif", "system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"]
    )


def launch(settings: Settings, *, host: str = "127.0.0.1", port: int = 7860) -> None:
    from rag import warm_up

    auth = parse_auth(os.environ.get("RAG_UI_AUTH"))
    limit = int(max_upload_mb() * 1_000_000)
    # Load the models before the first visitor; a missing model fails now. A missing or empty store
    # does not: documents can be uploaded from the window.
    warm_up(mode=settings.mode, model=settings.model)
    app = build_app(settings, max_upload_bytes=limit)
    print(f"chat window on http://{host}:{port}" + (" (login required)" if auth else ""), flush=True)
    app.launch(
        server_name=host,
        server_port=port,
        show_error=False,
        quiet=True,
        auth=auth,
        auth_message="Log in to ask your documents." if auth else None,
        max_file_size=limit,
        theme=theme(),
        css=CSS,
        footer_links=["api"],
    )
