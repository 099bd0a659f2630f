"""IATI import throughput against a bare streaming parse of the same files, and peak memory.

Builds a corpus of at least 30 MB in a temporary folder by repeating the shared IATI files (each
copy's identifiers suffixed, so every activity is distinct), then times:

- a bare ``iterparse`` pass that only counts activities (the baseline);
- ``kb import iati`` into a fresh SQLite store, with the default filters (Western Balkans,
  security subjects) and with both filters lifted (every activity mapped and written);

and one file of the corpus's size, to show memory staying flat while streaming (the records of
one file are one batch, so with the filters lifted they grow with the file). Peak memory is the
highest resident set size sampled (psutil) during each pass; the passes share one process, so
memory an earlier pass kept counts in the later ones (the figures are upper bounds).
The target: the import reaches
at least a quarter of the bare parse's throughput (aim: half).

``KB_BENCH_IATI_MB`` sets the corpus size (default 32), ``KB_BENCH_IATI_SOURCE`` the folder of
IATI files to repeat (default: the shared data, else the test fixtures), ``KB_BENCH_PROFILE=1``
prints the top functions of the lifted-filter import.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil
from lxml import etree

from kb.importers.iati import IatiImport, Options
from kb.importers.iati.parse import _PARSE_OPTIONS
from kb.store.sqlite import SQLiteStore

ROOT = Path(__file__).resolve().parents[1]
#: The shared IATI files: ``shared/`` beside the checkout (or beside a folder holding it, for a worktree).
SHARED = next(
    (
        folder / "shared" / "data" / "iati" / "activities"
        for folder in ROOT.parents
        if (folder / "shared" / "data" / "iati" / "activities").is_dir()
    ),
    ROOT.parent / "shared" / "data" / "iati" / "activities",
)
FIXTURES = ROOT / "tests" / "fixtures" / "iati"
TARGET_RATIO, AIM_RATIO = 0.25, 0.5


@dataclass
class Pass:
    name: str
    seconds: float
    cpu_seconds: float
    activities: int
    megabytes: float
    peak_rss_mb: float

    @property
    def per_second(self) -> float:
        return self.activities / self.seconds

    @property
    def mb_per_second(self) -> float:
        return self.megabytes / self.seconds


@contextmanager
def peak_rss() -> Iterator[list[float]]:
    """Sample this process's RSS every 5 ms; the list holds the peak in MB when the block ends."""
    process = psutil.Process()
    peak = [process.memory_info().rss]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], process.memory_info().rss)
            stop.wait(0.005)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    out: list[float] = [0.0]
    try:
        yield out
    finally:
        stop.set()
        thread.join()
        out[0] = max(peak[0], process.memory_info().rss) / 1e6


def source_files() -> list[Path]:
    folder = Path(os.environ.get("KB_BENCH_IATI_SOURCE", SHARED if SHARED.is_dir() else FIXTURES))
    files = sorted(p for p in folder.glob("*.xml") if p.stat().st_size > 0)
    if not files:
        raise SystemExit(f"no IATI files in {folder}")
    return files


def _parse(path: Path) -> etree._ElementTree:
    parser = etree.XMLParser(**{k: v for k, v in _PARSE_OPTIONS.items() if k != "remove_pis"})
    return etree.parse(str(path), parser)


def build_corpus(folder: Path, megabytes: float) -> list[Path]:
    """Copies of the source files, identifiers suffixed ``-B<n>``, until ``megabytes`` are written."""
    trees = [(path, _parse(path)) for path in source_files()]
    originals = [[(el, el.text or "") for el in tree.getroot().iter("iati-identifier")] for _, tree in trees]
    written: list[Path] = []
    total, copy = 0, 0
    while total < megabytes * 1e6:
        copy += 1
        for (path, tree), identifiers in zip(trees, originals, strict=False):
            for element, text in identifiers:
                element.text = f"{text}-B{copy}"
            target = folder / f"{path.stem}-{copy:03d}.xml"
            tree.write(str(target), xml_declaration=True, encoding="UTF-8")
            written.append(target)
            total += target.stat().st_size
    return written


def build_single_file(files: list[Path], target: Path) -> Path:
    """One file holding every activity of ``files`` (written incrementally, never whole in memory)."""
    with etree.xmlfile(str(target), encoding="UTF-8") as out:
        out.write_declaration()
        with out.element("iati-activities", version="2.03"):
            for path in files:
                for _event, activity in etree.iterparse(
                    str(path), events=("end",), tag="iati-activity", **_PARSE_OPTIONS
                ):
                    out.write(activity)
                    activity.clear(keep_tail=False)
    return target


def bare_parse(files: list[Path]) -> int:
    """The baseline: stream every file, count its activities, clear them."""
    count = 0
    for path in files:
        for _event, element in etree.iterparse(
            str(path), events=("end",), tag="{*}iati-activity", **_PARSE_OPTIONS
        ):
            count += 1
            element.clear(keep_tail=False)
            parent = element.getparent()
            while element.getprevious() is not None and parent is not None:
                del parent[0]
    return count


def import_files(files: list[Path], options: Options, store_path: Path) -> int:
    with SQLiteStore(store_path) as store:
        report = IatiImport(store, options, actor="bench").run(files)
    failed = report.failed
    if failed:
        raise SystemExit(f"bench import failed: {failed[0].path}: {failed[0].error}")
    return report.totals()["activities_read"]


def timed(name: str, files: list[Path], run: Callable[[], int]) -> Pass:
    megabytes = sum(p.stat().st_size for p in files) / 1e6
    with peak_rss() as peak:
        started, cpu = time.perf_counter(), time.process_time()
        activities = run()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return Pass(name, seconds, cpu, activities, megabytes, peak[0])


def report(passes: list[Pass], baseline: Pass) -> None:
    """Throughput on the wall clock; ``ratio`` is against the baseline, ``cpu ratio`` the same on
    process CPU time (robust when other work shares the machine)."""
    print(
        f"{'pass':44} {'act':>6} {'MB':>5} {'wall s':>7} {'cpu s':>6} {'act/s':>7} {'MB/s':>6} {'ratio':>6} "
        f"{'cpu ratio':>9} {'peak RSS MB':>11}"
    )
    for p in passes:
        ratio = p.mb_per_second / baseline.mb_per_second
        cpu_ratio = baseline.cpu_seconds / p.cpu_seconds
        print(
            f"{p.name:44} {p.activities:6d} {p.megabytes:5.1f} {p.seconds:7.2f} {p.cpu_seconds:6.2f} "
            f"{p.per_second:7.0f} {p.mb_per_second:6.2f} {ratio:6.2f} {cpu_ratio:9.2f} {p.peak_rss_mb:11.0f}"
        )


def main() -> None:
    megabytes = float(os.environ.get("KB_BENCH_IATI_MB", "32"))
    work = Path(tempfile.mkdtemp(prefix="kb-bench-iati-"))
    try:
        corpus = work / "corpus"
        corpus.mkdir()
        files = build_corpus(corpus, megabytes)
        print(
            f"corpus: {len(files)} files, {sum(p.stat().st_size for p in files) / 1e6:.1f} MB, from "
            f"{', '.join(p.name for p in source_files())}"
        )
        bare = timed("bare iterparse (count activities)", files, lambda: bare_parse(files))
        default = timed(
            "import, default filters (WB, security)",
            files,
            lambda: import_files(files, Options(), work / "default.sqlite"),
        )
        lifted = Options(countries=None, all_sectors=True)
        everything = timed(
            "import, --all-countries --all-sectors",
            files,
            lambda: import_files(files, lifted, work / "all.sqlite"),
        )
        again = timed(
            "re-import, --all-countries --all-sectors",
            files,
            lambda: import_files(files, lifted, work / "all.sqlite"),
        )
        passes = [bare, default, everything, again]
        report(passes, bare)

        single = build_single_file(files, work / "single.xml")
        one_bare = timed(
            f"bare iterparse, one {single.stat().st_size / 1e6:.0f} MB file",
            [single],
            lambda: bare_parse([single]),
        )
        one_default = timed(
            "import one file, default filters",
            [single],
            lambda: import_files([single], Options(), work / "single.sqlite"),
        )
        one_lifted = timed(
            "import one file, filters lifted (one batch)",
            [single],
            lambda: import_files([single], lifted, work / "single-all.sqlite"),
        )
        print()
        report([one_bare, one_default, one_lifted], one_bare)
        print(
            f"\nload average while running: {', '.join(f'{x:.1f}' for x in os.getloadavg())} "
            f"on {os.cpu_count()} CPUs"
        )
        for mode in (default, everything):
            for label, ratio in (
                ("wall clock", bare.seconds / mode.seconds),
                ("CPU time", bare.cpu_seconds / mode.cpu_seconds),
            ):
                verdict = (
                    "meets the aim"
                    if ratio >= AIM_RATIO
                    else "meets the target"
                    if ratio >= TARGET_RATIO
                    else "below the target"
                )
                print(
                    f"{mode.name} / bare parse, {label}: {ratio:.2f} ({verdict}; target {TARGET_RATIO}, "
                    f"aim {AIM_RATIO})"
                )
        if os.environ.get("KB_BENCH_PROFILE"):
            profile = cProfile.Profile()
            profile.runcall(import_files, files, lifted, work / "profile.sqlite")
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
