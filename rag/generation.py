"""Generation: a GGUF model run by llama-cpp-python, loaded once per process and streamed; or a model
behind an OpenAI-compatible server (``RAG_LLM_URL``)."""

from __future__ import annotations

import http.client
import itertools
import json
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
import weakref
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from rag.errors import ModelError


class Generator(Protocol):
    """What the pipeline needs from a language model."""

    name: str
    style: str  # "chat" (instruction-tuned, has a template) or "completion" (base model)
    context_tokens: int
    verbatim: bool
    """Its answers are shown only in the evidence's own words (``rag.citations.in_its_words``): a model
    too small to reword evidence faithfully (the catalog's ``verbatim``)."""

    def count_tokens(self, text: str) -> int: ...

    def render_chat(self, messages: list[dict[str, str]]) -> tuple[str, tuple[str, ...]]:
        """The model's own chat template applied to ``messages``, and the stops it implies."""
        ...

    def stream(self, prompt: str, *, max_tokens: int, stop: Sequence[str]) -> Iterator[str]: ...


class LlamaGenerator:
    """A GGUF file under llama.cpp. Greedy decoding from a clean context: the same evidence gives the same
    answer, whatever was asked before.

    ``style=None`` decides from the file: ``chat`` when the GGUF carries a chat template.
    llama.cpp contexts are not thread-safe, so one lock serializes generation per model.
    """

    def __init__(
        self,
        path: Path,
        *,
        name: str | None = None,
        style: str | None = None,
        context_tokens: int = 2048,
        threads: int = 2,
        verbatim: bool = False,
    ) -> None:
        self.path = Path(path)
        self.name = name or self.path.stem
        self.verbatim = verbatim
        self._lock = threading.Lock()
        try:
            from llama_cpp import Llama
            from llama_cpp._utils import suppress_stdout_stderr

            # llama.cpp prints its internals (cache layout, ...) while loading, whatever `verbose` says.
            with suppress_stdout_stderr(disable=False):
                self._llm = Llama(
                    model_path=str(self.path), n_ctx=context_tokens, n_threads=threads, verbose=False
                )
        except (ValueError, RuntimeError, OSError) as e:
            raise ModelError(f"cannot load model {self.path}: {e}") from e
        # Free the model when this is closed or collected, and at exit before the interpreter tears
        # down llama_cpp's module (whose own __del__ then fails with "'NoneType' is not callable").
        self._free = weakref.finalize(self, self._llm.close)
        self.context_tokens = self._llm.n_ctx()
        self._template = self._llm.metadata.get("tokenizer.chat_template")
        self.style = style or ("chat" if self._template else "completion")
        if self.style == "chat" and not self._template:
            raise ModelError(f"model {self.path} has no chat template: use it as a completion model")

    def close(self) -> None:
        """Free the model now; the generator cannot be used after."""
        self._free()

    def count_tokens(self, text: str) -> int:
        return len(self._tokens(text))

    def render_chat(self, messages: list[dict[str, str]]) -> tuple[str, tuple[str, ...]]:
        formatter = self._formatter()
        response = formatter(messages=messages)
        stop = response.stop if isinstance(response.stop, list) else [response.stop] if response.stop else []
        return response.prompt, tuple(s for s in stop if s)

    def stream(self, prompt: str, *, max_tokens: int, stop: Sequence[str]) -> Iterator[str]:
        with self._lock:
            # llama-cpp-python reuses the cached prefix a prompt shares with the last one and evaluates
            # only the rest, in other batches, so the logits (and a greedy answer) would depend on what
            # was asked before. Starting clean makes the answer a function of the prompt alone; the
            # prefix our prompts share is a few tokens.
            self._llm.reset()
            for piece in self._llm.create_completion(
                self._tokens(prompt),
                max_tokens=max_tokens,
                temperature=0.0,
                repeat_penalty=1.1,
                stop=list(stop),
                stream=True,
            ):
                text = piece["choices"][0]["text"]
                if text:
                    yield text

    def _tokens(self, text: str) -> list[int]:
        # A rendered chat template may already start with the BOS token; never add a second one.
        bos = self._token_text(self._llm.token_bos())
        add_bos = not (bos and text.startswith(bos))
        return self._llm.tokenize(text.encode("utf-8"), add_bos=add_bos, special=self.style == "chat")

    @lru_cache(maxsize=1)  # noqa: B019 (one formatter per generator, which lives for the process)
    def _formatter(self):
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        return Jinja2ChatFormatter(
            template=self._template,
            eos_token=self._token_text(self._llm.token_eos()),
            bos_token=self._token_text(self._llm.token_bos()),
        )

    def _token_text(self, token: int) -> str:
        if token < 0:
            return ""
        return self._llm.detokenize([token], special=True).decode("utf-8", errors="ignore")


CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 300.0  # a slow CPU server may think that long before the first token of a long prompt
# Without the server's tokenizer, tokens are counted in cl100k_base and scaled up. On data/corpus the
# Gemma 3 and SmolLM2 tokenizers give at most 1.12x cl100k's count for a paragraph; 1.5x leaves room for
# older 32k-word vocabularies (which split every digit), and the slack covers BOS and very short texts.
ESTIMATE_FACTOR = 1.5
ESTIMATE_SLACK = 8
# What a server's chat template adds around the message: role markers and, for SmolLM2, a default
# system prompt (about 30 tokens).
CHAT_TEMPLATE_TOKENS = 40
_NOT_OFFERED = (400, 404, 405, 422, 501)  # how servers without a tokenize endpoint answer the probe


class ServerGenerator:
    """A model behind an OpenAI-compatible HTTP server, e.g. ``python -m llama_cpp.server --model m.gguf``.

    ``url`` is the server's address, with or without ``/v1``. Decoding is LlamaGenerator's (greedy,
    repeat penalty 1.1, the pipeline's stops), so a llama.cpp server running the same GGUF gives the
    same answers.

    ``style="completion"`` (the default) sends the pipeline's own prompt, unchanged, to
    ``/v1/completions``: it suits every model and is what base models need. ``style="chat"`` is for an
    instruction-tuned model on a server that applies its chat template: ``render_chat`` then passes the
    message text through as is, with no stops of its own, and ``stream`` sends it as one user message to
    ``/v1/chat/completions``.

    ``name`` goes to the server as the request's ``model``; empty means the server's first model
    (``GET /v1/models``, asked once). Tokens are counted by the server when it offers llama_cpp.server's
    ``/extras/tokenize`` (probed once), and otherwise estimated on the high side (``ESTIMATE_FACTOR``).
    Nothing is sent before the first use. Each call opens its own connection and the server queues
    concurrent requests itself, so unlike LlamaGenerator this needs no lock. Every failure is a
    ``ModelError`` that names the URL. ``verbatim``: the served model is one the catalog holds to the
    evidence's words (``rag.models.is_verbatim``).
    """

    def __init__(
        self,
        url: str,
        *,
        name: str = "",
        style: str = "completion",
        context_tokens: int = 2048,
        read_timeout: float = READ_TIMEOUT_S,
        verbatim: bool = False,
    ) -> None:
        if style not in ("completion", "chat"):
            raise ModelError(f"style must be 'completion' or 'chat', got {style!r}")
        self.url = _base_url(url)
        self.style = style
        self.verbatim = verbatim
        self.context_tokens = context_tokens
        self.read_timeout = read_timeout
        self._name = name
        self._server_tokenizes: bool | None = None  # not known before the first count
        # A proxy set in the environment must not catch requests to this machine's own server.
        local = urllib.parse.urlsplit(self.url).hostname in ("localhost", "127.0.0.1", "::1")
        self._opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({} if local else None), _HTTPHandler, _HTTPSHandler
        )

    @property
    def name(self) -> str:
        if not self._name:
            self._name = next(iter(self.models()), self.url)
        return self._name

    def models(self) -> list[str]:
        """The ids of the models the server offers (and a ModelError if it cannot be reached)."""
        with self._open("/v1/models") as response:
            payload = _json(response.read())
        data = payload.get("data") if isinstance(payload, dict) else None
        return [m["id"] for m in data or [] if isinstance(m, dict) and isinstance(m.get("id"), str)]

    def count_tokens(self, text: str) -> int:
        template = CHAT_TEMPLATE_TOKENS if self.style == "chat" else 0
        if self._server_tokenizes is not False:
            try:
                with self._open("/extras/tokenize", {"input": text}) as response:
                    payload = _json(response.read())
            except _StatusError as e:
                if e.status not in _NOT_OFFERED:
                    raise
                payload = None
            tokens = payload.get("tokens") if isinstance(payload, dict) else None
            self._server_tokenizes = isinstance(tokens, list)
            if isinstance(tokens, list):
                return len(tokens) + template
        from rag.chunking import count_tokens as cl100k_tokens

        return int(cl100k_tokens(text) * ESTIMATE_FACTOR) + ESTIMATE_SLACK + template

    def render_chat(self, messages: list[dict[str, str]]) -> tuple[str, tuple[str, ...]]:
        """The message text as is: the server applies the chat template. (The pipeline sends one user
        message; were there more, their texts would be joined into one.)"""
        return "\n\n".join(m["content"] for m in messages), ()

    def stream(self, prompt: str, *, max_tokens: int, stop: Sequence[str]) -> Iterator[str]:
        request: dict[str, object] = {
            "model": self.name,
            "max_tokens": max_tokens,
            "temperature": 0.0,
            "repeat_penalty": 1.1,  # a llama.cpp option; other servers ignore fields they don't know
            "stream": True,
        }
        if stop:
            request["stop"] = list(stop)
        chat = self.style == "chat"
        if chat:
            path, request["messages"] = "/v1/chat/completions", [{"role": "user", "content": prompt}]
        else:
            path, request["prompt"] = "/v1/completions", prompt
        url = self.url + path
        try:
            with self._open(path, request) as response:
                finished = False
                for data in _sse_data(response):
                    if data.strip() == "[DONE]":
                        finished = True
                        break
                    choice = _choice(_event(data, url))
                    finished = finished or bool(choice.get("finish_reason"))
                    text = (choice.get("delta") or {}).get("content") if chat else choice.get("text")
                    if text:
                        yield text
        except TimeoutError as e:
            raise ModelError(f"the model server at {url} sent nothing for {self.read_timeout:g} s") from e
        except (OSError, http.client.HTTPException) as e:
            raise ModelError(f"the model server at {url} broke off the answer: {_reason(e)}") from e
        if not finished:
            # llama_cpp.server, for one, fails this way when the prompt is longer than its context.
            raise ModelError(
                f"the model server at {url} ended the answer without finishing it: its log says why "
                f"(a prompt longer than its context? RAG_CONTEXT_TOKENS is {self.context_tokens})"
            )

    def _open(self, path: str, payload: dict | None = None) -> http.client.HTTPResponse:
        url = self.url + path
        data = None if payload is None else json.dumps(payload).encode("utf-8")
        request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
        try:
            return self._opener.open(request, timeout=self.read_timeout)
        except urllib.error.HTTPError as e:
            raise _StatusError(e.code, f"the model server at {url} answered {e.code}: {_detail(e)}") from e
        except TimeoutError as e:  # connected, then no reply (urllib wraps timeouts in connecting)
            raise ModelError(f"the model server at {url} sent nothing for {self.read_timeout:g} s") from e
        except (OSError, http.client.HTTPException) as e:
            raise ModelError(
                f"cannot reach the model server at {self.url}: {_reason(e)} (is it running? RAG_LLM_URL)"
            ) from e


class _StatusError(ModelError):
    """The server answered with an HTTP error status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _base_url(url: str) -> str:
    """``http://host:8000`` from ``http://host:8000``, ``http://host:8000/`` or ``http://host:8000/v1``."""
    base = url.strip().rstrip("/").removesuffix("/v1")
    parts = urllib.parse.urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ModelError(f"RAG_LLM_URL must be an http(s) address like http://127.0.0.1:8000, got {url!r}")
    return base


def _sse_data(lines: Iterable[bytes]) -> Iterator[str]:
    """The data of each event of a Server-Sent Events stream (several ``data:`` lines joined by newlines)."""
    data: list[str] = []
    for raw in itertools.chain(lines, [b""]):  # the blank line delivers an event left open at the end
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if line:
            field, _, value = line.partition(":")
            if field == "data":
                data.append(value.removeprefix(" "))
            continue  # comments (": ping") and the fields event, id, retry carry no text
        if data:
            yield "\n".join(data)
            data = []


def _event(data: str, url: str) -> dict:
    event = _json(data.encode("utf-8"))
    if not isinstance(event, dict):
        raise ModelError(f"the model server at {url} sent an event that is not a JSON object: {data[:80]!r}")
    if "error" in event:
        raise ModelError(f"the model server at {url} failed: {_message(event)}")
    return event


def _choice(event: dict) -> dict:
    choices = event.get("choices") or [{}]
    return choices[0] if isinstance(choices[0], dict) else {}


def _json(body: bytes) -> object:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _message(payload: dict) -> str:
    """The error message of an OpenAI-style (``{"error": {"message"}}``) or FastAPI (``detail``) body."""
    detail = payload.get("error", payload.get("detail", payload.get("message", payload)))
    if isinstance(detail, dict):
        detail = detail.get("message", detail)
    return " ".join(str(detail).split())[:300]


def _detail(error: urllib.error.HTTPError) -> str:
    try:
        body = error.read(4096)
    except (OSError, http.client.HTTPException):
        body = b""
    payload = _json(body)
    if isinstance(payload, dict):
        return _message(payload)
    return " ".join(body.decode("utf-8", errors="replace").split())[:300] or str(error.reason)


def _reason(error: BaseException) -> str:
    reason = getattr(error, "reason", error)  # URLError wraps the socket's error
    if isinstance(reason, TimeoutError):
        return f"no connection within {CONNECT_TIMEOUT_S:g} s"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or type(reason).__name__


def _connect(address, timeout, source_address=None) -> socket.socket:
    """``socket.create_connection`` with a short timeout to connect; ``timeout`` then bounds each read."""
    sock = socket.create_connection(address, CONNECT_TIMEOUT_S, source_address)
    sock.settimeout(timeout)
    return sock


class _ShortConnect:
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _connect


class _HTTPConnection(_ShortConnect, http.client.HTTPConnection):
    pass


class _HTTPSConnection(_ShortConnect, http.client.HTTPSConnection):
    pass


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_HTTPConnection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_HTTPSConnection, req, context=self._context)
