"""Retrieval latency at growing store sizes: dense, keyword and hybrid, embedded Chroma and Chroma server.

    python bench/retrieval.py --sizes 1000 10000 100000 [--server] [--queries 200] [--k 8] [--profile]

For each size (in chunks):

1. build, or reuse, a store of about that many chunks of synthetic news documents (``bench/corpus.py``)
   in ``bench-out/retrieval-stores/<size>/``, with the project's own ``rag.api.ingest([folder],
   store=..., collection="bench", progress=True)``. How many documents that takes is measured first on
   a sample (read + chunk, no embedding). The ingest is timed, with the embedding inside it split out
   (the shared embedder's ``embed_documents`` is wrapped on its instance; ``rag/`` is untouched), which
   gives ingest chunks/s as a by-product. A store that is already complete is reused (ingest is
   incremental, so an interrupted build resumes);
2. make ``--queries`` questions (seeded, so the same every run) from random documents of that corpus:
   a person's name, or a number with the noun after it, plus a few words of the same sentence, phrased
   as a question ("What did Kasimir Thornbury say about the first phase cost?"). The source document
   is kept, so hit@k is reported too, as a sanity check that the questions are answerable;
3. time ``Retriever(index, embedder, method).retrieve(question, k)`` (``rag.retrieval``) for each
   method, methods interleaved per question so that machine noise hits them alike, after a few untimed
   warm-up questions:

   - ``total``: the real call, embedding of the question included;
   - ``search``: the same call with a stand-in embedder whose ``embed_query`` returns the vector
     computed beforehand with the real embedder (so ``Retriever.retrieve`` runs unchanged, minus the
     model), i.e. retrieval excluding the query embedding;
   - ``parts``: the steps of hybrid retrieval replayed one by one with that vector (keyword search,
     vector count + query, fusion, fetching embeddings of keyword-only hits for their cosines),
     checked to give the same chunks as ``retrieve``; and ``embed``: ``embed_query`` alone.

   Wall times (``perf_counter``) and process CPU times are both kept: on a shared machine CPU time is
   the steadier figure, wall time the one a user waits.
4. with ``--server``: start ``chroma run --path TMP --host 127.0.0.1 --port FREE`` (a fresh server per
   size), fill its collection by copying ids, embeddings, documents and metadata in batches from the
   embedded store's collection (no re-embedding; same vectors), copy the manifest (keyword index) into
   ``bench-out/retrieval-stores/<size>/server-manifest/``, and repeat step 3 with
   ``Settings(chroma_url=...)``. The server is stopped after each size.
5. after each size: the process's peak RSS (``ru_maxrss``, which only grows, so sizes run smallest
   first), its current RSS, the server's peak RSS, and the on-disk size of each store.

If hybrid ``total`` p50 at the largest size (embedded) is above the 50 ms target, or with ``--profile``,
hybrid retrieval is also run under cProfile (``bench-out/retrieval-profile-<size>.txt``).

The first keyword search of a process reads the keyword index into memory (``rag.keywords.Postings``);
that is timed on its own for each store (``keyword_load_s``), before any warm-up question.

Prints a markdown table (size x method x embedded/server: p50 and p95 of total and of search) and
writes everything to ``bench-out/retrieval.json``.

How long it takes (2 cores): building the stores is most of it, almost all embedding, at about 23
chunks/s on an idle machine: about 1 min for 1k chunks, 7-10 min for 10k, 70-80 min for 100k; once
built they are reused. Timing itself is about 1 min per size and backend (2-3 min at 100k), and the
server copy about 1 min per 10k chunks.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/retrieval.py`: import `bench` from the repository root
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import re
import resource
import shutil
import socket
import sqlite3
import statistics
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from bench import corpus
from bench._common import DEFAULT_OUT, EmbedTimer, machine, write_json

COLLECTION = "bench"
METHODS = ("dense", "keyword", "hybrid")
TARGET_MS = 50.0
SAMPLE_DOCS = 300
COPY_BATCH = 2000


# -- helpers ------------------------------------------------------------------------------------------


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def disk_usage(path: Path) -> dict:
    """Bytes on disk (allocated blocks) and apparent bytes of everything under ``path``."""
    used = apparent = 0
    for root, _, files in os.walk(path):
        for name in files:
            st = os.lstat(os.path.join(root, name))
            used += st.st_blocks * 512
            apparent += st.st_size
    return {"bytes": used, "apparent_bytes": apparent, "mb": round(used / 1e6, 1)}


def rss_mb(pid: int | str = "self") -> dict:
    """Current (VmRSS) and peak (VmHWM) resident memory of a process, in MB."""
    figures = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                figures[key] = round(int(value.split()[0]) / 1024, 1)
    except OSError:
        pass
    return {"rss_mb": figures.get("VmRSS"), "peak_rss_mb": figures.get("VmHWM")}


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KB on Linux


def stats_ms(values: Sequence[float], scale: float = 1000) -> dict:
    """p50/p95/mean/min/max of ``values`` (seconds), in milliseconds (or times ``scale``)."""
    if not values:
        return {}
    ms = np.asarray(values, dtype=float) * scale
    return {
        "p50": round(float(np.percentile(ms, 50)), 2),
        "p95": round(float(np.percentile(ms, 95)), 2),
        "mean": round(float(ms.mean()), 2),
        "min": round(float(ms.min()), 2),
        "max": round(float(ms.max()), 2),
        "n": len(ms),
    }


class Phases:
    """Wall time of each phase of the run, printed as it goes."""

    def __init__(self) -> None:
        self.rows: list[dict] = []

    def run(self, name: str, fn: Callable, *args, **kwargs):
        print(f"\n== {name} ({time.strftime('%H:%M:%S')}, load {os.getloadavg()[0]:.2f})", flush=True)
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            seconds = time.perf_counter() - started
            self.rows.append({"phase": name, "seconds": round(seconds, 2), "load_1min": os.getloadavg()[0]})
            print(f"== {name}: {seconds:.1f} s", flush=True)


# -- step 1: the stores ------------------------------------------------------------------------------


def chunks_per_document(sample_docs: int, seed: int) -> float:
    """Chunks per synthetic document, from reading and chunking a sample as ingest does (no embedding)."""
    from rag.config import Settings
    from rag.ingestion import Chunking
    from rag.reading import find_documents, read_document

    settings = Settings()
    chunking = Chunking(settings.chunk_tokens, settings.chunk_overlap)
    with tempfile.TemporaryDirectory(prefix="rag-bench-sample-") as tmp:
        corpus.write_corpus(Path(tmp), sample_docs, seed)
        counts = [
            len(chunking.chunk(read_document(found, max_bytes=settings.max_file_mb * 1_000_000)))
            for found in find_documents([Path(tmp)])
            if found.supported
        ]
    return sum(counts) / len(counts)


def build_store(size: int, docs: int, out_dir: Path, seed: int) -> dict:
    """The store for ``size`` chunks (``docs`` documents): reused when a finished build says so."""
    import rag.api
    from rag.config import Settings

    base = out_dir / "retrieval-stores" / str(size)
    folder, store, done = base / "corpus", base / "store", base / "build.json"
    if done.exists():
        built = json.loads(done.read_text())
        if built.get("docs") == docs and built.get("seed") == seed and (store / "chroma.sqlite3").exists():
            print(f"reusing the store for {size} chunks: {store} (built {built.get('built_at')})")
            return {**built, "cached": True, "store": str(store), "corpus": str(folder)}
    have = sorted(folder.glob("doc_*.txt")) if folder.exists() else []
    started = time.perf_counter()
    if len(have) != docs:
        shutil.rmtree(folder, ignore_errors=True)
        corpus.write_corpus(folder, docs, seed)
    corpus_s = time.perf_counter() - started
    print(f"corpus: {docs} documents in {folder} ({corpus_s:.1f} s)")

    embedder = rag.api.shared_embedder()  # loaded before timing
    with EmbedTimer(embedder, expected=size, report_every=5000) as embedding:
        cpu, started = time.process_time(), time.perf_counter()
        report = rag.api.ingest([folder], store=store, collection=COLLECTION, progress=True)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"\ningest: {report.summary()} in {seconds:.1f} s")
    if report.failed:
        raise SystemExit(f"ingest failed for {len(report.failed)} files: {report.failed[:3]}")
    index = rag.api.open_index(Settings(store=store, collection=COLLECTION))
    stored = index.documents()
    built = {
        "size_asked": size,
        "docs": docs,
        "seed": seed,
        "corpus_s": round(corpus_s, 2),
        "ingest_s": round(seconds, 2),
        "ingest_cpu_s": round(cpu, 2),
        "chunks_embedded": report.chunks,
        "ingest_summary": report.summary(),
        "embed_s": round(embedding.seconds, 2),
        "rest_s": round(seconds - embedding.seconds, 2),
        "chunks_per_s": round(report.chunks / seconds, 1) if seconds else None,
        "embed_chunks_per_s": round(report.chunks / embedding.seconds, 1) if embedding.seconds else None,
        "documents": len(stored),
        "manifest_chunks": sum(d.chunks for d in stored),
        "vectors": index.vectors.count(),
        "load_after_ingest": [round(x, 2) for x in os.getloadavg()],
        "peak_rss_mb_after_ingest": peak_rss_mb(),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    if built["vectors"] != built["manifest_chunks"]:
        print(f"warning: {built['vectors']} vectors but the manifest lists {built['manifest_chunks']} chunks")
    if len(stored) == docs:
        done.write_text(json.dumps(built, indent=2) + "\n")
    return {**built, "cached": False, "store": str(store), "corpus": str(folder)}


# -- step 2: questions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    text: str
    doc_id: str
    kind: str


_SENTENCE = re.compile(r"(?<=[.!?\u201d])\s+(?=[A-Z\u201c])")
_NUMBER = re.compile(
    r"(?<![\w.,])(\d[\d,]*(?:\.\d+)?(?: million| percent|%)?)"  # a number, then what it counts:
    r" ((?:[a-z][a-z'-]+ )?[a-z][a-z'-]+s\b|[a-z][a-z'-]{2,})"  # "local clubs", "drop"
)
_LOWER_WORD = re.compile(r"\b[a-z][a-z-]{3,}\b")


def _name_pattern() -> re.Pattern:
    first = getattr(corpus, "FIRST_NAMES", ())
    last = getattr(corpus, "LAST_NAMES", ())
    if first and last:
        return re.compile(rf"\b(?:{'|'.join(first)})(?: [A-Z]\.)? (?:{'|'.join(last)})\b")
    return re.compile(r"\b[A-Z][a-z]+(?: [A-Z]\.)? [A-Z][a-z]{2,}\b")  # bench/corpus.py without its lists


def make_questions(folder: Path, n: int, seed: int) -> list[Question]:
    """``n`` questions about random documents of ``folder``, each naming something distinctive of one
    sentence (a person, or a number and what it counts) and a few of its other words."""
    from rag.text import STOPWORDS, normalize_word

    files = sorted(folder.glob("doc_*.txt"))
    rng = random.Random(f"bench-retrieval-questions:{seed}:{len(files)}")
    names = _name_pattern()
    questions: list[Question] = []
    while len(questions) < n:
        path = rng.choice(files)
        lines = path.read_text(encoding="utf-8").split("\n")
        body = " ".join(line for line in lines[1:] if line.strip())
        town = body.split(",", 1)[0].title()
        sentences = [s for s in _SENTENCE.split(body) if 40 < len(s) < 400]
        if not sentences:
            continue
        sentence = rng.choice(sentences)
        found_names = names.findall(sentence)
        numbers = [
            m
            for m in _NUMBER.findall(sentence)
            if not re.fullmatch(r"(19|20)\d\d|\d\d?", m[0])  # years and small counts name nothing
            and normalize_word(m[1].split()[-1]) not in STOPWORDS
        ]
        taken = " ".join(found_names + [" ".join(m) for m in numbers]).lower()
        words = [
            w
            for w in dict.fromkeys(_LOWER_WORD.findall(sentence))
            if normalize_word(w) not in STOPWORDS and w not in taken
        ]
        width = min(len(words), rng.randint(2, 3))  # a few words in their order in the sentence
        at = rng.randrange(len(words) - width + 1) if words else 0
        about = " ".join(words[at : at + width]) if words else "it"
        if found_names and (not numbers or rng.random() < 0.5):
            name = rng.choice(found_names)
            template = rng.choice(
                [
                    "What did {name} say about the {about}?",
                    "What is {name}'s role in the {about}?",
                    "Why was {name} involved with the {about}?",
                ]
            )
            questions.append(Question(template.format(name=name, about=about), path.name, "name"))
        elif numbers:
            number, noun = rng.choice(numbers)
            template = rng.choice(
                [
                    "What happened to the {number} {noun} in {town}?",
                    "What do we know about the {about} and the {number} {noun}?",
                    "Why were {number} {noun} mentioned, and what about the {about}?",
                ]
            )
            text = template.format(number=number, noun=noun, town=town, about=about)
            questions.append(Question(text, path.name, "number"))
    return questions


# -- step 3: timing ----------------------------------------------------------------------------------


class PrecomputedEmbedder:
    """A stand-in for the real embedder: ``embed_query`` returns the vector the real one gave before,
    so ``Retriever.retrieve`` runs unchanged but for the model."""

    def __init__(self, name: str, vectors: dict[str, np.ndarray]) -> None:
        self.name = name
        self._vectors = vectors

    def embed_query(self, text: str) -> np.ndarray:
        return self._vectors[text]

    def embed_documents(self, texts, *, progress: bool = False) -> np.ndarray:
        return np.stack([self._vectors[t] for t in texts])


def one_thread(retriever, embedder, questions: list[Question], k: int) -> dict:
    """``embed_query`` and the whole hybrid ``retrieve`` with torch limited to one thread, the default
    restored after. A diagnostic, measured apart after the main loop: on a busy 2-core machine the
    default two threads wait on each other."""
    try:
        import torch
    except ImportError:
        return {}
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    embed, total = [], []
    try:
        for q in questions[:5]:
            retriever.retrieve(q.text, k)
        for q in questions:
            t0 = time.perf_counter()
            embedder.embed_query(q.text)
            t1 = time.perf_counter()
            retriever.retrieve(q.text, k)
            t2 = time.perf_counter()
            embed.append(t1 - t0)
            total.append(t2 - t1)
    finally:
        torch.set_num_threads(threads)
    return {"default_threads": threads, "embed_query_ms": stats_ms(embed), "hybrid_total_ms": stats_ms(total)}


def hybrid_parts(index, text: str, vector: np.ndarray, k: int) -> tuple[list[str], dict[str, float]]:
    """Hybrid retrieval replayed step by step as ``Retriever.retrieve`` does it, each step timed.
    Returns the chunk ids it ends with and the seconds of each step."""
    from rag.retrieval import POOL_FACTOR, diversify, fuse

    pool = k * POOL_FACTOR
    t0 = time.perf_counter()
    by_words = [chunk for chunk, _ in index.manifest.search(text, pool)]
    t1 = time.perf_counter()
    by_meaning = index.vectors.query(vector, pool)
    t2 = time.perf_counter()
    kept = diversify(fuse([[h.chunk for h in by_meaning], by_words]), k)
    cosines = {h.chunk.id: h.score for h in by_meaning}
    t3 = time.perf_counter()
    missing = [c.id for c in kept if c.id not in cosines]
    if missing:
        for chunk_id, vec in index.vectors.embeddings(missing).items():
            cosines[chunk_id] = float(np.dot(vec, vector))
    t4 = time.perf_counter()
    return [c.id for c in kept], {
        "keyword_search": t1 - t0,
        "vector_query": t2 - t1,
        "fuse_diversify": t3 - t2,
        "fetch_embeddings": t4 - t3,
        "missing_ids": len(missing),
        "keyword_hits": len(by_words),
    }


def time_retrieval(index, questions: list[Question], k: int, warmup: list[Question]) -> dict:
    """p50/p95 of total retrieve, retrieve without the query embedding, the embedding alone, and the
    steps of hybrid retrieval, for every method, on one index."""
    import rag.api
    from rag.retrieval import Retriever

    embedder = rag.api.shared_embedder()
    texts = [q.text for q in questions + warmup]
    started = time.perf_counter()
    vectors = {t: embedder.embed_query(t) for t in texts}
    embed_times = []
    for q in questions:  # the embedding alone, timed apart
        t0 = time.perf_counter()
        embedder.embed_query(q.text)
        embed_times.append(time.perf_counter() - t0)
    print(f"  embedded {len(texts)} questions twice ({time.perf_counter() - started:.1f} s)", flush=True)
    stand_in = PrecomputedEmbedder(embedder.name, vectors)
    real = {m: Retriever(index, embedder, m) for m in METHODS}
    cached = {m: Retriever(index, stand_in, m) for m in METHODS}
    for q in warmup:
        for m in METHODS:
            real[m].retrieve(q.text, k)
            cached[m].retrieve(q.text, k)
            hybrid_parts(index, q.text, vectors[q.text], k)

    load_before = os.getloadavg()
    wall = {m: {"total": [], "search": []} for m in METHODS}
    cpu = {m: {"total": [], "search": []} for m in METHODS}
    hits = {m: 0 for m in METHODS}
    for i, q in enumerate(questions):
        for m in METHODS[i % 3 :] + METHODS[: i % 3]:  # rotate the order: noise falls on all alike
            for variant, retriever in (("total", real[m]), ("search", cached[m])):
                c0, t0 = time.process_time(), time.perf_counter()
                found = retriever.retrieve(q.text, k)
                wall[m][variant].append(time.perf_counter() - t0)
                cpu[m][variant].append(time.process_time() - c0)
            hits[m] += any(h.chunk.doc_id == q.doc_id for h in found)
        if (i + 1) % 50 == 0:
            print(
                f"  {i + 1}/{len(questions)} questions; hybrid p50 so far"
                f" {statistics.median(wall['hybrid']['total']) * 1000:.1f} ms",
                flush=True,
            )

    parts: dict[str, list[float]] = {}
    mismatches = 0
    for q in questions:
        ids, steps = hybrid_parts(index, q.text, vectors[q.text], k)
        if ids != [h.chunk.id for h in cached["hybrid"].retrieve(q.text, k)]:
            mismatches += 1
        for name, value in steps.items():
            parts.setdefault(name, []).append(value)
    load_after = os.getloadavg()
    torch_1_thread = one_thread(real["hybrid"], embedder, questions, k)

    methods = {
        m: {
            "total_ms": stats_ms(wall[m]["total"]),
            "search_ms": stats_ms(wall[m]["search"]),
            "total_cpu_ms": stats_ms(cpu[m]["total"]),
            "search_cpu_ms": stats_ms(cpu[m]["search"]),
            "hit_at_k": round(hits[m] / len(questions), 3),
        }
        for m in METHODS
    }
    counts = ("missing_ids", "keyword_hits")
    return {
        "methods": methods,
        "embed_query_ms": stats_ms(embed_times),
        "torch_1_thread": torch_1_thread,
        "hybrid_parts_ms": {name: stats_ms(v) for name, v in parts.items() if name not in counts},
        "hybrid_keyword_only_ids_fetched": {
            "mean": round(statistics.mean(parts["missing_ids"]), 2),
            "max": max(parts["missing_ids"]),
        },
        "hybrid_replay_mismatches": mismatches,
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
    }


def profile_hybrid(index, questions: list[Question], k: int, out_dir: Path, label: str) -> dict:
    """Hybrid retrieval under cProfile."""
    import rag.api
    from rag.retrieval import Retriever

    retriever = Retriever(index, rag.api.shared_embedder(), "hybrid")
    profiler = cProfile.Profile()
    profiler.enable()
    for q in questions:
        retriever.retrieve(q.text, k)
    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(30)
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(20)
    path = out_dir / f"retrieval-profile-{label}.txt"
    path.write_text(text.getvalue())
    stats = pstats.Stats(profiler).stats
    rows = sorted(
        (
            {
                "function": f"{Path(file).name}:{line}({func})" if line else func,
                "calls": calls,
                "own_ms_per_query": round(own * 1000 / len(questions), 2),
                "cumulative_ms_per_query": round(cum * 1000 / len(questions), 2),
            }
            for (file, line, func), (_, calls, own, cum, _) in stats.items()
        ),
        key=lambda r: -r["cumulative_ms_per_query"],
    )

    return {
        "questions": len(questions),
        "file": str(path),
        "top_cumulative": rows[:25],
    }


# -- step 4: the Chroma server -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ChromaServer:
    """``chroma run`` on loopback with its data in a temporary folder; stopped (by its pid) on exit."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.data = Path(tempfile.mkdtemp(prefix="rag-bench-chroma-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> ChromaServer:
        chroma = Path(sys.executable).parent / "chroma"
        command = [str(chroma if chroma.exists() else shutil.which("chroma") or "chroma"), "run"]
        command += ["--path", str(self.data), "--host", "127.0.0.1", "--port", str(self.port)]
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "w") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=2).read()
                return self
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.__exit__()
                    raise SystemExit(f"chroma server did not start: {self.log.read_text()[-2000:]}") from None
                time.sleep(0.3)

    def memory(self) -> dict:
        return rss_mb(self.process.pid) if self.process else {}

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.data, ignore_errors=True)


def copy_to_server(store: Path, server_store: Path, url: str) -> dict:
    """The embedded collection's vectors, texts and metadata copied into the server's collection in
    batches, and the manifest (with its keyword index) copied beside; returns the index on the server."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    import rag.api
    from rag.config import Settings

    shutil.rmtree(server_store, ignore_errors=True)
    server_store.mkdir(parents=True)
    manifest = f"{COLLECTION}.manifest.sqlite3"
    source_db, target_db = sqlite3.connect(store / manifest), sqlite3.connect(server_store / manifest)
    source_db.backup(target_db)  # consistent even with a WAL beside it
    source_db.close()
    target_db.close()

    source = chromadb.PersistentClient(path=str(store), settings=ChromaSettings(anonymized_telemetry=False))
    source_collection = source.get_collection(COLLECTION)
    settings = Settings(store=server_store, collection=COLLECTION, chroma_url=url)
    index = rag.api.open_index(settings, create=True)  # makes the collection the way rag does
    server = chromadb.HttpClient(
        host="127.0.0.1", port=int(url.rsplit(":", 1)[1]), settings=ChromaSettings(anonymized_telemetry=False)
    )
    target = server.get_collection(COLLECTION)
    batch = min(COPY_BATCH, server.get_max_batch_size())
    total = source_collection.count()
    started, copied = time.perf_counter(), 0
    get_s = add_s = 0.0
    for offset in range(0, total, batch):
        t0 = time.perf_counter()
        got = source_collection.get(
            limit=batch, offset=offset, include=["embeddings", "documents", "metadatas"]
        )
        t1 = time.perf_counter()
        target.add(
            ids=got["ids"],
            embeddings=got["embeddings"],
            documents=got["documents"],
            metadatas=got["metadatas"],
        )
        t2 = time.perf_counter()
        get_s, add_s = get_s + t1 - t0, add_s + t2 - t1
        copied += len(got["ids"])
        if (offset // batch) % 10 == 9:
            print(
                f"  copied {copied:,}/{total:,} ({copied / (time.perf_counter() - started):.0f}/s)",
                flush=True,
            )
    seconds = time.perf_counter() - started
    on_server = index.vectors.count()
    if on_server != total:
        raise SystemExit(f"copy to the server ended with {on_server} vectors, not {total}")
    return {
        "index": index,
        "copy": {
            "vectors": total,
            "seconds": round(seconds, 2),
            "get_s": round(get_s, 2),
            "add_s": round(add_s, 2),
            "per_s": round(total / seconds, 1) if seconds else None,
            "batch": batch,
        },
    }


def dense_agreement(embedded, served, questions: list[Question], k: int) -> float:
    """Share of the top-k chunk ids the server's dense query has in common with the embedded one's."""
    import rag.api

    embedder = rag.api.shared_embedder()
    same = total = 0
    for q in questions[:50]:
        vec = embedder.embed_query(q.text)
        a = {h.chunk.id for h in embedded.vectors.query(vec, k)}
        b = {h.chunk.id for h in served.vectors.query(vec, k)}
        same, total = same + len(a & b), total + len(a)
    return round(same / total, 3) if total else 0.0


# -- reporting ---------------------------------------------------------------------------------------


def table(results: list[dict]) -> str:
    lines = [
        "| chunks | store | method | total p50 ms | total p95 ms | search p50 ms | search p95 ms"
        " | total CPU p50 ms | hit@k |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for size in results:
        for backend in ("embedded", "server"):
            run = size.get(backend)
            if not run:
                continue
            for m in METHODS:
                f = run["methods"][m]
                lines.append(
                    f"| {size['chunks']:,} | {backend} | {m}"
                    f" | {f['total_ms']['p50']:.1f} | {f['total_ms']['p95']:.1f}"
                    f" | {f['search_ms']['p50']:.1f} | {f['search_ms']['p95']:.1f}"
                    f" | {f['total_cpu_ms']['p50']:.1f} | {f['hit_at_k']:.2f} |"
                )
    return "\n".join(lines)


def parts_table(results: list[dict]) -> str:
    names = (
        "keyword_search",
        "vector_query",
        "fuse_diversify",
        "fetch_embeddings",
    )
    lines = [
        "| chunks | store | embed query | " + " | ".join(names) + " |",
        "|---:|---|---:|" + "---:|" * len(names),
    ]
    for size in results:
        for backend in ("embedded", "server"):
            run = size.get(backend)
            if not run:
                continue
            cells = [
                f"{run['hybrid_parts_ms'][n]['p50']:.2f} / {run['hybrid_parts_ms'][n]['p95']:.2f}"
                for n in names
            ]
            embed = run["embed_query_ms"]
            lines.append(
                f"| {size['chunks']:,} | {backend} | {embed['p50']:.1f} / {embed['p95']:.1f} | "
                + " | ".join(cells)
                + " |"
            )
    return "\n".join(lines)


# -- main --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[1000, 10000, 100000], help="chunks per store"
    )
    parser.add_argument("--server", action="store_true", help="also measure against a real Chroma server")
    parser.add_argument("--queries", type=int, default=200, help="timed questions per size (200)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed warm-up questions per method (5)")
    parser.add_argument("--k", type=int, default=8, help="chunks retrieved per question (8)")
    parser.add_argument("--seed", type=int, default=0, help="corpus and question seed (0)")
    parser.add_argument("--profile", action="store_true", help="profile hybrid retrieval at every size")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (bench-out)")
    args = parser.parse_args(argv)
    if args.queries < 1 or args.k < 1 or any(s < 10 for s in args.sizes):
        parser.error("--queries and --k must be at least 1, sizes at least 10")

    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import rag.api
    from rag.config import Settings

    out = args.out.resolve()
    sizes = sorted(set(args.sizes))
    phases = Phases()
    uptime_start = uptime()
    print(f"machine: {uptime_start}; {os.cpu_count()} cpus")
    phases.run("load embedding model", rag.api.shared_embedder)
    per_doc = phases.run("chunks per document (sample)", chunks_per_document, SAMPLE_DOCS, args.seed)
    print(f"{per_doc:.2f} chunks per document over {SAMPLE_DOCS} sample documents")

    results: list[dict] = []
    profiles: dict[str, dict] = {}
    for size in sizes:
        docs = max(1, round(size / per_doc))
        built = phases.run(f"build {size} ({docs} docs)", build_store, size, docs, out, args.seed)
        store = Path(built["store"])
        index = rag.api.open_index(Settings(store=store, collection=COLLECTION))
        stored = index.documents()
        entry = {
            "size_asked": size,
            "docs": docs,
            "chunks": index.vectors.count(),
            "manifest_chunks": sum(d.chunks for d in stored),
            "documents": len(stored),
            "build": {k: v for k, v in built.items() if k not in ("store", "corpus")},
            "store": str(store),
            "store_disk": disk_usage(store),
            "corpus_disk": disk_usage(Path(built["corpus"])),
            "peak_rss_mb_after_build": peak_rss_mb(),
        }
        print(
            f"store: {entry['chunks']:,} chunks (manifest {entry['manifest_chunks']:,})"
            f" in {entry['documents']:,} documents, {entry['store_disk']['mb']} MB on disk"
        )
        questions = make_questions(Path(built["corpus"]), args.queries + args.warmup, args.seed)
        timed, warmup = questions[: args.queries], questions[args.queries :]
        entry["question_examples"] = [q.text for q in timed[:5]]
        started = time.perf_counter()
        index.manifest.search(timed[0].text, args.k)  # reads the keyword index into memory
        entry["keyword_load_s"] = round(time.perf_counter() - started, 3)
        print(f"keyword index read into memory in {entry['keyword_load_s']} s")
        entry["embedded"] = phases.run(f"time embedded {size}", time_retrieval, index, timed, args.k, warmup)
        hybrid = entry["embedded"]["methods"]["hybrid"]["total_ms"]["p50"]
        if args.profile or (size == sizes[-1] and hybrid > TARGET_MS):
            profiles[f"{size}-embedded"] = phases.run(
                f"profile embedded {size}",
                profile_hybrid,
                index,
                timed[:100],
                args.k,
                out,
                f"{size}-embedded",
            )
        entry["peak_rss_mb_after_embedded"] = peak_rss_mb()
        entry["rss_mb_after_embedded"] = rss_mb()["rss_mb"]

        if args.server:
            with ChromaServer(out / "retrieval-stores" / str(size) / "chroma-server.log") as server:
                served = phases.run(
                    f"copy {size} to server",
                    copy_to_server,
                    store,
                    out / "retrieval-stores" / str(size) / "server-manifest",
                    server.url,
                )
                entry["server"] = phases.run(
                    f"time server {size}", time_retrieval, served["index"], timed, args.k, warmup
                )
                entry["server"]["copy"] = served["copy"]
                entry["server"]["dense_agreement_with_embedded"] = dense_agreement(
                    index, served["index"], timed, args.k
                )
                if args.profile:
                    profiles[f"{size}-server"] = phases.run(
                        f"profile server {size}",
                        profile_hybrid,
                        served["index"],
                        timed[:100],
                        args.k,
                        out,
                        f"{size}-server",
                    )
                entry["server"]["server_memory"] = server.memory()
                entry["server"]["server_data_disk"] = disk_usage(server.data)
            entry["peak_rss_mb_after_server"] = peak_rss_mb()
        results.append(entry)
        print(f"peak RSS so far {peak_rss_mb()} MB (current {rss_mb()['rss_mb']} MB)")

    figures = {
        "benchmark": "retrieval",
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "method_excluding_embedding": (
            "Retriever.retrieve with a stand-in embedder whose embed_query returns the vector the real"
            " embedder gave beforehand (search_ms); hybrid steps replayed and timed (hybrid_parts_ms)"
        ),
        "chunks_per_document_sample": round(per_doc, 3),
        "target": f"hybrid total p50 <= {TARGET_MS:.0f} ms at the largest size, embedded",
        "target_met": results[-1]["embedded"]["methods"]["hybrid"]["total_ms"]["p50"] <= TARGET_MS,
        "sizes": results,
        "profiles": profiles,
        "phases": phases.rows,
        "uptime_start": uptime_start,
        "uptime_end": uptime(),
        "peak_rss_mb": peak_rss_mb(),
        "machine": machine(),
    }
    saved = write_json(out, "retrieval.json", figures)
    print("\n" + table(results))
    print("\nhybrid steps, p50 / p95 ms (search without the query embedding):\n" + parts_table(results))
    print("\nwith torch limited to 1 thread (a diagnostic, measured after the main loop), p50 / p95 ms:")
    for r in results:
        for backend in ("embedded", "server"):
            one = (r.get(backend) or {}).get("torch_1_thread")
            if one:
                print(
                    f"  {r['chunks']:,} {backend}: embed_query {one['embed_query_ms']['p50']:.1f} /"
                    f" {one['embed_query_ms']['p95']:.1f}, hybrid total {one['hybrid_total_ms']['p50']:.1f} /"
                    f" {one['hybrid_total_ms']['p95']:.1f}"
                )
    print("\nbuilds:")
    for r in results:
        b = r["build"]
        print(
            f"  {r['chunks']:,} chunks / {r['documents']:,} docs: ingest {b['ingest_s']} s"
            f" ({b['chunks_per_s']} chunks/s, embedding {b['embed_s']} s)"
            f"{' (cached)' if b['cached'] else ''};"
            f" store {r['store_disk']['mb']} MB; peak RSS {r['peak_rss_mb_after_embedded']} MB"
        )
    print(f"\nmachine: start {uptime_start}\n         end   {figures['uptime_end']}")
    print(f"target ({figures['target']}): {'met' if figures['target_met'] else 'MISSED'}")
    print(f"figures: {saved}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
