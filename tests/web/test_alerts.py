"""The caseload alerts (backcare/care/alerts.py): each kind from realistic data made through the
actions, the sort order, and a constant number of queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from web.factories import NO_RED_FLAGS, NOW, Cast, example

from backcare.accounts.models import User
from backcare.care import actions, alerts
from backcare.care.alerts import Kind
from backcare.care.models import AssessmentRecord, Patient, PlanRecord, Visit
from backcare.engine.progression import ExerciseLog as EngineExerciseLog

DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def page_caches(settings: Any) -> None:
    """The per-process caches on, as served (settings.CACHES["pages"]), and empty."""
    settings.CACHES = {
        **settings.CACHES,
        "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    alerts.clear_caches()


def on_plan(cast: Cast, name: str, *, days_ago: int = 21, clinician: User | None = None) -> Patient:
    """A patient invited, assessed (example-physio: NPRS 6, ODI 33 %) and on a published plan
    that started ``days_ago`` days before NOW."""
    clinician = clinician or cast.alice
    at = NOW - days_ago * DAY
    invitation, _token = actions.invite_patient(
        by=clinician,
        email=f"{name.lower()}@example.org",
        timezone="Europe/London",
        first_name=name,
        last_name="Test",
        now=at,
    )
    patient = Patient.objects.select_related("user").get(user_id=invitation.user_id)
    document = example("example-physio")
    document["assessed_on"] = at.date().isoformat()
    document["id"] = name
    record = actions.record_intake(patient=patient, document=document, by=clinician, now=at)
    plan = actions.generate_plan(episode=record.episode, by=clinician, now=at)
    actions.publish_plan(plan=plan, by=clinician, now=at)
    return patient


def plan_of(patient: Patient) -> PlanRecord:
    return PlanRecord.objects.get(episode__patient=patient, status=PlanRecord.Status.PUBLISHED)


def keep_up(patient: Patient, first: dt.date, last: dt.date, *, pain: int = 2) -> None:
    """Every prescribed home session done on every day from ``first`` to ``last``."""
    plan = plan_of(patient)
    logs = []
    day = first
    while day <= last:
        for item in plan.plan["home_programme"]:
            logs += [
                EngineExerciseLog(
                    date=day,
                    exercise_id=item["exercise_id"],
                    done=True,
                    level=item["level"],
                    pain_during=pain,
                )
            ] * item["dose"]["times_a_day"]
        day += DAY
    actions.import_exercise_logs(patient=patient, plan=plan, logs=logs, by=None, now=NOW)


def check_in(patient: Patient, days_ago: int, **fields: Any) -> None:
    screen = fields.pop("red_flag_screen", NO_RED_FLAGS)
    actions.record_check_in(patient=patient, by=patient.clinician, red_flag_screen=screen,
                            now=NOW - days_ago * DAY, **fields)  # fmt: skip


def statuses(*patients: Patient) -> list[alerts.PatientStatus]:
    listed = list(Patient.objects.filter(pk__in=[p.pk for p in patients]).select_related("user"))
    return alerts.caseload(listed, now=NOW, catalog=actions.content().catalog)


def status_of(patient: Patient) -> alerts.PatientStatus:
    return statuses(patient)[0]


def kinds(patient: Patient) -> list[Kind]:
    return [a.kind for a in status_of(patient).alerts]


def today() -> dt.date:
    return NOW.date()


# --- each kind --------------------------------------------------------------------------------


def test_a_patient_keeping_up_and_improving_before_review_has_no_alert(cast: Cast) -> None:
    patient = on_plan(cast, "Ivy", days_ago=10)
    keep_up(patient, today() - 10 * DAY, today())
    check_in(patient, 1, nprs=5)
    status = status_of(patient)
    assert status.alerts == []
    assert status.stage == "on_plan"
    assert status.adherence == 100
    assert status.last_nprs == 5
    assert status.next_visit is not None and status.next_visit > NOW


def test_a_red_flag_at_a_check_in_is_the_first_alert(cast: Cast) -> None:
    patient = on_plan(cast, "Rosa")
    keep_up(patient, today() - 21 * DAY, today())
    check_in(patient, 2, nprs=6, red_flag_screen={**NO_RED_FLAGS, "saddle_numbness": True})
    status = status_of(patient)
    assert status.alerts[0].kind is Kind.RED_FLAG
    assert "emergency" in status.alerts[0].text
    assert "blocked" in status.alerts[0].text  # the plan is blocked by that check-in
    assert status.alerts[0].since == today() - 2 * DAY
    assert status.triage_level == "emergency"


def test_a_red_flag_at_a_session_note_is_an_alert(cast: Cast) -> None:
    patient = on_plan(cast, "Noel", days_ago=10)
    keep_up(patient, today() - 10 * DAY, today())
    visit = Visit.objects.filter(episode__patient=patient).order_by("starts_at").first()
    assert visit is not None
    actions.write_session_note(visit=visit, by=cast.alice, now=NOW - 3 * DAY,
                               red_flag_screen={**NO_RED_FLAGS, "fever_or_chills": True,
                                                "systemically_unwell": True})  # fmt: skip
    status = status_of(patient)
    assert Kind.RED_FLAG in status.kinds
    assert "Session note" in status.alerts[0].text


def test_scores_worse_than_baseline_at_the_review_are_worse(cast: Cast) -> None:
    patient = on_plan(cast, "Walt")
    keep_up(patient, today() - 21 * DAY, today())
    check_in(patient, 2, nprs=6, odi={"variant": "2.1a", "answers": [4] * 10})
    status = status_of(patient)
    assert Kind.WORSE in status.kinds
    worse = next(a for a in status.alerts if a.kind is Kind.WORSE)
    assert "ODI" in worse.text and worse.since == today() - 2 * DAY
    assert Kind.FLARE_UP not in status.kinds  # pain 6 is the baseline


def test_no_important_change_at_the_review_is_not_improving_and_review_due(cast: Cast) -> None:
    patient = on_plan(cast, "Nina")
    keep_up(patient, today() - 21 * DAY, today())
    check_in(patient, 2, nprs=5)
    found = kinds(patient)
    assert Kind.NOT_IMPROVING in found
    assert Kind.REVIEW_DUE in found
    assert Kind.WORSE not in found


def test_a_reassessment_since_the_plan_started_clears_review_due(cast: Cast) -> None:
    patient = on_plan(cast, "Remy")
    keep_up(patient, today() - 21 * DAY, today())
    check_in(patient, 2, nprs=5)
    document = example("example-physio")
    document["id"] = "remy-again"
    actions.record_intake(patient=patient, document=document, by=cast.alice,
                          kind=AssessmentRecord.Kind.REASSESSMENT, now=NOW - DAY)  # fmt: skip
    assert Kind.REVIEW_DUE not in kinds(patient)


def test_the_review_date_with_no_check_in_says_the_review_is_due(cast: Cast) -> None:
    patient = on_plan(cast, "Dora", days_ago=16)
    keep_up(patient, today() - 16 * DAY, today())
    status = status_of(patient)
    assert [a.kind for a in status.alerts] == [Kind.REVIEW_DUE]
    assert "no reassessment" in status.alerts[0].text
    plan = plan_of(patient).plan
    assert status.alerts[0].since == dt.date.fromisoformat(plan["course"]["reassess_on"])


def test_pain_of_seven_or_more_is_a_flare_up(cast: Cast) -> None:
    patient = on_plan(cast, "Fern", days_ago=10)
    keep_up(patient, today() - 10 * DAY, today())
    check_in(patient, 2, nprs=8)
    status = status_of(patient)
    assert [a.kind for a in status.alerts] == [Kind.FLARE_UP]
    assert "8/10" in status.alerts[0].text
    assert status.alerts[0].since == today() - 2 * DAY


def test_a_rise_of_two_points_week_on_week_is_a_flare_up(cast: Cast) -> None:
    patient = on_plan(cast, "Gus", days_ago=13)
    keep_up(patient, today() - 13 * DAY, today())
    check_in(patient, 10, nprs=3)
    check_in(patient, 2, nprs=5)
    status = status_of(patient)
    assert Kind.FLARE_UP in status.kinds
    assert "up by 2" in status.alerts[0].text


def test_under_half_the_sessions_last_week_is_low_adherence(cast: Cast) -> None:
    patient = on_plan(cast, "Ada", days_ago=10)
    keep_up(patient, today() - 3 * DAY, today())  # nothing in week 1
    status = status_of(patient)
    assert [a.kind for a in status.alerts] == [Kind.ADHERENCE]
    assert status.adherence == 0
    assert status.alerts[0].text.startswith("0 % of home sessions done in week 1")


def test_symptoms_spreading_down_the_leg_stop_the_exercise(cast: Cast) -> None:
    patient = on_plan(cast, "Sid", days_ago=10)
    keep_up(patient, today() - 10 * DAY, today())
    exercise = plan_of(patient).plan["home_programme"][0]
    actions.log_exercise(patient=patient, by=patient.user, exercise_id=exercise["exercise_id"],
                         done=True, pain_during=4, symptoms_spread=True,
                         now=NOW - 3 * DAY)  # fmt: skip
    status = status_of(patient)
    assert Kind.STOPPED_EXERCISE in status.kinds
    stopped = next(a for a in status.alerts if a.kind is Kind.STOPPED_EXERCISE)
    assert exercise["name"] in stopped.text
    assert stopped.since == today() - 3 * DAY


def test_nothing_logged_for_seven_days_is_an_alert_since_the_last_log(cast: Cast) -> None:
    patient = on_plan(cast, "Otto", days_ago=10)
    keep_up(patient, today() - 10 * DAY, today() - 8 * DAY)
    status = status_of(patient)
    assert Kind.NOTHING_LOGGED in status.kinds
    quiet = next(a for a in status.alerts if a.kind is Kind.NOTHING_LOGGED)
    assert quiet.since == today() - 8 * DAY
    assert "8 days" in quiet.text


def test_six_quiet_days_are_not_yet_an_alert(cast: Cast) -> None:
    patient = on_plan(cast, "Pia", days_ago=6)
    assert Kind.NOTHING_LOGGED not in kinds(patient)


def test_a_patient_without_an_intake_has_no_alerts(cast: Cast) -> None:
    status = status_of(cast.pat)
    assert status.alerts == []
    assert status.stage == "waiting"  # pat has set a password
    assert status.triage_level is None


def test_an_emergency_at_intake_without_a_plan_is_a_red_flag(cast: Cast) -> None:
    actions.record_intake(patient=cast.pat, document=example("example-emergency-cauda-equina"),
                          by=cast.alice, now=NOW - DAY)  # fmt: skip
    status = status_of(cast.pat)
    assert [a.kind for a in status.alerts] == [Kind.RED_FLAG]
    assert status.stage == "assessed"


# --- order and cost ---------------------------------------------------------------------------


def test_the_caseload_is_sorted_by_severity_then_age_then_name(cast: Cast) -> None:
    calm = on_plan(cast, "Aaron", days_ago=10)
    keep_up(calm, today() - 10 * DAY, today())
    lazy = on_plan(cast, "Bea", days_ago=10)
    keep_up(lazy, today() - 2 * DAY, today())
    flare = on_plan(cast, "Cy", days_ago=10)
    keep_up(flare, today() - 10 * DAY, today())
    check_in(flare, 1, nprs=9)
    new_flag = on_plan(cast, "Abe", days_ago=10)
    keep_up(new_flag, today() - 10 * DAY, today())
    check_in(new_flag, 1, red_flag_screen={**NO_RED_FLAGS, "saddle_numbness": True})
    old_flag = on_plan(cast, "Zed", days_ago=10)
    keep_up(old_flag, today() - 10 * DAY, today())
    check_in(old_flag, 4, red_flag_screen={**NO_RED_FLAGS, "saddle_numbness": True})
    order = [s.patient.user.first_name for s in statuses(calm, lazy, flare, new_flag, old_flag)]
    assert order == ["Zed", "Abe", "Cy", "Bea", "Aaron"]


def test_patients_without_alerts_are_sorted_by_name(cast: Cast) -> None:
    first = on_plan(cast, "Maya", days_ago=3)
    second = on_plan(cast, "Lena", days_ago=3)
    assert [s.patient.user.first_name for s in statuses(first, second)] == ["Lena", "Maya"]


def _queries(patients: list[Patient]) -> int:
    alerts.clear_caches()
    listed = list(Patient.objects.filter(pk__in=[p.pk for p in patients]).select_related("user"))
    with CaptureQueriesContext(connection) as captured:
        alerts.caseload(listed, now=NOW)
    return len(captured)


def test_the_number_of_queries_does_not_grow_with_the_patients(cast: Cast) -> None:
    crowd = []
    for n in range(6):
        patient = on_plan(cast, f"P{n}", days_ago=10 + n)
        keep_up(patient, today() - 5 * DAY, today())
        check_in(patient, 1, nprs=5 + n % 3)
        crowd.append(patient)
    one, many = _queries(crowd[:1]), _queries(crowd)
    assert one == many <= 10
    # Parsed plans, baselines and check-ins are cached: fewer queries the second time.
    alerts.clear_caches(documents=False)  # the statuses only
    listed = list(Patient.objects.filter(pk__in=[p.pk for p in crowd]).select_related("user"))
    with CaptureQueriesContext(connection) as captured:
        cold = alerts.caseload(listed, now=NOW)
    assert len(captured) == many - 3
    # Every status cached as well: what changed per patient, and the next visits.
    with CaptureQueriesContext(connection) as captured:
        warm = alerts.caseload(listed, now=NOW)
    assert len(captured) == 2
    assert [(s.patient.pk, s.alerts, s.stage, s.adherence) for s in warm] == [
        (s.patient.pk, s.alerts, s.stage, s.adherence) for s in cold
    ]


def test_a_cached_status_follows_every_change_made_through_the_actions(cast: Cast) -> None:
    calm, other = on_plan(cast, "Calm", days_ago=3), on_plan(cast, "Other", days_ago=3)
    assert kinds(calm) == [] and kinds(other) == []  # now cached
    check_in(calm, 0, nprs=6, red_flag_screen={**NO_RED_FLAGS, "saddle_numbness": True})
    assert kinds(calm) == [Kind.RED_FLAG]
    assert kinds(other) == []
    with CaptureQueriesContext(connection) as captured:
        statuses(calm, other)
    assert len(captured) == 3  # the patients, and both statuses cached again (2)
    # A new day is a new key: the rules read the patient's today.
    listed = list(Patient.objects.filter(pk__in=[calm.pk, other.pk]).select_related("user"))
    later = alerts.caseload(listed, now=NOW + 7 * DAY)
    assert {s.today for s in later} == {(NOW + 7 * DAY).date()}
    assert Kind.NOTHING_LOGGED in {k for s in later for k in s.kinds}


def test_the_rules_table_lists_every_kind_in_severity_order() -> None:
    table = alerts.rules_markdown()
    positions = [table.index(f"`{kind.value}`") for kind in Kind]
    assert positions == sorted(positions)
    assert "issue 5" in table
    assert "clinical-facts §5.2" in table
