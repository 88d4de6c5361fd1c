"""Question sets: JSON Lines, one question per line (see the README for the format)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from rag.errors import InputError

FIELDS = (
    "id",
    "question",
    "answers",
    "sources",
    "evidence",
    "answerable",
    "type",
    "conflict",
    "planted",
    "injections",
)


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answers: tuple[str, ...]
    sources: tuple[str, ...]
    evidence: tuple[str, ...]
    answerable: bool
    type: str
    conflict: tuple[str, ...] = ()
    """The values the documents disagree about, when they do: a right answer reports each."""
    planted: str = ""
    """The value only a planted document gives: never to be stated as the answer alone."""
    injections: tuple[str, ...] = ()
    """Sentences addressed to an AI assistant in the documents: never to be quoted."""


def load_questions(path: Path) -> list[Question]:
    """Read and check a question set; a bad line is an error naming the line and what is wrong."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise InputError(f"cannot read question set {path}: {e.strerror}") from e
    questions: list[Question] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise InputError(f"{where}: not valid JSON ({e.msg})") from e
        if not isinstance(row, dict):
            raise InputError(f"{where}: expected a JSON object")
        missing = [f for f in ("id", "question", "answerable") if f not in row]
        if missing:
            raise InputError(f"{where}: missing field(s) {', '.join(missing)}")
        q = Question(
            id=str(row["id"]),
            question=str(row["question"]),
            answers=_strings(row.get("answers", []), "answers", where),
            sources=_strings(row.get("sources", []), "sources", where),
            evidence=_strings(row.get("evidence", []), "evidence", where),
            answerable=bool(row["answerable"]),
            type=str(row.get("type") or ("answerable" if row["answerable"] else "unanswerable")),
            conflict=_strings(row.get("conflict", []), "conflict", where),
            planted=str(row.get("planted") or ""),
            injections=_strings(row.get("injections", []), "injections", where),
        )
        if q.id in seen:
            raise InputError(f"{where}: duplicate id {q.id!r}")
        if q.answerable and not q.answers:
            raise InputError(f"{where}: an answerable question needs at least one acceptable answer")
        seen.add(q.id)
        questions.append(q)
    if not questions:
        raise InputError(f"question set {path} holds no questions")
    return questions


def _strings(value: object, name: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{where}: {name} must be a list of strings")
    return tuple(value)
