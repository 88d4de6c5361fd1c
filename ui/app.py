"""The chat window: a Gradio Blocks app over the public ``rag`` API only."""

from __future__ import annotations

import html
import os
from collections.abc import Iterator

from rag.config import Settings
from rag.errors import RagError
from rag.types import Answer, Source, Turn

EXAMPLES = [
    "In which province did the March 6 strikes take place?",
    "What share of the drugs produced by Colombia and Peru passes through Ecuador?",
    "Who is the commander of US Southern Command?",
    "How many US troops were deployed to Manta?",
]


def format_source(source: Source) -> str:
    """A source as an expandable block: title, date, document and score; the quote marked in its passage."""
    date = f" · {source.date}" if source.date else ""
    passage = html.escape(source.passage)
    quote = html.escape(source.quote)
    body = passage.replace(quote, f"<mark>{quote}</mark>", 1) if quote in passage else f"<mark>{quote}</mark>"
    return (
        f"<details><summary><b>{source.label}</b> {html.escape(source.title)}{date} · "
        f"<code>{html.escape(source.doc_id)}</code> · score {source.score:.2f}<br>"
        f"“{quote}”</summary><p>{body}</p></details>"
    )


def format_answer(answer: Answer) -> str:
    if answer.refused:
        why = f"<br><i>{html.escape(answer.reason)}</i>" if answer.reason else ""
        return f"<div class='refusal'>🚫 <b>{html.escape(answer.text)}</b>{why}</div>"
    sources = "\n".join(format_source(s) for s in answer.sources)
    return f"{html.escape(answer.text)}\n\n**Sources**\n\n{sources}"


def respond(message: str, chat: list[dict], turns: list[Turn], settings: Settings) -> Iterator[tuple]:
    """Stream one answer into the chat; errors become a short message and the app keeps working."""
    from rag.api import stream_answer

    chat = [*chat, {"role": "user", "content": message}, {"role": "assistant", "content": "…"}]
    yield chat, turns, ""
    text = ""
    try:
        for piece in stream_answer(
            message,
            history=turns,
            k=settings.k,
            mode=settings.mode,
            collection=settings.collection,
            store=settings.store,
            model=settings.model,
        ):
            if isinstance(piece, Answer):
                chat[-1] = {"role": "assistant", "content": format_answer(piece)}
                turns = [*turns, Turn(question=message, answer=piece.text)]
            else:
                text += piece
                chat[-1] = {"role": "assistant", "content": html.escape(text)}
            yield chat, turns, ""
    except RagError as e:
        chat[-1] = {"role": "assistant", "content": f"⚠️ {html.escape(str(e))}"}
        yield chat, turns, ""
    except Exception as e:  # never a traceback in the window
        chat[-1] = {
            "role": "assistant",
            "content": f"⚠️ unexpected error: {html.escape(type(e).__name__)}: {html.escape(str(e))}",
        }
        yield chat, turns, ""


def build_app(settings: Settings):
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr

    with gr.Blocks(title="Ask your documents", analytics_enabled=False) as app:
        gr.Markdown(
            "## Ask your documents\nAnswers come only from your documents, with the sentences they rest on."
        )
        chatbot = gr.Chatbot(label="Conversation", height=520, elem_id="chat")
        turns = gr.State([])
        with gr.Row():
            box = gr.Textbox(
                placeholder="Ask a question about your documents…",
                show_label=False,
                scale=8,
                elem_id="question",
            )
            send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
        clear = gr.Button("Clear conversation", size="sm")
        gr.Examples(EXAMPLES, inputs=box)

        def ask(message, chat, history):
            if not message or not message.strip():
                yield chat, history, message
                return
            yield from respond(message.strip(), chat, history, settings)

        for trigger in (box.submit, send.click):
            trigger(
                ask,
                [box, chatbot, turns],
                [chatbot, turns, box],
                api_name="ask" if trigger == send.click else False,
            )
        clear.click(lambda: ([], []), None, [chatbot, turns], api_name=False)
    # llama.cpp is not thread-safe: one answer at a time, others wait in the queue and see their place.
    app.queue(default_concurrency_limit=1)
    return app


def launch(settings: Settings, *, host: str = "127.0.0.1", port: int = 7860) -> None:
    from rag.api import pipeline_for

    pipeline_for(settings).warm_up()  # load models before the first visitor, and fail early if missing
    app = build_app(settings)
    print(f"chat window on http://{host}:{port}")
    app.launch(server_name=host, server_port=port, show_error=False, quiet=True)
