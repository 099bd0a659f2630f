"""Seed data: YAML files in ``seeds/`` (documents) and ``seeds/demo/`` (illustrative demo set).

Each file has optional ``defaults`` (applied to every record lacking the key, typically
``sources`` and ``demo``), ``nodes`` and ``edges`` in the record form of :mod:`kb.records`.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

from kb.errors import ImportFormatError, SchemaViolationError
from kb.records import Batch, merge, parse_batch

SEED_DIR = Path(__file__).resolve().parents[1] / "seeds"
#: The titles of the documents the seed files cite (not a seed file: it holds no records).
SOURCE_TITLES = SEED_DIR / "sources" / "titles.yaml"


@functools.cache
def source_titles() -> dict[str, str]:
    """``{source as the seed files cite it: its title}``, from :data:`SOURCE_TITLES` (empty if absent)."""
    try:
        doc = yaml.safe_load(SOURCE_TITLES.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    return {str(k): str(v) for k, v in (doc or {}).items()}


def seed_files(seed_dir: Path = SEED_DIR, *, demo: bool = True) -> list[Path]:
    files = sorted(seed_dir.glob("*.yaml"))
    if demo:
        files += sorted((seed_dir / "demo").glob("*.yaml"))
    return files


def load_file(path: Path) -> Batch:
    try:
        doc: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ImportFormatError(f"{path.name}: not UTF-8 text") from exc
    except yaml.YAMLError as exc:
        raise ImportFormatError(f"{path.name}: not valid YAML: {exc}".splitlines()[0]) from exc
    except OSError as exc:
        raise ImportFormatError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if not isinstance(doc, dict):
        raise SchemaViolationError(f"{path.name}: expected a mapping with 'nodes' and 'edges'")
    defaults = doc.pop("defaults", None) or {}
    for kind in ("nodes", "edges"):
        records = doc.get(kind) or []
        if isinstance(records, list):
            doc[kind] = [{**defaults, **r} if isinstance(r, dict) else r for r in records]
    return parse_batch(doc, origin=path.name)


def load_seeds(seed_dir: Path = SEED_DIR, *, demo: bool = True) -> Batch:
    """One batch of every seed file (documents first, then the demo set)."""
    files = seed_files(seed_dir, demo=demo)
    if not files:
        raise ImportFormatError(f"no seed files (*.yaml) in {seed_dir}")
    return merge(load_file(f) for f in files)
