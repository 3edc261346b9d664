"""Fixtures of the API tests: the web tests' cast (factories.py) plus API tokens and a client
that sends them. ``call(client, method, path, token, body=None)`` returns the response."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from web.conftest import cast, fast_password_hasher  # noqa: F401  (the shared fixtures)
from web.factories import NOW

from backcare.accounts.models import User
from backcare.api import tokens

MakeToken = Callable[..., str]


@pytest.fixture
def make_token(db: Any) -> MakeToken:
    """make_token(user, scope="read") -> the raw token."""

    def make(user: User, scope: str = "read", name: str = "test") -> str:
        return tokens.create_token(user=user, name=name, scope=scope, by=user, now=NOW)[1]

    return make


def call(
    client: Client, method: str, path: str, token: str | None, body: Any = None, **extra: Any
) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = body if isinstance(body, str | bytes) or body is None else json.dumps(body)
    return getattr(client, method.lower())(
        path, data=data, content_type="application/json", headers=headers, **extra
    )


def assert_problem(response: Any, status: int, kind: str) -> dict[str, Any]:
    """The response is an RFC 9457 problem of ``kind``; its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == f"urn:backcare:problem:{kind}"
    assert body["status"] == status
    assert body["title"] and body["detail"]
    assert body["instance"] == response.request["PATH_INFO"]
    return body
