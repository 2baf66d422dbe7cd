"""Schemathesis over the whole JSON API: the schema tells the truth.

Every operation of ``/api/openapi.json`` is called through the WSGI application with generated
parameters and bodies (valid and invalid), as a regional user, an organisation user and
anonymously, against the demo dataset (every domain holds real rows: cases, RSP, actions,
meetings with Part B items, plans, matters, risks). Each response must not be a server error,
must have a status the schema documents for that operation, and must match the schema and
content type documented for that status; invalid input must be refused with a 4xx.

A bounded number of examples per operation keeps the run short (``EXAMPLES``).
"""

from __future__ import annotations

from collections import defaultdict

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from oversight.wsgi import application

#: Examples per operation and generation mode, by role.
EXAMPLES = {"regional": 6, "organisation": 6, "anonymous": 2}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, negative_data_rejection]
#: The demo's users (docs/demo.md): the regional team of the East of England and Cambridge
#: University Hospitals' own user; None: signed out.
USERS = {"regional": "demo", "organisation": "cuh", "anonymous": None}


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """The demo dataset, loaded once for the module and rolled back after it."""
    from oversight.demo import load_demo
    from oversight.metrics.catalogue import load_all

    with django_db_blocker.unblock(), transaction.atomic():
        load_all()
        load_demo(progress=False, months=3, real_data=False)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def wsgi(db):
    """The WSGI application as gunicorn runs it, inside the test's transaction: Django's
    request signals would otherwise close the connection that holds it."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield application
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture(params=list(USERS))
def credentials(request, demo_data, wsgi, settings) -> dict[str, dict[str, str]]:
    """Cookies and headers that sign the request in as the role's user (the session, the CSRF
    cookie and its header), or none."""
    username = USERS[request.param]
    if username is None:
        return {"cookies": {}, "headers": {}}
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    token = "x" * 32
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"cookies": {settings.SESSION_COOKIE_NAME: session, settings.CSRF_COOKIE_NAME: token},
            "headers": {"X-CSRFToken": token}}


@pytest.fixture
def api_schema(wsgi, credentials):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi)
    # The session cookie is the credentials, given by role, not a parameter to vary.
    schema.config.generation.update(with_security_parameters=False)
    return schema


def can_be_invalid(operation) -> bool:
    """Whether the operation has input that can break its schema: a body, or a parameter that is
    not free text (any text is a valid string, so negative generation finds nothing)."""
    raw = operation.definition.raw
    if raw.get("requestBody"):
        return True
    for parameter in raw.get("parameters", []):
        schema = parameter.get("schema", {})
        for part in [schema, *schema.get("anyOf", [])]:
            if part.get("type") not in {"string", "null", None} or set(part) - {
                    "type", "anyOf", "title", "description"}:
                return True
    return False


def test_api_answers_as_its_schema_says(api_schema, credentials, request) -> None:
    role = request.node.callspec.params["credentials"]
    failures, answers = [], defaultdict(set)
    for result in api_schema.get_all_operations():
        operation = result.ok()
        # Signed out, every answer is the same refusal: valid input is enough to show it.
        modes = [GenerationMode.POSITIVE]
        if role != "anonymous" and can_be_invalid(operation):
            modes.append(GenerationMode.NEGATIVE)
        for mode in modes:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES[role], deadline=None, database=None,
                      suppress_health_check=list(HealthCheck), derandomize=True,
                      phases=[Phase.explicit, Phase.generate])
            def call(case) -> None:
                response = case.call(**credentials)
                answers[case.operation.label].add(response.status_code)
                case.validate_response(response, checks=CHECKS)

            try:
                call()
            except (Exception, BaseExceptionGroup) as exc:  # every failure, reported together
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    assert not failures, "\n\n".join(failures)
    # The run reached the endpoints: signed in, past sign-in and CSRF; signed out, no further
    # (a write is refused for its missing CSRF token before the missing session).
    if role == "anonymous":
        assert set().union(*answers.values()) <= {400, 401, 403}
    else:
        assert not [op for op, codes in answers.items() if codes <= {400, 401}]
    if role == "regional":  # who raises actions: a write past the CSRF check
        assert answers["POST /api/support/actions"] - {400, 403}, "CSRF refused every write"
