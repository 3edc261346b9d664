"""The hand-written reads and inserts of the busiest pages (care/stamps.py) give what the ORM
gives, and the change stamps move with every change and with nothing else (run on SQLite and
again on PostgreSQL by `make test`)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.forms.models import model_to_dict
from web.factories import NOW, Cast, published_plan

from backcare.care import actions, stamps
from backcare.care.models import AuditEntry, Clinic, ExerciseLog, Patient, PlanRecord

LATER = NOW + dt.timedelta(hours=1)


def _same(loaded: object, fetched: object) -> None:
    assert type(loaded) is type(fetched)
    assert model_to_dict(loaded) == model_to_dict(fetched)  # type: ignore[arg-type]


def test_the_patient_and_clinic_read_by_hand_equal_the_orms(cast: Cast) -> None:
    Patient.objects.filter(pk=cast.pat.pk).update(date_of_birth=dt.date(1961, 3, 9))
    Clinic.objects.filter(pk=cast.riverside.pk).update(
        visit_time=dt.time(8, 30), is_demo=True, licensed_wording="{}"
    )

    patient = stamps.patient_of_user(cast.pat.user_id)

    assert patient is not None
    _same(patient, Patient.objects.get(pk=cast.pat.pk))
    assert patient.date_of_birth == dt.date(1961, 3, 9)  # a date, not SQLite's text
    assert patient.clinic.visit_time == dt.time(8, 30)
    assert patient.clinic.is_demo is True
    assert "licensed_wording" in patient.clinic.get_deferred_fields()
    assert patient.clinic.licensed_wording == "{}"  # read when asked for
    _same(patient.clinic, Clinic.objects.get(pk=cast.riverside.pk))


def test_an_account_without_a_patient_record_has_none(cast: Cast) -> None:
    assert stamps.patient_of_user(cast.alice.pk) is None
    assert stamps.clinic_of_staff(0) is None


def test_the_patients_stamp_moves_with_a_change_and_not_with_a_read(cast: Cast) -> None:
    before = stamps.patient_of_user(cast.pat.user_id)
    assert before is not None

    actions.record_read(by=cast.alice, obj=cast.pat, patient=cast.pat, now=LATER)
    after_read = stamps.patient_of_user(cast.pat.user_id)
    record = published_plan(cast.pat, cast.alice)
    after_plan = stamps.patient_of_user(cast.pat.user_id)

    assert after_read is not None and after_plan is not None
    assert after_read.change_stamp == before.change_stamp  # type: ignore[attr-defined]
    assert after_plan.change_stamp == (  # type: ignore[attr-defined]
        AuditEntry.objects.filter(patient_id=cast.pat.pk, object_type="planrecord").latest("id").pk
    )
    assert record.pk is not None


def test_the_clinics_stamp_moves_with_any_change_of_its_patients_but_not_another_clinics(
    cast: Cast,
) -> None:
    before = stamps.clinic_of_staff(cast.riverside.pk)
    harbour = stamps.clinic_of_staff(cast.harbour.pk)

    published_plan(cast.pat, cast.alice)

    after = stamps.clinic_of_staff(cast.riverside.pk)
    harbour_after = stamps.clinic_of_staff(cast.harbour.pk)
    assert before is not None and after is not None and harbour and harbour_after
    assert after.change_stamp > before.change_stamp  # type: ignore[attr-defined]
    assert harbour_after.change_stamp == harbour.change_stamp  # type: ignore[attr-defined]
    _same(after, Clinic.objects.get(pk=cast.riverside.pk))


def test_the_active_plan_is_the_published_plan_of_the_open_episode(cast: Cast) -> None:
    assert stamps.active_plan_of(cast.pat.pk, with_document=True) is None
    record = published_plan(cast.pat, cast.alice)

    with_document = stamps.active_plan_of(cast.pat.pk, with_document=True)
    without = stamps.active_plan_of(cast.pat.pk, with_document=False)

    assert with_document is not None and without is not None
    _same(with_document, PlanRecord.objects.get(pk=record.pk))
    assert with_document.episode == record.episode
    assert "plan" in without.get_deferred_fields()
    assert without.plan == record.plan  # read when first used

    actions.discharge_episode(episode=record.episode, by=cast.alice, now=LATER)
    assert stamps.active_plan_of(cast.pat.pk, with_document=True) is None


def test_a_log_written_by_hand_reads_back_as_the_orm_writes_it(cast: Cast) -> None:
    record = published_plan(cast.pat, cast.alice)

    log = actions.log_exercise(patient=cast.pat, by=cast.pat.user, exercise_id="prone-press-up",
                               done=True, pain_during=3, difficulty="hard", sets=2, now=LATER,
                               plan=stamps.active_plan_of(cast.pat.pk, with_document=False))  # fmt: skip

    stored = ExerciseLog.objects.get(pk=log.pk)
    _same(log, stored)
    assert (stored.plan_id, stored.day, stored.logged_at) == (record.pk, LATER.date(), LATER)
    assert (stored.done, stored.pain_during, stored.difficulty) == (True, 3, "hard")
    entry = AuditEntry.objects.latest("id")
    assert (entry.action, entry.object_type, entry.object_id) == ("create", "exerciselog",
                                                                  str(log.pk))  # fmt: skip
    assert (entry.at, entry.patient_id, entry.clinic_id) == (LATER, cast.pat.pk,
                                                             cast.riverside.pk)  # fmt: skip


def test_a_plan_in_hand_that_is_not_the_one_followed_is_refused(cast: Cast) -> None:
    record = published_plan(cast.pat, cast.alice)
    superseded = PlanRecord.objects.get(pk=record.pk)
    superseded.status = PlanRecord.Status.SUPERSEDED

    for wrong in (published_plan(cast.quinn, cast.bob), superseded):
        with pytest.raises(actions.ActionRefused, match="not the plan you follow"):
            actions.log_exercise(patient=cast.pat, by=cast.pat.user, done=True, plan=wrong,
                                 exercise_id="prone-press-up", now=LATER)  # fmt: skip
    assert not ExerciseLog.objects.exists()


def test_the_days_sessions_are_counted_with_those_done(cast: Cast) -> None:
    published_plan(cast.pat, cast.alice)
    for done in (True, False, True):
        actions.log_exercise(patient=cast.pat, by=cast.pat.user, exercise_id="prone-press-up",
                             done=done, now=LATER)  # fmt: skip

    assert stamps.sessions_on(cast.pat.pk, LATER.date(), "prone-press-up") == (3, 2)
    assert stamps.sessions_on(cast.pat.pk, LATER.date(), "bird-dog") == (0, 0)
    assert stamps.sessions_on(cast.pat.pk, LATER.date() - dt.timedelta(days=1),
                              "prone-press-up") == (0, 0)  # fmt: skip


def test_an_audit_entrys_detail_keeps_its_json(cast: Cast) -> None:
    detail = {"page": "today", "n": 3, "nested": {"ok": True}, "text": "naïve “quotes”"}

    actions.record_read(by=cast.alice, obj=cast.pat, patient=cast.pat, detail=detail, now=LATER)

    entry = AuditEntry.objects.latest("id")
    assert entry.detail == detail
    assert entry.at == LATER
