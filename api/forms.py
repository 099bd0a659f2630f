"""The edit forms, generated from graph_schema: which fields a form has, and a submitted form as records.

Each field comes from the type's pydantic model (its JSON Schema): required or not, a choice of the
values a ``Literal`` allows, a date, a number, one line or several, a list (one item a line), a
yes/no. A node's form also sets some of its links (a project ADDRESSES needs); a link's form has
its two ends as choices of the node types the edge type allows. Nothing here validates: a form
becomes the same records a JSON batch holds, and :mod:`kb.records` and the store judge them.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, get_args

import pycountry

from graph_schema import EDGE_TYPES, NODE_TYPES, PERIOD_FIELDS
from graph_schema.base import Currency, TextKind
from kb.records import EdgeRecord, NodeRecord, edge_identity
from kb.sheets.rows import slug
from kb.store.port import GraphStore

#: The forms there are, by the slug in their URL, and the node or edge type each edits.
FORMS: dict[str, str] = {
    "need": "Need",
    "project": "Project",
    "organisation": "Organisation",
    "institution": "Institution",
    "funding": "FUNDS",
    "implementing": "IMPLEMENTS",
}
#: Per node type, the links (edges starting at the node) its form sets too.
LINKS: dict[str, tuple[str, ...]] = {
    "Need": ("STATED_BY", "IN_PILLAR"),
    "Project": ("ADDRESSES", "IN_PILLAR", "TARGETS"),
    "Institution": ("PART_OF",),
}
#: Fields shown first and last; the type's own fields and its period come between.
_FIRST = ("id", "name", "source", "target")
_LAST = ("aliases", "description", "key", "sources", "demo")
#: What each field holds, in a form's words.
_HINTS = {
    "id": "Left empty, it is made from the name.",
    "sources": "One a line: where this is stated (document, sheet, meeting).",
    "aliases": "One a line.",
    "sectors": "One a line.",
    "key": "Only to tell apart two links of one kind between the same two records.",
}


@dataclass(frozen=True)
class FormField:
    """One input of a form."""

    name: str
    label: str
    #: text, textarea, lines, select, checkbox, date, number, currency, node
    widget: str
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    hint: str = ""
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    #: The field is part of what identifies the record: shown, not changed, when editing.
    identity: bool = False


@dataclass
class Form:
    """A form of one record type: its fields and links, and the values and problems to show."""

    slug: str
    type: str
    is_edge: bool
    fields: list[FormField]
    links: list[FormField] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    #: The fingerprint of the stored record the form was opened on ("" for a new record).
    version: str = ""
    editing: bool = False

    @property
    def title(self) -> str:
        if self.is_edge:
            what = f"{self.slug} link"
        else:
            what = self.slug
        return f"Edit {what}" if self.editing else f"New {what}"


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _text_kind(annotation: Any) -> TextKind | None:
    for part in (*getattr(annotation, "__metadata__", ()), *get_args(annotation)):
        if isinstance(part, TextKind):
            return part
        if not isinstance(part, str | int | float) and (found := _text_kind(part)) is not None:
            return found
    return None


def _plain(prop: Mapping[str, Any]) -> Mapping[str, Any]:
    """A JSON Schema property without its ``| None``."""
    options = [p for p in prop.get("anyOf", ()) if p.get("type") != "null"]
    return {**prop, **options[0]} if len(options) == 1 else prop


def _nodes_of(store: GraphStore, types: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(id, label) of every node of ``types``, by name: the choices of an end of a link."""
    found = [n for t in types for n in store.nodes(type=t)]
    found.sort(key=lambda n: (n.get("name", "").casefold(), n["id"]))
    return tuple((n["id"], f"{n.get('name', n['id'])} ({n['id']})") for n in found)


def _field(store: GraphStore, model: type, name: str, prop: Mapping[str, Any], required: bool) -> FormField:
    plain = _plain(prop)
    common: dict[str, Any] = {
        "name": name,
        "label": _label(name),
        "required": required,
        "hint": _HINTS.get(name, prop.get("description", "")),
    }
    if "enum" in plain:
        return FormField(
            widget="select", choices=tuple((v, v.replace("_", " ")) for v in plain["enum"]), **common
        )
    kind = plain.get("type")
    if kind == "boolean":
        return FormField(widget="checkbox", **{**common, "required": False})
    if kind == "string" and plain.get("format") == "date":
        return FormField(widget="date", **common)
    if kind in ("number", "integer"):
        return FormField(
            widget="number", minimum=plain.get("minimum"), maximum=plain.get("maximum"), **common
        )
    if kind == "array":
        return FormField(widget="lines", **common)
    if name in ("source", "target") and hasattr(model, "SOURCE_TYPES"):
        types = model.SOURCE_TYPES if name == "source" else model.TARGET_TYPES
        return FormField(widget="node", choices=_nodes_of(store, types), identity=True, **common)
    annotation = model.model_fields[name].annotation
    if annotation == Currency or Currency in get_args(annotation):
        return FormField(widget="currency", choices=currencies(), max_length=3, **common)
    text = _text_kind(annotation)
    widget = "textarea" if text is not None and text.multiline else "text"
    return FormField(
        widget=widget, max_length=plain.get("maxLength"), identity=name in ("id", "key"), **common
    )


@functools.cache
def currencies() -> tuple[tuple[str, str], ...]:
    """(code, name) of every ISO 4217 currency, the choices a money field suggests."""
    return tuple(sorted((c.alpha_3, c.name) for c in pycountry.currencies))


def build(store: GraphStore, slug_: str) -> Form:
    """The empty form ``slug_`` names (a key of :data:`FORMS`)."""
    type_name = FORMS[slug_]
    is_edge = type_name in EDGE_TYPES
    model = EDGE_TYPES[type_name] if is_edge else NODE_TYPES[type_name]
    schema = model.model_json_schema()
    props, required = schema["properties"], set(schema.get("required", ()))
    period = tuple(PERIOD_FIELDS[type_name]) if type_name in PERIOD_FIELDS else ()
    period = tuple(p for p in period if isinstance(p, str))
    names = list(props)
    order = (
        [n for n in _FIRST if n in props]
        + [n for n in names if n not in _FIRST and n not in _LAST and n not in period]
        + [n for n in period if n in props]
        + [n for n in _LAST if n in props]
    )
    fields = [_field(store, model, n, props[n], n in required and n != "id") for n in order]
    links = [
        FormField(
            name=f"link:{edge}",
            label=_label(edge.lower()),
            widget="links",
            choices=_nodes_of(store, EDGE_TYPES[edge].TARGET_TYPES),
            hint=f"{' or '.join(EDGE_TYPES[edge].TARGET_TYPES)}; several can be chosen.",
        )
        for edge in LINKS.get(type_name, ())
    ]
    return Form(slug_, type_name, is_edge, fields, links)


def slug_of(type_name: str) -> str | None:
    """The form that edits records of ``type_name``, if there is one."""
    return next((s for s, t in FORMS.items() if t == type_name), None)


# -- values: from a stored record, from a submitted form ----------------------------------------
def _shown(value: Any, widget: str) -> Any:
    if widget == "lines":
        return "\n".join(str(v) for v in value or ())
    if widget == "checkbox":
        return bool(value)
    if value is None:
        return ""
    return str(value) if not isinstance(value, float) or not value.is_integer() else str(int(value))


def fill(form: Form, record: Mapping[str, Any], links: Mapping[str, list[str]] | None = None) -> Form:
    """The form showing ``record`` (and the targets of its links)."""
    form.values = {f.name: _shown(record.get(f.name), f.widget) for f in form.fields}
    for link in form.links:
        form.values[link.name] = list((links or {}).get(link.name.removeprefix("link:"), ()))
    return form


def stored_links(store: GraphStore, node_id: str, form: Form) -> dict[str, list[str]]:
    """The targets of the links of ``form``'s kinds that start at ``node_id``, by edge type."""
    kinds = {link.name.removeprefix("link:") for link in form.links}
    found: dict[str, list[str]] = {k: [] for k in kinds}
    for edge in store.edges_of(node_id):
        if edge["type"] in kinds and edge["source"] == node_id:
            found[edge["type"]].append(edge["target"])
    return found


def defaults(form: Form, actor: str, today: dt.date | None = None) -> dict[str, Any]:
    """What a new record's form starts with: the schema's defaults, and where it was entered."""
    model = EDGE_TYPES.get(form.type) or NODE_TYPES[form.type]
    start: dict[str, Any] = {}
    for f in form.fields:
        info = model.model_fields[f.name]
        if not info.is_required() and (value := info.get_default(call_default_factory=True)) not in (
            None,
            "",
        ):
            start[f.name] = value
    start["sources"] = [f"web form, {actor}, {(today or dt.date.today()).isoformat()}"]
    return start


def submitted(form: Form, data: Mapping[str, list[str]]) -> dict[str, Any]:
    """The values a submitted form holds, as the form shows them again (text as typed)."""
    values: dict[str, Any] = {}
    for f in form.fields:
        sent = data.get(f.name, [])
        values[f.name] = bool(sent) if f.widget == "checkbox" else (sent[-1] if sent else "")
    for link in form.links:
        values[link.name] = [v for v in data.get(link.name, []) if v]
    return values


def record_of(form: Form, values: Mapping[str, Any]) -> dict[str, Any]:
    """The record a form's values make: empty fields left out, lists one item a line, boxes yes/no.

    Text is passed on as typed (numbers and dates as text, which the schema reads), so what is
    wrong with it is said by the same validation, in the same words, as for a JSON batch.
    """
    model = EDGE_TYPES.get(form.type) or NODE_TYPES[form.type]
    record: dict[str, Any] = {"type": form.type}
    for f in form.fields:
        value = values.get(f.name)
        if f.widget == "checkbox":
            if value or model.model_fields[f.name].default is not None:
                record[f.name] = bool(value)
        elif f.widget == "lines":
            items = [line for line in str(value or "").splitlines() if line.strip()]
            if items:
                record[f.name] = items
        elif value not in (None, ""):
            record[f.name] = value
    if not form.is_edge and "id" not in record and isinstance(record.get("name"), str):
        record["id"] = f"{NODE_TYPES[form.type].PREFIX}:{slug(record['name'])}"
    return record


def link_edges(
    form: Form, node: NodeRecord, values: Mapping[str, Any], stored: Mapping[str, list[str]]
) -> tuple[list[EdgeRecord], list[tuple[str, str, str, str]]]:
    """The links to write (those newly chosen) and to retract (those no longer chosen)."""
    write: list[EdgeRecord] = []
    retract: list[tuple[str, str, str, str]] = []
    for link in form.links:
        kind = link.name.removeprefix("link:")
        chosen = list(dict.fromkeys(values.get(link.name, [])))
        before = set(stored.get(kind, ()))
        for target in chosen:
            if target not in before:
                edge = {"type": kind, "source": node["id"], "target": target, "sources": node["sources"]}
                write.append({**edge, "demo": bool(node.get("demo"))} if node.get("demo") else edge)
        retract += [
            edge_identity({"type": kind, "source": node["id"], "target": t}) for t in before - set(chosen)
        ]
    return write, sorted(retract)


def editable_edges(request: Any, node_id: str) -> list[EdgeRecord]:
    """The links at ``node_id`` that have a form (funding, implementing), for a page's edit links."""
    kinds = {t for t in FORMS.values() if t in EDGE_TYPES}
    store: GraphStore = request.app.state.store.get()
    return [e for e in store.edges_of(node_id) if e["type"] in kinds]
