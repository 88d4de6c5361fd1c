"""Users, API keys, workspaces and who may read or change them, in one SQLite file in the store folder.

A workspace is a collection of the store. Its owner may read, upload and remove, and so may an
``editor``; a ``reader`` may only ask and list. Passwords are kept as salted scrypt hashes and API keys
as SHA-256 hashes: a key is shown once, when it is made, and cannot be read back.

Nothing is cached: every check reads the file, so a grant or a revocation counts from the next request.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from rag.errors import InputError

FILE_NAME = "accounts.sqlite3"
ROLES = ("reader", "editor")
KEY_PREFIX = "rag-"
# Collection names as Chroma accepts them: 3-63 characters, letters, digits, ., _ and -, starting and
# ending with a letter or digit.
_WORKSPACE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,61}[A-Za-z0-9]")
_USER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
MIN_PASSWORD = 8

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, password TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS keys (
    hash TEXT PRIMARY KEY, user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    hint TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS workspaces (
    name TEXT PRIMARY KEY, owner TEXT NOT NULL REFERENCES users(name), created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS grants (
    workspace TEXT NOT NULL REFERENCES workspaces(name) ON DELETE CASCADE,
    user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('reader', 'editor')),
    PRIMARY KEY (workspace, user));
"""


@dataclass(frozen=True)
class Workspace:
    name: str
    owner: str
    grants: tuple[tuple[str, str], ...] = ()
    """``(user, role)`` for everyone but the owner, by name."""


def check_workspace_name(name: str) -> str:
    if not _WORKSPACE.fullmatch(name or ""):
        raise InputError(
            f"a workspace name needs 3-63 letters, digits, '.', '_' or '-', starting and ending with a "
            f"letter or digit; got {name!r}"
        )
    return name


def check_user_name(name: str) -> str:
    if not _USER.fullmatch(name or ""):
        raise InputError(
            f"a user name needs 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or "
            f"digit; got {name!r}"
        )
    return name


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT, dklen=32)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        found = hashlib.scrypt(
            password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except ValueError:
        return False
    return hmac.compare_digest(found.hex(), digest)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class Accounts:
    """The accounts of one store. Cheap to make; the file is created at the first change."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @classmethod
    def of_store(cls, store: Path) -> Accounts:
        return cls(Path(store) / FILE_NAME)

    @contextmanager
    def _db(self, *, write: bool = False) -> Iterator[sqlite3.Connection]:
        if write and not self.path.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.touch(mode=0o600)  # password and key hashes: the owner's alone
        with closing(sqlite3.connect(self.path, timeout=30)) as db:
            db.execute("PRAGMA foreign_keys = ON")
            if write:
                db.executescript(_SCHEMA)
            with db:  # one transaction: committed on success, rolled back on error
                yield db

    def _read(self, sql: str, *args: object) -> list[tuple]:
        if not self.path.exists():
            return []
        with self._db() as db:
            try:
                return db.execute(sql, args).fetchall()
            except sqlite3.OperationalError as e:
                if "no such table" in str(e):  # a file made by another program, or half made
                    return []
                raise

    # -- users ------------------------------------------------------------------------------------------

    def has_users(self) -> bool:
        return bool(self._read("SELECT 1 FROM users LIMIT 1"))

    def users(self) -> list[str]:
        return [name for (name,) in self._read("SELECT name FROM users ORDER BY name")]

    def add_user(self, name: str, password: str) -> None:
        check_user_name(name)
        _check_password(password)
        with self._db(write=True) as db:
            if db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise InputError(
                    f"user {name!r} already exists (change the password with `rag users passwd`)"
                )
            db.execute("INSERT INTO users VALUES (?, ?, ?)", (name, hash_password(password), time.time()))

    def set_password(self, name: str, password: str) -> None:
        _check_password(password)
        with self._db(write=True) as db:
            self._need_user(db, name)
            db.execute("UPDATE users SET password = ? WHERE name = ?", (hash_password(password), name))

    def check_password(self, name: str, password: str) -> bool:
        rows = self._read("SELECT password FROM users WHERE name = ?", name)
        return bool(rows) and password_matches(password, rows[0][0])

    # -- keys -------------------------------------------------------------------------------------------

    def create_key(self, user: str) -> str:
        """A new API key for ``user``. Only its hash is kept: the caller must show it now."""
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        with self._db(write=True) as db:
            self._need_user(db, user)
            db.execute("INSERT INTO keys VALUES (?, ?, ?, ?)", (key_hash(key), user, key[:8], time.time()))
        return key

    def user_for_key(self, key: str) -> str | None:
        rows = self._read("SELECT user FROM keys WHERE hash = ?", key_hash(key))
        return rows[0][0] if rows else None

    # -- workspaces -------------------------------------------------------------------------------------

    def create_workspace(self, name: str, owner: str) -> None:
        check_workspace_name(name)
        with self._db(write=True) as db:
            self._need_user(db, owner)
            found = db.execute("SELECT owner FROM workspaces WHERE name = ?", (name,)).fetchone()
            if found:
                raise InputError(f"workspace {name!r} already exists (owner {found[0]!r})")
            db.execute("INSERT INTO workspaces VALUES (?, ?, ?)", (name, owner, time.time()))

    def grant(self, workspace: str, user: str, role: str) -> None:
        if role not in ROLES:
            raise InputError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
        with self._db(write=True) as db:
            owner = self._need_workspace(db, workspace)
            self._need_user(db, user)
            if user == owner:
                raise InputError(f"{user!r} owns workspace {workspace!r} and may already do everything")
            db.execute("INSERT OR REPLACE INTO grants VALUES (?, ?, ?)", (workspace, user, role))

    def revoke(self, workspace: str, user: str) -> None:
        with self._db(write=True) as db:
            owner = self._need_workspace(db, workspace)
            if user == owner:
                raise InputError(f"{user!r} owns workspace {workspace!r}; an owner cannot be revoked")
            gone = db.execute("DELETE FROM grants WHERE workspace = ? AND user = ?", (workspace, user))
            if not gone.rowcount:
                raise InputError(
                    f"{user!r} has no grant on workspace {workspace!r} (see `rag workspaces list`)"
                )

    def workspaces(self) -> list[Workspace]:
        grants: dict[str, list[tuple[str, str]]] = {}
        for workspace, user, role in self._read("SELECT workspace, user, role FROM grants ORDER BY user"):
            grants.setdefault(workspace, []).append((user, role))
        return [
            Workspace(name, owner, tuple(grants.get(name, ())))
            for name, owner in self._read("SELECT name, owner FROM workspaces ORDER BY name")
        ]

    def workspace_exists(self, name: str) -> bool:
        return bool(self._read("SELECT 1 FROM workspaces WHERE name = ?", name))

    def role(self, workspace: str, user: str) -> str | None:
        """``owner``, ``editor``, ``reader``, or None when ``user`` may not touch ``workspace``."""
        rows = self._read(
            "SELECT 'owner' FROM workspaces WHERE name = ? AND owner = ? "
            "UNION ALL SELECT role FROM grants WHERE workspace = ? AND user = ?",
            workspace,
            user,
            workspace,
            user,
        )
        return rows[0][0] if rows else None

    def readable(self, user: str) -> list[str]:
        """The workspaces ``user`` may read, by name."""
        rows = self._read(
            "SELECT name FROM workspaces WHERE owner = ? UNION SELECT workspace FROM grants WHERE user = ? "
            "ORDER BY 1",
            user,
            user,
        )
        return [name for (name,) in rows]

    # -- checks -----------------------------------------------------------------------------------------

    @staticmethod
    def _need_user(db: sqlite3.Connection, name: str) -> None:
        if not db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
            raise InputError(f"no user {name!r}: add one with `rag users add {name}`")

    @staticmethod
    def _need_workspace(db: sqlite3.Connection, name: str) -> str:
        found = db.execute("SELECT owner FROM workspaces WHERE name = ?", (name,)).fetchone()
        if not found:
            raise InputError(
                f"no workspace {name!r}: create it with `rag workspaces create {name} --owner NAME`"
            )
        return found[0]


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InputError(f"a password needs at least {MIN_PASSWORD} characters, got {len(password)}")
    if password != password.strip() or "\n" in password:
        raise InputError("a password cannot start or end with spaces or hold a line break")
