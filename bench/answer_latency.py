"""Where an answer's time goes, and how much the pipeline adds to the raw llama.cpp call it makes.

    python bench/answer_latency.py [--questions 15] [--repeats 3] [--mode generative] [--model NAME]

For the first ``--questions`` answerable questions of ``data/eval/questions.jsonl``, on the default
store (``.rag``; make it with ``.venv/bin/rag ingest data/corpus``), each question is answered with
``rag.stream_answer`` (mode ``generative``, the default model), then the exact prompt the pipeline gave
the model is run again through raw ``llama_cpp.Llama.create_completion`` with the same arguments
(token ids, greedy, ``max_tokens``, stops, repeat penalty), on the same loaded model, so the same
``n_ctx`` and threads. The model's prompt cache is reset before every run, pipeline or raw, so each
one evaluates its whole prompt. Nothing in ``rag/`` is changed: the pipeline object that
``rag.stream_answer`` uses (``rag.api.pipeline_for``) has its retriever's ``retrieve``, its generator's
``stream`` and the model's ``create_completion`` wrapped, to time them and to record the prompt.

Stages (seconds, from the moment ``rag.stream_answer`` is called):

- ``retrieve``: from the call to the end of the search (the standalone question, its embedding, dense +
  keyword search, fusion); the pipeline's own ``Timings.retrieve_s`` (``timings_retrieve``) also covers
  evidence selection and support;
- ``evidence_prompt``: from the end of the search to the model call: evidence selection (which embeds
  the best-matching sentences of the retrieved passages), the support decision and prompt building. It
  is split further into ``evidence`` (the rest of the pipeline's own ``Timings.retrieve_s``) and
  ``prompt``;
- ``model_first_token``: model call to its first token (tokenize, prompt evaluation, first token);
- ``first_token`` (``Timings.first_token_s``): until the first verified text is shown, which is after
  the model finished a whole sentence; ``first_model_token`` is until the model's first token;
- ``generate`` (``Timings.generate_s``): after the support decision to the end: prompt, model, checks;
- ``model_in_pipeline``: the model call as the pipeline made it (it stops reading at the end of the
  first line, or at the first sentence that fails verification); ``after_model``: the rest;
- ``total`` (``Timings.total_s``).

Raw model: ``raw_total`` is ``create_completion(stream=False)`` to its end (max_tokens or a stop);
``raw_stream_total`` the same streamed, and ``raw_matched`` the streamed call cut after as many pieces
as the pipeline read. ``overhead`` = (total - raw_total) / raw_total, from the medians: the goal is
<= 0.15. ``overhead_matched`` uses ``raw_matched`` (same tokens generated as the pipeline did): when
the pipeline stops the model early, this is the fairer of the two.

Each question runs ``--repeats`` times (pipeline, then raw, interleaved); a question's figure is the
median of its repeats and the report gives medians over questions. Questions the pipeline refuses
before generating have no prompt and are left out of the model comparison (they are counted).
Prints a table; the figures go to ``bench-out/answer_latency.json``. About 2-4 minutes on 2 cores.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/answer_latency.py`: import `bench` from the repo root
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import json
import os
import time
from contextlib import closing

from bench._common import DEFAULT_OUT, REPO, machine, median, write_json

STAGES = (
    "retrieve",
    "evidence_prompt",
    "evidence",
    "prompt",
    "timings_retrieve",
    "model_first_token",
    "first_model_token",
    "first_token",
    "generate",
    "model_in_pipeline",
    "after_model",
    "total",
    "raw_total",
    "raw_stream_total",
    "raw_stream_first_token",
    "raw_matched",
)


def load_questions(path: Path, n: int) -> list[str]:
    """The first ``n`` answerable questions of a question set."""
    questions = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            if item.get("answerable", True):
                questions.append(item["question"])
    return questions[:n]


class Probe:
    """Times one pipeline's search and model calls from outside, and records what it sent the model.

    Wraps three bound methods on the instances (``rag/`` is not touched): ``pipeline.retriever.retrieve``, the
    generator's ``stream`` and the llama.cpp model's ``create_completion``.
    """

    def __init__(self, pipeline) -> None:
        self.pipeline = pipeline
        self.generator = pipeline.generator  # loads the model
        self.llm = getattr(self.generator, "_llm", None)
        if self.llm is None:
            raise SystemExit(
                "the raw comparison needs the model in this process (llama.cpp), "
                f"not {type(self.generator).__name__}: unset RAG_LLM_URL"
            )
        self._retrieve = pipeline.retriever.retrieve
        self._stream = self.generator.stream
        self.create_completion = self.llm.create_completion  # the original, for the raw runs
        self.record: dict = {}
        pipeline.retriever.retrieve = self._timed_retrieve
        self.generator.stream = self._timed_stream
        self.llm.create_completion = self._recorded_create_completion

    def close(self) -> None:
        """Take the wrappers off: the instances' own attributes go, so their class's methods show again."""
        for owner, name in (
            (self.pipeline.retriever, "retrieve"),
            (self.generator, "stream"),
            (self.llm, "create_completion"),
        ):
            vars(owner).pop(name, None)

    def _timed_retrieve(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return self._retrieve(*args, **kwargs)
        finally:
            self.record["retrieve"] = (started, time.perf_counter())

    def _timed_stream(self, prompt: str, *, max_tokens: int, stop):
        record = self.record
        record.update(prompt=prompt, max_tokens=max_tokens, stop=list(stop), pieces=0, text="")
        record["stream_start"] = time.perf_counter()
        try:
            with closing(self._stream(prompt, max_tokens=max_tokens, stop=stop)) as pieces:
                for piece in pieces:
                    record.setdefault("first_piece", time.perf_counter())
                    record["pieces"] += 1
                    record["text"] += piece
                    yield piece
        finally:
            record["stream_end"] = time.perf_counter()

    def _recorded_create_completion(self, prompt, *args, **kwargs):
        self.record["completion"] = (
            list(prompt) if not isinstance(prompt, str) else prompt,
            args,
            dict(kwargs),
        )
        return self.create_completion(prompt, *args, **kwargs)


def run_pipeline(probe: Probe, question: str, options: dict) -> dict:
    """One answer through the public API, with the probe's times turned into stages."""
    import rag

    probe.record = {}
    probe.llm.reset()  # no prompt cache from the run before
    called = time.perf_counter()
    answer = None
    for item in rag.stream_answer(question, **options):
        answer = item
    ended = time.perf_counter()
    record = probe.record
    if "retrieve" not in record:
        raise SystemExit("rag.stream_answer did not use the instrumented pipeline (settings differ?)")
    t = answer.timings
    searched = record["retrieve"][1] - called
    row = {
        "question": question,
        "refused": answer.refused,
        "reason": answer.reason,
        "answer": answer.text,
        "generated": "stream_start" in record,
        "retrieve": searched,
        "timings_retrieve": t.retrieve_s,
        "first_token": t.first_token_s,
        "generate": t.generate_s,
        "total": t.total_s,
        "wall": ended - called,
    }
    if row["generated"]:
        started_model = record["stream_start"] - called
        row.update(
            evidence_prompt=started_model - searched,
            evidence=t.retrieve_s - searched,
            prompt=started_model - t.retrieve_s,
            model_first_token=record.get("first_piece", record["stream_end"]) - record["stream_start"],
            first_model_token=record.get("first_piece", record["stream_end"]) - called,
            model_in_pipeline=record["stream_end"] - record["stream_start"],
            after_model=t.total_s - (record["stream_end"] - called),
            pieces=record["pieces"],
            model_text=record["text"],
            prompt_text=record["prompt"],
            max_tokens=record["max_tokens"],
            stop=record["stop"],
            completion=record.get("completion"),
        )
    return row


def run_raw(probe: Probe, row: dict) -> dict:
    """The pipeline's exact model call, raw: once to the end, once streamed (also cut where it stopped)."""
    prompt, args, kwargs = row["completion"]
    probe.llm.reset()
    started = time.perf_counter()
    result = probe.create_completion(prompt, *args, **{**kwargs, "stream": False})
    raw_total = time.perf_counter() - started

    probe.llm.reset()
    pieces, text, first, matched = 0, "", None, None
    started = time.perf_counter()
    for chunk in probe.create_completion(prompt, *args, **{**kwargs, "stream": True}):
        piece = chunk["choices"][0]["text"]
        if piece:
            first = first or time.perf_counter()
            pieces += 1
            text += piece
            if pieces == row["pieces"]:
                matched = time.perf_counter()
    stream_total = time.perf_counter() - started
    return {
        "raw_total": raw_total,
        "raw_stream_total": stream_total,
        "raw_stream_first_token": (first or started + stream_total) - started,
        "raw_matched": ((matched or started + stream_total) - started) if row["pieces"] else 0.0,
        "raw_text": result["choices"][0]["text"],
        "raw_tokens": result.get("usage", {}).get("completion_tokens"),
        "raw_prompt_tokens": result.get("usage", {}).get("prompt_tokens"),
        "raw_finish_reason": result["choices"][0].get("finish_reason"),
        "same_output": text == result["choices"][0]["text"] and text.startswith(row["model_text"]),
    }


def per_question(runs: list[dict]) -> dict:
    """A question's figures: the median of each stage over its repeats, and the first run's texts."""
    first = runs[0]
    merged = {k: v for k, v in first.items() if k not in STAGES and k not in ("completion", "wall")}
    for stage in (*STAGES, "wall"):
        values = [r[stage] for r in runs if r.get(stage) is not None]
        merged[stage] = median(values)
    return merged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--questions", type=int, default=15, help="first N answerable questions (15)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per question; medians are taken (3)")
    parser.add_argument(
        "--question-set",
        type=Path,
        default=REPO / "data" / "eval" / "questions.jsonl",
        help="JSONL questions",
    )
    parser.add_argument(
        "--store",
        type=Path,
        default=Path(os.environ.get("RAG_STORE") or REPO / ".rag"),
        help="the store to answer from (RAG_STORE, else .rag in the repository)",
    )
    parser.add_argument("--collection", default=None, help="collection (default: the project's)")
    parser.add_argument("--mode", default="generative", help="answer mode (generative)")
    parser.add_argument("--model", default=None, help="model name or .gguf path (default: the project's)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for answer_latency.json")
    args = parser.parse_args(argv)
    if args.mode == "extractive":
        parser.error("extractive answers call no model: there is nothing to compare")
    if args.questions < 1 or args.repeats < 1:
        parser.error("--questions and --repeats must be at least 1")

    import rag
    from rag.api import pipeline_for
    from rag.config import Settings
    from rag.errors import RagError

    wall_started = time.perf_counter()
    questions = load_questions(args.question_set, args.questions)
    options = {"mode": args.mode, "model": args.model, "collection": args.collection, "store": args.store}
    settings = Settings.from_env(
        store=args.store, mode=args.mode, model=args.model, collection=args.collection
    )
    try:
        rag.warm_up(mode=args.mode, model=args.model)
        probe = Probe(pipeline_for(settings))
        rag.answer(questions[0], **options)  # warm-up, untimed: caches, first Chroma query, first decode
    except RagError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2

    runs: dict[str, list[dict]] = {q: [] for q in questions}
    for repeat in range(args.repeats):
        for n, question in enumerate(questions, start=1):
            row = run_pipeline(probe, question, options)
            if row["generated"]:
                row.update(run_raw(probe, row))
            runs[question].append(row)
            print(
                f"\r[{repeat + 1}/{args.repeats}] question {n}/{len(questions)}: "
                f"{row['total']:.2f} s pipeline, {row.get('raw_total', 0):.2f} s raw   ",
                end="",
                flush=True,
            )
    print()
    probe.close()

    rows = [per_question(runs[q]) for q in questions]
    generated = [r for r in rows if r["generated"]]
    medians = {stage: median([r[stage] for r in generated if r.get(stage) is not None]) for stage in STAGES}
    medians["total_all_questions"] = median([r["total"] for r in rows])
    overhead = overhead_matched = None
    if generated:
        overhead = round((medians["total"] - medians["raw_total"]) / medians["raw_total"], 3)
        overhead_matched = round((medians["total"] - medians["raw_matched"]) / medians["raw_matched"], 3)
    per_question_overheads = [(r["total"] - r["raw_total"]) / r["raw_total"] for r in generated]
    figures = {
        "benchmark": "answer_latency",
        "questions": len(questions),
        "repeats": args.repeats,
        "generated": len(generated),
        "refused_before_generation": len(rows) - len(generated),
        "refused": sum(r["refused"] for r in rows),
        "settings": {
            "store": str(args.store),
            "collection": settings.collection,
            "mode": args.mode,
            "model": probe.generator.name,
            "retriever": getattr(settings, "retriever", None),
            "k": settings.k,
            "context_tokens": probe.llm.n_ctx(),
            "threads": settings.threads,
            "answer_tokens": settings.answer_tokens,
        },
        "medians_s": medians,
        "overhead": overhead,
        "overhead_matched": overhead_matched,
        "overhead_median_per_question": median(per_question_overheads),
        "target_overhead": 0.15,
        "same_output_as_raw": sum(bool(r.get("same_output")) for r in generated),
        "per_question": rows,
        "wall_s": round(time.perf_counter() - wall_started, 1),
        "machine": machine(),
    }
    saved = write_json(args.out, "answer_latency.json", figures)
    print_summary(figures)
    print(f"wall {figures['wall_s']} s; figures: {saved}")
    return 0


def print_summary(figures: dict) -> None:
    m = figures["medians_s"]

    def s(stage: str) -> str:
        return "   -   " if m.get(stage) is None else f"{m[stage]:7.3f}"

    print(
        f"{figures['questions']} questions x {figures['repeats']} repeats, "
        f"mode {figures['settings']['mode']}, "
        f"model {figures['settings']['model']}: {figures['generated']} reached the model, "
        f"{figures['refused_before_generation']} were refused before it; medians in seconds "
        f"(over the {figures['generated']} that reached the model):\n"
        f"  retrieve (search)               {s('retrieve')}\n"
        f"  evidence + prompt               {s('evidence_prompt')}   (evidence {s('evidence').strip()}, "
        f"prompt {s('prompt').strip()})\n"
        f"  model call -> first token       {s('model_first_token')}\n"
        f"  time to first model token       {s('first_model_token')}\n"
        f"  time to first shown text        {s('first_token')}   (Timings.first_token_s)\n"
        f"  generation                      {s('generate')}   (Timings.generate_s; model in it "
        f"{s('model_in_pipeline').strip()}, after it {s('after_model').strip()})\n"
        f"  total                           {s('total')}   (all {figures['questions']} questions: "
        f"{m['total_all_questions']:.3f})\n"
        f"  raw create_completion           {s('raw_total')}   (streamed {s('raw_stream_total').strip()}, "
        f"cut where the pipeline stopped {s('raw_matched').strip()})\n"
        f"  overhead (total - raw) / raw    {figures['overhead']}   (target <= 0.15; vs the cut raw run "
        f"{figures['overhead_matched']}; median per question {figures['overhead_median_per_question']})\n"
        f"  raw output identical to the pipeline's model output: {figures['same_output_as_raw']}"
        f"/{figures['generated']}"
    )


if __name__ == "__main__":
    sys.exit(main())
