"""The answer pipeline, stage by stage: rewrite -> retrieve -> select evidence -> decide support ->
weigh what each document says -> generate -> verify -> cite. Each stage lives in its own module; this
one only wires them."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field, replace

from rag.agreement import Agreement, weigh
from rag.citations import Claim, check_sentence, cite, to_source
from rag.confidence import estimate, signals
from rag.conversation import standalone_query
from rag.embeddings import Embedder
from rag.errors import InputError
from rag.evidence import select_evidence
from rag.generation import Generator
from rag.injection import Classifier, passed_over
from rag.lexicon import antonyms
from rag.prompts import build_prompt
from rag.question import Question, analyse
from rag.refusal import MIN_SCORE, Support, assess_support, holds_kind, picks, rivals
from rag.retrieval import Retriever
from rag.text import content_terms, split_sentences
from rag.types import Answer, Evidence, Filters, Position, Source, Timings, Turn

REFUSAL = "The documents don't say. Nothing in them answers this question."
CLOSEST = "The documents don't answer this directly. The closest passage:"
DISAGREE = "The documents disagree:"
ASSESSED_UNITS = 4
"""Evidence units (best first) whose support for an answer is assessed, and on which the answer rests."""
WEIGHED_UNITS = 8
"""Evidence units (best first) read for what other documents say of what is asked (``rag.agreement``)."""


class Pipeline:
    """Answers questions from one store with one embedder and (unless extractive) one generator.

    ``generator`` is a factory so that extractive answers never load a model; it is called once.
    ``min_score`` is the evidence score below which it refuses; it depends on the embedding model
    (the default is calibrated for all-MiniLM-L6-v2). ``evidence_shown`` is how many supporting
    sentences the model sees: the 135M-270M models pick the wrong one of three more often than
    they extract the right span from one (measured on the default question set), so one by default.
    ``min_confidence``: an answer estimated less likely right (``rag.confidence``) is shown as the
    closest passage instead.
    """

    def __init__(
        self,
        *,
        retriever: Retriever,
        embedder: Embedder,
        generator: Callable[[], Generator] | None = None,
        k: int = 8,
        mode: str = "auto",
        answer_tokens: int = 64,
        min_score: float = MIN_SCORE,
        evidence_shown: int = 1,
        min_confidence: float = 0.0,
    ) -> None:
        self.retriever = retriever
        self.embedder = embedder
        self._make_generator = generator
        self._generator: Generator | None = None
        self.k = k
        self.mode = mode
        self.answer_tokens = answer_tokens
        self.min_score = min_score
        self.evidence_shown = evidence_shown
        self.min_confidence = min_confidence
        self._screen = Classifier.for_embedder(embedder)

    @property
    def generator(self) -> Generator:
        if self._generator is None:
            if self._make_generator is None:
                raise InputError("this pipeline has no generator: use mode='extractive'")
            self._generator = self._make_generator()
        return self._generator

    def warm_up(self, mode: str | None = None) -> None:
        """Load what answering in ``mode`` needs now, so the first answer is not slower than the rest:
        the embedding model, the store's indexes (the keyword index is read into memory on first
        use: about 2 s at 100k chunks), WordNet's antonyms (0.6 s) and, unless extractive, the
        generator."""
        self.retriever.retrieve("warm up", 1)
        antonyms()
        if (mode or self.mode) != "extractive":
            _ = self.generator

    def stream(
        self,
        question: str,
        *,
        history: Sequence[Turn] = (),
        k: int | None = None,
        mode: str | None = None,
        filters: Filters = Filters(),
    ) -> Iterator[str | Answer]:
        """Yield the answer's text in verified pieces, then the ``Answer``."""
        if not question or not question.strip():
            raise InputError("the question is empty: ask something about your documents")
        mode = mode or self.mode
        k = k or self.k
        started = time.perf_counter()
        query = standalone_query(question, history)
        vector = self.embedder.embed_query(query.search_text)  # once, for retrieval and evidence
        hits = self.retriever.retrieve(query.search_text, k, filters, vector=vector)
        q = analyse(query.question)  # once: every stage below reads it
        units = select_evidence(
            q,
            query.search_text,
            hits,
            embedder=self.embedder,
            query_vector=vector,
            max_sentences=WEIGHED_UNITS,
        )
        # what reads as addressed to the assistant is no evidence (what ingest set aside is gone already)
        addressed = passed_over([u.text for u in units], self.embedder, self._screen)
        units = [u for u, skip in zip(units, addressed, strict=True) if not skip]
        evidence = units[:ASSESSED_UNITS]
        support = assess_support(q, evidence, min_score=self.min_score)
        support, confidence, values = self._estimate(q, support, evidence)
        agreement = weigh(q, support, units, hits)
        retrieved = time.perf_counter()
        text, sources, refused, reason = REFUSAL, (), True, support.reason
        outcome, conflicts = "refusal", ()
        if support.closest is not None:  # shown as what comes closest, never as the answer
            text, sources = _closest(support.closest)
            outcome = "closest"
        streamed, first_piece_at = "", None
        if agreement.conflict:  # every value with its sources, whatever the model would pick
            (text, sources, conflicts), refused = _disagreement(agreement), False
            reason = "the documents disagree"
        elif support.supported and mode == "extractive":
            (text, sources), refused = _extractive(support.evidence, agreement.corroborating), False
        elif support.supported:
            shown = _numbered(support.eligible[: self.evidence_shown])
            draft = _Draft(also=_numbered(agreement.corroborating, after=shown, excluding=shown))
            for piece in self._verified_pieces(q, shown, draft):
                first_piece_at = first_piece_at or time.perf_counter()
                streamed += piece
                yield piece
            problem = draft.problem
            if draft.claims:
                (text, sources), refused = cite(tuple(draft.claims), [*shown, *draft.also]), False
                if set(draft.claims[0].labels) & {e.label for e in draft.also}:  # corroborated
                    sources = _agreeing(sources, among=[shown[0], *draft.also])
                reason = problem
            elif mode == "auto":
                (text, sources), refused = _extractive(support.evidence, agreement.corroborating), False
                reason = f"generated answer not shown ({problem}); quoting the evidence"
            else:
                reason = f"generated answer not shown: {problem}"
        finished = time.perf_counter()
        if not streamed:
            yield text
        yield Answer(
            question=question,
            text=text,
            sources=sources,
            refused=refused,
            mode=mode,
            model="" if mode == "extractive" else self.generator.name,
            timings=_timings(started, retrieved, first_piece_at or finished, finished),
            standalone_question=query.search_text,
            retrieved=tuple(hits),
            reason=reason,
            outcome=outcome if refused else "answer",
            confidence=None if refused else confidence,
            signals=values,
            conflicts=conflicts,
        )

    def _estimate(
        self, q: Question, support: Support, evidence: list[Evidence]
    ) -> tuple[Support, float | None, tuple[float, ...]]:
        """The support, its confidence and the signals it was estimated from; below
        ``min_confidence``, the evidence becomes the closest passage instead of the answer."""
        if not support.supported:
            return support, None, ()
        values = tuple(signals(q, support.evidence, support.eligible, evidence))
        confidence = estimate(values)
        if confidence < self.min_confidence:
            why = f"confidence {confidence:.2f} is below the minimum {self.min_confidence:.2f}"
            support = Support(None, reason=why, closest=support.evidence)
        return support, confidence, values

    def answer(self, question: str, **options) -> Answer:
        *_, final = self.stream(question, **options)
        return final

    def _verified_pieces(self, q: Question, shown: list[Evidence], draft: _Draft) -> Iterator[str]:
        """Generate, and yield each answer sentence, cited, once it is verified. Stop at the first
        that fails: what fails is not shown, nor anything after it. ``draft`` collects the claims
        and why generation stopped short."""
        draft.problem = "the model gave no answer"
        text = ""
        for sentence in self._generate_sentences(q.text, shown):
            claim, problem = check_sentence(
                sentence, shown, q, said=draft.claims, verbatim=self.generator.verbatim
            )
            if claim and not draft.claims:
                problem = _first_claim_problem(q, claim, shown)
                claim = None if problem else claim
            if claim is None:
                draft.problem = problem
                return
            if not draft.claims and shown[0].label in claim.labels:  # other documents say the same
                claim = Claim(claim.text, (*claim.labels, *(e.label for e in draft.also)))
            draft.claims.append(claim)
            draft.problem = ""
            # Markers are renumbered in order of first citation, so earlier text never changes.
            longer, _ = cite(tuple(draft.claims), [*shown, *draft.also])
            yield longer[len(text) :]
            text = longer

    def _generate_sentences(self, question: str, evidence: list[Evidence]) -> Iterator[str]:
        """The model's answer, one complete sentence at a time (so each can be checked before it is shown)."""
        gen = self.generator
        prompt = build_prompt(
            question,
            evidence,
            style=gen.style,
            render_chat=gen.render_chat,
            count_tokens=gen.count_tokens,
            budget=gen.context_tokens - self.answer_tokens,
        )
        buffer = ""
        with closing(gen.stream(prompt.text, max_tokens=self.answer_tokens, stop=prompt.stop)) as tokens:
            for token in tokens:
                buffer = (buffer + token).lstrip()
                line_end = buffer.find("\n")
                if line_end >= 0:  # the answer is one line; what follows is the model going on
                    buffer = buffer[:line_end]
                    break
                spans = split_sentences(buffer)
                if len(spans) > 1:
                    for start, end in spans[:-1]:
                        yield buffer[start:end]
                    buffer = buffer[spans[-1][0] :]
        if buffer.strip():
            yield buffer.strip()


@dataclass
class _Draft:
    """The verified part of a generated answer, and why the rest was not shown. ``also``: units of
    other documents giving the same value, cited beside the first claim's evidence (not shown to
    the model)."""

    also: list[Evidence] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    problem: str = ""


_PLURALS = {"person": "people", "money": "sums"}


def _first_claim_problem(q: Question, claim: Claim, shown: Sequence[Evidence]) -> str:
    """Why the answer's first sentence may not be shown, or "": it must give the kind of thing asked
    for in words of the question or the evidence it cites, and pick it from evidence that holds only
    one candidate (a tiny model's pick among several is a guess; the quoted sentence holds them all)."""
    kind = q.kind
    if not holds_kind(q, claim.text, short_answer=True):
        return f"the answer does not give the {kind} the question asks for"
    cited = [e for e in shown if e.label in claim.labels]
    worded = set(q.terms) | set(content_terms(" ".join(f"{e.context} {e.text}" for e in cited)))
    new = [t for t in content_terms(claim.text) if t not in worded]
    if new:  # a tiny model's paraphrase is a guess at what the evidence means
        return f"the answer says what neither the question nor the evidence says ({', '.join(new)})"
    text, context = " ".join(e.text for e in cited), " ".join(e.chunk.text for e in cited)
    options = rivals(q, text, context=context)
    if len(options) > 1:
        return f"the evidence holds several {_PLURALS.get(kind, kind + 's')} the question could mean"
    if options and not picks(kind, claim.text, options):
        return f"the answer does not give the {kind} the evidence holds for the question"
    return ""


def _numbered(
    evidence: Sequence[Evidence], *, after: Sequence[Evidence] = (), excluding: Sequence[Evidence] = ()
) -> list[Evidence]:
    """``evidence`` labelled in order, after the labels of ``after``, leaving out ``excluding``."""
    left = [e for e in evidence if not any(_same_unit(e, x) for x in excluding)]
    return [replace(e, label=n) for n, e in enumerate(left, start=len(after) + 1)]


def _same_unit(a: Evidence, b: Evidence) -> bool:
    return (a.chunk.doc_id, a.start, a.end) == (b.chunk.doc_id, b.start, b.end)


def _extractive(e: Evidence, also: Sequence[Evidence] = ()) -> tuple[str, tuple]:
    """The evidence sentence itself, quoted and cited, with the units of other documents that give
    the same value (``also``)."""
    units = _numbered([e, *also])
    text, sources = cite((Claim(e.text, tuple(u.label for u in units)),), units)
    return text, _agreeing(sources)


def _agreeing(sources: Sequence[Source], among: Sequence[Evidence] = ()) -> tuple[Source, ...]:
    """Sources that all give one value, each saying which other documents agree; with ``among``,
    only the sources of those units' documents give it (a generated answer may cite more)."""
    documents = tuple(dict.fromkeys([e.chunk.doc_id for e in among] or [s.doc_id for s in sources]))
    return tuple(
        replace(s, agrees_with=tuple(d for d in documents if d != s.doc_id)) if s.doc_id in documents else s
        for s in sources
    )


def _disagreement(agreement: Agreement) -> tuple[str, tuple[Source, ...], tuple[Position, ...]]:
    """ "The documents disagree: 70% [1][2]; 5% [3] (2026-04-15, the most recent)." Each value with
    the sources giving it, the value of most documents first, then the most recent."""
    stances = agreement.ranked()
    newest = max(s.latest for s in stances)  # named only when every value is dated, and one is newest
    dated = all(s.latest for s in stances) and sum(s.latest == newest for s in stances) == 1
    parts, positions, label = [], [], 0
    for stance in stances:
        cited = _agreeing([to_source(label + n, unit) for n, unit in enumerate(stance.units, start=1)])
        label += len(cited)
        when = f" ({stance.latest})" if stance.latest else ""
        if dated and stance.latest == newest:
            when = f" ({stance.latest}, the most recent)"
        parts.append(f"{stance.value} {''.join(s.label for s in cited)}{when}")
        positions.append(Position(stance.value, tuple(cited)))
    sources = tuple(s for p in positions for s in p.sources)
    return f"{DISAGREE} {'; '.join(parts)}.", sources, tuple(positions)


def _closest(e: Evidence) -> tuple[str, tuple]:
    """The passage that comes closest, quoted and cited after saying that it does not answer."""
    _, sources = _extractive(replace(e, label=1))
    return f"{CLOSEST} \u201c{e.text.strip()}\u201d [1]", sources


def _timings(started: float, retrieved: float, first: float, finished: float) -> Timings:
    return Timings(
        retrieve_s=round(retrieved - started, 4),
        generate_s=round(finished - retrieved, 4),
        first_token_s=round(first - started, 4),
        total_s=round(finished - started, 4),
    )
