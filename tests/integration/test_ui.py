"""The chat window as a served app, called through gradio_client (the browser tests build on this)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.integration.conftest import free_port

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def ui_url(corpus_store):
    port = free_port()
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "ui", "--port", str(port), "--store", str(corpus_store)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    import urllib.request

    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"rag ui exited: {proc.stdout.read()}")
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            time.sleep(1)
    else:
        proc.kill()
        pytest.fail("rag ui did not come up in 120 s")
    yield url
    proc.terminate()
    proc.wait(timeout=30)


def test_the_chat_answers_with_sources_through_the_api(ui_url):
    from gradio_client import Client

    client = Client(ui_url, verbose=False)
    chat, _box = client.predict("In which province did the March 6 strikes take place?", [], api_name="/ask")
    reply = chat[-1]["content"]
    text = reply if isinstance(reply, str) else str(reply)
    assert "004_0d8d2c443041b939.txt" in text
    assert "<mark>" in text
