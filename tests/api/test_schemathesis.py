"""schemathesis over the whole API schema, in-process (bounded examples): no server error and
no response that breaks the schema, for every operation, authenticated as a clinician with a
read-write token. In positive cases the patient (and plan) ids point at a real patient, so the
generated bodies reach the actions and the engine; negative cases keep what was generated."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from web.factories import NOW, Cast, published_plan

from backcare.api import tokens

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def keep_the_test_connection() -> Iterator[None]:
    """Django's WSGI handler closes the database connection after each request when it is
    inside a transaction (as every test is); on PostgreSQL that ends the test's transaction.
    Django's own test client switches this off during a request; do the same here."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(cast: Cast, keep_the_test_connection: None) -> dict[str, Any]:
    """Pat with a published plan, and Alice's read-write token."""
    plan = published_plan(cast.pat, cast.alice)
    _token, raw = tokens.create_token(
        user=cast.alice, name="schemathesis", scope="read-write", by=cast.alice, now=NOW
    )
    return {"patient_id": cast.pat.pk, "plan_id": plan.pk, "token": raw}


# Loaded when the tests are collected (pytest-django has configured Django by then); reading
# the schema touches no database.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_the_api_keeps_its_schema(case: Any, world: dict[str, Any]) -> None:
    meta = case.meta
    positive = meta is None or meta.generation.mode.is_positive
    if positive and case.path_parameters:
        for name in ("patient_id", "plan_id"):
            if name in case.path_parameters:
                case.path_parameters[name] = world[name]
    if not positive and "Authorization" not in (case.headers or {}):
        case.call_and_validate()  # a negative case that leaves the token out on purpose: 401
    else:
        case.call_and_validate(headers={"Authorization": f"Bearer {world['token']}"})
