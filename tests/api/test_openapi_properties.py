"""Property-based tests from the app's own OpenAPI description (schemathesis).

For every operation, generated requests (valid and invalid) must never cause a 5xx, and every
response must match what the description promises: status code, content type and body schema.
Bounded: a few examples per operation.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from kb.settings import Settings
from tests.api.conftest import AUTH, TOKENS

pytestmark = pytest.mark.slow

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


#: The app opens its store on the first request, after the fixture below has put the seed there.
_TMP = tempfile.TemporaryDirectory(prefix="kb-schemathesis-")
_STORE = Path(_TMP.name) / "kb.sqlite"
app = create_app(Settings(store=str(_STORE), api_tokens=TOKENS, api_max_body_bytes=1_000_000))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module")
def seeded_app_store(seeded_file):
    if not _STORE.exists():
        shutil.copy(seeded_file, _STORE)
    return _STORE


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
def test_api_answers_every_generated_request_as_described(case, seeded_app_store):
    case.call_and_validate(headers=AUTH, checks=CHECKS)
