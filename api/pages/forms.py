"""Editing in the browser: signing in and out, and the forms that create and edit records.

A form is sent to the URL it was shown at. What it holds becomes the records a JSON batch holds
(:mod:`api.forms`), checked by the same validation and written through the same
``store.upsert`` as ``POST /api/batch``, all-or-nothing, under the signed-in token's name. A
field that is wrong shows the form again with the problem at that field and nothing stored; a
record changed since its form was opened is never overwritten (the form carries the version it
was opened on, and the store compares it inside the write).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api import forms as spec
from api.deps import StoreDep
from api.pages.render import page_url, render
from api.sessions import (
    CSRF_FIELD,
    Session,
    check_csrf,
    check_signin_csrf,
    clear_signin_cookie,
    current,
    new_signin_token,
    sessions_of,
    set_signin_cookie,
)
from graph_schema import EDGE_TYPES
from graph_schema.registry import type_of_id
from kb.errors import ConflictError, InvalidInputError, NotFoundError, SchemaViolationError
from kb.records import edge_identity, parse_batch, record_problems
from kb.store.port import GraphStore
from kb.store.writes import fingerprint

log = logging.getLogger("kb.api.sessions")

#: No read-token check here: the sign-in page is open, and every form needs a session (a write token).
router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

#: Most fields a form may send (a form has a few dozen).
MAX_FIELDS = 1000
FORM_TYPE = "application/x-www-form-urlencoded"


async def form_data(request: Request) -> dict[str, list[str]]:
    """The fields of a submitted form (URL-encoded, UTF-8), each name with its values in order."""
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind != FORM_TYPE:
        raise InvalidInputError(f"a form is sent as {FORM_TYPE}, not {kind or 'without a content type'}")
    body = await request.body()
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError:
        raise InvalidInputError("the form is not UTF-8 text") from None
    except ValueError:
        raise InvalidInputError(f"the form has more than {MAX_FIELDS} fields") from None
    found: dict[str, list[str]] = defaultdict(list)
    for name, value in pairs:
        found[name].append(value)
    return dict(found)


FormDep = Annotated[dict[str, list[str]], Depends(form_data)]


def _one(data: dict[str, list[str]], name: str) -> str:
    values = data.get(name) or [""]
    return values[-1]


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this server only."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _signin_first(request: Request) -> RedirectResponse:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse("/signin?" + urlencode({"next": here}), status_code=303)


# -- signing in and out ---------------------------------------------------------------------------
def _signin_page(request: Request, *, error: str = "", status_code: int = 200, next_: str = "/") -> Response:
    token = new_signin_token()
    response = render(
        request,
        "signin.html",
        {
            "signin_csrf": token,
            "next": _safe_next(next_),
            "error": error,
            "writes_enabled": bool(request.app.state.tokens.write),
        },
        status_code=status_code,
    )
    set_signin_cookie(request, response, token)
    return response


@router.get("/signin")
def signin_page(request: Request, next: str = "/") -> Response:
    """Sign in with a write token, to edit in the browser."""
    return _signin_page(request, next_=next)


@router.post("/signin")
def signin(request: Request, data: FormDep) -> Response:
    """A valid write token makes a session; anything else shows the form again, saying why."""
    check_signin_csrf(request, _one(data, CSRF_FIELD))
    next_ = _one(data, "next")
    caller = request.app.state.tokens.identify(_one(data, "token").strip())
    if caller is None or not caller.can_write:
        reason = "unknown token" if caller is None else f"read-only token {caller.name}"
        log.warning("sign-in refused: %s", reason)
        error = (
            "the token is not known to this server"
            if caller is None
            else f"token '{caller.name}' may read but not write"
        )
        return _signin_page(request, error=error, status_code=401 if caller is None else 403, next_=next_)
    value, _ = sessions_of(request).issue(caller.name)
    response = RedirectResponse(_safe_next(next_), status_code=303)
    sessions_of(request).set_cookie(response, request, value)
    clear_signin_cookie(request, response)
    log.info("signed in: %s", caller.actor)
    return response


@router.post("/signout")
def signout(request: Request, data: FormDep) -> Response:
    """End the session (the form must carry its CSRF token)."""
    session = current(request)
    if session is not None:
        check_csrf(request, session, _one(data, CSRF_FIELD))
    response = RedirectResponse("/", status_code=303)
    sessions_of(request).clear_cookie(response, request)
    return response


# -- the forms ------------------------------------------------------------------------------------
def _slug(value: str) -> str:
    if value not in spec.FORMS:
        raise NotFoundError(f"no form named {value!r} (known: {', '.join(spec.FORMS)})")
    return value


def _show(request: Request, form: spec.Form, session: Session, *, status_code: int = 200) -> Response:
    return render(request, "form.html", {"form": form, "csrf": session.csrf}, status_code=status_code)


def _prefill(form: spec.Form, ends: dict[str, str], addresses: list[str]) -> None:
    """A new link's ends (``?target=project:x``), a new project's needs (``?link:ADDRESSES=need:y``)."""
    names = {f.name for f in form.fields}
    form.values.update({end: value for end, value in ends.items() if end in names and value})
    if addresses and any(link.name == "link:ADDRESSES" for link in form.links):
        form.values["link:ADDRESSES"] = addresses


def _place(form: spec.Form, problems: list[tuple[str, str]]) -> None:
    """Each problem at its field (``aliases.2`` at ``aliases``, as item 3); the others above the form."""
    names = {f.name for f in form.fields}
    for loc, message in problems:
        top, _, rest = loc.partition(".")
        if rest.split(".")[0].isdigit():
            message = f"item {int(rest.split('.')[0]) + 1}: {message}"
        if not top and message.split(" ", 1)[0] in names:
            top = message.split(" ", 1)[0]
        if top in names:
            form.errors.setdefault(top, []).append(message)
        else:
            form.problems.append(f"field '{loc}': {message}" if loc else message)


def _save(
    request: Request,
    store: GraphStore,
    session: Session,
    form: spec.Form,
    values: dict[str, Any],
    *,
    stored_links: dict[str, list[str]] | None = None,
) -> Response:
    """Validate and write the form's records all-or-nothing, or show the form again with its problems."""
    form.values = values
    record = spec.record_of(form, values)
    kind = "edge" if form.is_edge else "node"
    _place(form, record_problems(kind, record))
    if form.errors or form.problems:
        return _show(request, form, session, status_code=422)
    if form.is_edge:
        doc: dict[str, Any] = {"nodes": [], "edges": [record]}
        key: Any = edge_identity(record)
        retract: list[tuple[str, str, str, str]] = []
    else:
        links, retract = spec.link_edges(form, record, values, stored_links or {})
        doc, key = {"nodes": [record], "edges": links}, record["id"]
    try:
        batch = parse_batch(doc, origin="form")
        batch.retract = retract
        batch.expect = {key: form.version or None}
        what = f"{form.type} {key if isinstance(key, str) else ' → '.join(key[1:3])}"
        store.upsert(
            batch, actor=session.actor, action=f"page form: {'edit' if form.editing else 'new'} {what}"
        )
    except (SchemaViolationError, ConflictError) as exc:
        form.problems.append(exc.detail)
        if not form.is_edge and not form.editing and not values.get("id"):
            form.values["id"] = record.get("id", "")
        return _show(request, form, session, status_code=exc.status)
    return RedirectResponse(page_url(record["target"] if form.is_edge else record["id"]), status_code=303)


@router.get("/edit/new/{slug}")
def new_form(
    request: Request,
    slug: str,
    store: StoreDep,
    source: Annotated[str, Query(max_length=200)] = "",
    target: Annotated[str, Query(max_length=200)] = "",
    addresses: Annotated[list[str] | None, Query(alias="link:ADDRESSES", max_length=200)] = None,
) -> Response:
    """An empty form for a new need, project, organisation, institution, funding or implementing link."""
    session = current(request)
    if session is None:
        return _signin_first(request)
    form = spec.build(store, _slug(slug))
    spec.fill(form, spec.defaults(form, session.actor))
    _prefill(form, {"source": source, "target": target}, addresses or [])
    return _show(request, form, session)


@router.post("/edit/new/{slug}")
def create(request: Request, slug: str, store: StoreDep, data: FormDep) -> Response:
    session = check_csrf(request, current(request), _one(data, CSRF_FIELD))
    form = spec.build(store, _slug(slug))
    return _save(request, store, session, form, spec.submitted(form, data))


def _node_form(store: GraphStore, node_id: str) -> spec.Form:
    type_name = type_of_id(node_id)
    slug = spec.slug_of(type_name) if type_name else None
    if slug is None or spec.FORMS[slug] in EDGE_TYPES:
        raise NotFoundError(f"no form edits '{node_id}': forms edit {', '.join(spec.FORMS)}")
    form = spec.build(store, slug)
    form.editing = True
    return form


@router.get("/edit/node/{node_id:path}")
def edit_node_form(request: Request, node_id: str, store: StoreDep) -> Response:
    """The form of a stored need, project, organisation or institution, with its links."""
    session = current(request)
    if session is None:
        return _signin_first(request)
    form = _node_form(store, node_id)
    node = store.get(node_id)
    spec.fill(form, node, spec.stored_links(store, node_id, form))
    form.version = fingerprint(node)
    return _show(request, form, session)


@router.post("/edit/node/{node_id:path}")
def edit_node(request: Request, node_id: str, store: StoreDep, data: FormDep) -> Response:
    session = check_csrf(request, current(request), _one(data, CSRF_FIELD))
    form = _node_form(store, node_id)
    form.version = _one(data, "version")
    values = {**spec.submitted(form, data), "id": node_id}
    return _save(request, store, session, form, values, stored_links=spec.stored_links(store, node_id, form))


def link_identity(
    edge_type: str,
    source: Annotated[str, Query(min_length=1, max_length=200)],
    target: Annotated[str, Query(min_length=1, max_length=200)],
    key: Annotated[str, Query(max_length=500)] = "",
) -> tuple[str, str, str, str]:
    """The link a form edits: ``/edit/link/FUNDS?source=ID&target=ID`` (and ``&key=`` when it has one)."""
    if spec.slug_of(edge_type) is None or edge_type not in EDGE_TYPES:
        raise NotFoundError(f"no form edits {edge_type!r} links")
    return edge_type, source, target, key


IdentityDep = Annotated[tuple[str, str, str, str], Depends(link_identity)]


def _link_form(store: GraphStore, ident: tuple[str, str, str, str]) -> spec.Form:
    form = spec.build(store, spec.slug_of(ident[0]) or "")
    form.editing = True
    return form


def _stored_edge(store: GraphStore, ident: tuple[str, str, str, str]) -> dict[str, Any]:
    for edge in store.edges_of(ident[1]):
        if edge_identity(edge) == ident:
            return edge
    raise NotFoundError(
        f"no {ident[0]} link from '{ident[1]}' to '{ident[2]}'"
        + (f" with key '{ident[3]}'" if ident[3] else "")
    )


@router.get("/edit/link/{edge_type}")
def edit_link_form(request: Request, ident: IdentityDep, store: StoreDep) -> Response:
    """The form of a stored funding or implementing link: its ends stay, the rest can change."""
    session = current(request)
    if session is None:
        return _signin_first(request)
    edge = _stored_edge(store, ident)
    form = _link_form(store, ident)
    spec.fill(form, edge)
    form.version = fingerprint(edge)
    return _show(request, form, session)


@router.post("/edit/link/{edge_type}")
def edit_link(request: Request, ident: IdentityDep, store: StoreDep, data: FormDep) -> Response:
    session = check_csrf(request, current(request), _one(data, CSRF_FIELD))
    form = _link_form(store, ident)
    form.version = _one(data, "version")
    values = {**spec.submitted(form, data), "source": ident[1], "target": ident[2], "key": ident[3]}
    return _save(request, store, session, form, values)


# -- undo -----------------------------------------------------------------------------------------
@router.post("/edit/revert/{batch_id}")
def revert(request: Request, batch_id: int, store: StoreDep, data: FormDep) -> Response:
    """Undo one batch, all-or-nothing, as ``kb revert`` does (``force=1``: even when later batches
    changed the same records); a refusal is shown with its reason and nothing changed."""
    session = check_csrf(request, current(request), _one(data, CSRF_FIELD))
    force = _one(data, "force") == "1"
    back = _safe_next(_one(data, "next"))
    context: dict[str, Any] = {"batch_id": batch_id, "back": back, "force": force}
    try:
        context["done"] = store.revert(batch_id, force=force, actor=session.actor)
    except (ConflictError, NotFoundError) as exc:
        context["refused"] = exc.detail
        context["can_force"] = isinstance(exc, ConflictError) and not force
        return render(request, "reverted.html", context, status_code=exc.status)
    log.info("batch %s reverted by %s", batch_id, session.actor)
    return render(request, "reverted.html", context)
