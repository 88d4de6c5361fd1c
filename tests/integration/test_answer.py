"""The real thing end to end: real embedder, real Chroma, the default GGUF model."""

from __future__ import annotations

import pytest

from rag import Answer, answer, ingest, stream_answer
from rag.api import generator_factory
from rag.config import Settings
from rag.errors import StoreError
from tests.conftest import CORPUS

pytestmark = pytest.mark.integration

STRIKES = "In which province did the March 6 strikes take place?"


def test_the_strikes_question_cites_the_strikes_article(corpus_store):
    result = answer(STRIKES, store=corpus_store)
    assert not result.refused
    assert "004_0d8d2c443041b939.txt" in {s.doc_id for s in result.sources}
    for source in result.sources:
        assert source.quote and source.title and source.date
        assert source.quote in source.passage


def test_the_default_model_answers_only_in_the_evidence_s_words():
    assert generator_factory(Settings.from_env(model="gemma3-270m"))().verbatim


def test_streaming_yields_the_text_then_the_answer(corpus_store):
    pieces = list(stream_answer(STRIKES, store=corpus_store))
    final = pieces[-1]
    assert isinstance(final, Answer)
    assert "".join(p for p in pieces[:-1]) == final.text
    assert final.timings.first_token_s <= final.timings.total_s


def test_quotes_are_exact_sentences_of_the_documents(corpus_store):
    result = answer(
        "What share of the drugs from Colombia and Peru passes through Ecuador?", store=corpus_store
    )
    assert not result.refused
    for source in result.sources:
        text = (CORPUS / source.doc_id).read_text()
        assert source.quote in text
        assert "70" in source.quote


def test_a_question_the_documents_do_not_answer_is_refused(corpus_store):
    result = answer("How many US troops were deployed to Manta?", store=corpus_store)
    assert result.refused and result.sources == ()


def test_reingesting_the_corpus_changes_nothing(corpus_store):
    report = ingest([CORPUS], store=corpus_store)
    assert report.added == [] and report.updated == [] and len(report.unchanged) == 5


def test_a_store_that_was_never_filled_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="rag ingest"):
        answer(STRIKES, store=tmp_path / "empty")


def test_documents_are_listed_and_removed(tmp_path):
    from rag import documents, remove

    ingest([CORPUS / "003_81499039b1a2f7a8.txt"], store=tmp_path)
    listed = documents(store=tmp_path)
    assert [d.doc_id for d in listed] == ["003_81499039b1a2f7a8.txt"] and listed[0].date is None
    assert remove("003_81499039b1a2f7a8.txt", store=tmp_path) == listed[0].chunks > 0
    assert documents(store=tmp_path) == [] and remove("003_81499039b1a2f7a8.txt", store=tmp_path) == 0
