"""The REST API fuzzed from its own OpenAPI description (schemathesis), in process over ASGI.

Every operation gets schema-valid and schema-invalid requests: as an editor (with a bearer
token), and once without a token. No answer may be a server error, and every answer must be
one the description declares: its status, its content type, its headers and its body.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from content.users import UserService
from tests.factories import Clock
from tests.web.api_support import bearer, png, seed_posts

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
FUZZ = settings(
    max_examples=25,
    derandomize=True,  # the same examples on every run: a failure is reproducible
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def fuzz(app: FastAPI, headers: dict[str, str], runs: settings) -> list[str]:
    """Run every operation's examples (schema-valid and schema-invalid); the failures found."""
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        cases = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )

        @runs
        @given(case=cases)
        def check(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            check()
        except Exception as error:  # every operation runs; all failures are reported together
            failures.append(f"{operation.label}: {error}")
    return failures


@pytest.fixture
def app_with_data(web_app: FastAPI, clock: Clock) -> FastAPI:
    """Posts in every state, a failed delivery, an image: things for the examples to find."""
    services = web_app.state.services
    seed_posts(services, clock)
    with services.db.write() as session:
        services.media.add(session, png(), name="seed.png")
    return web_app


def test_every_operation_as_an_editor(app_with_data: FastAPI, users: UserService) -> None:
    secret = users.tokens.create("bientap", "bientap", "fuzz")[0]
    failures = fuzz(app_with_data, bearer(secret), FUZZ)
    assert not failures, "\n\n".join(failures)


def test_every_operation_without_a_token(web_app: FastAPI) -> None:
    failures = fuzz(web_app, {}, settings(FUZZ, max_examples=5))
    assert not failures, "\n\n".join(failures)
