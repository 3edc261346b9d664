"""The care actions: the engine's decisions stored with their versions, and every refusal."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from web.factories import NO_RED_FLAGS, NOW, Cast, example, published_plan

from backcare.care import actions
from backcare.care.models import (
    AssessmentRecord,
    AuditEntry,
    CheckIn,
    Episode,
    ExerciseLog,
    PlanOverride,
    PlanRecord,
    SessionNote,
    Visit,
)
from backcare.engine import ENGINE_VERSION
from backcare.engine.planning import PlanOptions
from backcare.engine.validation import InvalidDocument

# --- intake ---------------------------------------------------------------------------------


def test_an_intake_is_assessed_and_stored_with_its_versions(cast: Cast) -> None:
    record = actions.record_intake(
        patient=cast.pat, document=example("example-physio"), by=cast.alice, now=NOW
    )

    assert record.kind == AssessmentRecord.Kind.INTAKE
    assert record.triage_level == "physio"
    assert record.assessment["format"] == "backcare-assessment/1"
    assert record.intake["format"] == "backcare-intake/1"
    assert (record.engine_version, record.content_version) == (
        ENGINE_VERSION,
        actions.content().version,
    )
    assert (record.episode.status, record.episode.opened_on) == ("active", dt.date(2026, 11, 27))


def test_an_emergency_intake_is_stored_with_its_level(cast: Cast) -> None:
    record = actions.record_intake(
        patient=cast.pat,
        document=example("example-emergency-cauda-equina"),
        by=cast.alice,
        now=NOW,
    )
    assert record.triage_level == "emergency"


def test_a_bad_intake_says_what_is_wrong_and_stores_nothing(cast: Cast) -> None:
    document = example("example-physio") | {"person": {"age": 7}}

    with pytest.raises(InvalidDocument, match=r"person\.age: 7 is not allowed"):
        actions.record_intake(patient=cast.pat, document=document, by=cast.alice, now=NOW)

    assert not Episode.objects.exists()
    assert not AssessmentRecord.objects.exists()
    assert not AuditEntry.objects.filter(object_type="assessmentrecord").exists()


def test_intake_text_that_is_not_json_is_an_invalid_document(cast: Cast) -> None:
    with pytest.raises(InvalidDocument, match="a JSON document"):
        actions.record_intake(patient=cast.pat, document="{not json", by=cast.alice, now=NOW)


def test_a_reassessment_needs_an_open_episode(cast: Cast) -> None:
    with pytest.raises(actions.ActionRefused, match="open episode"):
        actions.record_intake(
            patient=cast.pat,
            document=example("example-physio"),
            by=cast.alice,
            kind=AssessmentRecord.Kind.REASSESSMENT,
            now=NOW,
        )


def test_a_patient_may_send_their_own_intake_but_not_someone_elses(cast: Cast) -> None:
    actions.record_intake(
        patient=cast.pat, document=example("example-physio"), by=cast.pat.user, now=NOW
    )
    with pytest.raises(actions.NotAllowed):
        actions.record_intake(
            patient=cast.quinn, document=example("example-physio"), by=cast.pat.user, now=NOW
        )
    with pytest.raises(actions.NotAllowed):
        actions.record_intake(
            patient=cast.quinn, document=example("example-physio"), by=cast.alice, now=NOW
        )


# --- plans ----------------------------------------------------------------------------------


def _draft(cast: Cast, intake: str = "example-physio") -> PlanRecord:
    record = actions.record_intake(
        patient=cast.pat, document=example(intake), by=cast.alice, now=NOW
    )
    return actions.generate_plan(episode=record.episode, by=cast.alice, now=NOW)


def test_a_generated_plan_is_a_draft_stamped_with_its_versions(cast: Cast) -> None:
    plan = _draft(cast)

    assert (plan.status, plan.version) == ("draft", 1)
    assert plan.plan["format"] == "backcare-plan/1"
    assert plan.plan["start"] == "2026-11-27"
    assert plan.plan["home_programme"]
    assert (plan.engine_version, plan.content_version) == (
        ENGINE_VERSION,
        actions.content().version,
    )


def test_a_new_draft_supersedes_the_old_draft_and_numbers_on(cast: Cast) -> None:
    first = _draft(cast)
    second = actions.generate_plan(episode=first.episode, by=cast.alice, now=NOW)

    first.refresh_from_db()
    assert (first.status, second.version) == ("superseded", 2)


def test_plan_options_reach_the_planner(cast: Cast) -> None:
    record = actions.record_intake(
        patient=cast.pat, document=example("example-physio"), by=cast.alice, now=NOW
    )
    plan = actions.generate_plan(
        episode=record.episode, by=cast.alice, options=PlanOptions(sessions_per_week=1), now=NOW
    )
    assert plan.plan["course"]["sessions_per_week"] == 1


def test_a_plan_needs_an_assessment_and_an_open_episode(cast: Cast) -> None:
    episode = Episode.objects.create(patient=cast.pat, opened_on=dt.date(2026, 11, 1))
    with pytest.raises(actions.ActionRefused, match="assessment first"):
        actions.generate_plan(episode=episode, by=cast.alice, now=NOW)


def test_an_emergency_gives_a_blocked_plan_with_no_exercises(cast: Cast) -> None:
    plan = _draft(cast, "example-emergency-cauda-equina")
    assert plan.plan["blocked"] is True
    assert plan.plan["home_programme"] == []


def test_an_override_needs_a_reason_and_changes_nothing_without_one(cast: Cast) -> None:
    plan = _draft(cast)
    before = plan.plan

    with pytest.raises(actions.ActionRefused, match="reason"):
        actions.override_plan(
            plan=plan, by=cast.alice, path="home_programme[0].dose.sets", value=1, reason="  "
        )

    plan.refresh_from_db()
    assert plan.plan == before
    assert not PlanOverride.objects.exists()


def test_a_dose_override_is_recorded_with_before_after_and_reason(cast: Cast) -> None:
    plan = _draft(cast)
    sets = plan.plan["home_programme"][0]["dose"]["sets"]
    new = 1 if sets != 1 else 2

    override = actions.override_plan(
        plan=plan,
        by=cast.alice,
        path="home_programme[0].dose.sets",
        value=new,
        reason="Tired after work; start gently.",
        now=NOW,
    )

    plan.refresh_from_db()
    assert plan.plan["home_programme"][0]["dose"]["sets"] == new
    assert (override.before, override.after, override.by) == (sets, new, cast.alice)
    assert AuditEntry.objects.filter(object_type="planrecord", action="update").count() == 1


def test_an_out_of_range_dose_is_refused_by_the_plan_contract(cast: Cast) -> None:
    plan = _draft(cast)
    with pytest.raises(InvalidDocument, match=r"home_programme\[0\]\.dose\.sets"):
        actions.override_plan(
            plan=plan, by=cast.alice, path="home_programme[0].dose.sets", value=40, reason="x"
        )


def test_a_swap_takes_the_new_exercise_from_the_library(cast: Cast) -> None:
    plan = _draft(cast)
    used = {item["exercise_id"] for item in plan.plan["home_programme"]}
    new = next(e for e in actions.content().catalog.exercises.values() if e.id not in used)

    actions.override_plan(
        plan=plan,
        by=cast.alice,
        path="home_programme[1].exercise_id",
        value=new.id,
        reason="She has no mat at work.",
        now=NOW,
    )

    plan.refresh_from_db()
    item = plan.plan["home_programme"][1]
    assert (item["exercise_id"], item["name"], item["level"]) == (new.id, new.name, 1)
    assert item["dose"]["sets"] == new.levels[0].sets


def test_a_swap_to_an_unknown_or_duplicate_exercise_is_refused(cast: Cast) -> None:
    plan = _draft(cast)
    first = plan.plan["home_programme"][0]["exercise_id"]
    for value in ("no-such-exercise", first):
        with pytest.raises(InvalidDocument):
            actions.override_plan(
                plan=plan,
                by=cast.alice,
                path="home_programme[1].exercise_id",
                value=value,
                reason="x",
            )


def test_a_level_override_brings_that_levels_dose(cast: Cast) -> None:
    plan = _draft(cast)
    item = plan.plan["home_programme"][0]
    exercise = actions.content().catalog.exercises[item["exercise_id"]]

    actions.override_plan(
        plan=plan, by=cast.alice, path="home_programme[0].level", value=2, reason="Fit runner."
    )

    plan.refresh_from_db()
    changed = plan.plan["home_programme"][0]
    assert (changed["level"], changed["dose"]["sets"], changed["minutes"]) == (
        2,
        exercise.levels[1].sets,
        exercise.levels[1].minutes,
    )
    with pytest.raises(InvalidDocument, match="allowed: a level from 1"):
        actions.override_plan(
            plan=plan, by=cast.alice, path="home_programme[0].level", value=99, reason="x"
        )


def test_sessions_a_week_override_re_dates_the_visits(cast: Cast) -> None:
    plan = _draft(cast)
    weeks = plan.plan["course"]["weeks"]

    actions.override_plan(
        plan=plan, by=cast.alice, path="course.sessions_per_week", value=1, reason="Lives far."
    )

    plan.refresh_from_db()
    assert plan.plan["course"]["sessions_per_week"] == 1
    assert len(plan.plan["course"]["visits"]) == weeks


def test_an_unknown_override_path_is_refused(cast: Cast) -> None:
    plan = _draft(cast)
    for path in ("triage_level", "home_programme[0].dose.per_side", "home_programme[99].level"):
        with pytest.raises(InvalidDocument):
            actions.override_plan(plan=plan, by=cast.alice, path=path, value=1, reason="x")


def test_a_published_plan_can_no_longer_be_overridden(cast: Cast) -> None:
    plan = actions.publish_plan(plan=_draft(cast), by=cast.alice, now=NOW)
    with pytest.raises(actions.ActionRefused, match="draft"):
        actions.override_plan(
            plan=plan, by=cast.alice, path="course.sessions_per_week", value=1, reason="x"
        )
    with pytest.raises(actions.ActionRefused, match="draft"):
        actions.publish_plan(plan=plan, by=cast.alice, now=NOW)


def test_publishing_books_the_visits_at_the_clinic_time_in_the_clinic_zone(cast: Cast) -> None:
    plan = actions.publish_plan(plan=_draft(cast), by=cast.alice, now=NOW)

    visits = list(Visit.objects.filter(plan=plan))
    assert [
        v.starts_at.astimezone(ZoneInfo("Europe/London")).date().isoformat() for v in visits
    ] == (plan.plan["course"]["visits"])
    assert {v.starts_at.astimezone(ZoneInfo("Europe/London")).time() for v in visits} == {
        dt.time(9, 0)
    }
    assert {(v.clinician_id, v.status) for v in visits} == {(cast.alice.pk, "planned")}
    assert (plan.status, plan.published_by, plan.published_at) == ("published", cast.alice, NOW)


def test_publishing_supersedes_the_last_plan_and_cancels_its_future_visits(cast: Cast) -> None:
    first = actions.publish_plan(plan=_draft(cast), by=cast.alice, now=NOW)
    later = NOW + dt.timedelta(days=14)
    draft = actions.generate_plan(episode=first.episode, by=cast.alice, now=later)

    second = actions.publish_plan(plan=draft, by=cast.alice, now=later)

    first.refresh_from_db()
    assert (first.status, second.status) == ("superseded", "published")
    old = Visit.objects.filter(plan=first)
    assert not old.filter(starts_at__gte=later).exclude(status="cancelled").exists()
    assert old.filter(starts_at__lt=later, status="planned").exists()
    assert PlanRecord.objects.published().get() == second


def test_a_clinician_of_another_clinic_cannot_plan_or_publish(cast: Cast) -> None:
    plan = _draft(cast)
    with pytest.raises(actions.NotAllowed):
        actions.generate_plan(episode=plan.episode, by=cast.bob, now=NOW)
    with pytest.raises(actions.NotAllowed):
        actions.publish_plan(plan=plan, by=cast.bob, now=NOW)
    with pytest.raises(actions.NotAllowed):
        actions.publish_plan(plan=plan, by=cast.pat.user, now=NOW)


# --- logs and check-ins -----------------------------------------------------------------------


def test_a_patient_logs_an_exercise_of_their_plan(cast: Cast) -> None:
    plan = published_plan(cast.pat, cast.alice)
    item = plan.plan["home_programme"][0]

    log = actions.log_exercise(
        patient=cast.pat,
        by=cast.pat.user,
        exercise_id=item["exercise_id"],
        done=True,
        sets=2,
        reps=10,
        pain_during=3,
        difficulty="right",
        now=NOW,
    )

    assert (log.plan, log.day, log.level, log.pain_during, log.difficulty) == (
        plan,
        dt.date(2026, 11, 27),
        item["level"],
        3,
        "right",
    )
    settled = actions.record_pain_settled(log=log, by=cast.pat.user, settled=True, now=NOW)
    assert settled.pain_settled_next_morning is True


def test_a_log_out_of_range_or_off_plan_or_in_the_future_is_refused(cast: Cast) -> None:
    plan = published_plan(cast.pat, cast.alice)
    exercise_id = plan.plan["home_programme"][0]["exercise_id"]
    log: dict[str, Any] = {"patient": cast.pat, "by": cast.pat.user, "done": True, "now": NOW}

    with pytest.raises(InvalidDocument, match="pain_during: 11 is not allowed"):
        actions.log_exercise(exercise_id=exercise_id, pain_during=11, **log)
    with pytest.raises(InvalidDocument, match="difficulty"):
        actions.log_exercise(exercise_id=exercise_id, difficulty="awful", **log)
    with pytest.raises(actions.ActionRefused, match="not in your plan"):
        actions.log_exercise(exercise_id="not-in-plan", **log)
    with pytest.raises(actions.ActionRefused, match="not come yet"):
        actions.log_exercise(exercise_id=exercise_id, day=dt.date(2026, 11, 28), **log)
    assert not ExerciseLog.objects.exists()


def test_logging_needs_a_published_plan(cast: Cast) -> None:
    with pytest.raises(actions.ActionRefused, match="no plan"):
        actions.log_exercise(
            patient=cast.pat, by=cast.pat.user, exercise_id="bird-dog", done=True, now=NOW
        )


def test_the_database_refuses_out_of_range_values_too(cast: Cast) -> None:
    from django.db import IntegrityError, transaction

    plan = published_plan(cast.pat, cast.alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        ExerciseLog.objects.create(
            patient=cast.pat,
            plan=plan,
            exercise_id="x",
            day=dt.date(2026, 11, 27),
            done=True,
            pain_during=11,
            logged_at=NOW,
        )


def test_a_check_in_without_red_flags_is_triaged_and_blocks_nothing(cast: Cast) -> None:
    plan = published_plan(cast.pat, cast.alice)

    check_in = actions.record_check_in(
        patient=cast.pat, by=cast.pat.user, red_flag_screen=NO_RED_FLAGS, nprs=4, now=NOW
    )

    assert check_in.triage["level"] == check_in.triage_level
    assert check_in.triage_level not in ("emergency", "urgent", "soon", "routine")
    plan.refresh_from_db()
    assert plan.blocked_by is None
    assert not CheckIn.objects.red_flagged().exists()


def test_a_check_in_with_a_red_flag_is_re_triaged_and_blocks_the_plan(cast: Cast) -> None:
    plan = published_plan(cast.pat, cast.alice)
    screen = NO_RED_FLAGS | {"saddle_numbness": True, "bladder": "retention"}

    check_in = actions.record_check_in(
        patient=cast.pat, by=cast.pat.user, red_flag_screen=screen, nprs=7, now=NOW
    )

    assert check_in.triage_level == "emergency"
    assert any(f["condition"] == "cauda_equina" for f in check_in.triage["flags"])
    plan.refresh_from_db()
    assert plan.blocked_by == check_in
    # The clinician sees it: the plan is blocked, and the check-in is red-flagged, for Alice.
    assert list(PlanRecord.objects.for_user(cast.alice).blocked()) == [plan]
    assert list(CheckIn.objects.for_user(cast.alice).red_flagged()) == [check_in]
    assert not CheckIn.objects.for_user(cast.bob).red_flagged().exists()


def test_a_bad_check_in_stores_nothing(cast: Cast) -> None:
    published_plan(cast.pat, cast.alice)
    with pytest.raises(InvalidDocument, match="nprs"):
        actions.record_check_in(
            patient=cast.pat, by=cast.pat.user, red_flag_screen=NO_RED_FLAGS, nprs=12, now=NOW
        )
    with pytest.raises(InvalidDocument, match=r"red_flag_screen\.bladder"):
        actions.record_check_in(
            patient=cast.pat, by=cast.pat.user, red_flag_screen={"bladder": "odd"}, now=NOW
        )
    assert not CheckIn.objects.exists()


def test_a_check_in_needs_an_open_episode(cast: Cast) -> None:
    with pytest.raises(actions.ActionRefused, match="open episode"):
        actions.record_check_in(
            patient=cast.pat, by=cast.pat.user, red_flag_screen=NO_RED_FLAGS, now=NOW
        )


# --- visits and discharge ---------------------------------------------------------------------


def test_a_session_note_re_screens_red_flags_and_marks_the_visit_attended(cast: Cast) -> None:
    plan = published_plan(cast.pat, cast.alice)
    visit = Visit.objects.filter(plan=plan).first()
    assert visit is not None

    note = actions.write_session_note(
        visit=visit,
        by=cast.alice,
        subjective="Sitting easier.",
        objective="Flexion to mid-shin.",
        assessment="Improving.",
        plan="Progress bird dog.",
        techniques=[
            {
                "technique_id": "manual-mobilisation",
                "parameters": {"grade": "III"},
                "response": "eased",
            }
        ],
        red_flag_screen=NO_RED_FLAGS,
        now=NOW,
    )

    visit.refresh_from_db()
    assert visit.status == "attended"
    assert note.triage_level == note.triage["level"]
    assert note.techniques[0]["technique_id"] == "manual-mobilisation"
    with pytest.raises(actions.ActionRefused, match="already has a note"):
        actions.write_session_note(visit=visit, by=cast.alice, red_flag_screen=NO_RED_FLAGS)


def test_a_session_note_with_an_unknown_technique_is_refused(cast: Cast) -> None:
    plan = published_plan(cast.pat, cast.alice)
    visit = Visit.objects.filter(plan=plan).first()
    assert visit is not None
    with pytest.raises(InvalidDocument, match=r"techniques\.toml"):
        actions.write_session_note(
            visit=visit,
            by=cast.alice,
            techniques=[{"technique_id": "magic"}],
            red_flag_screen=NO_RED_FLAGS,
        )
    assert not SessionNote.objects.exists()


def test_discharge_closes_the_episode_and_cancels_planned_visits(cast: Cast) -> None:
    plan = published_plan(cast.pat, cast.alice)
    later = NOW + dt.timedelta(days=10)

    episode = actions.discharge_episode(episode=plan.episode, by=cast.alice, now=later)

    assert (episode.status, episode.closed_on) == ("discharged", dt.date(2026, 12, 7))
    assert not plan.episode.visits.filter(status="planned", starts_at__gte=later).exists()
    with pytest.raises(actions.ActionRefused, match="already closed"):
        actions.discharge_episode(episode=episode, by=cast.alice, now=later)
    with pytest.raises(actions.ActionRefused, match="closed"):
        actions.generate_plan(episode=episode, by=cast.alice, now=later)


def test_a_planned_visit_can_be_marked_missed_once(cast: Cast) -> None:
    plan = published_plan(cast.pat, cast.alice)
    visit = Visit.objects.filter(plan=plan).first()
    assert visit is not None

    actions.set_visit_status(visit=visit, by=cast.alice, status="missed", now=NOW)

    visit.refresh_from_db()
    assert visit.status == "missed"
    with pytest.raises(actions.ActionRefused, match="Only a planned visit"):
        actions.set_visit_status(visit=visit, by=cast.alice, status="cancelled", now=NOW)
    with pytest.raises(actions.ActionRefused, match="note marks it attended"):
        actions.set_visit_status(visit=visit, by=cast.alice, status="attended", now=NOW)
