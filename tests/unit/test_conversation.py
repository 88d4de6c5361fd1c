from rag.conversation import is_follow_up, standalone_query
from rag.types import Turn

HISTORY = [Turn("Which provinces are under the curfew?", "Guayas, Los Rios, Santo Domingo and El Oro [1].")]


def test_a_question_without_history_is_kept():
    q = standalone_query("When does the curfew end?")
    assert q.question == q.search_text == "When does the curfew end?"


def test_a_standalone_question_ignores_history():
    q = standalone_query("Who commands SOUTHCOM?", HISTORY)
    assert q.search_text == "Who commands SOUTHCOM?"


def test_a_follow_up_carries_the_previous_turn_into_search():
    q = standalone_query("and when does it end?", HISTORY)
    assert q.question == "When does it end?"
    assert "Which provinces are under the curfew?" in q.search_text
    assert "Guayas" in q.search_text and "[1]" not in q.search_text


def test_follow_up_detection():
    assert is_follow_up("And what about Manta?")
    assert is_follow_up("When did he say that?")
    assert is_follow_up("Why?")
    assert not is_follow_up("Where did Noboa meet Donovan?")
