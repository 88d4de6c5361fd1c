"""The chat window of `rag serve` in a real browser: each user logs in with their password and sees,
and can use, only their own workspaces. Needs Chromium (see tests/integration/test_browser.py)."""

from __future__ import annotations

import pytest

from rag.accounts import Accounts
from tests.integration.serving import serve
from tests.integration.test_browser import ANSWER_TIMEOUT_MS, CHROMIUM_ARGS, SCREENSHOTS, UI_TIMEOUT_MS, ask
from tests.integration.test_ui import message_text

pytestmark = pytest.mark.integration

TEAM = {
    "alice": (
        "alice-notes",
        "kestrel.md",
        "# Kestrel project\n\nThe code word of the Kestrel project is zumbrafox.\n",
    ),
    "bob": (
        "bob-notes",
        "osprey.txt",
        "The Osprey canal opened in 1901 and carries barges of quarrelstone.\n",
    ),
}


@pytest.fixture(scope="module")
def team_server(chromium, tmp_path_factory):  # chromium first: it fails before any server starts
    folder = tmp_path_factory.mktemp("serve-browser")
    accounts = Accounts.of_store(folder / "store")
    for user, (workspace, _, _) in TEAM.items():  # before the start: the window's login is chosen then
        accounts.add_user(user, f"{user}-password")
        accounts.create_workspace(workspace, user)
    with serve(folder / "store", folder / "serve.log", "--mode", "extractive") as server:
        for user, (workspace, name, text) in TEAM.items():
            server.keys[user] = accounts.create_key(user)
            assert server.upload(user, workspace, name, text).status_code == 201
        yield server


def log_in(browser, url: str, user: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT_MS)
    page.goto(url + "/")
    page.fill("input[type=text]", user)
    page.fill("input[type=password]", f"{user}-password")
    page.click("button:has-text('Login')")
    page.wait_for_selector("#question textarea")
    return context, page


@pytest.mark.parametrize("user", list(TEAM))
def test_each_user_sees_and_asks_only_their_own_workspaces(team_server, chromium, user):
    from playwright.sync_api import sync_playwright

    workspace, doc_id, _ = TEAM[user]
    other_workspace, other_doc, _ = next(v for k, v in TEAM.items() if k != user)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        context, page = log_in(browser, team_server.url, user)
        page.wait_for_function(f"() => document.querySelector('#documents')?.innerText.includes('{doc_id}')")
        assert other_doc not in page.inner_text("#documents")
        page.click("#settings button")
        assert page.input_value("#collection input") == workspace
        page.click("#collection input")
        options = page.locator("[role=option]")
        options.first.wait_for()
        assert [o.strip(" ✓\n") for o in options.all_inner_texts()] == [workspace]
        page.keyboard.press("Escape")
        question = (
            "What is the code word of the Kestrel project?"
            if user == "alice"
            else "When did the Osprey canal open?"
        )
        answer = ask(page, question)
        text = answer.inner_text()
        assert doc_id in text and other_doc not in text
        page.screenshot(path=str(SCREENSHOTS / f"serve-{user}.png"), full_page=True)
        context.close()

        wrong = browser.new_context()
        page = wrong.new_page()
        page.goto(team_server.url + "/")
        page.fill("input[type=text]", user)
        page.fill("input[type=password]", "not-the-password")
        page.click("button:has-text('Login')")
        page.wait_for_selector("text=Incorrect Credentials", timeout=ANSWER_TIMEOUT_MS)
        assert page.locator("#question textarea").count() == 0
        wrong.close()
        browser.close()


def test_the_window_refuses_another_users_workspace_even_when_asked_directly(team_server):
    """Past the page, through Gradio's own client: bob names alice's workspace. Gradio refuses a value
    outside the choices it gave bob, and the window's own check would refuse it after that."""
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    client = Client(team_server.url + "/", auth=("bob", "bob-password"), verbose=False)
    try:
        chat, _ = client.predict(
            "What is the Kestrel code word?", [], 8, "extractive", "gemma3-270m", "alice-notes",
            api_name="/ask",
        )  # fmt: skip
    except AppError as e:
        text = str(e)
        assert "alice-notes is not in the list of choices" in text
    else:
        text = message_text(chat[-1])
        assert "class='error'" in text and "may not read workspace 'alice-notes'" in text
    assert "zumbrafox" not in text and "kestrel.md" not in text
