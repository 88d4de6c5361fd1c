"""Ingestion throughput against raw embedding: how close does ``rag.ingest`` get to the embedding model alone?

    python bench/ingest.py [--docs 2000] [--seed 0] [--rounds 1] [--batch-size N] [--profile] [--keep]

Steps, in one process, with the embedding model loaded once beforehand (loading is not timed):

1. write ``--docs`` synthetic documents (``bench/corpus.py``) into a temporary folder;
2. rebuild the chunk texts ingestion will embed, with the project's own reader (``rag.reading``),
   ``rag.chunking.chunk_document`` and the default ``Settings`` (timed: "read + chunk");
3. ``rag.ingest([folder], store=TMP, collection="bench")`` into a fresh temporary store (timed:
   "ingest"). The embedder's ``embed_documents`` is wrapped on its instance (``rag/`` is untouched) to
   time the embedding inside ingestion, so the ingest splits exactly into "embedding" and "the rest"
   (reading, chunking, index lookups and writes);
4. raw ``SentenceTransformer.encode(texts, batch_size=..., normalize_embeddings=True)`` on exactly those
   texts, with the very model object ingestion used (timed: "raw encode");
5. ``rag.ingest`` of the same folder again: nothing changed, so every document is skipped.

``--rounds R`` repeats steps 3-4 R times (a fresh store each time; odd rounds encode first) and reports
medians: the machine is shared, and one pair of runs can be off by tens of percent.

How to read it: ``ratio`` = ingest chunks/s / raw-encode chunks/s (median over rounds). The target is
>= 0.9: ingestion costs at most ~10% more than embedding alone. ``ingest.embed_s`` vs ``raw_encode``
shows whether ingestion embeds less efficiently (it embeds in groups); ``ingest.rest_s`` is everything
else. CPU seconds (all threads) are given beside wall seconds: less sensitive to other processes.

``--profile`` also ingests the first ``--profile-docs`` documents into a fresh store under cProfile and
prints the functions that cost most (``bench-out/ingest.prof``, ``ingest-profile.txt``; cProfile slows
Python code, so read its shares, not its seconds).

Prints a summary; the figures go to ``bench-out/ingest.json``. At 2,000 documents (~14,000 chunks) a
round takes a few minutes on 2 idle cores, mostly embedding (twice: in ingest, and raw), and much longer
on a busy machine.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/ingest.py`: import `bench` from the repository root
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import cProfile
import io
import pstats
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from bench._common import DEFAULT_OUT, EmbedTimer, machine, median, write_json
from bench.corpus import write_corpus

if TYPE_CHECKING:
    from rag.config import Settings
    from rag.types import Document

COLLECTION = "bench"


def read_documents(folder: Path, max_bytes: int) -> Iterator[Document]:
    """The documents under ``folder``, read as ``rag.ingest`` reads them."""
    from rag import reading

    for found in reading.find_documents([folder]):
        if isinstance(found, tuple):  # the reader's earlier API: (file, root) pairs
            yield reading.read_document(*found)
        elif found.supported:
            yield reading.read_document(found, max_bytes=max_bytes)


def rebuild_chunk_texts(folder: Path, settings: Settings) -> list[str]:
    """The chunk texts ingestion embeds, rebuilt with the project's own reader and chunker."""
    from rag.chunking import chunk_document

    max_bytes = getattr(settings, "max_file_mb", 50) * 1_000_000
    return [
        chunk.text
        for doc in read_documents(folder, max_bytes)
        for chunk in chunk_document(
            doc, max_tokens=settings.chunk_tokens, overlap_tokens=settings.chunk_overlap
        )
    ]


def timed_ingest(folder: Path, store: Path, embedder) -> dict:
    import rag

    with EmbedTimer(embedder) as embedding:
        cpu, started = time.process_time(), time.perf_counter()
        report = rag.ingest([folder], store=store, collection=COLLECTION)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "seconds": seconds,
        "cpu_s": cpu,
        "chunks": report.chunks,
        "embed_s": embedding.seconds,
        "embed_calls": embedding.calls,
        "rest_s": seconds - embedding.seconds,
        "report": report.summary(),
    }


def timed_encode(model, texts: list[str], batch_size: int) -> dict:
    cpu, started = time.process_time(), time.perf_counter()
    vectors = model.encode(texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"seconds": seconds, "cpu_s": cpu, "chunks": len(vectors), "dimension": int(vectors.shape[1])}


def profile_ingest(folder: Path, store: Path, out_dir: Path, top: int = 25) -> dict:
    """An ingest into a fresh store under cProfile: the top functions by own and by cumulative time."""
    import rag

    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    report = rag.ingest([folder], store=store, collection=COLLECTION)
    profiler.disable()
    seconds = time.perf_counter() - started
    out_dir.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(out_dir / "ingest.prof")
    rows = [
        {
            "function": f"{Path(file).name}:{line}({func})" if line else func,
            "calls": calls,
            "own_s": round(own, 3),
            "cumulative_s": round(cumulative, 3),
        }
        for (file, line, func), (_, calls, own, cumulative, _) in pstats.Stats(profiler).stats.items()
    ]
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(top)
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(top)
    (out_dir / "ingest-profile.txt").write_text(text.getvalue())
    return {
        "docs": report.summary(),
        "seconds_under_profiler": round(seconds, 2),
        "top_by_own_time": sorted(rows, key=lambda r: r["own_s"], reverse=True)[:top],
        "top_by_cumulative_time": sorted(rows, key=lambda r: r["cumulative_s"], reverse=True)[:top],
        "files": [str(out_dir / "ingest.prof"), str(out_dir / "ingest-profile.txt")],
    }


def rounded(values: dict) -> dict:
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in values.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=2000, help="synthetic documents to ingest (2000)")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (0)")
    parser.add_argument("--rounds", type=int, default=1, help="ingest + raw encode pairs; medians (1)")
    parser.add_argument(
        "--batch-size", type=int, default=None, help="raw encode batch size (default: the project embedder's)"
    )
    parser.add_argument("--profile", action="store_true", help="also profile an ingest with cProfile")
    parser.add_argument(
        "--profile-docs", type=int, default=500, help="documents in the profiled ingest (500)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary documents and stores")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for ingest.json (bench-out)")
    args = parser.parse_args(argv)
    if args.docs < 1 or args.rounds < 1:
        parser.error("--docs and --rounds must be at least 1")

    from rag.api import shared_embedder
    from rag.config import Settings

    # A SIGTERM ends the run through `finally`, so the temporary folders do not outlive it.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    settings = Settings.from_env()
    wall_started = time.perf_counter()
    load_before = machine()["load_average"]
    work = Path(tempfile.mkdtemp(prefix="rag-bench-ingest-"))
    docs_dir = work / "docs"
    try:
        started = time.perf_counter()
        write_corpus(docs_dir, args.docs, args.seed)
        corpus_s = time.perf_counter() - started

        started = time.perf_counter()
        embedder = shared_embedder()  # the very loader and model object rag.ingest uses
        embedder.embed_documents(["warm up the embedding model"])
        load_s = time.perf_counter() - started
        model = embedder._model  # the SentenceTransformer inside it
        batch_size = args.batch_size or embedder.batch_size

        started = time.perf_counter()
        texts = rebuild_chunk_texts(docs_dir, settings)
        chunk_s = time.perf_counter() - started
        print(f"{args.docs} documents, {len(texts)} chunks (read + chunk {chunk_s:.1f} s)", flush=True)

        ingests, encodes = [], []
        for r in range(args.rounds):
            for step in ("ingest", "encode") if r % 2 == 0 else ("encode", "ingest"):
                if step == "ingest":
                    ingests.append(timed_ingest(docs_dir, work / f"store-{r}", shared_embedder()))
                    figure = ingests[-1]
                else:
                    encodes.append(timed_encode(model, texts, batch_size))
                    figure = encodes[-1]
                detail = (
                    f" (embedding {figure['embed_s']:.1f} s, the rest {figure['rest_s']:.1f} s)"
                    if step == "ingest"
                    else ""
                )
                print(
                    f"  round {r + 1}/{args.rounds}: {step:6} {figure['seconds']:7.1f} s  "
                    f"{figure['chunks'] / figure['seconds']:6.1f} chunks/s  "
                    f"cpu {figure['cpu_s']:.0f} s{detail}",
                    flush=True,
                )
                # Checkpoint: a run cut short (the machine is shared) still leaves what it measured.
                partial = {"docs": args.docs, "chunks": len(texts), "ingests": ingests, "encodes": encodes}
                write_json(args.out, "ingest.partial.json", partial)
            if r > 0 and not args.keep:
                shutil.rmtree(work / f"store-{r}", ignore_errors=True)
        if ingests[0]["chunks"] != len(texts):
            print(f"warning: ingest embedded {ingests[0]['chunks']} chunks, the rebuild made {len(texts)}")

        again = timed_ingest(docs_dir, work / "store-0", shared_embedder())
        print(f"  re-ingest, nothing changed: {again['seconds']:.2f} s ({again['report']})", flush=True)
        profile = None
        if args.profile:
            profile_docs = min(args.profile_docs, args.docs)
            write_corpus(work / "profile-docs", profile_docs, args.seed)
            print(f"profiling an ingest of {profile_docs} documents ...", flush=True)
            profile = profile_ingest(work / "profile-docs", work / "store-profiled", args.out)
    finally:
        if args.keep:
            print(f"kept {work} (docs/, store-0/, ...)")
        else:
            shutil.rmtree(work, ignore_errors=True)

    ratios = [
        (i["chunks"] / i["seconds"]) / (e["chunks"] / e["seconds"])
        for i, e in zip(ingests, encodes, strict=True)
    ]
    ingest_s = median([i["seconds"] for i in ingests])
    encode_s = median([e["seconds"] for e in encodes])
    chunks = ingests[0]["chunks"]
    ratio = median(ratios)
    figures = {
        "benchmark": "ingest",
        "docs": args.docs,
        "seed": args.seed,
        "rounds": args.rounds,
        "chunks": chunks,
        "chunks_rebuilt": len(texts),
        "settings": {
            "chunk_tokens": settings.chunk_tokens,
            "chunk_overlap": settings.chunk_overlap,
            "encode_batch_size": batch_size,
            "embedder_batch_size": embedder.batch_size,
        },
        "corpus_s": round(corpus_s, 2),
        "model_load_s": round(load_s, 2),
        "read_chunk_s": round(chunk_s, 2),
        "ingest": {
            "seconds": ingest_s,
            "docs_per_s": round(args.docs / ingest_s, 2),
            "chunks_per_s": round(chunks / ingest_s, 2),
            "embed_s": median([i["embed_s"] for i in ingests]),
            "rest_s": median([i["rest_s"] for i in ingests]),
            "cpu_s": median([i["cpu_s"] for i in ingests]),
            "runs": [rounded(i) for i in ingests],
        },
        "raw_encode": {
            "seconds": encode_s,
            "chunks_per_s": round(len(texts) / encode_s, 2),
            "cpu_s": median([e["cpu_s"] for e in encodes]),
            "runs": [rounded(e) for e in encodes],
        },
        "ratio": ratio,
        "ratios": [round(r, 3) for r in ratios],
        "ratio_cpu": median([e["cpu_s"] / i["cpu_s"] for i, e in zip(ingests, encodes, strict=True)]),
        "target_ratio": 0.9,
        "reingest_unchanged": rounded({**again, "docs_per_s": args.docs / again["seconds"]}),
        "profile": profile,
        "wall_s": round(time.perf_counter() - wall_started, 1),
        "load_average_before": load_before,
        "machine": machine(),
    }
    saved = write_json(args.out, "ingest.json", figures)
    (args.out / "ingest.partial.json").unlink(missing_ok=True)
    i, e = figures["ingest"], figures["raw_encode"]
    print(
        f"\ningest      {ingest_s:8.1f} s  {i['docs_per_s']:7.1f} docs/s  {i['chunks_per_s']:7.1f} chunks/s  "
        f"(embedding {i['embed_s']:.1f} s, the rest {i['rest_s']:.1f} s; cpu {i['cpu_s']:.0f} s)\n"
        f"raw encode  {encode_s:8.1f} s  {'':13}  {e['chunks_per_s']:7.1f} chunks/s  "
        f"(batch size {batch_size}; cpu {e['cpu_s']:.0f} s)\n"
        f"ratio       {ratio:.3f}  (ingest / raw encode chunks per second, median of {len(ratios)}; "
        f"target >= 0.9; by cpu seconds {figures['ratio_cpu']:.3f})\n"
        f"re-ingest   {again['seconds']:8.2f} s  {args.docs / again['seconds']:7.1f} docs/s  "
        f"({again['report']})\n"
        f"read + chunk alone: {chunk_s:.1f} s; {ingests[0]['report']}"
    )
    if profile:
        print(
            f"\nprofiled ingest ({profile['docs']}): {profile['seconds_under_profiler']} s; top by own time:"
        )
        for row in profile["top_by_own_time"][:15]:
            print(
                f"  {row['own_s']:8.2f} s own {row['cumulative_s']:8.2f} s cum "
                f"{row['calls']:>9}  {row['function']}"
            )
    print(f"wall {figures['wall_s']} s; load average before {load_before}, after {machine()['load_average']}")
    print(f"figures: {saved}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
