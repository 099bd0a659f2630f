"""Which column holds what: our templates' columns, HXL hashtags, and users' mapping files.

Every way of reading a sheet ends in a :class:`Layout`: the 0-based index of the header row
and, per field, the columns that hold it. Fields are the ones the importer understands
(:data:`NEED_FIELDS`, :data:`RESPONSE_FIELDS`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from graph_schema import PRIORITIES, STATUSES
from kb.errors import ImportFormatError
from kb.sheets.workbook import Table
from kb.text import fold

Kind = Literal["needs", "responses"]


@dataclass(frozen=True)
class Column:
    """A column of a template: field, header text, help, required, drop-down list."""

    field: str
    header: str
    help: str
    required: bool = False
    choices: str | None = None
    width: int = 22
    synonyms: tuple[str, ...] = ()


NEED_COLUMNS: tuple[Column, ...] = (
    Column(
        "partner",
        "Partner",
        "The WB partner stating the need.",
        True,
        "partner",
        20,
        ("country", "wb partner", "beneficiary"),
    ),
    Column("pillar", "Pillar", "WBCTi, WBCSCi or WBBSi.", True, "pillar", 12),
    Column(
        "name", "Need", "The need, in one line.", True, None, 50, ("need title", "title", "need description")
    ),
    Column("description", "Description", "More detail, if any.", False, None, 50),
    Column(
        "institution",
        "Responsible institution",
        "The national institution responsible for the need.",
        False,
        "institution",
        40,
        ("institution", "responsible"),
    ),
    Column(
        "priority", "Priority", f"{', '.join(PRIORITIES[:-1])} or {PRIORITIES[-1]}.", False, "priority", 12
    ),
    Column("cycle", "Mapping cycle", "e.g. needs-mapping-2.", False, "cycle", 22, ("cycle",)),
    Column(
        "amount",
        "Required amount",
        "The money the need requires, if known.",
        False,
        None,
        18,
        ("amount", "required", "value"),
    ),
    Column("currency", "Currency", "ISO 4217 code, e.g. EUR.", False, "currency", 10),
    Column(
        "start",
        "From",
        "First day the need applies (31.12.2024 or 2024-12-31).",
        False,
        None,
        14,
        ("start", "start date"),
    ),
    Column("end", "Until", "Last day, or blank / 'ongoing'.", False, None, 14, ("end", "end date")),
)

RESPONSE_COLUMNS: tuple[Column, ...] = (
    Column(
        "name",
        "Project / action",
        "Title of the project or action.",
        True,
        None,
        50,
        ("project", "action", "project title", "title", "project name"),
    ),
    Column(
        "partner",
        "Partner",
        "The WB partner where it takes place.",
        True,
        "partner",
        20,
        ("country", "wb partner", "location country"),
    ),
    Column("pillar", "Pillar", "WBCTi, WBCSCi or WBBSi.", True, "pillar", 12),
    Column("donor_1", "Donor 1", "Who funds it.", True, "donor", 30, ("donor", "funder")),
    Column("donor_2", "Donor 2", "A second donor, if any.", False, "donor", 30),
    Column("donor_3", "Donor 3", "A third donor, if any.", False, "donor", 30),
    Column(
        "implementer",
        "Implementer",
        "Who implements it.",
        False,
        "implementer",
        30,
        ("implementing partner", "implementing organisation"),
    ),
    Column(
        "beneficiary",
        "Beneficiary institution",
        "The national institution that benefits.",
        False,
        "institution",
        40,
        ("beneficiary", "beneficiaries"),
    ),
    Column(
        "amount",
        "Amount",
        "Total budget (digits; a currency sign is fine).",
        False,
        None,
        18,
        ("budget", "value", "total"),
    ),
    Column("currency", "Currency", "ISO 4217 code, e.g. EUR.", False, "currency", 10),
    Column("start", "Start", "31.12.2024 or 2024-12-31.", False, None, 14, ("start date", "from")),
    Column("end", "End", "Date, or blank / 'ongoing'.", False, None, 14, ("end date", "until")),
    Column(
        "status",
        "Status",
        f"{', '.join(STATUSES)}.",
        False,
        "status",
        16,
    ),
    Column(
        "need",
        "Need addressed",
        "The need it answers (from the needs mapping), if known.",
        False,
        "need",
        40,
        ("need",),
    ),
    Column("cycle", "Response-mapping cycle", "e.g. response-mapping-2025.", False, None, 24, ("cycle",)),
    Column("description", "Description", "More detail, if any.", False, None, 50),
)

COLUMNS: dict[str, tuple[Column, ...]] = {"needs": NEED_COLUMNS, "responses": RESPONSE_COLUMNS}
NEED_FIELDS = frozenset(c.field for c in NEED_COLUMNS)
RESPONSE_FIELDS = frozenset(c.field for c in RESPONSE_COLUMNS) | {"location", "topic", "donors"}

#: HXL hashtag (base, attributes that must be present) → field.
HXL_TAGS: tuple[tuple[str, frozenset[str], str], ...] = (
    ("#org", frozenset({"funder"}), "donors"),
    ("#org", frozenset({"impl"}), "implementer"),
    ("#activity", frozenset({"name"}), "name"),
    ("#activity", frozenset(), "name"),
    ("#sector", frozenset(), "topic"),
    ("#country", frozenset({"code"}), "partner"),
    ("#country", frozenset(), "partner"),
    ("#adm1", frozenset(), "location"),
    ("#date", frozenset({"start"}), "start"),
    ("#date", frozenset({"end"}), "end"),
    ("#value", frozenset(), "amount"),
    ("#currency", frozenset(), "currency"),
    ("#status", frozenset(), "status"),
)


@dataclass
class Layout:
    """Where the header is and which columns hold each field; defaults for missing fields."""

    kind: Kind
    header_row: int
    columns: dict[str, list[int]]
    defaults: dict[str, str] = field(default_factory=dict)
    how: str = "template"

    @property
    def first_data_row(self) -> int:
        return self.header_row + (2 if self.how == "hxl" else 1)


def _header_key(text: object) -> str:
    return fold(str(text or "")).replace(" ", "")


def _match_headers(row: list[object], kind: Kind) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for column in COLUMNS[kind]:
        names = {_header_key(column.header), *(_header_key(s) for s in column.synonyms)}
        for index, cell in enumerate(row):
            if _header_key(cell) in names and not any(index in v for v in found.values()):
                found.setdefault(column.field, []).append(index)
                break
    return found


def _hxl(row: list[object]) -> dict[str, list[int]] | None:
    cells = [str(c).strip().lower() if c is not None else "" for c in row]
    if not any(c.startswith("#") for c in cells):
        return None
    found: dict[str, list[int]] = {}
    for index, cell in enumerate(cells):
        if not cell.startswith("#"):
            continue
        base, *attrs = [p.strip() for p in cell.replace(" ", "").split("+")]
        for tag, needed, field_name in HXL_TAGS:
            if base == tag and needed <= set(attrs):
                found.setdefault(field_name, []).append(index)
                break
    return found


def detect(table: Table, kind: Kind | None) -> Layout:
    """Find the header row among the first rows: HXL hashtags under it, or our template's headers."""
    for index, row in enumerate(table.rows[:15]):
        if index + 1 < len(table.rows):
            tags = _hxl(table.rows[index + 1])
            if tags and "name" in tags:
                table.check_header(index)
                return Layout(kind="responses", header_row=index, columns=tags, how="hxl")
        for candidate in [kind] if kind else ["responses", "needs"]:
            found = _match_headers(row, candidate)
            required = {c.field for c in COLUMNS[candidate] if c.required}
            if required <= set(found):
                table.check_header(index)
                return Layout(kind=candidate, header_row=index, columns=found)
    wanted = ", ".join(c.header for c in COLUMNS[kind or "responses"] if c.required)
    raise ImportFormatError(
        f"{table.file}!{table.sheet}: no recognisable header row in the first 15 rows "
        f"(expected columns such as {wanted}, or HXL hashtags in the row under the header; "
        "for another layout give --columns MAPPING.yaml)"
    )


class MappingFile(BaseModel):
    """A user's description of their own sheet (``--columns MAPPING.yaml``)."""

    model_config = ConfigDict(extra="forbid")

    sheet: str | None = None
    header_row: int | None = None
    kind: Kind = "responses"
    columns: dict[str, str | list[str]]
    defaults: dict[str, str] = {}

    @field_validator("columns")
    @classmethod
    def _known_fields(cls, value: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
        unknown = set(value) - RESPONSE_FIELDS - NEED_FIELDS - {"value"}
        if unknown:
            raise ValueError(
                f"unknown field(s) {', '.join(sorted(unknown))}; known: "
                f"{', '.join(sorted(RESPONSE_FIELDS | NEED_FIELDS))}"
            )
        return value


def load_mapping(path: Path) -> MappingFile:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ImportFormatError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ImportFormatError(
            f"{path.name}: not a valid YAML mapping file: {str(exc).splitlines()[0]}"
        ) from exc
    try:
        return MappingFile.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise ImportFormatError(
            f"{path.name}: {where}: {first['msg'].removeprefix('Value error, ')}"
        ) from exc


def from_mapping(table: Table, mapping: MappingFile, file: str) -> Layout:
    """The layout a mapping file describes; every header it names must be in the sheet."""
    wanted = {f: [v] if isinstance(v, str) else v for f, v in mapping.columns.items()}
    rows = table.rows[: (mapping.header_row or 15)]
    candidates = [mapping.header_row - 1] if mapping.header_row else range(len(rows))
    best: tuple[int, dict[str, list[int]], list[str]] | None = None
    for index in candidates:
        if index >= len(table.rows):
            break
        keys = [_header_key(c) for c in table.rows[index]]
        found, missing = {}, []
        for field_name, headers in wanted.items():
            for header in headers:
                if _header_key(header) in keys:
                    found.setdefault("amount" if field_name == "value" else field_name, []).append(
                        keys.index(_header_key(header))
                    )
                else:
                    missing.append(header)
        if best is None or len(missing) < len(best[2]):
            best = (index, found, missing)
        if not missing:
            break
    if best is None or best[2]:
        raise ImportFormatError(
            f"{file}: columns named in the mapping file not found in the sheet: {', '.join(best[2] if best else [])}"
        )
    table.check_header(best[0])
    return Layout(
        kind=mapping.kind, header_row=best[0], columns=best[1], defaults=mapping.defaults, how="mapping"
    )
