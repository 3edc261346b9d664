"""API tokens: made and revoked by their owner (page, action, command), stored hashed, shown
once, audited; last_used_at is written at most once an hour."""

from __future__ import annotations

import datetime as dt
import hashlib
from io import StringIO
from typing import Any

import pytest
from api.conftest import call
from django.core.management import CommandError, call_command
from django.urls import reverse
from web.factories import NOW, Cast

from backcare.api import tokens
from backcare.api.models import ApiToken
from backcare.care.actions import ActionRefused, NotAllowed
from backcare.care.models import AuditEntry


def test_a_token_is_stored_only_as_its_hash(cast: Cast) -> None:
    token, raw = tokens.create_token(user=cast.alice, name="EHR", scope="read-write", by=cast.alice)
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(ApiToken.objects.values().get(pk=token.pk))
    assert len(raw) >= 40


def test_making_and_revoking_a_token_are_audited(cast: Cast) -> None:
    token, _raw = tokens.create_token(user=cast.alice, name="EHR", by=cast.alice, now=NOW)
    tokens.revoke_token(token=token, by=cast.alice, now=NOW)
    entries = AuditEntry.objects.filter(object_type="apitoken", object_id=str(token.pk))
    assert [(e.action, e.who_id, e.clinic_id) for e in entries.order_by("id")] == [
        ("create", cast.alice.pk, cast.riverside.pk),
        ("update", cast.alice.pk, cast.riverside.pk),
    ]


def test_nobody_makes_or_revokes_someone_elses_token(cast: Cast) -> None:
    with pytest.raises(NotAllowed):
        tokens.create_token(user=cast.alice, name="x", by=cast.bob)
    token, _raw = tokens.create_token(user=cast.alice, name="x", by=cast.alice)
    with pytest.raises(NotAllowed):
        tokens.revoke_token(token=token, by=cast.bob)


@pytest.mark.parametrize(
    ("name", "scope"), [("", "read"), ("   ", "read"), ("x" * 101, "read"), ("ok", "admin")]
)
def test_a_token_needs_a_name_and_a_known_scope(cast: Cast, name: str, scope: str) -> None:
    with pytest.raises(ActionRefused):
        tokens.create_token(user=cast.alice, name=name, scope=scope, by=cast.alice)
    assert not ApiToken.objects.exists()


def test_a_person_holds_at_most_max_tokens(cast: Cast) -> None:
    for i in range(tokens.MAX_TOKENS):
        tokens.create_token(user=cast.alice, name=f"t{i}", by=cast.alice)
    with pytest.raises(ActionRefused):
        tokens.create_token(user=cast.alice, name="one more", by=cast.alice)


def test_revoked_and_switched_off_tokens_do_not_authenticate(cast: Cast) -> None:
    token, raw = tokens.create_token(user=cast.alice, name="x", by=cast.alice)
    assert tokens.authenticate(raw) == token
    assert tokens.authenticate(raw + "x") is None
    assert tokens.authenticate("") is None
    cast.alice.is_active = False
    cast.alice.save()
    assert tokens.authenticate(raw) is None
    cast.alice.is_active = True
    cast.alice.save()
    tokens.revoke_token(token=token, by=None)
    assert tokens.authenticate(raw) is None


def test_last_used_is_written_at_most_once_an_hour(
    cast: Cast, django_assert_num_queries: Any
) -> None:
    token, raw = tokens.create_token(user=cast.alice, name="x", by=cast.alice)
    with django_assert_num_queries(2):  # the SELECT and the first UPDATE
        tokens.authenticate(raw, now=NOW)
    for minutes in (1, 30, 59):
        with django_assert_num_queries(1):  # only the SELECT
            tokens.authenticate(raw, now=NOW + dt.timedelta(minutes=minutes))
    with django_assert_num_queries(2):
        tokens.authenticate(raw, now=NOW + dt.timedelta(hours=1))
    token.refresh_from_db()
    assert token.last_used_at == NOW + dt.timedelta(hours=1)


def test_the_command_prints_a_working_token_once(cast: Cast) -> None:
    out = StringIO()
    call_command("create_api_token", "alice", "--scope", "read-write", "--name", "EHR", stdout=out)
    raw = out.getvalue().strip()
    token = tokens.authenticate(raw)
    assert token is not None
    assert (token.user, token.scope, token.name) == (cast.alice, "read-write", "EHR")
    assert AuditEntry.objects.filter(object_type="apitoken", who__isnull=True).count() == 1


def test_the_command_refuses_an_unknown_user(cast: Cast) -> None:
    with pytest.raises(CommandError, match="no such user"):
        call_command("create_api_token", "nobody", "--name", "x")


# --- the page ------------------------------------------------------------------------------------


def test_the_tokens_page_asks_anonymous_people_to_sign_in(client: Any, cast: Cast) -> None:
    response = client.get(reverse("api_tokens:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_new_token_is_shown_once_and_works(client: Any, cast: Cast) -> None:
    client.force_login(cast.pat.user)
    response = client.post(reverse("api_tokens:index"), {"name": "my app", "scope": "read"})
    assert response.status_code == 200
    raw = response.context["new_token"]
    assert raw in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert call(client, "GET", "/api/v1/me", raw).json()["patient_id"] == cast.pat.pk
    page = client.get(reverse("api_tokens:index")).content.decode()
    assert "my app" in page and raw not in page


def test_bad_input_is_kept_with_a_message(client: Any, cast: Cast) -> None:
    client.force_login(cast.alice)
    response = client.post(reverse("api_tokens:index"), {"name": "x" * 101, "scope": "nope"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "x" * 101 in page
    assert "at most 100 characters" in page
    assert "error-summary" in page
    assert not ApiToken.objects.exists()


def test_revoking_from_the_page_stops_the_token(client: Any, cast: Cast) -> None:
    token, raw = tokens.create_token(user=cast.alice, name="EHR", by=cast.alice)
    client.force_login(cast.alice)
    response = client.post(reverse("api_tokens:revoke", args=[token.pk]))
    assert response.status_code == 302
    assert call(client, "GET", "/api/v1/me", raw).status_code == 401
    assert "revoked on" in client.get(reverse("api_tokens:index")).content.decode()


def test_another_persons_token_cannot_be_revoked_from_the_page(client: Any, cast: Cast) -> None:
    token, raw = tokens.create_token(user=cast.alice, name="EHR", by=cast.alice)
    client.force_login(cast.bob)
    assert client.post(reverse("api_tokens:revoke", args=[token.pk])).status_code == 404
    assert tokens.authenticate(raw) == token
