"""Access control of ``rag serve`` as a property, against one real server.

Hypothesis draws users, workspaces, owners, grants and documents; every document holds a marker word
of its own, which is also its file name (so its document id). For every user and every workspace, no
answer, stream chunk, source, model list or document list may hold a marker of a workspace other than
the one asked, and none at all from a workspace the user may not read; a revocation counts from the
next request.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.serving import serve

pytestmark = pytest.mark.integration

ROLES = (None, "reader", "editor")
QUESTION = "What is the vault code of the archive?"


@dataclass(frozen=True)
class World:
    users: int
    owners: tuple[int, ...]
    """The owner (a user's index) of each workspace."""
    grants: tuple[tuple[int, int, str | None], ...]
    """(workspace, user, role or None) for every user who does not own the workspace."""
    documents: tuple[int, ...]
    """How many documents each workspace holds."""
    stream: bool
    revoke: int
    """Which grant with a role to revoke (modulo their number)."""


@st.composite
def worlds(draw) -> World:
    users = draw(st.integers(2, 3))
    owners = tuple(draw(st.lists(st.integers(0, users - 1), min_size=2, max_size=3)))
    grants = tuple(
        (w, u, draw(st.sampled_from(ROLES)))
        for w in range(len(owners))
        for u in range(users)
        if u != owners[w]
    )
    documents = tuple(draw(st.lists(st.integers(1, 2), min_size=len(owners), max_size=len(owners))))
    return World(users, owners, grants, documents, draw(st.booleans()), draw(st.integers(0, 10)))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve-access")
    with serve(folder / "store", folder / "serve.log", "--mode", "extractive") as running:
        yield running


def ask(server, user: str, workspace: str, stream: bool) -> tuple[int, str]:
    """(status, the whole raw response: every chunk of a stream)."""
    body = {"model": workspace, "messages": [{"role": "user", "content": QUESTION}], "stream": stream}
    with server.client(user) as http:
        done = http.post("/v1/chat/completions", json=body)
        return done.status_code, done.text


def found(text: str, markers: set[str]) -> set[str]:
    return {m for m in markers if m in text}


@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,  # the same worlds every run: a failure is found again
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(world=worlds())
def test_no_response_holds_anything_of_a_workspace_the_key_cannot_read(server, world):
    tag = secrets.token_hex(3)
    users = [f"u{tag}{n}" for n in range(world.users)]
    spaces = [f"w{tag}{n}" for n in range(len(world.owners))]
    for user in users:
        server.add_user(user)
    markers: dict[str, set[str]] = {}
    for w, (space, owner) in enumerate(zip(spaces, world.owners, strict=True)):
        server.accounts.create_workspace(space, users[owner])
        markers[space] = {f"mk{secrets.token_hex(5)}" for _ in range(world.documents[w])}
        for marker in markers[space]:
            text = (
                f"The vault code of the archive is {marker}. The archive keeps {marker} in a locked room.\n"
            )
            done = server.upload(users[owner], space, f"{marker}.txt", text)
            assert done.status_code == 201, done.text
    for w, u, role in world.grants:
        if role:
            server.accounts.grant(spaces[w], users[u], role)
    everything = set().union(*markers.values())

    def readable(user: str) -> set[str]:
        u = users.index(user)
        owned = {spaces[w] for w, o in enumerate(world.owners) if o == u}
        return owned | {spaces[w] for w, g, role in world.grants if g == u and role}

    def check(user: str, may_read: set[str]) -> None:
        with server.client(user) as http:
            models = http.get("/v1/models")
            assert models.status_code == 200
            assert {m["id"] for m in models.json()["data"]} == may_read
            assert not found(models.text, everything)
            for space in spaces:
                own = markers[space]
                status, text = ask(server, user, space, world.stream)
                listed = http.get(f"/v1/workspaces/{space}/documents")
                if space in may_read:
                    assert status == 200, text
                    assert found(text, everything) <= own, f"{user} asking {space} saw another workspace's"
                    assert found(text, own), "the answer comes from the workspace's own documents"
                    assert {d["id"] for d in listed.json()["data"]} == {f"{m}.txt" for m in own}
                else:
                    assert status == 403, text
                    assert json.loads(text)["error"]["code"] == "forbidden"
                    assert not found(text, everything)
                    assert listed.status_code == 403 and not found(listed.text, everything)

    for user in users:
        check(user, readable(user))

    granted = [(w, u) for w, u, role in world.grants if role]
    if granted:
        w, u = granted[world.revoke % len(granted)]
        server.accounts.revoke(spaces[w], users[u])
        still = readable(users[u]) - {spaces[w]}
        check(users[u], still)  # the very next requests
