from rag.prompts import STOPS, build_prompt
from rag.types import Chunk, Evidence

CHUNK = Chunk(id="d#0", doc_id="d", index=0, text="", start=0, end=0, title="D", date=None)
EVIDENCE = [Evidence(n, CHUNK, f"Fact number {n} " + "word " * 20, 0, 0, 0.5) for n in range(1, 5)]


def words(text: str) -> int:
    return len(text.split())


def chat(messages):
    return "<user>" + messages[-1]["content"] + "</user><assistant>", ("</assistant>",)


def test_completion_prompt_numbers_the_facts_and_ends_at_the_answer():
    p = build_prompt("Why?", EVIDENCE, style="completion", render_chat=chat, count_tokens=words, budget=1000)
    assert "[1] Fact number 1" in p.text and "[4] Fact number 4" in p.text
    assert p.text.endswith("Question: Why?\nAnswer:") and p.stop == STOPS


def test_chat_prompt_goes_through_the_models_template():
    p = build_prompt("Why?", EVIDENCE, style="chat", render_chat=chat, count_tokens=words, budget=1000)
    assert p.text.startswith("<user>Facts:") and p.text.endswith("<assistant>")
    assert "</assistant>" in p.stop


def test_evidence_is_dropped_from_the_end_until_the_prompt_fits():
    p = build_prompt("Why?", EVIDENCE, style="completion", render_chat=chat, count_tokens=words, budget=60)
    assert words(p.text) <= 60
    assert [e.label for e in p.evidence] == [1, 2]
