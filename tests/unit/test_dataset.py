from pathlib import Path

import pytest

from rag.errors import InputError
from rag.evaluation.dataset import load_questions

GOOD = (
    '{"id": "q1", "question": "Where?", "answers": ["Quito"], "sources": ["a.txt"], '
    '"evidence": ["in Quito"], "answerable": true, "type": "place"}\n'
    "\n"
    '{"id": "q2", "question": "Budget?", "answers": [], "sources": [], "evidence": [], '
    '"answerable": false, "type": "unanswerable"}\n'
)


def test_a_question_set_loads(tmp_path: Path):
    f = tmp_path / "q.jsonl"
    f.write_text(GOOD)
    questions = load_questions(f)
    assert [q.id for q in questions] == ["q1", "q2"]
    assert questions[0].answers == ("Quito",) and not questions[1].answerable


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "q.jsonl:1: not valid JSON"),
        ('["a list"]', "expected a JSON object"),
        ('{"id": "x", "question": "?"}', "missing field\\(s\\) answerable"),
        (
            '{"id": "x", "question": "?", "answerable": true, "answers": []}',
            "needs at least one acceptable answer",
        ),
        ('{"id": "x", "question": "?", "answerable": true, "answers": "Quito"}', "answers must be a list"),
    ],
)
def test_bad_lines_are_named(tmp_path: Path, line, message):
    f = tmp_path / "q.jsonl"
    f.write_text(line + "\n")
    with pytest.raises(InputError, match=message):
        load_questions(f)


def test_duplicate_ids_and_empty_sets_are_errors(tmp_path: Path):
    f = tmp_path / "q.jsonl"
    f.write_text(GOOD.splitlines()[0] + "\n" + GOOD.splitlines()[0] + "\n")
    with pytest.raises(InputError, match="duplicate id 'q1'"):
        load_questions(f)
    f.write_text("\n")
    with pytest.raises(InputError, match="holds no questions"):
        load_questions(f)
