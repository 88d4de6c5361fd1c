"""Generation: a GGUF model run by llama-cpp-python, loaded once per process and streamed."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from rag.errors import ModelError


class Generator(Protocol):
    """What the pipeline needs from a language model."""

    name: str
    style: str  # "chat" (instruction-tuned, has a template) or "completion" (base model)
    context_tokens: int

    def count_tokens(self, text: str) -> int: ...

    def render_chat(self, messages: list[dict[str, str]]) -> tuple[str, tuple[str, ...]]:
        """The model's own chat template applied to ``messages``, and the stops it implies."""
        ...

    def stream(self, prompt: str, *, max_tokens: int, stop: Sequence[str]) -> Iterator[str]: ...


class LlamaGenerator:
    """A GGUF file under llama.cpp. Greedy decoding: the same evidence gives the same answer.

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
    ) -> None:
        self.path = Path(path)
        self.name = name or self.path.stem
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
        self.context_tokens = self._llm.n_ctx()
        self._template = self._llm.metadata.get("tokenizer.chat_template")
        self.style = style or ("chat" if self._template else "completion")
        if self.style == "chat" and not self._template:
            raise ModelError(f"model {self.path} has no chat template: use it as a completion model")

    def count_tokens(self, text: str) -> int:
        return len(self._tokens(text))

    def render_chat(self, messages: list[dict[str, str]]) -> tuple[str, tuple[str, ...]]:
        formatter = self._formatter()
        response = formatter(messages=messages)
        stop = response.stop if isinstance(response.stop, list) else [response.stop] if response.stop else []
        return response.prompt, tuple(s for s in stop if s)

    def stream(self, prompt: str, *, max_tokens: int, stop: Sequence[str]) -> Iterator[str]:
        with self._lock:
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
