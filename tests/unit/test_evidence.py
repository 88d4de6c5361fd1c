"""Evidence selection on hand-made hits: which sentences are candidates, how many are embedded, and
which one comes first."""

from rag.evidence import candidate_sentences, select_evidence
from rag.reading import parse_document
from rag.types import Chunk, Hit
from tests.fakes import HashEmbedder


def hit(text: str, doc_id: str = "a.txt", score: float = 0.5) -> Hit:
    doc = parse_document(text, doc_id=doc_id)
    chunk = Chunk(f"{doc_id}#0", doc_id, 0, doc.text, 0, len(doc.text), doc.title, doc.date)
    return Hit(chunk=chunk, score=score)


FILLER = " ".join(f"Item {n} of the list concerns the weather over the hills." for n in range(30))


def test_only_the_best_candidates_by_overlap_are_embedded():
    embedder = HashEmbedder()
    hits = [hit(FILLER + " The harbour of Manta reopened on May 2 after repairs.")]
    assert len(candidate_sentences(hits)) == 31
    evidence = select_evidence("When did the harbour of Manta reopen?", hits, embedder=embedder, embedded=8)
    assert embedder.texts_embedded == 8  # the 8 best sentences by overlap
    assert evidence[0].text == "The harbour of Manta reopened on May 2 after repairs."


def test_a_given_query_vector_is_not_embedded_again():
    embedder = HashEmbedder()
    question = "When did the harbour of Manta reopen?"
    hits = [hit("The harbour of Manta reopened on May 2 after repairs. It is busy again.")]
    vector = embedder.embed_query(question)
    select_evidence(question, hits, embedder=embedder, query_vector=vector)
    assert (embedder.queries, embedder.calls) == (1, 1)  # the given vector, and one batch of sentences


def test_a_sentence_leaning_on_the_one_before_is_taken_with_it():
    hits = [hit("Mayor Ruiz opened the new bridge on Friday. She said it cost 4 million dollars.")]
    texts = [c.text for c in candidate_sentences(hits)]
    assert texts[-1] == "Mayor Ruiz opened the new bridge on Friday. She said it cost 4 million dollars."


def test_evidence_does_not_repeat_a_sentence_within_another():
    hits = [hit("Mayor Ruiz opened the new bridge on Friday. She said it cost 4 million dollars.")]
    evidence = select_evidence("What did Mayor Ruiz open on Friday?", hits, embedder=HashEmbedder())
    assert len(candidate_sentences(hits)) == 2
    assert len(evidence) == 1  # the bridge sentence alone, or taken with the one leaning on it: not both


def test_a_sentence_inside_an_open_quotation_is_taken_with_the_one_that_opened_it():
    hits = [
        hit('Minister Reimberg told reporters his advice was: "Stay home. We are at war now." Rain fell.')
    ]
    texts = [c.text for c in candidate_sentences(hits)]
    assert 'Minister Reimberg told reporters his advice was: "Stay home. We are at war now."' in texts
    assert "Rain fell." not in " ".join(texts)  # under four words: no evidence
    closed = [hit('Minister Reimberg said: "Stay home." We are at war with the gangs now.')]
    assert [c.text for c in candidate_sentences(closed)][-1] == "We are at war with the gangs now."
