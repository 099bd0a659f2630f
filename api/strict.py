"""Strict query parameters: a parameter an operation does not take is refused, naming it.

FastAPI ignores unknown parameters, so ``/api/analyses/gaps?kin=unaddressed`` (a typo) answered
every gap as if nothing were asked. One dependency, on the whole app, compares the request's
parameters with those the matched operation declares (its own and its dependencies').
"""

from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant

from kb.errors import InvalidInputError


def _declared(dependant: Dependant) -> frozenset[str]:
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _declared(sub)
    return frozenset(names)


#: Declared parameters per route (routes are fixed once the app is built).
_KNOWN: dict[int, frozenset[str]] = {}


def _known(route: object) -> frozenset[str]:
    found = _KNOWN.get(id(route))
    if found is None:
        found = _KNOWN[id(route)] = _declared(route.dependant)  # type: ignore[attr-defined]
    return found


async def strict_query(request: Request) -> None:
    """Refuse query parameters the operation does not declare (a 422 problem naming them)."""
    route = request.scope.get("route")
    if route is None or getattr(route, "dependant", None) is None:
        return
    known = _known(route)
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        listed = ", ".join(repr(u) for u in unknown)
        takes = ", ".join(sorted(known)) or "none"
        raise InvalidInputError(f"unknown query parameter {listed} (this one takes: {takes})")
