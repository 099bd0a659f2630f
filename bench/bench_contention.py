"""Concurrent small writes while a large import holds the store's write lock, ok / attempted.

``python -m bench contention``. One process imports a large JSON batch (``RECORDS`` documents, one
all-or-nothing transaction) into an SQLite store; as soon as it holds the write lock, ``CLI``
small ``kb import json`` commands and ``API`` small ``POST /api/batch`` requests (to a real
``kb serve`` on 127.0.0.1) start at once. Each is counted ok (exit 0, HTTP 200) or failed, with
the slowest wait. Then every write that said ok is checked to be in the store (nothing lost).

Two rows per run: ``KB_WRITE_WAIT=5`` (what the old fixed 5 s busy timeout did) and the default
wait. ``BENCH_CODE=/path/to/checkout`` runs the same against another checkout of the project
(e.g. ``git archive`` of an older commit), for a before/after on real code.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

#: Records of the large import: its write phase lasts 30-50 s on the project's 2 cores under this load.
RECORDS = 120_000
#: Small CLI writes and small API writes started while the import holds the lock.
CLI = 16
API = 16
TOKEN = "bench-contention-token"
#: The checkout measured: this one, or ``BENCH_CODE``. Commands run in it, so ``-c`` imports its ``kb``.
CODE = Path(os.environ.get("BENCH_CODE") or Path(__file__).resolve().parents[1]).resolve()
HOST = "127.0.0.1"


@dataclass
class Tally:
    ok: int = 0
    failed: int = 0
    slowest: float = 0.0
    errors: dict[str, int] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, ok: bool, seconds: float, node_id: str, error: str = "") -> None:
        with self.lock:
            self.slowest = max(self.slowest, seconds)
            if ok:
                self.ok += 1
                self.written.append(node_id)
            else:
                self.failed += 1
                key = error.strip().splitlines()[-1][:200] if error.strip() else "?"
                self.errors[key] = self.errors.get(key, 0) + 1


def env(extra: dict[str, str]) -> dict[str, str]:
    out = {**os.environ, **extra, "PYTHONPATH": str(CODE)}
    out.pop("KB_STORE", None)
    return out


def kb_command(store: Path, *args: str) -> list[str]:
    return [sys.executable, "-c", "from kb.cli import main; main()", "--store", str(store), *args]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@contextmanager
def serving(store: Path, environment: dict[str, str]) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        kb_command(store, "serve", "--host", HOST, "--port", str(port)),
        env=environment,
        cwd=CODE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("kb serve did not start")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(30)


def lock_is_held(store: Path) -> bool:
    conn = sqlite3.connect(store, isolation_level=None, timeout=0)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        conn.close()


def one_batch(folder: Path, node_id: str) -> Path:
    path = folder / f"{node_id.replace(':', '-')}.json"
    doc = {
        "nodes": [{"type": "Organisation", "id": node_id, "name": f"Small write {node_id}", "sources": ["b"]}]
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def run(label: str, folder: Path, big: Path, extra: dict[str, str]) -> dict[str, object]:
    store = folder / f"{label}.sqlite"
    environment = env({"KB_API_TOKENS": f"bench:{TOKEN}", **extra})
    subprocess.run(kb_command(store, "init"), env=environment, cwd=CODE, check=True, capture_output=True)
    cli, api = Tally(), Tally()
    with serving(store, environment) as base:
        importer = subprocess.Popen(
            kb_command(store, "import", "json", str(big)),
            env=environment,
            cwd=CODE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        while not lock_is_held(store):
            if importer.poll() is not None:
                raise RuntimeError(
                    f"the large import ended before it held the lock: {importer.stderr.read()}"
                )
            time.sleep(0.05)
        locked = time.monotonic()

        def cli_write(i: int) -> None:
            node_id = f"org:cli-{i}"
            started = time.monotonic()
            done = subprocess.run(
                kb_command(store, "import", "json", str(one_batch(folder, node_id))),
                env=environment,
                cwd=CODE,
                capture_output=True,
                text=True,
                check=False,
            )
            cli.add(
                done.returncode == 0,
                time.monotonic() - started,
                node_id,
                done.stderr.replace(str(store), "STORE"),
            )

        def api_write(i: int) -> None:
            node_id = f"org:api-{i}"
            body = {"nodes": [{"type": "Organisation", "id": node_id, "name": "API write", "sources": ["b"]}]}
            started = time.monotonic()
            try:
                response = httpx.post(
                    f"{base}/api/batch", json=body, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=600
                )
                detail = response.json().get("detail", "") if response.status_code != 200 else ""
                ok, error = (
                    response.status_code == 200,
                    f"{response.status_code} {detail}".replace(str(store), "STORE"),
                )
            except httpx.HTTPError as exc:
                ok, error = False, repr(exc)
            api.add(ok, time.monotonic() - started, node_id, error)

        threads = [threading.Thread(target=cli_write, args=(i,)) for i in range(CLI)]
        threads += [threading.Thread(target=api_write, args=(i,)) for i in range(API)]
        for t in threads:
            t.start()
        _, import_err = importer.communicate(timeout=900)
        held = time.monotonic() - locked
        for t in threads:
            t.join(900)
        counts = json.loads(
            subprocess.run(
                kb_command(store, "stats", "--json"),
                env=environment,
                cwd=CODE,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
    conn = sqlite3.connect(store)
    present = {
        r[0] for r in conn.execute("SELECT id FROM nodes WHERE id LIKE 'org:cli-%' OR id LIKE 'org:api-%'")
    }
    conn.close()
    lost = [n for n in cli.written + api.written if n not in present]
    return {
        "label": label,
        "import_ok": importer.returncode == 0 and counts["nodes"]["Document"] == RECORDS,
        "import_error": import_err.strip(),
        "held": held,
        "cli": cli,
        "api": api,
        "lost": lost,
    }


def main() -> None:
    results = []
    with tempfile.TemporaryDirectory(prefix="kb-bench-contention-") as tmp:
        folder = Path(tmp)
        big = folder / "big.json"
        doc = {
            "nodes": [
                {
                    "type": "Document",
                    "id": f"doc:bulk-{i:06d}",
                    "name": f"Bulk document {i}",
                    "sources": ["b"],
                }
                for i in range(RECORDS)
            ],
            "edges": [],
        }
        big.write_text(json.dumps(doc), encoding="utf-8")
        print(
            f"large import: {RECORDS:,} records, {big.stat().st_size / 1e6:.0f} MB; {CLI} CLI + {API} API small writes"
        )
        print(f"code: {CODE}", flush=True)
        for label, extra in (("KB_WRITE_WAIT=5", {"KB_WRITE_WAIT": "5"}), ("default wait", {})):
            results.append(
                run(label.replace("=", "-").replace(" ", "-"), folder, big, extra) | {"label": label}
            )
            print(f"... {label} done", flush=True)
        shutil.rmtree(folder, ignore_errors=True)
    print()
    print(
        "| setting | import ran on after locking, s | CLI writes ok / attempted | API writes ok / attempted | slowest CLI / API s | lost | large import |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in results:
        cli, api = r["cli"], r["api"]
        print(
            f"| {r['label']} | {r['held']:.1f} | {cli.ok} / {cli.ok + cli.failed} | {api.ok} / {api.ok + api.failed} "
            f"| {cli.slowest:.1f} / {api.slowest:.1f} | {len(r['lost'])} | {'ok' if r['import_ok'] else 'FAILED'} |"
        )
    for r in results:
        for who in ("cli", "api"):
            for error, n in r[who].errors.items():
                print(f"{r['label']}, {who} failures ×{n}: {error}")
        if not r["import_ok"]:
            print(f"{r['label']}, the large import: {r['import_error']}")


if __name__ == "__main__":
    main()
