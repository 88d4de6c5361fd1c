from pathlib import Path

import pytest

from rag.config import Settings
from rag.errors import InputError


def test_environment_then_overrides():
    s = Settings.from_env({"RAG_STORE": "/tmp/s", "RAG_K": "3", "RAG_MODE": "extractive"}, k=5, model=None)
    assert s.store == Path("/tmp/s") and s.k == 5 and s.mode == "extractive" and s.model == "gemma3-270m"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"RAG_K": "many"}, "whole number"),
        ({"RAG_K": "0"}, "k must be at least 1"),
        ({"RAG_MODE": "creative"}, "mode must be one of"),
        ({"RAG_COLLECTION": "ab"}, "3\\+ characters"),
    ],
)
def test_bad_settings_are_clear_errors(env, message):
    with pytest.raises(InputError, match=message):
        Settings.from_env(env)
