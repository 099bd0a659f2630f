"""A local Neo4j Community server, without Docker: for the tests and for trying the project on Neo4j.

``make setup`` fetches Neo4j Community (the version pinned in ``server/pom.xml``) from Maven
Central into ``.neo4j/lib`` and compiles ``server/LocalNeo4j.java`` into ``.neo4j/classes``.
:class:`LocalNeo4j` starts that DBMS in a child JVM with Bolt on ``127.0.0.1:PORT`` (no HTTP, TLS
off), a bounded heap and page cache, and its data in a folder of the caller's; it stops on
:meth:`LocalNeo4j.stop`, and by itself when the starting process exits.

``make neo4j`` (``python -m kb.store.neo4j.local``) runs one in the foreground for a user::

    $ make neo4j
    Neo4j 5.26.31 is ready on bolt://127.0.0.1:7687 (data in .neo4j/data). In another terminal:
      export KB_STORE=bolt://127.0.0.1:7687 KB_NEO4J_PASSWORD=kb-local-password
      .venv/bin/kb init && .venv/bin/kb seed
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from pathlib import Path
from typing import Self

from neo4j import GraphDatabase
from neo4j import exceptions as neo

from kb.errors import KBError, StoreUnavailableError
from kb.store.neo4j import queries as q

#: The repository's ignored folder with the jars (``lib/``) and the compiled launcher (``classes/``).
HOME = Path(__file__).resolve().parents[3] / ".neo4j"
POM = Path(__file__).resolve().parent / "server" / "pom.xml"
HOST = "127.0.0.1"
#: The user the local server knows (Neo4j's built-in one) and the password ``make neo4j`` gives it.
USER = "neo4j"
LOCAL_PASSWORD = "kb-local-password"
#: The password of user neo4j in a new data folder, which Neo4j asks to change before anything else.
INITIAL_PASSWORD = "neo4j"
#: Bounds that keep Neo4j from taking half the machine (it would, left alone).
HEAP = "1g"
PAGECACHE = "256m"
#: What Neo4j's own neo4j.conf gives the JVM on Java 17 (server.jvm.additional).
JVM_FLAGS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
)
#: Seconds to wait for the ready line and a Bolt handshake, and for a clean stop.
START_TIMEOUT = 120.0
STOP_TIMEOUT = 60.0


def version() -> str:
    """The Neo4j version pinned in ``server/pom.xml``."""
    found = re.search(r"<neo4j.version>([^<]+)</neo4j.version>", POM.read_text(encoding="utf-8"))
    return found.group(1) if found else "unknown"


def unavailable_reason(home: Path = HOME) -> str | None:
    """Why no local Neo4j can start here (no Java, or ``make setup`` did not fetch it), else None."""
    if shutil.which("java") is None:
        return "no local Neo4j: `java` is not installed (install OpenJDK 17 and Maven, then run make setup)"
    if (
        not any((home / "lib").glob("neo4j-kernel-*.jar"))
        or not (home / "classes" / "LocalNeo4j.class").exists()
    ):
        return f"no local Neo4j in {home}: run make setup (it needs `java` and `mvn`)"
    return None


def free_port() -> int:
    """A port nobody listens on now (the server binds it a moment later)."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


class LocalNeo4j:
    """One Neo4j server in a child JVM, on ``bolt://127.0.0.1:port``.

    ``password=None`` turns authentication off; otherwise the user ``neo4j`` has that password.
    Use it as a context manager, or call :meth:`start` and :meth:`stop`.
    """

    def __init__(
        self,
        data: Path,
        *,
        port: int | None = None,
        password: str | None = None,
        heap: str = HEAP,
        pagecache: str = PAGECACHE,
        home: Path = HOME,
    ) -> None:
        self.data = Path(data)
        self.port = port or free_port()
        self.password = password
        self.heap = heap
        self.pagecache = pagecache
        self.home = home
        self.uri = f"bolt://{HOST}:{self.port}"
        self.process: subprocess.Popen[str] | None = None
        self.started_in: float | None = None
        self._output: deque[str] = deque(maxlen=200)
        self._ready = threading.Event()
        self._said_ready = False

    def command(self) -> list[str]:
        classpath = os.pathsep.join([str(self.home / "classes"), str(self.home / "lib" / "*")])
        args = ["java", f"-Xmx{self.heap}", *JVM_FLAGS, "-cp", classpath, "LocalNeo4j"]
        args += ["--port", str(self.port), "--data", str(self.data), "--pagecache", self.pagecache]
        args += ["--auth", "true" if self.password is not None else "false"]
        return args

    def start(self, timeout: float = START_TIMEOUT) -> LocalNeo4j:
        """Start the server; return once it answers Bolt, else raise naming the cause."""
        reason = unavailable_reason(self.home)
        if reason:
            raise StoreUnavailableError(reason)
        began = time.monotonic()
        self._ready = threading.Event()
        self._said_ready = False
        self._output.clear()
        self.process = subprocess.Popen(
            self.command(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        threading.Thread(target=self._read_output, name="neo4j-output", daemon=True).start()
        deadline = began + timeout
        while not self._ready.wait(0.1):  # set on the ready line, or when the output ends
            if time.monotonic() > deadline:
                self.stop()
                raise StoreUnavailableError(self._failure(f"was not ready within {timeout:.0f} s"))
        if not self._said_ready:
            self.process.wait(10)
            raise StoreUnavailableError(self._failure("exited before it was ready"))
        self._wait_for_bolt(deadline)
        self.started_in = time.monotonic() - began
        return self

    def _read_output(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            line = line.rstrip()
            self._output.append(line)
            if line.startswith("ready bolt://"):
                self._said_ready = True
                self._ready.set()
        self._ready.set()

    def _wait_for_bolt(self, deadline: float) -> None:
        while True:
            try:
                with GraphDatabase.driver(
                    self.uri, auth=(USER, self.password or ""), connection_timeout=2.0
                ) as d:
                    d.verify_connectivity()
                return
            except neo.AuthError as exc:
                if self.password is None or not self._set_initial_password():
                    self.stop()
                    raise StoreUnavailableError(
                        f"local Neo4j on {self.uri}: its data folder {self.data} was made with another "
                        "password: give that one, or a new data folder"
                    ) from exc
            except (neo.DriverError, neo.Neo4jError, OSError) as exc:
                if self.process is None or self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise StoreUnavailableError(self._failure(f"does not answer Bolt ({exc})")) from exc
                time.sleep(0.2)

    def _set_initial_password(self) -> bool:
        """Give a new data folder's user its password; False where the initial one no longer works."""
        try:
            with GraphDatabase.driver(self.uri, auth=(USER, INITIAL_PASSWORD)) as driver:
                driver.execute_query(
                    q.SET_INITIAL_PASSWORD, old=INITIAL_PASSWORD, new=self.password, database_="system"
                )
        except neo.AuthError:
            return False
        return True

    def _failure(self, what: str) -> str:
        errors = [line[len("error: ") :] for line in self._output if line.startswith("error: ")]
        if errors:
            return f"local Neo4j on {self.uri}: {errors[-1]}"
        tail = " | ".join(list(self._output)[-5:]) or "no output"
        return f"local Neo4j on {self.uri} {what}: {tail} (logs in {self.data / 'logs'})"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def kill(self) -> None:
        """Stop the server at once (SIGKILL), as a crash would: nothing is flushed."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Stop the server cleanly (SIGTERM: Neo4j checkpoints and closes its files)."""
        if not self.process or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="make neo4j",
        description="Run a local Neo4j Community server for the knowledge base (Ctrl-C stops it).",
    )
    parser.add_argument("--port", type=int, default=7687, help="Bolt port on 127.0.0.1 (default 7687)")
    parser.add_argument("--data", type=Path, default=HOME / "data", help="data folder (default .neo4j/data)")
    parser.add_argument(
        "--password", default=LOCAL_PASSWORD, help=f"password of the user neo4j (default {LOCAL_PASSWORD})"
    )
    parser.add_argument("--heap", default=HEAP, help=f"JVM heap (default {HEAP})")
    parser.add_argument("--pagecache", default=PAGECACHE, help=f"page cache (default {PAGECACHE})")
    args = parser.parse_args(argv)
    server = LocalNeo4j(
        args.data, port=args.port, password=args.password, heap=args.heap, pagecache=args.pagecache
    )
    print(f"Starting Neo4j {version()} on {server.uri} (data in {args.data}) ...", flush=True)
    try:
        server.start()
    except KBError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(
        f"Neo4j {version()} is ready on {server.uri} after {server.started_in:.1f} s. In another terminal:\n"
        f"  export KB_STORE={server.uri} KB_NEO4J_PASSWORD={args.password}\n"
        "  .venv/bin/kb init && .venv/bin/kb seed && .venv/bin/kb stats\n"
        "Ctrl-C stops the server; its data stays in the data folder.",
        flush=True,
    )
    signal.signal(signal.SIGTERM, _interrupt)  # `kill PID` stops the server as Ctrl-C does
    try:
        while server.process is not None and server.process.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nstopping Neo4j ...", flush=True)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
