"""Asking a running ``rag serve`` over plain HTTP (urllib): no model, torch or Chroma is loaded here."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator

from rag.errors import RagError
from rag.types import Answer, Source, Timings

TIMEOUT_S = 600  # a request may wait in the server's queue


def ask_server(
    url: str, question: str, *, workspace: str, key: str | None = None, history: list[dict] | None = None
) -> Iterator[str | Answer]:
    """Yield the answer's text as the server streams it, then the ``Answer`` (as ``rag.answer`` would)."""
    body = {
        "model": workspace,
        "messages": [*(history or []), {"role": "user", "content": question}],
        "stream": True,
    }
    request = urllib.request.Request(
        url.rstrip("/") + "/v1/chat/completions",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Accept": "text/event-stream"}
        | ({"Authorization": f"Bearer {key}"} if key else {}),
        method="POST",
    )
    try:
        response = urllib.request.urlopen(request, timeout=TIMEOUT_S)
    except urllib.error.HTTPError as e:
        raise RagError(f"{url}: {_message(e.read())} (HTTP {e.code})") from None
    except urllib.error.URLError as e:
        raise RagError(f"cannot reach {url}: {e.reason}; is `rag serve` running there?") from None
    text = ""
    with response:
        for raw in response:
            line = raw.decode("utf-8").strip()
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                break
            event = json.loads(data)
            if "error" in event:
                raise RagError(f"{url}: {event['error'].get('message')}")
            delta = event["choices"][0]["delta"]
            if delta.get("content"):
                text += delta["content"]
                yield delta["content"]
            if "rag" in delta:
                yield answer_from(question, text, delta["rag"])
                return
    raise RagError(f"{url}: the answer stream ended without its sources")


def answer_from(question: str, text: str, extra: dict) -> Answer:
    """An ``Answer`` from the text and the ``rag`` field of the API."""
    return Answer(
        question=question,
        text=text,
        sources=tuple(
            Source(
                label=s["label"],
                doc_id=s["doc_id"],
                title=s["title"],
                date=s["date"],
                chunk_id=s.get("chunk_id", ""),
                quote=s["quote"],
                start=s["start"],
                end=s["end"],
                score=s["score"],
                passage=s["passage"],
                page=s["page"],
                section=s["section"],
            )
            for s in extra["sources"]
        ),
        refused=extra["refused"],
        mode=extra["mode"],
        model=extra["model"],
        timings=Timings(**extra.get("timings", {})),
        reason=extra["reason"],
        outcome=extra["outcome"],
        confidence=extra["confidence"],
    )


def _message(body: bytes) -> str:
    try:
        return json.loads(body)["error"]["message"]
    except (ValueError, KeyError, TypeError):
        return body.decode("utf-8", "replace")[:200] or "no answer"
