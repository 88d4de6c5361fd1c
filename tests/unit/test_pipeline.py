"""The whole answer path with a real Chroma store in tmp_path, a hashing embedder and a scripted model."""

import pytest

from rag.confidence import SIGNALS
from rag.errors import InputError
from rag.ingestion import Chunking
from rag.pipeline import CLOSEST, REFUSAL, Pipeline
from rag.reading import parse_document
from rag.retrieval import Retriever
from rag.types import Answer, Turn
from tests.conftest import store_docs
from tests.fakes import ScriptedGenerator

CHUNKS = Chunking(max_tokens=40, overlap_tokens=8, count=lambda text: len(text.split()))


@pytest.fixture
def make_pipeline(index, embedder, news_doc):
    store_docs(index, [news_doc], embedder, CHUNKS)

    def make(*replies: str, mode: str = "auto", verbatim: bool = False) -> tuple[Pipeline, ScriptedGenerator]:
        generator = ScriptedGenerator(*replies, verbatim=verbatim)
        return Pipeline(
            retriever=Retriever(index, embedder),
            embedder=embedder,
            generator=lambda: generator,
            k=4,
            mode=mode,
            min_score=0.2,
        ), generator

    return make


QUESTION = "In which province near the border was the operation carried out?"


def test_a_verified_answer_is_streamed_and_cited(make_pipeline):
    pipeline, generator = make_pipeline("Around 70% [1].")
    pieces = list(
        pipeline.stream("What share of the drugs produced by Colombia and Peru is shipped through Ecuador?")
    )
    answer = pieces[-1]
    assert isinstance(answer, Answer) and not answer.refused
    assert "".join(pieces[:-1]) == answer.text == "Around 70% [1]."
    assert answer.sources[0].doc_id == "news/strikes.txt" and "70%" in answer.sources[0].quote
    assert answer.sources[0].date == "2026-03-09"
    assert "[1] " in generator.prompts[0] and generator.prompts[0].endswith("Answer:")
    assert answer.retrieved and answer.timings.total_s >= answer.timings.retrieve_s > 0


def test_the_question_is_embedded_once_for_retrieval_and_evidence(make_pipeline, embedder):
    pipeline, _ = make_pipeline("Sucumbios province [1].")
    before = embedder.queries
    pipeline.answer(QUESTION)
    assert embedder.queries - before == 1


def test_a_pick_among_several_candidates_falls_back_to_quoting_them_all(make_pipeline):
    pipeline, _ = make_pipeline("Sucumbios province [1].")  # the sentence also names Colombia
    answer = pipeline.answer(QUESTION)
    assert not answer.refused and answer.text.startswith("The operation was carried out in the northeastern")
    assert "several places" in answer.reason


def test_an_invented_figure_falls_back_to_quoting_the_evidence(make_pipeline):
    pipeline, _ = make_pipeline("In Sucumbios, where 400 died [1].")
    answer = pipeline.answer(QUESTION)
    assert not answer.refused and "400" not in answer.text
    assert answer.text.startswith("The operation was carried out in the northeastern province of Sucumbios")
    assert "400" in answer.reason


def test_a_paraphrase_in_words_the_evidence_lacks_falls_back_to_quoting_it(make_pipeline):
    pipeline, _ = make_pipeline("Around 70% of all smuggled cargo [1].")
    answer = pipeline.answer(
        "What share of the drugs produced by Colombia and Peru is shipped through Ecuador?"
    )
    assert not answer.refused and answer.text.startswith("Around 70% of the drugs produced by Colombia")
    assert "smuggl" in answer.reason and "cargo" in answer.reason


def test_a_verbatim_model_s_rewording_falls_back_to_quoting_the_evidence(make_pipeline):
    question = "What share of the drugs produced by Colombia and Peru is shipped through Ecuador?"
    pipeline, _ = make_pipeline("Around 70% of the drugs [1].", verbatim=True)
    assert pipeline.answer(question).text == "Around 70% of the drugs [1]."
    pipeline, _ = make_pipeline("About 70% of the drugs [1].", verbatim=True)  # not the evidence's words
    answer = pipeline.answer(question)
    assert not answer.refused and answer.text.startswith("Around 70% of the drugs produced by Colombia")
    assert "not in the words of the evidence" in answer.reason
    pipeline, _ = make_pipeline("About 70% of the drugs [1].")  # a model that may reword
    assert pipeline.answer(question).text == "About 70% of the drugs [1]."


def test_a_negated_twin_of_an_answerable_question_gets_the_closest_passage_not_an_answer(make_pipeline):
    pipeline, generator = make_pipeline("Sucumbios [1].")
    answer = pipeline.answer("In which province near the border was the operation not carried out?")
    assert answer.refused and answer.outcome == "closest" and answer.confidence is None
    assert answer.text.startswith(CLOSEST) and "Sucumbios" in answer.text and answer.text.endswith("[1]")
    assert answer.sources[0].quote.startswith("The operation was carried out")
    assert "negated" in answer.reason and not generator.prompts  # nothing was generated


def test_an_answer_carries_its_confidence_and_a_minimum_turns_it_into_the_closest_passage(make_pipeline):
    pipeline, _ = make_pipeline("Sucumbios province [1].", "Sucumbios province [1].")
    answer = pipeline.answer(QUESTION)
    assert answer.outcome == "answer" and 0 < answer.confidence < 1 and len(answer.signals) == len(SIGNALS)
    pipeline.min_confidence = answer.confidence + 0.01
    withheld = pipeline.answer(QUESTION)
    assert withheld.refused and withheld.outcome == "closest" and "below the minimum" in withheld.reason
    assert withheld.sources[0].quote == answer.sources[0].quote


def test_generative_mode_refuses_rather_than_show_an_unsupported_answer(make_pipeline):
    pipeline, _ = make_pipeline("In Brazil [1].", mode="generative")
    answer = pipeline.answer(QUESTION)
    assert answer.refused and answer.text == REFUSAL and not answer.sources


def test_extractive_mode_never_loads_the_model(index, embedder, news_doc):
    store_docs(index, [news_doc], embedder, CHUNKS)

    def no_model():
        raise AssertionError("the model must not load")

    answer = Pipeline(
        retriever=Retriever(index, embedder),
        embedder=embedder,
        generator=no_model,
        mode="extractive",
        min_score=0.2,
    ).answer(QUESTION)
    assert (
        answer.text == "The operation was carried out in the northeastern province of Sucumbios "
        "near the border with Colombia [1]."
    )
    assert answer.sources[0].quote == answer.text.replace(" [1]", "")


def test_undisclosed_details_are_refused_without_calling_the_model(make_pipeline):
    pipeline, generator = make_pipeline("Five casualties [1].")
    answer = pipeline.answer("How many casualties did the joint strikes cause?")
    assert answer.refused and answer.sources == () and "not disclosed" in answer.reason
    assert generator.prompts == []


def test_questions_far_from_the_documents_are_refused(make_pipeline):
    pipeline, generator = make_pipeline("Paris [1].")
    answer = pipeline.answer("What is the capital of France?")
    assert answer.refused and generator.prompts == []


def test_follow_up_questions_use_the_conversation(make_pipeline):
    pipeline, _ = make_pipeline("Sucumbios [1].")
    answer = pipeline.answer(
        "And where was it?", history=[Turn("Tell me about the joint strikes in Ecuador", "")]
    )
    assert "joint strikes" in answer.standalone_question


def test_an_empty_question_is_an_input_error(make_pipeline):
    pipeline, _ = make_pipeline("x")
    with pytest.raises(InputError, match="empty"):
        pipeline.answer("   ")


def test_headings_are_never_quoted_as_evidence(index, embedder):
    from rag.evidence import candidate_sentences
    from rag.reading import parse_document

    doc = parse_document(
        "Rising violence in the port city\nViolence in the port city rose by a third last year.\n",
        doc_id="h.txt",
    )
    store_docs(index, [doc], embedder, CHUNKS)
    hits = Retriever(index, embedder).retrieve("violence in the port city", 2)
    assert [c.text for c in candidate_sentences(hits)] == [
        "Violence in the port city rose by a third last year."
    ]


def test_warming_up_reads_the_keyword_index_and_loads_the_model(make_pipeline):
    pipeline, generator = make_pipeline("Sucumbios [1].")
    manifest = pipeline.retriever.index.manifest
    assert manifest._postings is None
    pipeline.warm_up("extractive")
    assert manifest._postings is not None and pipeline._generator is None
    pipeline.warm_up()
    assert pipeline._generator is generator


def test_a_generated_answer_that_other_documents_corroborate_cites_them_and_says_they_agree(
    index, embedder, news_doc
):
    other = parse_document(
        "date 2026-03-10 Drug routes\nAbout 70% of the drugs produced by Colombia and Peru pass through "
        "Ecuador, officials said.\n",
        doc_id="news/routes.txt",
        path="news/routes.txt",
    )
    store_docs(index, [news_doc, other], embedder, CHUNKS)
    generator = ScriptedGenerator("Around 70% [1].")
    pipeline = Pipeline(
        retriever=Retriever(index, embedder),
        embedder=embedder,
        generator=lambda: generator,
        k=4,
        min_score=0.2,
    )
    answer = pipeline.answer("What share of the drugs produced by Colombia and Peru passes through Ecuador?")
    assert not answer.refused and not answer.conflicts
    assert answer.text == "Around 70% [1][2]."  # the model saw one unit; the other document is cited too
    assert {s.doc_id for s in answer.sources} == {"news/strikes.txt", "news/routes.txt"}
    for source in answer.sources:
        assert source.agrees_with == tuple({"news/strikes.txt", "news/routes.txt"} - {source.doc_id})
