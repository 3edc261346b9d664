"""for_user(user) is the permission rule: patients see their own records, clinic staff their
clinic's patients, everyone else nothing. One matrix over every kind of record."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from web.factories import NO_RED_FLAGS, NOW, Cast, published_plan

from backcare.care import actions
from backcare.care.models import (
    AssessmentRecord,
    CheckIn,
    Episode,
    ExerciseLog,
    Patient,
    PlanRecord,
    SessionNote,
    Visit,
)

# Each kind of record, and the lookup from it to the patient it belongs to.
PATIENT_OF = {
    Patient: "id",
    Episode: "patient_id",
    AssessmentRecord: "episode__patient_id",
    PlanRecord: "episode__patient_id",
    ExerciseLog: "patient_id",
    CheckIn: "patient_id",
    Visit: "episode__patient_id",
    SessionNote: "visit__episode__patient_id",
}


@pytest.fixture
def records(cast: Cast) -> Cast:
    """Pat and Quinn each with every kind of record."""
    for patient, clinician in ((cast.pat, cast.alice), (cast.quinn, cast.bob)):
        plan = published_plan(patient, clinician)
        exercise_id = plan.plan["home_programme"][0]["exercise_id"]
        actions.log_exercise(
            patient=patient, by=patient.user, exercise_id=exercise_id, done=True, now=NOW
        )
        actions.record_check_in(
            patient=patient, by=patient.user, red_flag_screen=NO_RED_FLAGS, nprs=3, now=NOW
        )
        visit = Visit.objects.filter(plan=plan).first()
        assert visit is not None
        actions.write_session_note(visit=visit, by=clinician, red_flag_screen=NO_RED_FLAGS)
    return cast


@pytest.mark.parametrize("model", list(PATIENT_OF), ids=lambda m: m.__name__)
@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("pat", {"pat"}),
        ("quinn", {"quinn"}),
        ("alice", {"pat"}),
        ("carol", {"pat"}),
        ("bob", {"quinn"}),
        ("anonymous", set()),
        ("inactive alice", set()),
    ],
)
def test_who_sees_whose_records(records: Cast, model: Any, who: str, sees: set[str]) -> None:
    users = {
        "pat": records.pat.user,
        "quinn": records.quinn.user,
        "alice": records.alice,
        "carol": records.carol,
        "bob": records.bob,
        "anonymous": AnonymousUser(),
    }
    if who == "inactive alice":
        records.alice.is_active = False
        user: Any = records.alice
    else:
        user = users[who]
    patients = {"pat": records.pat.pk, "quinn": records.quinn.pk}

    visible = set(model.objects.for_user(user).values_list(PATIENT_OF[model], flat=True))

    assert visible == {patients[name] for name in sees}
    assert model.objects.exists()


def test_a_patient_never_sees_a_draft_plan(cast: Cast) -> None:
    published = published_plan(cast.pat, cast.alice)
    draft = actions.generate_plan(episode=published.episode, by=cast.alice, now=NOW)

    assert list(PlanRecord.objects.for_user(cast.pat.user)) == [published]
    assert set(PlanRecord.objects.for_user(cast.alice)) == {published, draft}


def test_a_clinicians_caseload_is_their_own_patients(cast: Cast) -> None:
    other = actions.add_clinician(clinic=cast.riverside, username="dan", now=NOW)
    assert list(Patient.objects.for_clinician(cast.alice)) == [cast.pat]
    assert not Patient.objects.for_clinician(other).exists()
