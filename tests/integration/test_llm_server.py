"""Model server mode (``RAG_LLM_URL``): a real ``python -m llama_cpp.server`` running the default GGUF."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from rag import answer
from rag.api import pipeline_for
from rag.config import Settings
from rag.errors import ModelError
from rag.generation import LlamaGenerator, ServerGenerator
from rag.models import resolve_model
from rag.prompts import STOPS
from tests.integration.conftest import free_port

pytestmark = pytest.mark.integration

STRIKES = "In which province did the March 6 strikes take place?"
PROMPTS = [
    # The pipeline's completion prompt, as it builds it for the strikes question ...
    "Facts:\n[1] The operation was carried out in the northeastern province of Sucumbios near the border "
    "with Colombia.\n\nQuestion: In which province did the March 6 strikes take place?\nAnswer:",
    "Facts:\n[1] Around 70% of the drugs produced by Colombia and Peru are shipped through Ecuador.\n\n"
    "Question: What share of the drugs from Colombia and Peru passes through Ecuador?\nAnswer:",
    # ... and free text with no stops, so that many tokens in a row must agree.
    "The history of Ecuador begins",
]


@pytest.fixture(scope="module")
def model_path() -> Path:
    return resolve_model("gemma3-270m", Settings().models_dir).path


@contextmanager
def _serving(model_path: Path, log_dir: Path) -> Iterator[str]:
    """The server's base URL, once it answers. Its log goes to a file: a pipe nobody reads would fill up
    and stall it."""
    url = f"http://127.0.0.1:{free_port()}"
    log_path = log_dir / "server.log"
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model_path)]
    command += ["--host", "127.0.0.1", "--port", url.rsplit(":", 1)[1], "--n_ctx", "2048", "--n_threads", "2"]
    with log_path.open("wb") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while not _answers(url + "/v1/models"):
            if server.poll() is not None or time.monotonic() > deadline:
                tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-20:])
                pytest.fail(f"llama_cpp.server did not come up at {url} (exit code {server.poll()}):\n{tail}")
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="module")
def llm_server(model_path, tmp_path_factory) -> Iterator[str]:
    with _serving(model_path, tmp_path_factory.mktemp("llm_server")) as url:
        yield url


@pytest.fixture
def fresh_llm_server(model_path, tmp_path) -> Iterator[str]:
    """A server that has answered nothing yet. llama_cpp.server reuses the cached prefix a prompt shares
    with the one before and evaluates only the rest, in other batches, which can change a greedy answer;
    the in-process generator starts every completion clean, so texts are compared against a server whose
    first completion this is."""
    with _serving(model_path, tmp_path) as url:
        yield url


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def in_process(model_path) -> LlamaGenerator:
    return LlamaGenerator(model_path, context_tokens=2048, threads=2)


@pytest.mark.parametrize("prompt", PROMPTS)
def test_the_server_writes_what_the_model_writes_in_process(fresh_llm_server, in_process, prompt):
    # Exactly the same text is expected, not just a similar one: both sides run the same llama.cpp build
    # on the same GGUF, with the same tokens (BOS + the prompt), context size, threads and greedy
    # sampler, so every logit is computed the same way.
    server = ServerGenerator(fresh_llm_server + "/v1", name="gemma3-270m")
    stop = () if prompt == PROMPTS[-1] else STOPS
    served = "".join(server.stream(prompt, max_tokens=48, stop=stop))
    local = "".join(in_process.stream(prompt, max_tokens=48, stop=stop))
    assert served.strip() and served == local
    assert server.count_tokens(prompt) == in_process.count_tokens(prompt)


def test_the_name_is_the_servers_model_when_none_is_given(llm_server, model_path):
    assert ServerGenerator(llm_server).name == str(model_path)


def test_an_answer_through_the_server_is_the_answer_made_in_process(
    fresh_llm_server, corpus_store, monkeypatch
):
    in_process = answer(STRIKES, store=corpus_store, mode="generative")
    monkeypatch.setenv("RAG_LLM_URL", fresh_llm_server)
    monkeypatch.setenv("RAG_LLM_MODEL", "gemma3-270m")
    assert isinstance(pipeline_for(Settings.from_env(store=corpus_store)).generator, ServerGenerator)
    served = answer(STRIKES, store=corpus_store, mode="generative")
    assert served.model == in_process.model == "gemma3-270m"
    same = ("text", "refused", "sources", "reason")
    assert [getattr(served, f) for f in same] == [getattr(in_process, f) for f in same]


def test_an_answer_through_the_server_cites_the_strikes_article(
    llm_server, corpus_store, model_path, monkeypatch
):
    monkeypatch.setenv("RAG_LLM_URL", llm_server)
    served = answer(STRIKES, store=corpus_store)
    assert not served.refused, served.reason
    assert "004_0d8d2c443041b939.txt" in {s.doc_id for s in served.sources}
    assert served.model == str(model_path), "without RAG_LLM_MODEL, the model the server serves"
    assert served.text.strip()


def test_a_closed_port_is_a_model_error_naming_the_url(corpus_store, monkeypatch):
    url = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("RAG_LLM_URL", url + "/v1")
    with pytest.raises(ModelError) as caught:
        answer(STRIKES, store=corpus_store, mode="generative")
    assert str(caught.value) == (
        f"cannot reach the model server at {url}: Connection refused (is it running? RAG_LLM_URL)"
    )


def test_the_cli_says_so_in_one_line(corpus_store):
    url = f"http://127.0.0.1:{free_port()}"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "rag.cli",
            "ask",
            STRIKES,
            "--mode",
            "generative",
            "--store",
            str(corpus_store),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "RAG_LLM_URL": url},
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"rag: error: cannot reach the model server at {url}: Connection refused (is it running? RAG_LLM_URL)"
    ]


def test_closing_frees_the_model_once(model_path):
    generator = LlamaGenerator(model_path, context_tokens=512, threads=2)
    assert "".join(generator.stream("The capital of France is", max_tokens=4, stop=()))
    model = generator._llm._model
    assert model.model is not None
    generator.close()
    assert model.model is None  # freed now, not by llama_cpp's own __del__ at exit
    generator.close()  # a second close, like the one at exit, does nothing
