"""docs/api.md stays true: every problem type and every operation is documented."""

from __future__ import annotations

import re
from pathlib import Path

from kb.errors import ERROR_CLASSES

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def test_every_problem_type_is_documented_with_its_status():
    text = DOC.read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z:-]+)` \| (\d{3}) \|", text, flags=re.MULTILINE))
    for cls in ERROR_CLASSES:
        assert rows.get(cls.type) == str(cls.status), (
            f"{cls.__name__}: type `{cls.type}` {cls.status} not in {DOC}"
        )


def test_every_operation_is_documented(client):
    text = re.sub(r"\{[^}]+\}", "{}", DOC.read_text(encoding="utf-8"))
    spec = client.get("/openapi.json").json()
    for path in spec["paths"]:
        assert f"`{re.sub(r'{[^}]+}', '{}', path)}" in text.replace("GET ", "").replace("POST ", "").replace(
            "DELETE ", ""
        ), f"{path} is not in {DOC.name}"


def test_openapi_names_the_token_scheme_and_every_operation_that_needs_it(client):
    spec = client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["token"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A token of KB_API_TOKENS.",
    }
    assert spec["paths"]["/api/batch"]["post"]["security"] == [{"token": []}]
    assert "security" not in spec["paths"]["/healthz"]["get"]
