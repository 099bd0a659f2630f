"""Maps: the network maps of the maps issue, as self-contained HTML (filled in when visual lands)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["maps"])
