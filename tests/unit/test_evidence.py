"""Evidence selection on hand-made hits: which sentences are candidates, how many are embedded, and
which one comes first."""

from rag.evidence import candidate_sentences, select_evidence
from rag.question import analyse
from rag.reading import parse_document
from rag.types import Chunk, Hit
from tests.fakes import HashEmbedder


def hit(text: str, doc_id: str = "a.txt", score: float = 0.5) -> Hit:
    doc = parse_document(text, doc_id=doc_id)
    chunk = Chunk(
        f"{doc_id}#0", doc_id, 0, doc.text, 0, len(doc.text), doc.title, doc.date, blocks=doc.blocks
    )
    return Hit(chunk=chunk, score=score)


FILLER = " ".join(f"Item {n} of the list concerns the weather over the hills." for n in range(30))


def test_only_the_best_candidates_by_overlap_are_embedded():
    question = "When did the harbour of Manta reopen?"
    embedder = HashEmbedder()
    hits = [hit(FILLER + " The harbour of Manta reopened on May 2 after repairs.")]
    assert len(candidate_sentences(hits)) == 31
    evidence = select_evidence(analyse(question), question, hits, embedder=embedder, embedded=8)
    assert embedder.texts_embedded == 8  # the 8 best sentences by overlap
    assert evidence[0].text == "The harbour of Manta reopened on May 2 after repairs."


def test_a_given_query_vector_is_not_embedded_again():
    embedder = HashEmbedder()
    question = "When did the harbour of Manta reopen?"
    hits = [hit("The harbour of Manta reopened on May 2 after repairs. It is busy again.")]
    vector = embedder.embed_query(question)
    select_evidence(analyse(question), question, hits, embedder=embedder, query_vector=vector)
    assert (embedder.queries, embedder.calls) == (1, 1)  # the given vector, and one batch of sentences


def test_a_sentence_leaning_on_the_one_before_is_taken_with_it():
    hits = [hit("Mayor Ruiz opened the new bridge on Friday. She said it cost 4 million dollars.")]
    texts = [c.text for c in candidate_sentences(hits)]
    assert texts[-1] == "Mayor Ruiz opened the new bridge on Friday. She said it cost 4 million dollars."


def test_evidence_does_not_repeat_a_sentence_within_another():
    text = "Mayor Ruiz opened the new bridge on Friday. She said it cost 4 million dollars."
    hits = [hit(text)]
    assert [c.text for c in candidate_sentences(hits)] == [
        "Mayor Ruiz opened the new bridge on Friday.",
        text,
    ]
    # whichever of the two scores higher, the one holding both is kept, in the better one's place
    for question in ["What did Mayor Ruiz open on Friday?", "What did the bridge cost, she said?"]:
        evidence = select_evidence(analyse(question), question, hits, embedder=HashEmbedder())
        assert [e.text for e in evidence] == [text]


def test_a_sentence_inside_an_open_quotation_is_taken_with_the_one_that_opened_it():
    text = 'Minister Reimberg told his advice was: "Stay home. We are at war now." Rain fell all night.'
    texts = [c.text for c in candidate_sentences([hit(text)])]
    assert texts == [
        'Minister Reimberg told his advice was: "Stay home.',
        'Minister Reimberg told his advice was: "Stay home. We are at war now."',
        "Rain fell all night.",
    ]
    closed = [hit('Minister Reimberg said: "Stay home." We are at war with the gangs now.')]
    assert [c.text for c in candidate_sentences(closed)][-1] == "We are at war with the gangs now."
    inches = [hit('The new pipe is 12" wide at the valve. Workers laid it in March this year.')]
    assert [c.text for c in candidate_sentences(inches)][-1] == "Workers laid it in March this year."


def test_a_unit_holding_what_is_asked_ranks_above_the_sentence_introducing_it():
    text = (
        "Report a lost or stolen device to the IT service desk at once:\n\n"
        "- Phone: extension 4400\n"
        "- E-mail: desk@example.org\n"
    )
    question = "How many hours does the IT service desk take to answer a report of a lost device?"
    evidence = select_evidence(analyse(question), question, [hit(text)], embedder=HashEmbedder())
    rank = {e.text.lstrip("- "): e.rank for e in evidence}
    assert (
        rank["Phone: extension 4400"] > rank["Report a lost or stolen device to the IT service desk at once:"]
    )
    # closeness is its own: the units come closest first
    assert [e.score for e in evidence] == sorted((e.score for e in evidence), reverse=True)


HELP = """\
# normalizer

## Command line

```
usage: normalizer [-h] [-m] file

  -m, --minimal   Print only the detected encoding. Leave out the JSON
                  report.
  -r, --replace   Replace the file with its UTF-8 text.
}
```

## Settings

```toml
# Same width as Black.
line-length = 88
# end of the settings
}

target = "py311"
```
"""


def test_a_code_block_s_units_are_its_lines_with_their_comments_and_wrapped_descriptions():
    texts = [c.text for c in candidate_sentences([hit(HELP, doc_id="n.md")])]
    assert texts == [
        "usage: normalizer [-h] [-m] file",
        "-m, --minimal   Print only the detected encoding. Leave out the JSON\n                  report.",
        "-r, --replace   Replace the file with its UTF-8 text.",
        "# Same width as Black.\nline-length = 88",
        "# end of the settings",
        'target = "py311"',
    ]
