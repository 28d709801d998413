"""Schemathesis against the platform's own OpenAPI schema: no request built from the schema
makes the API answer 5xx, and every answer conforms to the schema.

It runs in the suite, bounded: a few examples per operation, hypothesis derandomized (the same
examples on every run, no example database), no deadline (a slow request is the load
benchmark's business, not a failure here). Requests go straight to the WSGI application, no
network. Two personas drive it with their API tokens: 南湖区 office staff, who may write almost
everywhere in the district, and a member-unit reporter, who may read little and write less.
POST/PUT/PATCH/DELETE stay in: each generated request runs in a savepoint rolled back after it,
so a delete or a state change never leaks into the next example (or into other tests).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from conftest import client_for
from guodong.accounts.services import issue_token

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 6
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Operations whose failures are known, each naming the failure so whoever fixes it can drop the
# line. Keys: "METHOD /path". Empty: every operation is fuzzed.
KNOWN_FAILURES: dict[str, str] = {}


@pytest.fixture
def wsgi_in_test_transaction() -> Iterator[None]:
    """Django closes a connection it finds inside a transaction when a request starts or ends;
    under test the connection holds the test's transaction, so (as Django's test client does)
    stop that for the duration."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def schema(wsgi_in_test_transaction: None) -> Any:
    """The schema as the platform serves it at /api/schema/, bound to the WSGI application
    (read inside the test's transaction, like every request after it)."""
    from guodong.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


def _operations(schema: Any) -> Iterator[Any]:
    for result in schema.get_all_operations():
        yield result.ok()


def _fuzz(operation: Any, token: str) -> None:
    headers = {"Authorization": f"Token {token}"}

    @hypothesis_settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        with transaction.atomic():
            try:
                response = case.call(headers=headers)
                case.validate_response(response, checks=CHECKS, headers=headers)
            finally:
                transaction.set_rollback(True)

    run()


@pytest.mark.parametrize("persona", ["nanhu_staff", "reporter"])
def test_api_never_answers_5xx_and_keeps_to_its_schema(
    persona: str, request: pytest.FixtureRequest, schema: Any
) -> None:
    token = issue_token(request.getfixturevalue(persona)).key
    failures: list[str] = []
    tried = 0
    for operation in _operations(schema):
        key = f"{operation.method.upper()} {operation.path}"
        if key in KNOWN_FAILURES:
            continue
        tried += 1
        try:
            _fuzz(operation, token)
        except (Exception, BaseExceptionGroup) as error:  # report every failing operation
            failures.append(f"{key} as {persona}:\n{error}")
    assert tried > 20  # the schema really was read
    assert not failures, f"{len(failures)} operations failed:\n\n" + "\n\n".join(failures)


def test_a_filter_value_holding_a_percent_sign_is_a_400_not_a_500(nanhu_staff):
    """Found by schemathesis: django-filter formatted the refusal of `?division=progress (%)`
    with `%` again, and the stray "%" made it a server error."""
    response = client_for(nanhu_staff).get("/api/v1/sirens/", {"division": "progress (%)"})
    assert response.status_code == 400
    assert "progress (%)" in str(response.json()["division"])
