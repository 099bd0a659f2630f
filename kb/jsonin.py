"""The one JSON reader for what comes in: ``kb import json`` files and the API's batch bodies.

Python's :func:`json.loads` takes things no batch should hold, and fails on others with a
traceback instead of a reason. This reader refuses, each with one line naming the place:

- more than ``max_bytes`` bytes (:data:`MAX_BYTES` by default), and what is not UTF-8;
- nesting deeper than :data:`MAX_DEPTH` levels, checked by counting brackets before parsing
  (the parser itself recurses, and dies with a ``RecursionError`` some thousand levels down);
- ``NaN``, ``Infinity`` and ``-Infinity``, which are not JSON, and numbers that are: a literal of
  more than :data:`MAX_NUMBER_CHARS` characters (Python refuses an integer of 4,301 digits with a
  ``ValueError``) or too large for a float (``1e400`` would silently become infinity).

Errors are :class:`~kb.errors.ImportFormatError` (a file) or whichever :class:`~kb.errors.KBError`
the caller names (the API says :class:`~kb.errors.InvalidInputError`).

>>> loads(b'{"nodes": [], "edges": []}', origin="batch.json")
{'nodes': [], 'edges': []}
>>> loads(b'{"amount": NaN}', origin="batch.json")
Traceback (most recent call last):
kb.errors.ImportFormatError: batch.json: not JSON: NaN is not a number JSON allows (line 1, column 12)
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from kb.errors import ImportFormatError, KBError

#: Largest document read, in bytes (256 MiB: a dump of some 500,000 records).
MAX_BYTES = 256 * 2**20
#: Deepest nesting of objects and arrays (a batch needs 4: document, list, record, list).
MAX_DEPTH = 64
#: Longest number literal, in characters.
MAX_NUMBER_CHARS = 100

#: Every byte but the quote and the brackets, for :func:`too_deep`.
_NOT_STRUCTURE = bytes(c for c in range(256) if c not in b'"[]{}')
_EMPTY_PAIR = re.compile(rb"\[\]|\{\}")
_STRING = re.compile(rb'"[^"]*"')


class _Refused(ValueError):
    """A literal the decoder's hooks refuse; ``start`` is how it begins (to find where it is)."""

    def __init__(self, reason: str, literal: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.start = literal[:40]


def _constant(name: str) -> Any:
    raise _Refused(f"{name} is not a number JSON allows", name)


def _int(literal: str) -> int:
    if len(literal) > MAX_NUMBER_CHARS:
        raise _Refused(f"a number of {len(literal):,} characters (at most {MAX_NUMBER_CHARS})", literal)
    return int(literal)


def _float(literal: str) -> float:
    if len(literal) > MAX_NUMBER_CHARS:
        raise _Refused(f"a number of {len(literal):,} characters (at most {MAX_NUMBER_CHARS})", literal)
    value = float(literal)
    if not math.isfinite(value):
        raise _Refused(f"{literal} is too large for a number", literal)
    return value


_DECODER = json.JSONDecoder(parse_constant=_constant, parse_int=_int, parse_float=_float)


def too_deep(data: bytes, max_depth: int = MAX_DEPTH) -> bool:
    r"""Whether JSON ``data`` nests objects and arrays more than ``max_depth`` deep, without recursing.

    Brackets inside strings do not count. Escapes are dropped, then everything but quotes and
    brackets, then strings, then one level of empty ``[]``/``{}`` per pass: what is left after
    ``max_depth`` passes is nested deeper. All in C, so a large dump costs a fraction of its parse.

    >>> too_deep(b'[[["[[[[\\"]"]]]', max_depth=3)
    False
    >>> too_deep(b"[[[[]]]]", max_depth=3)
    True
    """
    if b"\\" in data:  # escaped backslashes pair up from the left, then escaped quotes go
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    rest = data.translate(None, _NOT_STRUCTURE)
    rest = _STRING.sub(b"", rest.replace(b'""', b""))
    # openers with no closer between them nest in one another: a run of them settles it at once
    run = re.compile(rb"[\[{]{%d}" % (max_depth + 1))
    for _ in range(max_depth + 1):
        if not rest:
            return False
        if run.search(rest):
            return True
        rest, removed = _EMPTY_PAIR.subn(b"", rest)
        if not removed:  # unbalanced: the brackets never closed nest in one another
            return rest.count(b"[") + rest.count(b"{") > max_depth
    return True  # a level under max_depth of them was still there


def _where(text: str, position: int) -> str:
    line_start = text.rfind("\n", 0, position) + 1
    return f"line {text.count(chr(10), 0, position) + 1}, column {position - line_start + 1}"


def loads(
    data: bytes | str,
    *,
    origin: str,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
    error: type[KBError] = ImportFormatError,
    not_json: str = "not JSON",
) -> Any:
    """Parse one JSON document under the limits above; ``error`` names ``origin`` and what is wrong.

    ``not_json`` is how the message says the text is not JSON (the API says "not valid JSON").
    """
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if len(raw) > max_bytes:
        raise error(f"{origin}: {len(raw):,} bytes, over the limit of {max_bytes:,}")
    if too_deep(raw, max_depth):
        raise error(f"{origin}: nested more than {max_depth} levels deep")
    try:
        text = data if isinstance(data, str) else raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"{origin}: not UTF-8 text (byte {exc.start})") from None
    text = text.removeprefix("\ufeff")
    try:
        doc = _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise error(f"{origin}: {not_json}: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except _Refused as exc:
        found = re.search(rf"[:\[,]\s*({re.escape(exc.start)})", text)
        where = f" ({_where(text, found.start(1))})" if found else ""
        raise error(f"{origin}: {not_json}: {exc.reason}{where}") from None
    except RecursionError:  # not reached under MAX_DEPTH; kept so that no limit turns into a traceback
        raise error(f"{origin}: nested too deep") from None
    return doc


def read_file(path: Path, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> Any:
    """Parse a JSON file under the limits of :func:`loads`, refusing one too large before reading it."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ImportFormatError(f"{path}: {size:,} bytes, over the limit of {max_bytes:,}")
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFormatError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    return loads(raw, origin=str(path), max_bytes=max_bytes, max_depth=max_depth)
