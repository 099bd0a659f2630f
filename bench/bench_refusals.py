"""How soon bad input and an unreachable store are refused, against the libraries' own refusal.

``python -m bench refusals``. Each case is timed from the call to the one-line error, median of 5,
with its baseline in the same run:

- ``Neo4jStore`` on a closed loopback port (``bolt://`` and ``neo4j://``, ``connection_timeout=2``)
  until :class:`~kb.errors.StoreUnavailableError`, against the bare driver's
  ``verify_connectivity()`` on the same port until ``ServiceUnavailable``;
- ``iter_activities`` on the billion-laughs file of the test fixtures until
  :class:`~kb.errors.ImportFormatError` (a DTD is refused before anything is expanded), against a
  bare ``lxml`` ``iterparse`` of the same file with the same safe options until libxml2's own
  guard (its entity amplification limit) stops it.
"""

from __future__ import annotations

import os
import socket
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import neo4j
from lxml import etree

from kb.errors import ImportFormatError, StoreUnavailableError
from kb.importers.iati.parse import _PARSE_OPTIONS, iter_activities
from kb.store.neo4j import Neo4jStore

RUNS = 5
BILLION_LAUGHS = (
    Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "iati" / "bad" / "billion_laughs.xml"
)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def median_seconds(fn: Callable[[], object], refused: type[Exception]) -> float:
    """The median time ``fn`` takes to raise ``refused``; an error if it does not."""
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        try:
            fn()
        except refused:
            times.append(time.perf_counter() - started)
        else:
            raise AssertionError(f"{fn} was not refused")
    return statistics.median(times)


def our_store(uri: str) -> None:
    Neo4jStore(uri, user="neo4j", password="x", connection_timeout=2)


def bare_driver(uri: str) -> None:
    with neo4j.GraphDatabase.driver(uri, auth=("neo4j", "x"), connection_timeout=2) as driver:
        driver.verify_connectivity()


def our_parse(path: Path) -> None:
    for _ in iter_activities(path):
        pass


def bare_parse(path: Path) -> None:
    for _event, element in etree.iterparse(str(path), events=("end",), **_PARSE_OPTIONS):
        element.clear()


def rows() -> list[tuple[str, float, float]]:
    out = []
    for scheme in ("bolt", "neo4j"):
        uri = f"{scheme}://127.0.0.1:{closed_port()}"
        ours = median_seconds(lambda uri=uri: our_store(uri), StoreUnavailableError)
        bare = median_seconds(lambda uri=uri: bare_driver(uri), neo4j.exceptions.ServiceUnavailable)
        out.append((f"Neo4j on a closed port ({scheme}://)", ours, bare))
    ours = median_seconds(lambda: our_parse(BILLION_LAUGHS), ImportFormatError)
    # libxml2's own guard: it stops at its entity amplification limit
    bare = median_seconds(lambda: bare_parse(BILLION_LAUGHS), etree.XMLSyntaxError)
    out.append(("IATI file with a billion-laughs DTD", ours, bare))
    return out


def main() -> None:
    header = f"{'refused':38} | {'ours ms':>8} | {'baseline ms':>11} | {'ratio':>6}"
    print(header)
    print("-" * len(header))
    for name, ours, bare in rows():
        print(f"{name:38} | {ours * 1000:>8.1f} | {bare * 1000:>11.1f} | {ours / bare:>5.1f}×", flush=True)
    print(
        f"\nratio = ours ÷ baseline; medians of {RUNS} runs; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}."
    )


if __name__ == "__main__":
    main()
