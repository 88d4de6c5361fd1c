"""A real ``rag serve`` subprocess on a free loopback port, and the accounts and documents it serves."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from rag.accounts import Accounts
from tests.integration.conftest import free_port, running


@dataclass
class Server:
    url: str
    store: Path
    log: Path
    proc: subprocess.Popen
    keys: dict[str, str] = field(default_factory=dict)

    @property
    def accounts(self) -> Accounts:
        return Accounts.of_store(self.store)

    def client(self, user: str | None = None, **options) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.keys[user]}"} if user else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=300, **options)

    def add_user(self, name: str, password: str | None = None) -> str:
        """A user with a key; returns the key (also kept in ``keys``)."""
        self.accounts.add_user(name, password or f"{name}-password")
        self.keys[name] = self.accounts.create_key(name)
        return self.keys[name]

    def upload(self, user: str | None, workspace: str, name: str, text: str) -> httpx.Response:
        with self.client(user) as http:
            return http.post(
                f"/v1/workspaces/{workspace}/documents", files={"file": (name, text.encode(), "text/plain")}
            )


@contextlib.contextmanager
def serve(store: Path, log: Path, *args: str, **env: str) -> Iterator[Server]:
    """``rag serve`` over ``store`` with ``args``; yields it once /health answers, stops it afterwards."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            return httpx.get(url + "/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    cmd = ["serve", "--port", str(port), "--store", str(store), *args]
    with running(cmd, log, healthy, drop_env=("RAG_UI_", "RAG_SERVE"), **env) as proc:
        yield Server(url, store, log, proc)


def files_under(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (for "nothing was written" checks)."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
