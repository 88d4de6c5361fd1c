"""Integration fixtures: the real embedding model, a real Chroma store holding data/corpus, the real GGUF."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Literal

import pytest

from rag.api import ingest
from tests.conftest import CORPUS


@pytest.fixture(scope="session")
def corpus_store(tmp_path_factory) -> Path:
    """data/corpus ingested once per test session into a temporary store (collection 'documents')."""
    store = tmp_path_factory.mktemp("store")
    report = ingest([CORPUS], store=store)
    assert len(report.added) == 5
    return store


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


START_TIMEOUT_S = 300  # loading the embedder (and the model) on a slow CI machine


@contextlib.contextmanager
def running(
    args: list[str], log: Path, ready: Callable[[], bool], *, drop_env: tuple[str, ...], **env: str
) -> Iterator[subprocess.Popen]:
    """``python -m rag.cli ARGS`` with its output in ``log`` and no ``drop_env`` variables; yields the
    process once ``ready()``, fails the test if it exits or is not ready in ``START_TIMEOUT_S``, and
    stops it afterwards."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(drop_env)}
    environ.update(GRADIO_ANALYTICS_ENABLED="False", **env)
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "rag.cli", *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            env=environ,
        )
    name = f"rag {args[0]}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not ready():
            if proc.poll() is not None:
                pytest.fail(f"{name} exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"{name} did not come up in {START_TIMEOUT_S} s:\n{log.read_text()[-4000:]}")
            time.sleep(0.5)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)


# The browser tests (tests/integration/test_browser.py: those that use the `chromium` fixture) need
# Debian's Chromium and the playwright package. Without them: skipped, with one reason line, on a
# developer's machine; a failure with CI=true (.ci/run sets it and installs Chromium).
CHROMIUM = Path("/usr/bin/chromium")
BROWSER_FAILURE = pytest.StashKey[str]()


def browser_unavailable(
    chromium: Path, *, playwright: bool, ci: str | None, tests: int
) -> tuple[Literal["skip", "fail"], str] | None:
    """None if the ``tests`` browser tests can run, else ("skip" or "fail", why).

    ``ci`` is the value of the CI environment variable: "true" makes a missing browser a failure.
    """
    missing = []
    if not chromium.exists():
        missing.append(f"Chromium not found at {chromium}: install it with `apt-get install chromium`")
    if not playwright:
        missing.append("the playwright package is not installed: `make setup` installs it")
    if not missing:
        return None
    what = "; ".join(missing)
    if (ci or "").strip().lower() == "true":
        return "fail", f"CI=true and the browser tests cannot run: {what} (.ci/run installs Chromium)"
    return "skip", f"{what} to run the {tests} browser test{'s' if tests != 1 else ''}"


@pytest.hookimpl(trylast=True)  # after -k/-m deselection, so that the count is of the tests that run
def pytest_collection_modifyitems(config, items):
    browser_tests = [item for item in items if "chromium" in item.fixturenames]
    if not browser_tests:
        return
    decision = browser_unavailable(
        CHROMIUM,
        playwright=importlib.util.find_spec("playwright") is not None,
        ci=os.environ.get("CI"),
        tests=len(browser_tests),
    )
    if decision is None:
        return
    action, why = decision
    if action == "fail":
        config.stash[BROWSER_FAILURE] = why
        return
    skip = pytest.mark.skip(reason=why)  # a mark, not pytest.skip() in a fixture: -rs folds it to one line
    for item in browser_tests:
        item.add_marker(skip)


@pytest.fixture(scope="session")
def chromium(request) -> Path:
    """The browser for the browser tests; when it is missing with CI=true, each of them fails saying so."""
    failure = request.config.stash.get(BROWSER_FAILURE, None)
    if failure is not None:
        pytest.fail(failure, pytrace=False)
    return CHROMIUM


@pytest.fixture(scope="session")
def curl() -> str:
    """The curl command for the API tests: skipped with one line outside CI when missing, failed in CI
    (.ci/run installs it)."""
    import shutil

    found = shutil.which("curl")
    if found:
        return found
    why = "curl not found: install it with `apt-get install curl` to run the curl tests"
    if (os.environ.get("CI") or "").strip().lower() == "true":
        pytest.fail(f"CI=true and {why} (.ci/run installs it)", pytrace=False)
    pytest.skip(why)
