"""Results equal before and after a change: the overlaps, gaps, coverage and co-funding JSON of a
store, as ``kb … --json`` prints them, dumped by one checkout's code and compared with another's.

``python -m bench.compare_results dump CODE_DIR STORE OUT.json`` writes the dump with the code
of ``CODE_DIR``; ``python -m bench.compare_results same A.json B.json`` says whether two dumps
are equal (exit 1, and the first difference, when not). The demo set: ``kb --store S seed``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

DUMP = r"""
import json, sys
from kb.questions import analyses as ask
from kb.store.sqlite import SQLiteStore
store = SQLiteStore(sys.argv[1], create=False)
out = {name: ask.as_json(getattr(ask, name)(store)) for name in ("overlaps", "gaps", "coverage", "cofunding")}
json.dump(out, open(sys.argv[2], "w"), sort_keys=True)
"""


def dump(code: Path, store: Path, out: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")} | {"PYTHONPATH": str(code)}
    subprocess.run([sys.executable, "-c", DUMP, str(store), str(out)], cwd=code, env=env, check=True)


def first_difference(a: object, b: object, where: str = "") -> str | None:
    if type(a) is not type(b):
        return f"{where}: {type(a).__name__} vs {type(b).__name__}"
    if isinstance(a, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                return f"{where}/{key}: only in {'the second' if key not in a else 'the first'}"
            found = first_difference(a[key], b[key], f"{where}/{key}")
            if found:
                return found
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{where}: {len(a)} vs {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{where}[{i}]")
            if found:
                return found
        return None
    return None if a == b else f"{where}: {a!r} vs {b!r}"


def main(argv: list[str]) -> int:
    if argv[:1] == ["dump"] and len(argv) == 4:
        dump(Path(argv[1]).resolve(), Path(argv[2]).resolve(), Path(argv[3]).resolve())
        return 0
    if argv[:1] == ["same"] and len(argv) == 3:
        a, b = (json.loads(Path(p).read_text()) for p in argv[1:])
        found = first_difference(a, b)
        sizes = ", ".join(f"{k}: {len(json.dumps(v))} chars" for k, v in sorted(a.items()))
        print(f"different at {found}" if found else f"equal ({sizes})")
        return 1 if found else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
