"""A patient's page for the clinic (clinic:patient): assessment, plan, progress, visits."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from web.factories import NO_RED_FLAGS, NOW, Cast, published_plan

from backcare.care import actions, alerts
from backcare.care.models import AuditEntry, PlanRecord, Visit
from backcare.clinic import views
from backcare.engine.progression import ExerciseLog as EngineExerciseLog

DAY = dt.timedelta(days=1)
LATER = NOW + 20 * DAY  # three weeks into the plan published at NOW


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: Any) -> None:
    monkeypatch.setattr(views, "_now", lambda: LATER)
    alerts.clear_caches()


def page(patient_id: int) -> str:
    return reverse("clinic:patient", kwargs={"patient_id": patient_id})


def history(cast: Cast, *, days: int, check_ins: int) -> PlanRecord:
    """Pat on the physio example's plan with ``days`` days of logs and ``check_ins`` weekly
    check-ins (pain falling from 6)."""
    plan: PlanRecord = published_plan(cast.pat, cast.alice)
    item = plan.plan["home_programme"][0]
    logs = [
        EngineExerciseLog(
            date=NOW.date() + n * DAY,
            exercise_id=item["exercise_id"],
            done=True,
            pain_during=3,
            level=item["level"],
        )
        for n in range(days)
    ]
    actions.import_exercise_logs(patient=cast.pat, plan=plan, logs=logs, by=None, now=NOW)
    for n in range(check_ins):
        actions.record_check_in(patient=cast.pat, by=cast.pat.user, red_flag_screen=NO_RED_FLAGS,
                                nprs=max(6 - n, 0), now=NOW + (2 + n * 2) * DAY,
                                odi={"variant": "2.1a", "answers": [1] * 10})  # fmt: skip
    return plan


# --- who may see it -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "carol"])
def test_the_clinics_staff_see_the_patient(client: Any, cast: Cast, who: str) -> None:
    client.force_login(getattr(cast, who))
    assert client.get(page(cast.pat.pk)).status_code == 200


def test_another_clinics_clinician_gets_not_found(client: Any, cast: Cast) -> None:
    client.force_login(cast.bob)
    assert client.get(page(cast.pat.pk)).status_code == 404
    assert client.get(page(999999)).status_code == 404


def test_patients_are_refused_even_their_own_page(client: Any, cast: Cast) -> None:
    client.force_login(cast.pat.user)
    assert client.get(page(cast.pat.pk)).status_code == 403


def test_anonymous_goes_to_sign_in(client: Any, cast: Cast) -> None:
    response = client.get(page(cast.pat.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- what it shows ----------------------------------------------------------------------------


def test_the_assessment_shows_triage_scores_with_bands_and_classification(
    client: Any, cast: Cast
) -> None:
    history(cast, days=3, check_ins=1)
    client.force_login(cast.alice)
    body = html.unescape(client.get(page(cast.pat.pk)).content.decode())
    record = cast.pat.episodes.get().assessments.get()
    doc = record.assessment
    assert "Physical therapy" in body  # triage level
    assert doc["triage"]["advice"] in body
    for name in ("Pain (NPRS)", "Oswestry Disability Index (ODI)", "STarT Back",
                 "Patient-Specific Functional Scale (PSFS)", "Fear-Avoidance Beliefs (FABQ)"):  # fmt: skip
        assert name in body
    odi = doc["scores"]["odi"]
    assert f"{odi['percent']:g} %" in body and f"{odi['band']} disability" in body
    assert f"{doc['scores']['startback']['risk']} risk" in body
    assert "lifting my daughter 3" in body  # a PSFS activity
    for reason in doc["classification"]["reasons"]:
        assert reason in body
    tbc = doc["classification"]["tbc"]
    assert tbc is None or tbc.replace("_", " ") in body


def test_the_plan_shows_its_reasons_and_links_to_its_review(client: Any, cast: Cast) -> None:
    plan = history(cast, days=3, check_ins=1)
    draft = actions.generate_plan(episode=plan.episode, by=cast.alice, now=NOW + DAY)
    client.force_login(cast.alice)
    body = html.unescape(client.get(page(cast.pat.pk)).content.decode())
    assert f"Version {plan.version} (Published)" in body
    assert f"Version {draft.version} (Draft)" in body
    assert reverse("clinic_care:plan", kwargs={"plan_id": plan.pk}) in body
    assert reverse("clinic_care:plan", kwargs={"plan_id": draft.pk}) in body
    assert plan.plan["course"]["why"][0] in body
    first = plan.plan["home_programme"][0]
    assert first["name"] in body and first["why"][0] in body


def test_progress_has_charts_with_tables_and_the_timeline(client: Any, cast: Cast) -> None:
    history(cast, days=14, check_ins=3)
    client.force_login(cast.alice)
    body = html.unescape(client.get(page(cast.pat.pk)).content.decode())
    assert body.count('role="img"') == 3  # pain, function, adherence
    assert "<title" in body and "Pain over time" in body
    assert "The numbers as a table" in body
    assert "Check-in" in body and "pain 4/10" in body  # the third check-in
    assert "1 of 1 sessions done" in body
    assert "week 1" in body  # the adherence chart


def test_visits_link_to_their_session_notes_and_the_actions_are_there(
    client: Any, cast: Cast
) -> None:
    history(cast, days=3, check_ins=1)
    visit = Visit.objects.filter(episode__patient=cast.pat).order_by("starts_at").first()
    assert visit is not None
    actions.write_session_note(visit=visit, by=cast.alice, red_flag_screen=NO_RED_FLAGS,
                               now=NOW + 3 * DAY)  # fmt: skip
    client.force_login(cast.alice)
    body = client.get(page(cast.pat.pk)).content.decode()
    assert reverse("clinic_care:session_note", kwargs={"visit_id": visit.pk}) in body
    assert "Upcoming" in body and "Past" in body
    assert reverse("clinic_care:reassess", kwargs={"patient_id": cast.pat.pk}) in body
    assert reverse("clinic_care:discharge", kwargs={"patient_id": cast.pat.pk}) in body


def test_the_patients_alerts_are_shown_in_words(client: Any, cast: Cast) -> None:
    history(cast, days=3, check_ins=1)
    actions.record_check_in(patient=cast.pat, by=cast.pat.user, nprs=6, now=LATER - DAY,
                            red_flag_screen={**NO_RED_FLAGS, "saddle_numbness": True})  # fmt: skip
    client.force_login(cast.alice)
    body = client.get(page(cast.pat.pk)).content.decode()
    assert '<span class="badge__label">Red flag</span>' in body


def test_an_invited_patient_shows_the_invitation_and_a_renew_button(
    client: Any, cast: Cast
) -> None:
    invitation, _token = actions.invite_patient(by=cast.alice, email="new@example.org",
                                                timezone="Europe/London", now=NOW)  # fmt: skip
    patient_id = invitation.user.patient.pk
    client.force_login(cast.alice)
    body = client.get(page(patient_id)).content.decode()
    assert "has not set a password" in body
    assert reverse("clinic:renew_invitation", kwargs={"patient_id": patient_id}) in body
    assert "No assessment yet" in body


def test_one_audit_entry_names_the_patient(client: Any, cast: Cast) -> None:
    history(cast, days=3, check_ins=1)
    client.force_login(cast.alice)
    before = AuditEntry.objects.count()
    client.get(page(cast.pat.pk))
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry is not None
    assert (entry.action, entry.object_type, entry.patient_id) == ("read", "patient", cast.pat.pk)


def test_the_query_count_does_not_grow_with_logs_and_check_ins(
    client: Any, cast: Cast, django_assert_num_queries: Any
) -> None:
    history(cast, days=2, check_ins=1)
    client.force_login(cast.alice)
    client.get(page(cast.pat.pk))  # warm up
    alerts.clear_caches()
    with CaptureQueriesContext(connection) as few:
        client.get(page(cast.pat.pk))
    plan = PlanRecord.objects.get(status=PlanRecord.Status.PUBLISHED)
    item = plan.plan["home_programme"][1]
    more = [
        EngineExerciseLog(date=NOW.date() + n * DAY, exercise_id=item["exercise_id"], done=True)
        for n in range(18)
    ]
    actions.import_exercise_logs(patient=cast.pat, plan=plan, logs=more, by=None, now=NOW)
    for n in range(4):
        actions.record_check_in(patient=cast.pat, by=cast.pat.user, nprs=3,
                                red_flag_screen=NO_RED_FLAGS, now=NOW + (10 + n * 2) * DAY)  # fmt: skip
    alerts.clear_caches()
    with django_assert_num_queries(len(few)):
        client.get(page(cast.pat.pk))


def test_after_an_intake_sent_from_home_the_clinician_can_make_the_first_draft(
    cast: Cast,
) -> None:
    from django.test import Client
    from web.factories import example

    from backcare.care import actions
    from backcare.care.models import PlanRecord

    actions.record_intake(patient=cast.pat, document=example("example-physio"), by=cast.pat.user)
    client = Client()
    client.force_login(cast.alice)

    page = client.get(f"/clinic/patients/{cast.pat.pk}/").content.decode()
    assert "Make a draft plan from the assessment" in page

    response = client.post(f"/clinic/patients/{cast.pat.pk}/plans/new/")
    draft = PlanRecord.objects.get(episode__patient=cast.pat)
    assert (response.status_code, draft.status) == (302, "draft")
    page = client.get(f"/clinic/patients/{cast.pat.pk}/").content.decode()
    assert "Make a draft plan from the assessment" not in page  # one draft at a time
