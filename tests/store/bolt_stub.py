"""A scripted Bolt 4.4 server on 127.0.0.1, so the real driver can meet the faults a server causes.

It speaks just enough of the protocol (handshake, PackStream, chunking, HELLO, BEGIN, RUN, PULL,
COMMIT, ROLLBACK, RESET, GOODBYE) to answer each statement from a script: records, or a FAILURE
with a Neo4j status code. It is not a database: it checks how the adapter opens a store and maps
errors, not what Cypher does (the contract suite against a real server does that).
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

HELLO, GOODBYE, RESET, RUN, BEGIN, COMMIT, ROLLBACK, PULL, DISCARD = (
    0x01,
    0x02,
    0x0F,
    0x10,
    0x11,
    0x12,
    0x13,
    0x3F,
    0x2F,
)
SUCCESS, RECORD, IGNORED, FAILURE = 0x70, 0x71, 0x7E, 0x7F


# -- PackStream ---------------------------------------------------------------------------------
def pack(value: Any) -> bytes:
    if value is None:
        return b"\xc0"
    if value is True:
        return b"\xc3"
    if value is False:
        return b"\xc2"
    if isinstance(value, int):
        if -16 <= value < 128:
            return struct.pack(">b", value)
        return b"\xcb" + struct.pack(">q", value)
    if isinstance(value, float):
        return b"\xc1" + struct.pack(">d", value)
    if isinstance(value, str):
        data = value.encode()
        return _header(len(data), 0x80, 0xD0) + data
    if isinstance(value, (list, tuple)):
        return _header(len(value), 0x90, 0xD4) + b"".join(pack(v) for v in value)
    if isinstance(value, dict):
        return _header(len(value), 0xA0, 0xD8) + b"".join(pack(k) + pack(v) for k, v in value.items())
    raise TypeError(f"cannot pack {type(value).__name__}")


def _header(size: int, tiny: int, sized: int) -> bytes:
    if size < 16:
        return bytes([tiny + size])
    return bytes([sized + 2]) + struct.pack(">I", size)


def _struct(tag: int, *fields: Any) -> bytes:
    return bytes([0xB0 + len(fields), tag]) + b"".join(pack(f) for f in fields)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, n: int) -> bytes:
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def value(self) -> Any:
        marker = self.take(1)[0]
        if marker < 0x80 or marker >= 0xF0:
            return struct.unpack(">b", bytes([marker]))[0]
        high, low = marker & 0xF0, marker & 0x0F
        if high == 0x80:
            return self.take(low).decode()
        if high == 0x90:
            return [self.value() for _ in range(low)]
        if high == 0xA0:
            return {self.value(): self.value() for _ in range(low)}
        if high == 0xB0:
            return (self.take(1)[0], [self.value() for _ in range(low)])
        simple = {0xC0: None, 0xC2: False, 0xC3: True}
        if marker in simple:
            return simple[marker]
        ints = {0xC8: ">b", 0xC9: ">h", 0xCA: ">i", 0xCB: ">q", 0xC1: ">d"}
        if marker in ints:
            fmt = ints[marker]
            return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]
        sizes = {
            0xD0: ">B",
            0xD1: ">H",
            0xD2: ">I",
            0xD4: ">B",
            0xD5: ">H",
            0xD6: ">I",
            0xD8: ">B",
            0xD9: ">H",
            0xDA: ">I",
        }
        fmt = sizes[marker]
        size = struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]
        if marker <= 0xD2:
            return self.take(size).decode()
        if marker <= 0xD6:
            return [self.value() for _ in range(size)]
        return {self.value(): self.value() for _ in range(size)}


# -- the server -----------------------------------------------------------------------------------
@dataclass
class Failure:
    code: str
    message: str


@dataclass
class Script:
    """What the stub answers.

    ``answers`` maps a piece of statement text to records, a Failure, or a function of the
    statement's parameters returning either.
    """

    agent: str = "Neo4j/5.26.0"
    auth_failure: bool = False
    answers: dict[str, Any] = field(default_factory=dict)
    begin_failure: Failure | None = None
    #: What the client sent: ("BEGIN"|"COMMIT"|"ROLLBACK", None, None) or ("RUN", query, parameters).
    log: list[tuple[str, str | None, dict[str, Any] | None]] = field(default_factory=list)

    @property
    def statements(self) -> list[str]:
        return [query for kind, query, _ in self.log if kind == "RUN"]

    def answer(self, query: str, parameters: dict[str, Any]) -> list[dict[str, Any]] | Failure:
        self.log.append(("RUN", query, parameters))
        for piece, reply in self.answers.items():
            if piece in query:
                return reply(parameters) if callable(reply) else reply
        return []


def _recv_message(conn: socket.socket) -> bytes | None:
    data = b""
    while True:
        head = _recv_exact(conn, 2)
        if head is None:
            return None
        size = struct.unpack(">H", head)[0]
        if size == 0:
            if data:
                return data
            continue
        chunk = _recv_exact(conn, size)
        if chunk is None:
            return None
        data += chunk


def _recv_exact(conn: socket.socket, n: int) -> bytes | None:
    buf = b""
    while len(buf) < n:
        part = conn.recv(n - len(buf))
        if not part:
            return None
        buf += part
    return buf


def _send(conn: socket.socket, message: bytes) -> None:
    conn.sendall(struct.pack(">H", len(message)) + message + b"\x00\x00")


def _serve(conn: socket.socket, script: Script) -> None:
    if _recv_exact(conn, 20) is None:  # magic and four version proposals
        return
    conn.sendall(b"\x00\x00\x04\x04")  # Bolt 4.4
    failed, pending = False, []
    while (raw := _recv_message(conn)) is not None:
        tag, fields = _Reader(raw).value()
        if tag == GOODBYE:
            return
        if tag == RESET:
            failed, pending = False, []
            _send(conn, _struct(SUCCESS, {}))
            continue
        if failed:
            _send(conn, _struct(IGNORED))
            continue
        reply = _reply(tag, fields, script, pending)
        if reply is None:
            continue
        if isinstance(reply, Failure):
            failed = True
            _send(conn, _struct(FAILURE, {"code": reply.code, "message": reply.message}))
            if tag == HELLO:
                return
            continue
        for message in reply:
            _send(conn, message)


def _reply(tag: int, fields: list[Any], script: Script, pending: list) -> Failure | list[bytes] | None:
    if tag == HELLO:
        if script.auth_failure:
            return Failure(
                "Neo.ClientError.Security.Unauthorized",
                "The client is unauthorized due to authentication failure.",
            )
        return [_struct(SUCCESS, {"server": script.agent, "connection_id": "bolt-stub"})]
    if tag in (BEGIN, COMMIT, ROLLBACK):
        script.log.append(({BEGIN: "BEGIN", COMMIT: "COMMIT", ROLLBACK: "ROLLBACK"}[tag], None, None))
    if tag == BEGIN:
        return script.begin_failure or [_struct(SUCCESS, {})]
    if tag == RUN:
        answer = script.answer(fields[0], fields[1])
        if isinstance(answer, Failure):
            return answer
        keys = list(answer[0]) if answer else []
        pending[:] = [[row[k] for k in keys] for row in answer]
        return [_struct(SUCCESS, {"fields": keys, "t_first": 0})]
    if tag in (PULL, DISCARD):
        rows = [] if tag == DISCARD else pending
        out = [_struct(RECORD, row) for row in rows]
        pending[:] = []
        return [*out, _struct(SUCCESS, {"has_more": False, "t_last": 0, "type": "r"})]
    if tag == COMMIT:
        return [_struct(SUCCESS, {"bookmark": "stub:1"})]
    if tag == ROLLBACK:
        return [_struct(SUCCESS, {})]
    return [_struct(SUCCESS, {})]


@contextmanager
def bolt_stub(script: Script) -> Iterator[str]:
    """Serve ``script`` on 127.0.0.1 until the block ends; yields the ``bolt://`` URI."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=_guarded(conn, script), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"bolt://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=2)
        listener.close()


def _guarded(conn: socket.socket, script: Script) -> Callable[[], None]:
    def run() -> None:
        with conn:
            conn.settimeout(10)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                _serve(conn, script)
            except OSError:
                return

    return run
