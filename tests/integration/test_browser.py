"""The chat window in a real browser: headless Chromium driven by Playwright against a real `rag ui`.

Needs /usr/bin/chromium (`.ci/run` installs it) and the `playwright` Python package (the `dev` extra);
without them the tests that use `page` are skipped with one reason line, or fail when CI=true
(tests/integration/conftest.py decides). Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rag import ingest
from tests.conftest import CORPUS
from tests.integration.conftest import browser_unavailable
from tests.integration.test_ui import serve_ui

pytestmark = pytest.mark.integration

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
ANSWER_TIMEOUT_MS = 180_000  # the model answers in 1-3 s; a loaded CI machine may be far slower
UI_TIMEOUT_MS = 60_000

FESTIVAL_NAME = "harbour festival (draft).txt"  # uploaded as harbour_festival__draft_.txt
FESTIVAL_ID = "harbour_festival__draft_.txt"
FESTIVAL = (
    "date 2026-05-02 Port Alvera lantern festival draws a record crowd\n"
    "The Port Alvera Harbour Lantern Festival was held on May 1 in the town's old fishing harbour.\n"
    "Organisers said 3,742 paper lanterns were floated across the harbour this year, a record.\n"
    "The festival was first held in 1987 to remember fishermen lost at sea.\n"
)

BRIEF = (
    "---\ntitle: Regional security brief\ndate: 2026-03-20\n---\n"
    "The share of drugs produced by Colombia and Peru that passes through Ecuador is 5%.\n"
)

# Records every state of the last answer in the chat, to see it change while it streams.
WATCH_ANSWERS = """() => {
  window.__answers = [];
  const chat = document.querySelector('#chat');
  const record = () => {
    const bots = chat.querySelectorAll('[data-testid="bot"]');
    if (!bots.length) return;
    const html = bots[bots.length - 1].innerHTML;
    if (window.__answers[window.__answers.length - 1] !== html) window.__answers.push(html);
  };
  new MutationObserver(record).observe(chat, {subtree: true, childList: true, characterData: true});
}"""


@pytest.fixture(scope="module")
def browser_store(tmp_path_factory, corpus_store) -> Path:
    """A store of its own (this module uploads and removes documents), filled from data/corpus."""
    store = tmp_path_factory.mktemp("browser-store")
    assert len(ingest([CORPUS], store=store).added) == 5
    return store


@pytest.fixture(scope="module")
def server(browser_store, tmp_path_factory):
    log = tmp_path_factory.mktemp("browser-ui") / "ui.log"
    with serve_ui(browser_store, log) as url:
        yield url


@pytest.fixture(scope="module")
def page(chromium, server):  # chromium: session-scoped, so it fails before any store or server
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1100})
        page = context.new_page()
        page.set_default_timeout(UI_TIMEOUT_MS)
        outside: list[str] = []
        page.on(
            "request",
            lambda r: None if r.url.startswith((server, "data:", "blob:")) else outside.append(r.url),
        )
        page.goto(server)
        page.wait_for_selector("#question textarea")
        page.wait_for_selector("#chat")
        # components mount one by one as their code loads: wait for the table's, then for its rows
        page.wait_for_function("() => document.querySelector('#documents')?.innerText.includes('004_')")
        yield page
        context.close()
        browser.close()
        assert outside == [], f"the page made requests outside the app: {outside}"


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def ask(page, question: str) -> object:
    """Ask through the text box; return the locator of the finished answer (the last bot message)."""
    answers = page.locator("#chat [data-testid='bot']")
    before = answers.count()
    page.evaluate(WATCH_ANSWERS)
    page.fill("#question textarea", question)
    page.click("#ask")
    page.wait_for_function(
        """(n) => {
          const bots = document.querySelectorAll('#chat [data-testid="bot"]');
          if (bots.length <= n) return false;
          const last = bots[bots.length - 1];
          return !!last.querySelector('.sources, .refusal, .error, .note');
        }""",
        arg=before,
        timeout=ANSWER_TIMEOUT_MS,
    )
    return answers.last


def upload(page, name: str, text: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_text(text)
    page.set_input_files("#upload input[type=file]", str(path))


def table_text(page) -> str:
    return page.locator("#documents").inner_text()


def test_an_answer_streams_in_with_its_highlighted_source(page):
    answer = ask(page, "In which province did the March 6 strikes take place?")
    states = page.evaluate("window.__answers")
    assert len(states) >= 2, "the answer appeared at once, not streamed"
    partial = [s for s in states if "Searching your documents" in s or "▍" in s]
    assert partial, "no intermediate state was shown before the answer"
    assert 'class="sources"' in states[-1] and not any('class="sources"' in s for s in partial)

    assert "004_0d8d2c443041b939.txt" in answer.locator(".sources").inner_text()
    first = answer.locator("details.source").first
    first.locator("summary").click()
    mark = first.locator(".passage mark")
    assert mark.is_visible()
    assert mark.inner_text().strip()
    assert answer.locator(".score").first.inner_text().startswith("score ")
    assert answer.locator(".refusal").count() == 0
    shot(page, "01-answer-with-sources")


def test_an_uploaded_document_is_ingested_and_cited_by_its_file_name(page, tmp_path):
    upload(page, FESTIVAL_NAME, FESTIVAL, tmp_path)
    status = page.locator("#documents-status")
    status.get_by_text(FESTIVAL_ID).wait_for(timeout=ANSWER_TIMEOUT_MS)
    assert "Not added" not in status.inner_text()
    page.locator("#documents [role=gridcell]").get_by_text(FESTIVAL_ID).wait_for()
    shot(page, "02-uploaded")

    answer = ask(page, "How many paper lanterns were floated at the Port Alvera Harbour Lantern Festival?")
    assert answer.locator(".refusal").count() == 0, answer.inner_text()
    assert "3,742" in answer.locator(".answer-text").inner_text()
    assert FESTIVAL_ID in answer.locator(".sources").inner_text()
    answer.locator("details.source summary").first.click()
    shot(page, "03-uploaded-document-cited")


def test_a_refusal_looks_different_from_an_answer(page):
    answer = ask(page, "What is the capital of France?")
    refusal = answer.locator(".refusal")
    assert refusal.is_visible()
    assert answer.locator(".sources").count() == 0
    assert refusal.locator(".reason").inner_text().startswith("Why:")
    border = refusal.evaluate("e => getComputedStyle(e).borderLeftColor")
    assert border == "rgb(217, 119, 6)", "the refusal style is not applied"
    page.locator("#documents [role=gridcell]").get_by_text(FESTIVAL_ID).scroll_into_view_if_needed()
    shot(page, "04-refusal")


def test_an_unsupported_upload_is_refused_with_a_short_message(page, tmp_path):
    upload(page, "slides.pptx", "not a type we read", tmp_path)
    # The browser refuses it before upload (a toast); the server would too (the status line).
    refused = page.locator(".toast-body, #documents-status").filter(
        has_text=re.compile("Invalid file type|unsupported type")
    )
    refused.first.wait_for(timeout=UI_TIMEOUT_MS)
    assert "Traceback" not in refused.first.inner_text()
    assert "slides.pptx" not in table_text(page)


def test_a_corrupt_file_is_not_added_and_says_why(page, tmp_path):
    upload(page, "notes.pdf", "%PDF-1.4 not really", tmp_path)
    status = page.locator("#documents-status").filter(has_text="Not added")
    status.wait_for(timeout=ANSWER_TIMEOUT_MS)
    assert "notes.pdf: corrupt PDF" in status.inner_text()
    assert "Traceback" not in status.inner_text()
    assert "notes.pdf" not in table_text(page)


def test_a_removed_document_leaves_the_table(page, tmp_path):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    if FESTIVAL_ID not in table_text(page):
        upload(page, FESTIVAL_NAME, FESTIVAL, tmp_path)
        page.locator("#documents [role=gridcell]").get_by_text(FESTIVAL_ID).wait_for(
            timeout=ANSWER_TIMEOUT_MS
        )
    page.locator("#documents [role=gridcell]").get_by_text(FESTIVAL_ID).click()  # picks it in the dropdown
    picked = "(id) => document.querySelector('#remove-choice input')?.value === id"
    try:  # the pick is a server round trip: wait for it rather than race it
        page.wait_for_function(picked, arg=FESTIVAL_ID, timeout=UI_TIMEOUT_MS)
    except PlaywrightTimeout:
        page.locator("#remove-choice input").fill(FESTIVAL_ID)
        page.locator("ul.options li", has_text=FESTIVAL_ID).first.click()
        page.wait_for_function(picked, arg=FESTIVAL_ID, timeout=UI_TIMEOUT_MS)
    page.click("#remove")
    page.locator("#documents-status").get_by_text("removed").wait_for(timeout=ANSWER_TIMEOUT_MS)
    page.wait_for_function(
        "(id) => document.querySelector('#documents')?.innerText.includes(id) === false",
        arg=FESTIVAL_ID,
        timeout=UI_TIMEOUT_MS,
    )
    assert "004_0d8d2c443041b939.txt" in table_text(page)
    shot(page, "05-removed")


def test_a_planted_document_that_contradicts_the_others_is_shown_as_a_disagreement(page, tmp_path):
    upload(page, "security brief.md", BRIEF, tmp_path)
    page.locator("#documents [role=gridcell]").get_by_text("security_brief.md").wait_for(
        timeout=ANSWER_TIMEOUT_MS
    )
    answer = ask(page, "What share of the drugs produced by Colombia and Peru passes through Ecuador?")
    conflict = answer.locator(".conflict")
    assert conflict.is_visible(), answer.inner_text()
    assert conflict.locator(".badge").inner_text().lower() == "sources disagree"
    values = conflict.locator("li").all_inner_texts()
    assert values[0].startswith("70") and values[-1].startswith("5%")
    assert "security_brief.md" in answer.locator(".sources").inner_text()
    border = conflict.evaluate("e => getComputedStyle(e).borderLeftColor")
    assert border == "rgb(124, 58, 237)", "the disagreement style is not applied"
    answer.scroll_into_view_if_needed()
    shot(page, "06-disagreement")
    answer.evaluate(  # the answer's top in view, below the chat's label
        "e => { e.scrollIntoView({block: 'start'}); let p = e.parentElement;"
        " while (p && p.scrollHeight <= p.clientHeight) p = p.parentElement; if (p) p.scrollTop -= 40; }"
    )
    page.locator("#chat").screenshot(path=str(SCREENSHOTS / "06-disagreement-chat.png"))  # docs/


def test_clear_empties_the_conversation(page):
    assert page.locator("#chat [data-testid='bot']").count() > 0
    page.click("#clear")
    page.wait_for_function("() => !document.querySelector('#chat [data-testid=\"bot\"]')")


# The skip-or-fail decision itself: no browser, no server.


def test_the_browser_tests_run_when_chromium_and_playwright_are_there(tmp_path):
    chromium = tmp_path / "chromium"
    chromium.touch()
    for ci in (None, "", "false", "true"):
        assert browser_unavailable(chromium, playwright=True, ci=ci, tests=7) is None


def test_a_missing_chromium_skips_them_outside_ci_with_one_reason(tmp_path):
    chromium = tmp_path / "chromium"
    for ci in (None, "", "false"):
        assert browser_unavailable(chromium, playwright=True, ci=ci, tests=7) == (
            "skip",
            f"Chromium not found at {chromium}: install it with `apt-get install chromium`"
            " to run the 7 browser tests",
        )
    assert browser_unavailable(chromium, playwright=True, ci=None, tests=1)[1].endswith("the 1 browser test")


def test_a_missing_chromium_fails_them_in_ci(tmp_path):
    chromium = tmp_path / "chromium"
    for ci in ("true", "TRUE", " true\n"):
        action, message = browser_unavailable(chromium, playwright=True, ci=ci, tests=7)
        assert action == "fail"
        assert f"Chromium not found at {chromium}" in message and message.startswith("CI=true")


def test_a_missing_playwright_package_counts_as_a_missing_browser(tmp_path):
    chromium = tmp_path / "chromium"
    chromium.touch()
    action, message = browser_unavailable(chromium, playwright=False, ci=None, tests=7)
    assert action == "skip" and "playwright package is not installed" in message
    assert "Chromium not found" not in message
    assert browser_unavailable(chromium, playwright=False, ci="true", tests=7)[0] == "fail"
    chromium.unlink()
    _, both = browser_unavailable(chromium, playwright=False, ci=None, tests=7)
    assert "Chromium not found" in both and "playwright" in both
