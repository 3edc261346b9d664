"""Signing in and out, where each person lands, throttling, session length, and invitations."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from web.factories import PASSWORD, Cast, published_plan

from backcare.accounts.models import Invitation, User
from backcare.care import actions
from backcare.care.models import AuditEntry, Episode

LOGIN = "/account/login/"
LOGOUT = "/account/logout/"
START = "/account/start/"
SAME_MESSAGE = "do not match an account that can sign in"


def sign_in(client: Client, username: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def invitation(cast: Cast, *, first_name: str = "Sam", days_ago: int = 0) -> tuple[Invitation, str]:
    now = timezone.now() - dt.timedelta(days=days_ago)
    return actions.invite_patient(
        by=cast.alice,
        email="sam@example.org",
        first_name=first_name,
        timezone="Europe/London",
        now=now,
    )


# --- signing in -----------------------------------------------------------------------------


def test_the_sign_in_page_asks_for_email_and_password(client: Client, cast: Cast) -> None:
    response = client.get(LOGIN)

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Sign in</h1>" in page
    assert 'name="username"' in page and 'autocomplete="username"' in page
    assert 'type="password"' in page
    assert 'aria-describedby="id_username-hint"' in page


def test_the_right_password_signs_in_and_goes_to_the_start_page(client: Client, cast: Cast) -> None:
    response = sign_in(client, "alice")

    assert response.status_code == 302
    assert response["Location"] == START
    assert client.session["_auth_user_id"] == str(cast.alice.pk)


def test_a_wrong_password_and_an_unknown_name_read_the_same_and_keep_the_name(
    client: Client, cast: Cast
) -> None:
    wrong = sign_in(client, "alice", "not-the-password")
    unknown = sign_in(client, "nobody-here", "not-the-password")

    for response, typed in ((wrong, "alice"), (unknown, "nobody-here")):
        assert response.status_code == 200
        page = response.content.decode()
        assert SAME_MESSAGE in page
        assert f'value="{typed}"' in page
        assert "There is a problem" in page
    assert "_auth_user_id" not in client.session


def test_a_switched_off_account_gets_the_same_message(client: Client, cast: Cast) -> None:
    actions.set_staff_active(user=cast.alice, by=cast.carol, active=False)

    response = sign_in(client, "alice")

    assert response.status_code == 200
    assert SAME_MESSAGE in response.content.decode()


def test_empty_fields_are_named(client: Client, cast: Cast) -> None:
    response = client.post(LOGIN, {"username": "", "password": ""})

    page = response.content.decode()
    assert "Enter your email address or user name." in page
    assert "Enter your password." in page


def test_next_is_followed_only_on_this_site(client: Client, cast: Cast) -> None:
    inside = sign_in(client, "carol", next="/clinic/admin/audit/")
    client.logout()
    outside = sign_in(client, "carol", next="https://evil.example.com/")

    assert inside["Location"] == "/clinic/admin/audit/"
    assert outside["Location"] == START


def test_a_signed_in_person_opening_sign_in_goes_to_the_start_page(
    client: Client, cast: Cast
) -> None:
    client.force_login(cast.alice)

    response = client.get(LOGIN)

    assert response.status_code == 302
    assert response["Location"] == START


# --- where each person starts ---------------------------------------------------------------


def test_after_sign_in_anonymous_is_sent_to_sign_in(client: Client, cast: Cast) -> None:
    response = client.get(START)

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={START}"


@pytest.mark.parametrize(
    ("who", "where"),
    [("alice", "/clinic/"), ("bob", "/clinic/"), ("carol", "/clinic/admin/")],
)
def test_staff_start_at_their_clinic_pages(
    client: Client, cast: Cast, who: str, where: str
) -> None:
    client.force_login(getattr(cast, who))

    response = client.get(START)

    assert (response.status_code, response["Location"]) == (302, where)


def test_a_patient_without_an_assessment_starts_the_intake(client: Client, cast: Cast) -> None:
    client.force_login(cast.pat.user)

    response = client.get(START)

    assert (response.status_code, response["Location"]) == (302, "/me/intake/")


def test_an_assessed_patient_starts_at_today(client: Client, cast: Cast) -> None:
    published_plan(cast.pat, cast.alice)
    client.force_login(cast.pat.user)

    response = client.get(START)

    assert (response.status_code, response["Location"]) == (302, "/me/")


def test_a_discharged_patient_starts_at_today_with_the_maintenance_programme(
    client: Client, cast: Cast
) -> None:
    published_plan(cast.pat, cast.alice)
    episode = Episode.objects.get(patient=cast.pat)
    actions.discharge_episode(episode=episode, by=cast.alice, on=episode.opened_on)
    client.force_login(cast.pat.user)

    assert client.get(START)["Location"] == "/me/"


def test_site_staff_without_a_clinic_go_home(client: Client, db: Any) -> None:
    admin = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    client.force_login(admin)

    assert client.get(START)["Location"] == "/"


def test_the_start_page_uses_a_constant_number_of_queries(
    client: Client, cast: Cast, django_assert_max_num_queries: Any
) -> None:
    published_plan(cast.pat, cast.alice)
    client.force_login(cast.pat.user)

    with django_assert_max_num_queries(3):  # session, user, the assessment check
        client.get(START)


# --- signing out ----------------------------------------------------------------------------


def test_sign_out_asks_first_and_signs_out_on_the_button(client: Client, cast: Cast) -> None:
    client.force_login(cast.pat.user)

    confirm = client.get(LOGOUT)
    still_in = "_auth_user_id" in client.session
    done = client.post(LOGOUT, follow=True)

    assert confirm.status_code == 200
    assert f'<form method="post" action="{LOGOUT}">' in confirm.content.decode()
    assert still_in
    assert done.redirect_chain == [(LOGIN, 302)]
    assert "You have signed out." in done.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_out_when_not_signed_in_goes_to_sign_in(client: Client, db: Any) -> None:
    assert client.get(LOGOUT)["Location"] == LOGIN
    assert client.post(LOGOUT)["Location"] == LOGIN


def test_sign_out_refuses_other_methods(client: Client, cast: Cast) -> None:
    client.force_login(cast.alice)

    assert client.put(LOGOUT).status_code == 405


# --- throttling -----------------------------------------------------------------------------


def test_five_wrong_passwords_lock_that_name_out_even_with_the_right_one(
    client: Client, cast: Cast
) -> None:
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        assert sign_in(client, "alice", "wrong-guess").status_code == 200
    fifth = sign_in(client, "alice", "wrong-guess")
    right = sign_in(client, "alice")

    assert fifth.status_code == 429
    assert right.status_code == 429
    page = right.content.decode()
    assert "Too many tries" in page
    assert "Wait 15 minutes, then try again." in page
    assert "_auth_user_id" not in client.session


def test_a_locked_out_name_does_not_lock_out_another(client: Client, cast: Cast) -> None:
    for _ in range(5):
        sign_in(client, "alice", "wrong-guess")

    response = sign_in(client, "carol")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(cast.carol.pk)


# --- session length -------------------------------------------------------------------------


def _expiry_hours(client: Client) -> float:
    return client.session.get_expiry_age() / 3600


def test_a_staff_session_is_shorter_than_a_patients(cast: Cast) -> None:
    staff, patient = Client(), Client()

    sign_in(staff, "alice")
    sign_in(patient, "pat@example.org")

    assert _expiry_hours(staff) == pytest.approx(settings.BACKCARE_SESSION_HOURS_STAFF, abs=0.01)
    assert _expiry_hours(patient) == pytest.approx(
        settings.BACKCARE_SESSION_HOURS_PATIENT, abs=0.01
    )
    assert settings.BACKCARE_SESSION_HOURS_STAFF < settings.BACKCARE_SESSION_HOURS_PATIENT


def test_the_session_length_follows_the_settings(client: Client, cast: Cast, settings: Any) -> None:
    settings.BACKCARE_SESSION_HOURS_STAFF = 2

    client.force_login(cast.carol)

    assert _expiry_hours(client) == pytest.approx(2, abs=0.01)


def test_an_expired_session_is_sent_to_sign_in(client: Client, cast: Cast) -> None:
    client.force_login(cast.alice)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )

    response = client.get(START)

    assert (response.status_code, response["Location"]) == (302, f"{LOGIN}?next={START}")


def test_reading_a_page_does_not_write_the_session(client: Client, cast: Cast) -> None:
    client.force_login(cast.alice)

    with CaptureQueriesContext(connection) as queries:
        client.get(LOGOUT)

    assert not [q for q in queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]


# --- invitations ----------------------------------------------------------------------------


def test_an_invitation_shows_who_it_is_for_and_asks_for_a_password(
    client: Client, cast: Cast
) -> None:
    _, token = invitation(cast)

    response = client.get(f"/account/invitation/{token}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Welcome, Sam" in page
    assert "Riverside has invited you" in page
    assert "sam@example.org" in page
    assert page.count('type="password"') == 2
    # The link's token is sent to no other site; "no-referrer" would also make the browser send
    # "Origin: null" with the form, which Django's CSRF check refuses (tests/browser found it).
    assert '<meta name="referrer" content="same-origin">' in page


def test_accepting_sets_the_password_signs_in_and_goes_on(client: Client, cast: Cast) -> None:
    invited, token = invitation(cast)
    password = "a quiet walk by the river"

    response = client.post(
        f"/account/invitation/{token}/", {"password1": password, "password2": password}
    )

    assert (response.status_code, response["Location"]) == (302, START)
    invited.refresh_from_db()
    assert invited.used_at is not None
    assert client.session["_auth_user_id"] == str(invited.user_id)
    assert invited.user.__class__.objects.get(pk=invited.user_id).check_password(password)
    entry = AuditEntry.objects.filter(object_type="invitation").latest("id")
    assert (entry.who_id, entry.detail) == (invited.user_id, {"accepted": True})
    assert client.get(START)["Location"] == "/me/intake/"


def test_two_different_passwords_are_refused(client: Client, cast: Cast) -> None:
    invited, token = invitation(cast)

    response = client.post(
        f"/account/invitation/{token}/",
        {"password1": "a quiet walk by the river", "password2": "a quiet walk by the sea"},
    )

    assert response.status_code == 200
    assert "The two passwords are not the same." in response.content.decode()
    invited.refresh_from_db()
    assert invited.used_at is None


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "This password is too short. Use at least 8 characters"),
        ("password123", "Lots of people use this password"),
        ("8402719365", "Use some letters too, not only numbers."),
        ("sam@example.org", "too close to your name or email address"),
    ],
)
def test_a_weak_password_is_refused_in_plain_words(
    client: Client, cast: Cast, password: str, message: str
) -> None:
    invited, token = invitation(cast)

    response = client.post(
        f"/account/invitation/{token}/", {"password1": password, "password2": password}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'aria-describedby="id_password1-hint id_password1-error"' in page
    assert "Welcome, Sam" in page
    invited.refresh_from_db()
    assert invited.used_at is None
    assert not invited.user.has_usable_password()


def test_empty_passwords_are_named(client: Client, cast: Cast) -> None:
    _, token = invitation(cast)

    response = client.post(f"/account/invitation/{token}/", {"password1": "", "password2": ""})

    page = response.content.decode()
    assert "Choose a password." in page
    assert "Type the password again, to check it." in page


def test_a_used_link_says_to_sign_in_or_ask_the_clinic(client: Client, cast: Cast) -> None:
    _, token = invitation(cast)
    actions.accept_invitation(token=token, password="a quiet walk by the river")

    get = client.get(f"/account/invitation/{token}/")
    post = client.post(
        f"/account/invitation/{token}/", {"password1": "another one x", "password2": "x"}
    )

    for response in (get, post):
        assert response.status_code == 410
        assert "already been used" in response.content.decode()
        assert "ask your clinic for a new link" in response.content.decode()


def test_an_expired_link_says_to_ask_the_clinic(client: Client, cast: Cast) -> None:
    _, token = invitation(cast, days_ago=settings.BACKCARE_INVITATION_DAYS + 1)

    response = client.get(f"/account/invitation/{token}/")

    assert response.status_code == 410
    assert "Ask your clinic to send you a new link." in response.content.decode()


def test_a_renewed_invitation_stops_the_old_link(client: Client, cast: Cast) -> None:
    invited, old = invitation(cast)
    patient = invited.user.patient
    _, new = actions.renew_invitation(patient=patient, by=cast.alice)

    assert client.get(f"/account/invitation/{old}/").status_code == 410
    assert client.get(f"/account/invitation/{new}/").status_code == 200


def test_an_unknown_link_is_not_found_with_kind_words(client: Client, db: Any) -> None:
    response = client.get("/account/invitation/not-a-real-token/")

    assert response.status_code == 404
    assert "ask your clinic to send you a new link" in response.content.decode()


@pytest.mark.parametrize("who", [None, "pat", "alice", "carol", "bob"])
def test_anyone_can_open_an_invitation_link(client: Client, cast: Cast, who: str | None) -> None:
    _, token = invitation(cast)
    if who == "pat":
        client.force_login(cast.pat.user)
    elif who is not None:
        client.force_login(getattr(cast, who))

    assert client.get(f"/account/invitation/{token}/").status_code == 200


# --- the role matrix of these pages ---------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "login", "logout", "start"),
    [
        (None, 200, 302, 302),
        ("pat", 302, 200, 302),
        ("alice", 302, 200, 302),
        ("carol", 302, 200, 302),
        ("bob", 302, 200, 302),
    ],
)
def test_role_matrix_of_the_account_pages(
    client: Client, cast: Cast, who: str | None, login: int, logout: int, start: int
) -> None:
    if who == "pat":
        client.force_login(cast.pat.user)
    elif who is not None:
        client.force_login(getattr(cast, who))

    assert client.get(LOGIN).status_code == login
    assert client.get(LOGOUT).status_code == logout
    assert client.get(START).status_code == start
