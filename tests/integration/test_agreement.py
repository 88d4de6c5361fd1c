"""Corroboration and disagreement end to end: the default corpus plus one planted document, in a real
store with the real embedding model."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from rag import answer, ingest
from rag.pipeline import DISAGREE
from tests.conftest import CORPUS

pytestmark = pytest.mark.integration

PLANTED = """---
title: Regional security brief
date: 2026-03-20
---
# Regional security brief

The share of drugs produced by Colombia and Peru that passes through Ecuador is 5%.
The SOUTHCOM commander is Admiral Jane Doe.
"""
SHARE = "What share of the drugs produced by Colombia and Peru passes through Ecuador?"


@pytest.fixture(scope="module")
def planted_store(tmp_path_factory):
    planted = tmp_path_factory.mktemp("planted")
    (planted / "brief.md").write_text(PLANTED)
    store = tmp_path_factory.mktemp("store")
    ingest([CORPUS, planted], store=store)
    return store


@pytest.mark.parametrize("mode", ["extractive", "auto"])
def test_a_planted_number_is_shown_beside_the_documents_that_contradict_it(planted_store, mode):
    result = answer(SHARE, store=planted_store, mode=mode)
    assert not result.refused and result.text.startswith(DISAGREE)
    majority, planted = result.conflicts
    assert majority.value.startswith("70") and planted.value == "5%"
    assert len({s.doc_id for s in majority.sources}) >= 2  # most documents first
    assert {s.doc_id for s in planted.sources} == {"brief.md"}
    assert result.text.index("70") < result.text.index("5%")
    assert "5% [4] (2026-03-20, the most recent)" in result.text  # a later version is shown as such
    cited = {s.label for s in result.sources}
    assert {s.label for p in result.conflicts for s in p.sources} == cited
    for source in majority.sources:  # each source names the other documents giving its value
        assert set(source.agrees_with) == {s.doc_id for s in majority.sources} - {source.doc_id}


def test_a_planted_name_is_never_the_only_source(planted_store):
    result = answer("Who is the SOUTHCOM commander?", store=planted_store, mode="extractive")
    assert [p.value.split()[-1] for p in result.conflicts] == ["Donovan", "Doe"]
    assert "brief.md" in {s.doc_id for s in result.sources}
    assert len({s.doc_id for s in result.sources}) >= 3


def test_documents_saying_the_same_are_all_cited(corpus_store):
    result = answer(SHARE, store=corpus_store, mode="extractive")
    assert not result.conflicts and "70" in result.text
    documents = {s.doc_id for s in result.sources}
    assert len(documents) >= 2  # "Around 70% ..." and "Approximately 70 percent ..." in other articles
    first = result.sources[0]
    assert set(first.agrees_with) == documents - {first.doc_id}


def test_the_cli_shows_each_value_and_the_json_holds_the_conflicts(planted_store):
    ask = [
        sys.executable,
        "-m",
        "rag.cli",
        "ask",
        SHARE,
        "--store",
        str(planted_store),
        "--mode",
        "extractive",
    ]
    shown = subprocess.run(ask, capture_output=True, text=True, check=True).stdout
    assert "≠ 5%" in shown and "agrees with" in shown
    data = json.loads(subprocess.run([*ask, "--json"], capture_output=True, text=True, check=True).stdout)
    assert [p["value"] for p in data["conflicts"]][-1] == "5%"
    assert all(p["sources"] for p in data["conflicts"])
