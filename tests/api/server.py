"""Start ``kb serve`` as a user would, on a free port of 127.0.0.1, and stop it by its process id."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@contextmanager
def kb_serve(
    store: Path,
    *,
    workers: int = 1,
    env: dict[str, str] | None = None,
    log: Path | None = None,
    timeout: float = 30.0,
) -> Iterator[str]:
    """The base URL of a running ``kb --store STORE serve``; stderr goes to ``log``."""
    port = free_port()
    command = [
        sys.executable,
        "-c",
        "from kb.cli import main; main()",
        "--store",
        str(store),
        "serve",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    full_env = {**os.environ, **(env or {})}
    full_env.pop("KB_STORE", None)
    err = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 (closed below)
    process = subprocess.Popen(command, env=full_env, stdout=subprocess.DEVNULL, stderr=err)
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"kb serve exited with {process.returncode}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("kb serve did not answer in time")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        if log:
            err.close()
