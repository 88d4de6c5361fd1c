"""Load on a running `rag serve`: N clients stream answers at once for S seconds.

Each client has a document of its own in the workspace (uploaded first, removed at the end), with a
marker word, and asks only about it; so an answer holding another client's marker was mixed up. Every
request ends in one of: answered (a full stream up to ``data: [DONE]``, with its sources), told 429
(the client then waits the ``Retry-After`` it was given, as a polite client would), or lost (an error,
another status, a broken stream): a sound server loses none and mixes none.

Writes bench-out/serve_load.json: counts, latency of answered requests (p50, p95, max; to the whole
answer and to its first text), the Retry-After values given, and the server's queue figures from
/health before and after. The machine is usually shared: compare runs made side by side.

    rag serve --store S --queue 8 &            # with users: pass --key (an editor's) as well
    python -m bench.serve_load --url http://127.0.0.1:8000 --workspace documents --clients 16 --seconds 60
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import DEFAULT_OUT, machine, write_json

NAMES = [
    "Kestrel", "Osprey", "Heron", "Plover", "Curlew", "Dunlin", "Avocet", "Bittern",
    "Lapwing", "Merlin", "Shrike", "Siskin", "Wryneck", "Dotterel", "Godwit", "Ptarmigan",
]  # fmt: skip
TOWNS = [
    "Tromso", "Bergen", "Narvik", "Alta", "Bodo", "Molde", "Hamar", "Skien",
    "Lillehammer", "Kirkenes", "Vardo", "Harstad", "Mosjoen", "Halden", "Larvik", "Arendal",
]  # fmt: skip


@dataclass
class Client:
    n: int
    name: str
    marker: str
    doc_id: str
    latencies: list[float] = field(default_factory=list)
    first_text: list[float] = field(default_factory=list)
    answered: int = 0
    told_429: int = 0
    retry_after: list[int] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    mixed: list[str] = field(default_factory=list)
    missing_own: int = 0

    @property
    def question(self) -> str:
        return f"What is the code word of the {self.name} project?"

    @property
    def document(self) -> str:
        town = TOWNS[self.n % len(TOWNS)]
        return (
            f"# {self.name} project\n\nThe code word of the {self.name} project is {self.marker}. "
            f"The {self.name} project is run from an office in {town}.\n"
        )


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))], 3)


def make_clients(count: int) -> list[Client]:
    tag = secrets.token_hex(2)
    clients = []
    for n in range(count):
        name = NAMES[n % len(NAMES)] + ("" if n < len(NAMES) else str(n // len(NAMES) + 1))
        marker = f"code{secrets.token_hex(4)}"
        clients.append(Client(n, name, marker, f"load-{tag}-{n:02d}.md"))
    return clients


def ask(http: httpx.Client, client: Client, workspace: str, others: dict[str, int], until: float) -> None:
    """One request; its outcome is recorded on ``client``."""
    body = {"model": workspace, "messages": [{"role": "user", "content": client.question}], "stream": True}
    t0 = time.perf_counter()
    try:
        with http.stream("POST", "/v1/chat/completions", json=body) as response:
            if response.status_code == 429:
                client.told_429 += 1
                wait = int(response.headers.get("retry-after", "1"))
                client.retry_after.append(wait)
                time.sleep(max(0.0, min(wait, until - time.monotonic())))
                return
            if response.status_code != 200:
                client.lost.append(f"HTTP {response.status_code}: {response.read()[:200]!r}")
                return
            text, extra, done, first = "", None, False, None
            for line in response.iter_lines():
                if not line.startswith("data: "):
                    continue
                data = line[len("data: ") :]
                if data == "[DONE]":
                    done = True
                    break
                event = json.loads(data)
                if "error" in event:
                    client.lost.append(f"error event: {event['error'].get('message')}")
                    return
                delta = event["choices"][0]["delta"]
                if delta.get("content"):
                    first = first or time.perf_counter()
                    text += delta["content"]
                extra = delta.get("rag", extra)
    except httpx.HTTPError as e:
        client.lost.append(f"{type(e).__name__}: {e}")
        return
    if not done or extra is None:
        client.lost.append("the stream ended before its sources and [DONE]")
        return
    elapsed = time.perf_counter() - t0
    seen = text + json.dumps(extra)
    client.answered += 1
    client.latencies.append(elapsed)
    client.first_text.append((first or time.perf_counter()) - t0)
    client.missing_own += client.marker not in seen
    client.mixed += [f"client {client.n} got client {n}'s {m}" for m, n in others.items() if m in seen]


def run_load(url: str, workspace: str, *, key: str | None, clients: int, seconds: float) -> dict:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    everyone = make_clients(clients)
    with httpx.Client(base_url=url, headers=headers, timeout=600) as http:
        for c in everyone:
            done = http.post(
                f"/v1/workspaces/{workspace}/documents",
                files={"file": (c.doc_id, c.document.encode(), "text/markdown")},
            )
            if done.status_code != 201:
                raise SystemExit(f"serve_load: cannot upload {c.doc_id}: HTTP {done.status_code} {done.text}")
        health_before = http.get("/health").json()
    load_before = machine()["load_average"]
    markers = {c.marker: c.n for c in everyone}
    until = time.monotonic() + seconds
    start = threading.Barrier(clients)

    def loop(client: Client) -> None:
        others = {m: n for m, n in markers.items() if n != client.n}
        with httpx.Client(base_url=url, headers=headers, timeout=600) as http:
            start.wait()
            while time.monotonic() < until:
                ask(http, client, workspace, others, until)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=loop, args=(c,), daemon=True) for c in everyone]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 900)
    wall = time.perf_counter() - t0
    hung = sum(t.is_alive() for t in threads)
    with httpx.Client(base_url=url, headers=headers, timeout=600) as http:
        health_after = http.get("/health").json()
        for c in everyone:
            http.delete(f"/v1/workspaces/{workspace}/documents/{c.doc_id}")

    latencies = [x for c in everyone for x in c.latencies]
    firsts = [x for c in everyone for x in c.first_text]
    retry = [x for c in everyone for x in c.retry_after]
    answered = sum(c.answered for c in everyone)
    told = sum(c.told_429 for c in everyone)
    lost = [x for c in everyone for x in c.lost]
    return {
        "url": url,
        "workspace": workspace,
        "clients": clients,
        "seconds": seconds,
        "wall_s": round(wall, 2),
        "requests": answered + told + len(lost),
        "answered": answered,
        "told_429": told,
        "lost": len(lost),
        "lost_examples": lost[:5],
        "mixed": sum(len(c.mixed) for c in everyone),
        "mixed_examples": [x for c in everyone for x in c.mixed][:5],
        "answered_without_own_marker": sum(c.missing_own for c in everyone),
        "clients_hung": hung,
        "answers_per_s": round(answered / wall, 3) if wall else None,
        "latency_s": {
            "p50": percentile(latencies, 50),
            "p95": percentile(latencies, 95),
            "max": round(max(latencies), 3) if latencies else None,
        },
        "first_text_s": {"p50": percentile(firsts, 50), "p95": percentile(firsts, 95)},
        "retry_after_s": {
            "min": min(retry) if retry else None,
            "median": statistics.median(retry) if retry else None,
            "max": max(retry) if retry else None,
        },
        "per_client_answered": [c.answered for c in everyone],
        "clients_never_answered": sum(c.answered == 0 for c in everyone),
        "server_before": health_before,
        "server_after": health_after,
        "load_average_before": load_before,
        "machine": machine(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.serve_load",
        description=__doc__.split("\n\n")[0] + " Uploads one document per client first (an editor's key "
        "is needed when the server has users) and removes them at the end.",
    )
    parser.add_argument("--url", required=True, help="the server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--workspace", default="documents", help="workspace to load (default documents)")
    parser.add_argument("--key", help="API key (an editor's or owner's) when the server has users")
    parser.add_argument("--clients", type=int, default=16, help="concurrent streaming clients (default 16)")
    parser.add_argument("--seconds", type=float, default=60, help="how long they ask (default 60)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for serve_load.json")
    args = parser.parse_args(argv)
    figures = run_load(args.url, args.workspace, key=args.key, clients=args.clients, seconds=args.seconds)
    path = write_json(args.out, "serve_load.json", figures)
    lat, first = figures["latency_s"], figures["first_text_s"]
    queue = figures["server_after"]["queue"]
    print(
        f"{figures['clients']} clients for {figures['seconds']:g} s: {figures['requests']} requests, "
        f"{figures['answered']} answered, {figures['told_429']} told 429, {figures['lost']} lost, "
        f"{figures['mixed']} mixed, {figures['clients_never_answered']} clients never answered; "
        f"latency p50 {lat['p50']} s, p95 {lat['p95']} s (first text p50 "
        f"{first['p50']} s); queue of {queue['size']}: at most {queue['most_waiting']} waiting, "
        f"{queue['refused']} refused in all. Wrote {path}"
    )
    return 0 if figures["lost"] == 0 and figures["mixed"] == 0 and not figures["clients_hung"] else 1


if __name__ == "__main__":
    sys.exit(main())
