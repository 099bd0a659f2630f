"""Run every benchmark module (``bench_*.py``), or those named: ``python -m bench iati maps``.

Each module runs in a process of its own, so one benchmark's memory does not count in the
next one's peak.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    names = sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))
    if argv:
        names = [n for n in names if n.removeprefix("bench_") in argv or n in argv]
    failed = []
    for name in names:
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, "-c", f"import bench.{name} as b; b.main()"])
        print(
            f"--- {name}: {time.perf_counter() - started:.1f} s" + (f" (exit {code})" if code else ""),
            flush=True,
        )
        if code:
            failed.append(name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
