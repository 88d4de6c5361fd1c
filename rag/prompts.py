"""Prompts per model kind: a plain completion prompt for base models, the chat template for instruct ones.

Both show the same text: a few short, numbered evidence sentences and the question, ending where the
answer begins. Measured on the default question set, this bare frame did better with both bundled
models than frames that add instructions (which tiny models copy or continue instead of following).
The evidence is cut to the model's context, counted with the model's own tokenizer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rag.types import Evidence

# A base model continues text: these end its answer where it starts writing the next exercise.
STOPS = ("\n\n", "Question:", "\nAnswer:", "Facts:")


@dataclass(frozen=True)
class Prompt:
    text: str
    evidence: list[Evidence]
    stop: tuple[str, ...]


def prompt_text(question: str, evidence: list[Evidence]) -> str:
    facts = "\n".join(f"[{e.label}] {e.framed}" for e in evidence)
    return f"Facts:\n{facts}\n\nQuestion: {question}\nAnswer:"


def build_prompt(
    question: str,
    evidence: list[Evidence],
    *,
    style: str,
    render_chat: Callable[[list[dict[str, str]]], tuple[str, tuple[str, ...]]],
    count_tokens: Callable[[str], int],
    budget: int,
) -> Prompt:
    """The prompt for ``style`` with as much of ``evidence`` (best first) as fits in ``budget`` tokens."""
    kept = list(evidence)
    while True:
        text, stop = prompt_text(question, kept), STOPS
        if style == "chat":
            text, template_stops = render_chat([{"role": "user", "content": text}])
            stop = STOPS + template_stops
        if count_tokens(text) <= budget or len(kept) <= 1:
            return Prompt(text=text, evidence=kept, stop=stop)
        kept.pop()
