"""Users, keys, workspaces and grants in a real SQLite file under tmp_path."""

from __future__ import annotations

import io
import re
import sqlite3
import stat

import pytest

from rag.accounts import Accounts, hash_password, password_matches
from rag.errors import InputError


@pytest.fixture
def accounts(tmp_path) -> Accounts:
    accounts = Accounts.of_store(tmp_path / "store")
    accounts.add_user("alice", "alice-password")
    accounts.add_user("bob", "bob-password")
    return accounts


def test_a_new_store_has_no_users_and_no_file(tmp_path):
    accounts = Accounts.of_store(tmp_path)
    assert not accounts.has_users()
    assert accounts.readable("alice") == [] and accounts.user_for_key("rag-x") is None
    assert not accounts.path.exists(), "reading does not create the file"


def test_passwords_are_salted_hashes_and_checked(accounts):
    assert accounts.check_password("alice", "alice-password")
    assert not accounts.check_password("alice", "bob-password")
    assert not accounts.check_password("nobody", "alice-password")
    stored = sqlite3.connect(accounts.path).execute("SELECT password FROM users").fetchall()
    assert all("alice-password" not in row[0] and row[0].startswith("scrypt$") for row in stored)
    assert hash_password("same-password") != hash_password("same-password"), "a fresh salt each time"
    assert not password_matches("x", "not-a-hash")
    assert stat.S_IMODE(accounts.path.stat().st_mode) == 0o600

    accounts.set_password("alice", "a-new-password")
    assert accounts.check_password("alice", "a-new-password")
    assert not accounts.check_password("alice", "alice-password")


def test_keys_are_shown_once_and_stored_hashed(accounts):
    key = accounts.create_key("alice")
    other = accounts.create_key("alice")
    assert key != other and key.startswith("rag-") and len(key) > 40
    assert accounts.user_for_key(key) == "alice" and accounts.user_for_key(other) == "alice"
    assert accounts.user_for_key(key + "x") is None
    dump = "\n".join(sqlite3.connect(accounts.path).iterdump())
    assert key not in dump and key[8:] not in dump


def test_owners_editors_and_readers(accounts):
    accounts.add_user("carol", "carol-password")
    accounts.create_workspace("team-a", "alice")
    accounts.create_workspace("team-b", "bob")
    accounts.grant("team-a", "bob", "reader")
    assert accounts.role("team-a", "alice") == "owner"
    assert accounts.role("team-a", "bob") == "reader"
    assert accounts.role("team-a", "carol") is None
    assert accounts.readable("bob") == ["team-a", "team-b"]
    assert accounts.readable("carol") == []

    accounts.grant("team-a", "bob", "editor")  # a second grant replaces the first
    assert accounts.role("team-a", "bob") == "editor"
    listed = {w.name: w for w in accounts.workspaces()}
    assert listed["team-a"].owner == "alice" and listed["team-a"].grants == (("bob", "editor"),)

    accounts.revoke("team-a", "bob")
    assert accounts.role("team-a", "bob") is None and accounts.readable("bob") == ["team-b"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda a: a.add_user("alice", "whatever-pw"), "user 'alice' already exists"),
        (lambda a: a.add_user("eve", "short"), "at least 8 characters"),
        (lambda a: a.add_user("../eve", "long-enough"), "a user name needs"),
        (lambda a: a.create_key("nobody"), "no user 'nobody': add one with `rag users add nobody`"),
        (lambda a: a.create_workspace("x", "alice"), "a workspace name needs 3-63"),
        (lambda a: a.create_workspace("a/../b", "alice"), "a workspace name needs"),
        (lambda a: a.create_workspace("team-c", "nobody"), "no user 'nobody'"),
        (lambda a: a.grant("team-z", "bob", "reader"), "no workspace 'team-z': create it with"),
        (lambda a: a.grant("team-a", "bob", "admin"), "role must be one of reader, editor"),
        (lambda a: a.grant("team-a", "alice", "reader"), "owns workspace 'team-a'"),
        (lambda a: a.revoke("team-a", "bob"), "'bob' has no grant on workspace 'team-a'"),
        (lambda a: a.revoke("team-a", "alice"), "an owner cannot be revoked"),
    ],
)
def test_bad_changes_say_what_is_wrong_and_change_nothing(accounts, change, message):
    accounts.create_workspace("team-a", "alice")
    before = "\n".join(sqlite3.connect(accounts.path).iterdump())
    with pytest.raises(InputError, match=re.escape(message)):
        change(accounts)
    assert "\n".join(sqlite3.connect(accounts.path).iterdump()) == before


def test_the_commands_manage_users_keys_and_workspaces(tmp_path, monkeypatch, capsys):
    from rag.cli import main

    store = ["--store", str(tmp_path)]
    monkeypatch.setattr("sys.stdin", io.StringIO("alice-password\n"))
    assert main(["users", "add", "alice", "--password-stdin", *store]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("bob-password\n"))
    assert main(["users", "add", "bob", "--password-stdin", *store]) == 0
    capsys.readouterr()
    assert main(["keys", "create", "bob", *store]) == 0
    key = capsys.readouterr().out.strip()
    assert main(["workspaces", "create", "team-a", "--owner", "alice", *store]) == 0
    assert main(["workspaces", "grant", "team-a", "bob", "--role", "reader", *store]) == 0
    assert main(["workspaces", "list", *store]) == 0
    assert "team-a\towner alice\tbob (reader)" in capsys.readouterr().out
    accounts = Accounts.of_store(tmp_path)
    assert accounts.user_for_key(key) == "bob" and accounts.readable("bob") == ["team-a"]

    assert main(["workspaces", "revoke", "team-a", "bob", *store]) == 0
    assert accounts.readable("bob") == []
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal, and no --password-stdin
    assert main(["users", "passwd", "alice", *store]) == 1
    err = capsys.readouterr().err
    assert err.strip() == "rag: error: no terminal to ask for the password: pipe it in with --password-stdin"
    assert accounts.check_password("alice", "alice-password")
