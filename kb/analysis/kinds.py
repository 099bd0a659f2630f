"""The kinds of gap and what each means, in a module light enough for ``kb --help`` to import.

:mod:`kb.analysis.models` types a gap's ``kind`` with :data:`GapKind`; :mod:`kb.analysis.gaps`
ranks gaps by :data:`KINDS`; the command line offers them as ``--kind`` choices.
"""

from __future__ import annotations

from typing import Literal, get_args

#: The kinds of gap, in rank order.
GapKind = Literal["empty_cell", "unaddressed", "underfunded"]

#: What each kind of gap means: the one wording every page, table, export and doc uses.
KINDS: dict[str, str] = dict(
    zip(
        get_args(GapKind),
        (
            (
                "a partner × pillar cell with needs and no response at all: none of its needs is answered "
                "and no active project of the pillar targets the partner"
            ),
            "a need no project answers (none addresses it while active in its period, or only cancelled ones)",
            "a need whose answering projects bring less than it requires, in its currency",
        ),
        strict=True,
    )
)
