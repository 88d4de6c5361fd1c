"""``rag serve``: the chat window at ``/`` and an OpenAI-compatible HTTP API, in one process.

API (every error is OpenAI's ``{"error": {"message", "type", "param", "code"}}`` with its status):

- ``POST /v1/chat/completions``: ``model`` names the workspace; the last user message is the question,
  the user/assistant turns before it the history; ``stream: true`` sends server-sent events. The answer
  keeps its ``[n]`` markers; ``message.rag`` (or, streaming, ``delta.rag`` of the last chunk) carries
  ``sources``, ``conflicts``, ``refused``, ``outcome``, ``reason``, ``confidence``, ``mode``, ``model`` and
  ``timings``.
- ``GET /v1/models``: the workspaces the caller may read.
- ``GET|POST /v1/workspaces/{w}/documents``, ``DELETE /v1/workspaces/{w}/documents/{id}``.
- ``GET /health``.

With users in the store's accounts (``rag users add``), a request needs ``Authorization: Bearer KEY``
and reads only the workspaces its user may; owners and editors may upload and remove. With none, the
server is one local user's, on a loopback address only, and every collection of the store is a
workspace. Answers, uploads and removals run one at a time (``rag.jobs``); a full queue answers 429.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import os
import secrets
import time
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import asdict
from pathlib import Path, PurePosixPath

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from rag.accounts import Accounts, check_workspace_name
from rag.config import Settings
from rag.errors import InputError, ModelError, RagError, StoreError
from rag.jobs import JobQueue, QueueFull
from rag.types import Answer, Turn

DEFAULT_QUEUE = 32
MAX_BODY_BYTES = 256_000
"""A chat request larger than this is refused with 413 before it is read."""
MAX_QUESTION_CHARS = 4_000
UPLOADS = "uploads"
_FORM_SLACK = 64_000  # multipart boundaries and headers around the files


class ApiError(Exception):
    """An error for the caller, as OpenAI's error JSON with ``status``."""

    TYPES = {
        400: "invalid_request_error",
        401: "authentication_error",
        403: "permission_error",
        404: "not_found_error",
        405: "invalid_request_error",
        413: "invalid_request_error",
        415: "invalid_request_error",
        429: "rate_limit_error",
        503: "server_error",
    }

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.param = status, message, code, param
        self.headers = headers or {}

    def body(self) -> dict:
        kind = self.TYPES.get(self.status, "server_error")
        return {"error": {"message": self.message, "type": kind, "param": self.param, "code": self.code}}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def error_for(e: BaseException) -> ApiError:
    """The API error for an exception raised while answering or ingesting."""
    if isinstance(e, ApiError):
        return e
    if isinstance(e, QueueFull):
        return ApiError(429, str(e), code="queue_full", headers={"Retry-After": str(e.retry_after)})
    if isinstance(e, InputError):
        return ApiError(400, str(e), code="invalid_input")
    if isinstance(e, StoreError | ModelError):
        return ApiError(503, str(e), code="unavailable")
    if isinstance(e, RagError):
        return ApiError(400, str(e))
    return ApiError(503, f"unexpected error: {type(e).__name__}: {e}", code="internal")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def queue_size(environ: dict[str, str] | None = None) -> int:
    raw = (os.environ if environ is None else environ).get("RAG_SERVE_QUEUE", "").strip()
    if not raw:
        return DEFAULT_QUEUE
    try:
        size = int(raw)
    except ValueError:
        raise InputError(f"RAG_SERVE_QUEUE must be a whole number of requests, got {raw!r}") from None
    if size < 1:
        raise InputError(f"RAG_SERVE_QUEUE must be at least 1, got {size}")
    return size


# ---------------------------------------------------------------------------------------------------
# who may do what


class Access:
    """Who is asking, and what they may read and change. Reads the accounts at every call, so that a
    grant or revocation counts from the next request."""

    def __init__(self, store: Path, accounts: Accounts) -> None:
        self.store = Path(store)
        self.accounts = accounts

    @property
    def local(self) -> bool:
        """No users: one local user who may do everything (the server is on loopback)."""
        return not self.accounts.has_users()

    def caller(self, authorization: str | None) -> str | None:
        """The user the ``Authorization`` header names; None for the local user when there are no users."""
        if self.local:
            return None
        scheme, _, key = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise ApiError(
                401,
                "no API key: send `Authorization: Bearer KEY` (make a key with `rag keys create NAME`)",
                code="missing_api_key",
            )
        user = self.accounts.user_for_key(key.strip())
        if user is None:
            raise ApiError(401, "invalid API key", code="invalid_api_key")
        return user

    def collections(self) -> list[str]:
        """The collections in the store (those with a manifest)."""
        return sorted(p.name.removesuffix(".manifest.sqlite3") for p in self.store.glob("*.manifest.sqlite3"))

    def readable(self, user: str | None) -> list[str]:
        return self.collections() if user is None else self.accounts.readable(user)

    def role(self, user: str | None, workspace: str) -> str | None:
        return "owner" if user is None else self.accounts.role(workspace, user)

    def can_edit(self, user: str | None, workspace: str) -> bool:
        return self.role(user, workspace) in ("owner", "editor")

    def need(self, user: str | None, workspace: str, *, edit: bool = False, param: str | None = None) -> None:
        """Raise the API error for ``user`` reading (or, with ``edit``, changing) ``workspace``."""
        try:
            check_workspace_name(workspace)
        except InputError as e:
            raise ApiError(400, str(e), param=param, code="invalid_workspace") from None
        if user is None:
            if not edit and workspace not in self.collections():
                raise ApiError(
                    404,
                    f"no workspace {workspace!r} (see GET /v1/models)",
                    param=param,
                    code="model_not_found",
                )
            return
        if not self.accounts.workspace_exists(workspace):
            raise ApiError(
                404, f"no workspace {workspace!r} (see GET /v1/models)", param=param, code="model_not_found"
            )
        role = self.accounts.role(workspace, user)
        if role is None:
            raise ApiError(403, f"{user} may not read workspace {workspace!r}", param=param, code="forbidden")
        if edit and role == "reader":
            raise ApiError(
                403, f"{user} may only read workspace {workspace!r}, not change it", code="forbidden"
            )


# ---------------------------------------------------------------------------------------------------
# the Chat Completions shapes


def parse_chat(body: object) -> tuple[str, str, list[Turn], bool]:
    """(workspace, question, history, stream) from a Chat Completions request body."""
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object with `model` and `messages`")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise ApiError(400, "`model` must name a workspace (see GET /v1/models)", param="model")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ApiError(400, "`messages` must be a non-empty list of {role, content}", param="messages")
    said: list[tuple[str, str]] = []
    for n, message in enumerate(messages):
        if not isinstance(message, dict) or not isinstance(message.get("role"), str):
            raise ApiError(400, f"messages[{n}] must be an object with a `role`", param=f"messages[{n}]")
        said.append((message["role"], _content(message.get("content"), n)))
    if said[-1][0] != "user":
        raise ApiError(400, "the last message must be the user's question", param="messages")
    question = said[-1][1].strip()
    if not question:
        raise ApiError(400, "the question is empty: ask something about your documents", param="messages")
    if len(question) > MAX_QUESTION_CHARS:
        raise ApiError(
            400,
            f"the question is {len(question)} characters long; at most {MAX_QUESTION_CHARS} are read",
            param="messages",
        )
    stream = body.get("stream", False)
    if not isinstance(stream, bool):
        raise ApiError(400, "`stream` must be true or false", param="stream")
    return model, question, history_of(said[:-1]), stream


def _content(content: object, n: int) -> str:
    """A message's text: a string, or a list of ``{"type": "text", "text": ...}`` parts."""
    if content is None or isinstance(content, str):
        return content or ""
    if isinstance(content, list) and all(isinstance(p, dict) and p.get("type") == "text" for p in content):
        return "".join(str(p.get("text", "")) for p in content)
    raise ApiError(400, f"messages[{n}].content must be text or a list of text parts", param=f"messages[{n}]")


def history_of(said: list[tuple[str, str]]) -> list[Turn]:
    """Earlier user questions, each with the assistant answer after it (system messages are ignored)."""
    turns: list[Turn] = []
    for role, text in said:
        if role == "user":
            turns.append(Turn(question=text))
        elif role == "assistant" and turns and not turns[-1].answer:
            turns[-1] = Turn(question=turns[-1].question, answer=text)
    return turns


def extra(answer: Answer) -> dict:
    """The ``rag`` field: what an OpenAI message has no place for."""
    return {
        "refused": answer.refused,
        "outcome": answer.outcome,
        "reason": answer.reason,
        "confidence": answer.confidence,
        "mode": answer.mode,
        "model": answer.model,
        "sources": [
            {
                "label": s.label,
                "doc_id": s.doc_id,
                "chunk_id": s.chunk_id,
                "title": s.title,
                "date": s.date,
                "quote": s.quote,
                "start": s.start,
                "end": s.end,
                "page": s.page,
                "section": s.section,
                "passage": s.passage,
                "score": round(float(s.score), 4),
                "agrees_with": list(s.agrees_with),
            }
            for s in answer.sources
        ],
        "conflicts": [{"value": p.value, "sources": [s.label for s in p.sources]} for p in answer.conflicts],
        "timings": asdict(answer.timings),
    }


def completion(cid: str, created: int, workspace: str, answer: Answer) -> dict:
    message = {"role": "assistant", "content": answer.text, "refusal": None, "rag": extra(answer)}
    return {
        "id": cid,
        "object": "chat.completion",
        "created": created,
        "model": workspace,
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": "stop"}],
    }


def chunk(cid: str, created: int, workspace: str, delta: dict, finish: str | None = None) -> str:
    body = {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": created,
        "model": workspace,
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
    }
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


# ---------------------------------------------------------------------------------------------------
# the app


def create_app(
    settings: Settings,
    *,
    accounts: Accounts | None = None,
    jobs: JobQueue | None = None,
    max_upload_bytes: int | None = None,
    chat_window: bool = True,
) -> FastAPI:
    from rag.api import pipeline_for

    accounts = accounts or Accounts.of_store(settings.store)
    jobs = jobs or JobQueue(DEFAULT_QUEUE)
    access = Access(settings.store, accounts)
    if max_upload_bytes is None:
        from ui.app import max_upload_mb

        max_upload_bytes = int(max_upload_mb() * 1_000_000)
    app = FastAPI(title="rag", docs_url=None, redoc_url=None, openapi_url="/v1/openapi.json")
    app.state.jobs = jobs

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, e: ApiError) -> JSONResponse:
        return e.response()

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, e: StarletteHTTPException) -> JSONResponse:
        return ApiError(e.status_code, str(e.detail)).response()

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, e: RequestValidationError) -> JSONResponse:
        return ApiError(400, f"invalid request: {e.errors()[0].get('msg', 'bad input')}").response()

    def caller(request: Request) -> str | None:
        return access.caller(request.headers.get("authorization"))

    def submit(work: Callable[[], Iterable[object]]):
        try:
            return jobs.submit(work, loop=asyncio.get_running_loop())
        except QueueFull as e:
            raise error_for(e) from None

    @app.get("/health")
    async def health() -> dict:
        stats = jobs.stats()
        return {
            "status": "ok",
            "users": not access.local,
            "mode": settings.mode,
            "model": "" if settings.mode == "extractive" else settings.model,
            "queue": asdict(stats),
        }

    @app.get("/v1/models")
    async def models(request: Request) -> dict:
        user = caller(request)
        owners = {w.name: w.owner for w in accounts.workspaces()} if user else {}
        return {
            "object": "list",
            "data": [
                {"id": name, "object": "model", "created": 0, "owned_by": owners.get(name, "local")}
                for name in access.readable(user)
            ],
        }

    @app.post("/v1/chat/completions")
    async def chat(request: Request):
        user = caller(request)
        workspace, question, history, stream = parse_chat(await json_body(request))
        access.need(user, workspace, param="model")
        asked = settings.with_(collection=workspace)
        if not (settings.store / f"{workspace}.manifest.sqlite3").exists():
            raise ApiError(
                404,
                f"workspace {workspace!r} has no documents yet: upload some with "
                f"POST /v1/workspaces/{workspace}/documents",
                param="model",
                code="workspace_empty",
            )
        job = submit(lambda: pipeline_for(asked).stream(question, history=history))
        pieces = job.__aiter__()
        try:
            first = await anext(pieces)  # errors before the first piece get their own status
        except StopAsyncIteration:
            raise ApiError(503, "the answer ended without a result", code="internal") from None
        except Exception as e:
            raise error_for(e) from None
        cid = f"chatcmpl-{secrets.token_hex(12)}"
        created = int(time.time())
        if not stream:
            final = first
            async for piece in pieces:
                final = piece
            if not isinstance(final, Answer):
                raise ApiError(503, "the answer ended without a result", code="internal")
            return completion(cid, created, workspace, final)

        async def events() -> AsyncIterator[str]:
            yield chunk(cid, created, workspace, {"role": "assistant", "content": ""})
            piece = first
            try:
                while True:
                    if isinstance(piece, Answer):
                        yield chunk(cid, created, workspace, {"rag": extra(piece)}, finish="stop")
                    else:
                        yield chunk(cid, created, workspace, {"content": piece})
                    try:
                        piece = await anext(pieces)
                    except StopAsyncIteration:
                        break
            except Exception as e:  # after the headers: OpenAI's clients raise on an error event
                yield f"data: {json.dumps(error_for(e).body())}\n\n"
            finally:
                await pieces.aclose()  # a client that left stops its job at the next piece
            yield "data: [DONE]\n\n"

        return StreamingResponse(
            events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
        )

    # -- documents --------------------------------------------------------------------------------------

    @app.get("/v1/workspaces/{workspace}/documents")
    def list_documents(workspace: str, request: Request) -> dict:  # sync: FastAPI runs it in a thread
        from rag.manifest import DONE, Manifest

        user = caller(request)
        access.need(user, workspace)
        path = settings.store / f"{workspace}.manifest.sqlite3"
        entries = []
        if path.exists():
            manifest = Manifest(path)
            try:
                entries = manifest.entries(DONE)
            finally:
                manifest.close()
        return {
            "object": "list",
            "data": [
                {
                    "id": e.doc_id,
                    "object": "document",
                    "title": e.title or e.doc_id,
                    "date": e.date,
                    "chunks": len(e.chunk_ids),
                    "set_aside": len(e.set_aside),
                }
                for e in entries
            ],
        }

    @app.post("/v1/workspaces/{workspace}/documents", status_code=201)
    async def upload(workspace: str, request: Request) -> dict:
        from ui.app import safe_filename, save_upload

        user = caller(request)
        access.need(user, workspace, edit=True)
        kind = request.headers.get("content-type", "")
        if not kind.startswith("multipart/form-data"):
            raise ApiError(
                415, f"upload files as multipart/form-data (field `file`), not {kind or 'no content type'}"
            )
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > max_upload_bytes + _FORM_SLACK:
            raise too_large(int(length), max_upload_bytes)
        try:
            form = await request.form(max_files=20, max_fields=20)
        except Exception as e:  # malformed multipart
            raise ApiError(400, f"cannot read the upload: {e}") from None
        files = [f for f in form.getlist("file") if isinstance(f, UploadFile)]
        if not files:
            raise ApiError(400, "no file: send each file in a multipart field named `file`", param="file")
        uploads = settings.store / UPLOADS / workspace
        for f in files:  # every file is checked before any is written
            name = f.filename or ""
            if (
                not name
                or "\x00" in name
                or "/" in name
                or "\\" in name
                or PurePosixPath(name).name in (".", "..")
            ):
                raise ApiError(
                    400, f"{name!r}: a file name must be a plain name, with no path or NUL", param="file"
                )
            suffix = Path(safe_filename(name)).suffix.lower()
            from rag.formats import SUFFIXES

            if suffix not in SUFFIXES:
                raise ApiError(415, f"{name}: unsupported type; use {', '.join(SUFFIXES)}", param="file")
            size = f.size if f.size is not None else len(await f.read())
            if size > max_upload_bytes:
                raise too_large(size, max_upload_bytes, name)

        def ingest_all() -> Iterable[dict]:
            import shutil
            import tempfile

            from rag.api import ingest_into
            from rag.ingestion import set_aside_notice

            results = []
            for f in files:
                with tempfile.NamedTemporaryFile() as tmp:
                    f.file.seek(0)
                    shutil.copyfileobj(f.file, tmp)
                    tmp.flush()
                    saved = save_upload(Path(tmp.name), f.filename, uploads, max_upload_bytes)
                report = ingest_into(asked, [saved])
                if report.failed:
                    saved.unlink()
                    results.append(
                        {
                            "id": saved.name,
                            "status": "failed",
                            "error": f"{f.filename}: {report.failed[0][1]}",
                        }
                    )
                else:
                    status = "added" if report.added else "updated" if report.updated else "unchanged"
                    result = {"id": saved.name, "status": status, "summary": report.summary()}
                    found = report.set_aside.get(saved.name, ())
                    if found:  # text addressed to an AI assistant, kept out of the evidence
                        result["set_aside"] = [item.text for item in found]
                        result["notice"] = set_aside_notice(saved.name, len(found))
                    results.append(result)
            yield {"object": "list", "data": results}

        asked = settings.with_(collection=workspace)
        try:
            result = [item async for item in submit(ingest_all)][0]
        except ApiError:
            raise
        except Exception as e:
            raise error_for(e) from None
        failed = [r for r in result["data"] if r["status"] == "failed"]
        if len(failed) == len(result["data"]):
            raise ApiError(400, failed[0]["error"], param="file", code="unreadable")
        return result

    @app.delete("/v1/workspaces/{workspace}/documents/{doc_id:path}")
    async def remove(workspace: str, doc_id: str, request: Request) -> dict:
        from rag.api import remove_from
        from ui.app import safe_filename

        user = caller(request)
        access.need(user, workspace, edit=True)
        if not (settings.store / f"{workspace}.manifest.sqlite3").exists():
            raise ApiError(
                404, f"no document {doc_id!r} in workspace {workspace!r}", code="document_not_found"
            )
        asked = settings.with_(collection=workspace)
        try:
            chunks = [c async for c in submit(lambda: [remove_from(asked, doc_id)])][0]
        except Exception as e:
            raise error_for(e) from None
        if not chunks:
            raise ApiError(
                404, f"no document {doc_id!r} in workspace {workspace!r}", code="document_not_found"
            )
        uploaded = settings.store / UPLOADS / workspace / safe_filename(doc_id)
        if uploaded.name == doc_id and uploaded.is_file():
            uploaded.unlink()
        return {"id": doc_id, "object": "document", "deleted": True, "chunks": chunks}

    @app.api_route("/v1/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    async def unknown(rest: str) -> None:
        raise ApiError(404, f"no such endpoint: /v1/{rest}", code="unknown_url")

    if chat_window:
        mount_chat_window(app, settings, access, jobs, max_upload_bytes)
    return app


async def json_body(request: Request) -> object:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        raise ApiError(415, f"send the request as application/json, not {kind or 'no content type'}")
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > MAX_BODY_BYTES:
        raise too_large(int(length), MAX_BODY_BYTES)
    body = b""
    async for part in request.stream():
        body += part
        if len(body) > MAX_BODY_BYTES:
            raise too_large(len(body), MAX_BODY_BYTES)
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ApiError(400, f"the body is not valid JSON: {e}") from None


def too_large(size: int, limit: int, name: str = "the request") -> ApiError:
    return ApiError(
        413, f"{name}: {size / 1e6:.1f} MB is over the {limit / 1e6:g} MB limit", code="too_large"
    )


def mount_chat_window(app: FastAPI, settings: Settings, access: Access, jobs: JobQueue, limit: int) -> None:
    import gradio as gr

    from ui.app import CSS, build_app, parse_auth, theme

    def through_queue(work: Callable[[], Iterable[object]]) -> Iterable[object]:
        return iter(jobs.submit(work))

    window = build_app(settings, max_upload_bytes=limit, access=access, run=through_queue)
    if access.local:
        auth = parse_auth(os.environ.get("RAG_UI_AUTH"))
    else:

        def auth(user: str, password: str) -> bool:
            return access.accounts.check_password(user, password)

    gr.mount_gradio_app(
        app,
        window,
        path="/",
        auth=auth,
        auth_message="Log in to ask your documents." if auth else None,
        show_error=False,
        max_file_size=limit,
        footer_links=["api"],
        theme=theme(),
        css=CSS,
    )


def serve(settings: Settings, *, host: str = "127.0.0.1", port: int = 8000, queue: int | None = None) -> None:
    import uvicorn

    from rag.api import warm_up

    accounts = Accounts.of_store(settings.store)
    if not accounts.has_users() and not is_loopback(host):
        raise InputError(
            f"refusing to serve on {host} with no users: anyone who can reach it would read every "
            "document. Add one with `rag users add NAME` (then keys and workspaces), or bind 127.0.0.1"
        )
    jobs = JobQueue(queue or queue_size())
    warm_up(mode=settings.mode, model=settings.model)
    app = create_app(settings, accounts=accounts, jobs=jobs)
    who = (
        "users and keys required"
        if accounts.has_users()
        else "one local user, no keys; after `rag users add`, restart for the window's login"
    )
    print(
        f"rag serve on http://{host}:{port}: chat window at /, API at /v1 ({who}; queue of {jobs.size})",
        flush=True,
    )
    uvicorn.run(app, host=host, port=port, log_level="warning")
