"""Schema facts are declared once, in graph_schema/: no module of kb, api or visual restates them.

A fact restated by hand is a tuple, list or set literal (also inside ``frozenset(...)``, an
``in (...)`` test or a ``Literal[...]``) naming two or more node types, priorities or project
statuses, or a mapping keyed by priorities or statuses alone (a hand-made rank). Strings in
docstrings, such as doctests building graphs with ``type="Organisation"``, are not literals.
Mappings keyed by node types (a page or an edge per type) are a module's own per-type choice.
Use ``ACTOR_TYPES``, ``FUNDER_TYPES``, ``PRIORITIES``, ``PRIORITY_RANK``, ``STATUSES`` and the
rest of :mod:`graph_schema` instead.
"""

from __future__ import annotations

import ast
from pathlib import Path

from graph_schema import (
    ACTOR_TYPES,
    BENEFICIARY_TYPES,
    EDGE_TYPES,
    FUNDER_TYPES,
    IMPLEMENTER_TYPES,
    NEVER_ACTIVE_STATUSES,
    NODE_TYPES,
    PERIOD_FIELDS,
    PRIORITIES,
    PRIORITY_RANK,
    SHORT_FIELDS,
    STATUSES,
    STOPPED_STATUSES,
)

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("kb", "api", "visual")
FACTS = {
    "node types": frozenset(NODE_TYPES),
    "priorities": frozenset(PRIORITIES),
    "statuses": frozenset(STATUSES),
}
#: Mappings keyed by these alone restate an order or a set of them.
KEYED_FACTS = ("priorities", "statuses")


def restated_facts(source: str) -> list[tuple[int, str]]:
    """(line, fact) of each literal in ``source`` that restates a schema fact.

    >>> restated_facts('KINDS = ("Organisation", "Country")\\nONE = ("Need",)\\n')
    [(1, 'node types')]
    >>> restated_facts("def f():\\n    '''>>> f(type='Need'); f(('Need', 'Project'))'''\\n")
    []
    >>> restated_facts('RANK = {"high": 0, "low": 1}\\nBOUNDS = {"low": 0, "high": 9, "n": 1}\\n')
    [(1, 'priorities')]
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            words = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            found += [(node.lineno, fact) for fact, values in FACTS.items() if len(set(words) & values) >= 2]
        elif isinstance(node, ast.Dict) and len(node.keys) >= 2:
            keys = [k.value if isinstance(k, ast.Constant) else None for k in node.keys]
            found += [(node.lineno, fact) for fact in KEYED_FACTS if all(k in FACTS[fact] for k in keys)]
    return found


def _copies() -> list[tuple[str, int, str, str]]:
    """(file, line, fact, line text) of every restated fact in the packages."""
    copies = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            source = path.read_text(encoding="utf-8")
            lines = source.splitlines()
            name = path.relative_to(ROOT).as_posix()
            copies += [(name, n, fact, lines[n - 1].strip()) for n, fact in sorted(restated_facts(source))]
    return copies


def test_no_module_outside_graph_schema_restates_a_schema_fact():
    offenders = [f"{name}:{n}: {fact}: {text}" for name, n, fact, text in _copies()]
    assert not offenders, "import these from graph_schema instead:\n" + "\n".join(offenders)


def test_actor_roles_are_the_ends_of_the_role_edges():
    assert FUNDER_TYPES == EDGE_TYPES["FUNDS"].SOURCE_TYPES
    assert IMPLEMENTER_TYPES == EDGE_TYPES["IMPLEMENTS"].SOURCE_TYPES
    assert BENEFICIARY_TYPES == EDGE_TYPES["BENEFITS"].TARGET_TYPES
    assert set(ACTOR_TYPES) == {*FUNDER_TYPES, *IMPLEMENTER_TYPES, *BENEFICIARY_TYPES}
    assert set(ACTOR_TYPES) == {"Organisation", "Country", "Institution"}


def test_priorities_rank_high_first_and_statuses_are_the_project_ones():
    assert PRIORITIES == ("high", "medium", "low")
    assert sorted(PRIORITY_RANK, key=PRIORITY_RANK.__getitem__) == list(PRIORITIES)
    assert NEVER_ACTIVE_STATUSES | STOPPED_STATUSES <= set(STATUSES)
    assert not NEVER_ACTIVE_STATUSES & STOPPED_STATUSES


def test_period_and_short_label_fields_are_properties_of_their_type():
    models = {**NODE_TYPES, **EDGE_TYPES}
    assert {"Need", "Project", "Event"} <= set(PERIOD_FIELDS)
    for type_name, fields in PERIOD_FIELDS.items():
        assert {fields.start, fields.end} <= set(models[type_name].model_fields), type_name
    for type_name, field in SHORT_FIELDS.items():
        assert field in NODE_TYPES[type_name].model_fields, type_name
