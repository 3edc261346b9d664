"""The caseload dashboard (clinic:dashboard) and inviting a patient (clinic:invite,
clinic:invited, clinic:renew_invitation)."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from web.factories import NO_RED_FLAGS, NOW, PASSWORD, Cast, example

from backcare.accounts.models import Invitation, User, token_hash
from backcare.care import actions, alerts
from backcare.care.models import AuditEntry, Patient
from backcare.clinic import views

DAY = dt.timedelta(days=1)
DASHBOARD = "/clinic/"


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: Any) -> None:
    """The pages see NOW, the time the factories' data were made at."""
    monkeypatch.setattr(views, "_now", lambda: NOW)
    alerts.clear_caches()


@pytest.fixture(autouse=True)
def page_caches(settings: Any) -> None:
    """The per-process caches on, as served (settings.CACHES["pages"]), and empty."""
    settings.CACHES = {
        **settings.CACHES,
        "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    alerts.clear_caches()


def on_plan(cast: Cast, name: str, *, days_ago: int = 10, clinician: User | None = None) -> Patient:
    clinician = clinician or cast.alice
    at = NOW - days_ago * DAY
    invitation, _token = actions.invite_patient(by=clinician, email=f"{name.lower()}@example.org",
                                                timezone="Europe/London", first_name=name,
                                                last_name="Example", now=at)  # fmt: skip
    patient = Patient.objects.get(user_id=invitation.user_id)
    document = example("example-physio")
    document["assessed_on"] = at.date().isoformat()
    record = actions.record_intake(patient=patient, document=document, by=clinician, now=at)
    plan = actions.generate_plan(episode=record.episode, by=clinician, now=at)
    actions.publish_plan(plan=plan, by=clinician, now=at)
    return patient


def red_flag(patient: Patient) -> None:
    actions.record_check_in(patient=patient, by=patient.clinician, nprs=6, now=NOW - DAY,
                            red_flag_screen={**NO_RED_FLAGS, "saddle_numbness": True})  # fmt: skip


def test_the_url_names_are_the_agreed_ones() -> None:
    assert reverse("clinic:dashboard") == DASHBOARD
    assert reverse("clinic:invite") == "/clinic/patients/new/"
    assert reverse("clinic:patient", kwargs={"patient_id": 7}) == "/clinic/patients/7/"
    assert reverse("clinic:renew_invitation", kwargs={"patient_id": 7}).startswith("/clinic/")


# --- who may see it -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "carol", "bob"])
def test_clinic_staff_see_the_caseload(client: Any, cast: Cast, who: str) -> None:
    client.force_login(getattr(cast, who))
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert "Caseload" in response.content.decode()


def test_a_patient_is_refused(client: Any, cast: Cast) -> None:
    client.force_login(cast.pat.user)
    assert client.get(DASHBOARD).status_code == 403
    assert client.get(reverse("clinic:invite")).status_code == 403


def test_anonymous_goes_to_sign_in(client: Any, cast: Cast) -> None:
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=/clinic/" in response["Location"]


def test_another_clinics_patients_never_show(client: Any, cast: Cast) -> None:
    client.force_login(cast.alice)
    body = client.get(DASHBOARD, {"who": "all"}).content.decode()
    assert "quinn@example.org" not in body
    assert "pat@example.org" in body


# --- what it shows ----------------------------------------------------------------------------


def test_each_patient_shows_alert_badges_in_words_and_their_numbers(
    client: Any, cast: Cast
) -> None:
    flagged = on_plan(cast, "Rosa")
    red_flag(flagged)
    client.force_login(cast.alice)
    body = client.get(DASHBOARD).content.decode()
    row = body[body.rindex("<tr", 0, body.index("Rosa Example")) :]
    row = row[: row.index("</tr>")]
    assert 'class="badge badge--red_flag"' in row
    assert '<span class="badge__label">Red flag</span>' in row  # text, not colour only
    assert "6/10" in row  # last check-in NPRS
    assert "Emergency" in row  # triage level
    assert reverse("clinic:patient", kwargs={"patient_id": flagged.pk}) in row
    assert 'href="/clinic/patients/new/"' in body  # Invite a patient


def test_the_patient_needing_attention_comes_first(client: Any, cast: Cast) -> None:
    on_plan(cast, "Aaron", days_ago=2)
    red_flag(on_plan(cast, "Zoe"))
    client.force_login(cast.alice)
    body = client.get(DASHBOARD).content.decode()
    assert body.index("Zoe Example") < body.index("Aaron Example")


def test_my_patients_or_all_the_clinic(client: Any, cast: Cast) -> None:
    dave = actions.add_clinician(clinic=cast.riverside, username="dave", password=PASSWORD,
                                 by=cast.carol, now=NOW)  # fmt: skip
    on_plan(cast, "Dina", clinician=dave, days_ago=2)
    client.force_login(cast.alice)
    mine = client.get(DASHBOARD).content.decode()
    assert "Dina Example" not in mine and "pat@example.org" in mine
    everyone = client.get(DASHBOARD, {"who": "all"}).content.decode()
    assert "Dina Example" in everyone
    client.force_login(cast.carol)  # an administrator has no caseload: all by default
    assert "Dina Example" in client.get(DASHBOARD).content.decode()


def test_filter_by_alert_kind_and_search_by_name(client: Any, cast: Cast) -> None:
    red_flag(on_plan(cast, "Rosa"))
    on_plan(cast, "Calm", days_ago=2)
    client.force_login(cast.alice)
    body = client.get(DASHBOARD, {"kind": "red_flag"}).content.decode()
    assert "Rosa Example" in body and "Calm Example" not in body
    body = client.get(DASHBOARD, {"q": "calm"}).content.decode()
    assert "Calm Example" in body and "Rosa Example" not in body
    body = client.get(DASHBOARD, {"kind": "nonsense", "who": "x"}).content.decode()
    assert "Calm Example" in body and "Rosa Example" in body  # unknown filters are ignored


def test_one_audit_entry_for_the_caseload(client: Any, cast: Cast) -> None:
    on_plan(cast, "Rosa")
    client.force_login(cast.alice)
    before = AuditEntry.objects.count()
    client.get(DASHBOARD)
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry is not None
    assert (entry.action, entry.object_type, entry.object_id) == ("read", "clinic",
                                                                    str(cast.riverside.pk))  # fmt: skip
    assert entry.patient_id is None and entry.who_id == cast.alice.pk
    assert entry.detail == {"view": "caseload", "patients": 2}


def test_the_query_count_is_the_same_for_1_and_20_patients(
    client: Any, cast: Cast, django_assert_num_queries: Any
) -> None:
    client.force_login(cast.alice)
    red_flag(on_plan(cast, "First"))
    Patient.objects.filter(pk=cast.pat.pk).update(clinician=cast.carol)  # keep the count exact
    client.get(DASHBOARD)  # warm up: content, templates
    alerts.clear_caches()
    with CaptureQueriesContext(connection) as one:
        assert client.get(DASHBOARD).status_code == 200
    for n in range(19):
        patient = on_plan(cast, f"More{n}", days_ago=3 + n)
        if n % 3 == 0:
            red_flag(patient)
        if n % 4 == 0:
            actions.log_exercise(patient=patient, by=patient.user, done=True, now=NOW - DAY,
                                 exercise_id="clamshell")  # fmt: skip
    alerts.clear_caches()
    with django_assert_num_queries(len(one)):
        response = client.get(DASHBOARD)
    assert response.content.decode().count('class="caseload__name"') == 20
    # Nothing changed in the clinic since: the rendered page is served again with a fresh CSRF
    # token after session, user, the clinic with its change stamp and the audit insert.
    with django_assert_num_queries(4):
        again = client.get(DASHBOARD)
    assert again.content.decode().count('class="caseload__name"') == 20


# --- inviting a patient ------------------------------------------------------------------------


def invite_form(**changes: str) -> dict[str, str]:
    return {
        "first_name": "Ines",
        "last_name": "Newcomer",
        "email": "ines@example.org",
        "date_of_birth": "1980-05-17",
        "timezone": "Europe/London",
        "clinician": "",
        **changes,
    }


def test_the_invite_form_offers_the_clinics_zone_and_me(client: Any, cast: Cast) -> None:
    client.force_login(cast.alice)
    body = client.get(reverse("clinic:invite")).content.decode()
    assert '<option value="Europe/London" selected>' in body
    assert f'<option value="{cast.alice.pk}" selected>' in body
    assert '<label class="label" for="id_email">' in body


def test_inviting_shows_the_link_once_and_the_token_works(client: Any, cast: Cast) -> None:
    client.force_login(cast.alice)
    response = client.post(reverse("clinic:invite"), invite_form(clinician=str(cast.alice.pk)))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = html.unescape(response.content.decode())
    match = re.search(r"http://testserver/account/invitation/([\w-]+)/", body)
    assert match is not None
    token = match[1]
    assert "It works once, until" in body
    patient = Patient.objects.select_related("user").get(user__email="ines@example.org")
    assert (patient.user.first_name, patient.clinician_id) == ("Ines", cast.alice.pk)
    assert patient.date_of_birth == dt.date(1980, 5, 17)
    invitation = Invitation.objects.get(user=patient.user)
    assert invitation.token_hash == token_hash(token) != token  # never stored in clear
    # The invitation page afterwards does not show the link again.
    later = client.get(reverse("clinic:invited", kwargs={"patient_id": patient.pk}))
    assert token not in later.content.decode()
    user = actions.accept_invitation(token=token, password=PASSWORD)
    assert user.pk == patient.user_id and user.check_password(PASSWORD)


def test_bad_input_is_kept_with_messages(client: Any, cast: Cast) -> None:
    client.force_login(cast.alice)
    response = client.post(reverse("clinic:invite"),
                           invite_form(email="ines-at-example", timezone="Mars/Olympus",
                                       clinician=str(cast.alice.pk)))  # fmt: skip
    assert response.status_code == 200
    body = html.unescape(response.content.decode())
    assert "There is a problem" in body
    assert "Enter an email address such as name@example.org." in body
    assert "Choose a time zone from the list." in body
    assert 'value="ines-at-example"' in body and 'value="Ines"' in body
    assert 'aria-invalid="true"' in body
    assert not Patient.objects.filter(user__first_name="Ines").exists()


def test_an_email_already_in_use_is_refused_beside_the_field(client: Any, cast: Cast) -> None:
    client.force_login(cast.alice)
    response = client.post(reverse("clinic:invite"),
                           invite_form(email="pat@example.org", clinician=str(cast.alice.pk)))  # fmt: skip
    body = html.unescape(response.content.decode())
    assert "There is already an account for that email address." in body
    assert 'id="id_email-error"' in body


def test_an_administrator_invites_for_a_clinician(client: Any, cast: Cast) -> None:
    client.force_login(cast.carol)
    response = client.post(reverse("clinic:invite"), invite_form())
    assert "Choose the patient&#x27;s clinician." in response.content.decode()
    response = client.post(reverse("clinic:invite"), invite_form(clinician=str(cast.carol.pk)))
    assert "Choose a clinician of the clinic from the list." in html.unescape(
        response.content.decode()
    )
    response = client.post(reverse("clinic:invite"), invite_form(clinician=str(cast.alice.pk)))
    assert "Send this link to the patient now" in response.content.decode()
    assert Patient.objects.get(user__email="ines@example.org").clinician_id == cast.alice.pk


def test_renewing_makes_a_new_link_and_the_old_one_stops(client: Any, cast: Cast) -> None:
    invitation, old = actions.invite_patient(by=cast.alice, email="rene@example.org",
                                             timezone="Europe/London", now=NOW - DAY)  # fmt: skip
    patient = Patient.objects.get(user_id=invitation.user_id)
    client.force_login(cast.alice)
    url = reverse("clinic:renew_invitation", kwargs={"patient_id": patient.pk})
    assert client.get(url).status_code == 405
    body = html.unescape(client.post(url).content.decode())
    new = re.search(r"/account/invitation/([\w-]+)/", body)
    assert new is not None and new[1] != old
    with pytest.raises(actions.ActionRefused):
        actions.accept_invitation(token=old, password=PASSWORD)
    actions.accept_invitation(token=new[1], password=PASSWORD)
    # Renewing for a patient who has a password says so on the patient page.
    response = client.post(url, follow=True)
    assert "already set a password" in response.content.decode()


def test_renewing_for_another_clinics_patient_is_not_found(client: Any, cast: Cast) -> None:
    client.force_login(cast.alice)
    url = reverse("clinic:renew_invitation", kwargs={"patient_id": cast.quinn.pk})
    assert client.post(url).status_code == 404
    invited = reverse("clinic:invited", kwargs={"patient_id": cast.quinn.pk})
    assert client.get(invited).status_code == 404


def test_a_cached_caseload_shows_a_new_red_flag_at_once(client: Any, cast: Cast) -> None:
    """The rendered caseload is kept under the clinic's latest change: a new check-in (any
    write, through the actions) is a new change, so the next view is drawn again."""
    client.force_login(cast.alice)
    patient = on_plan(cast, "Cached")
    first = client.get(DASHBOARD).content.decode()
    assert client.get(DASHBOARD).content.decode().count("Cached") == first.count("Cached")
    assert "badge--red_flag" not in first

    red_flag(patient)

    assert "badge--red_flag" in client.get(DASHBOARD).content.decode()


def test_a_cached_caseload_is_drawn_again_after_a_few_minutes(cast: Cast) -> None:
    on_plan(cast, "Clocked")
    later = NOW + views.CASELOAD_FRESH_MINUTES * dt.timedelta(minutes=1)
    assert views._fresh_until(later) != views._fresh_until(NOW)
    assert views._fresh_until(NOW + dt.timedelta(seconds=1)) == views._fresh_until(NOW)
