"""manage.py demo_data: a labelled demo clinic made through the actions, safe to run again."""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

from django.core.management import call_command
from web.factories import NOW, Cast

from backcare.accounts.models import User
from backcare.care.models import (
    AssessmentRecord,
    AuditEntry,
    CheckIn,
    Clinic,
    Episode,
    ExerciseLog,
    Patient,
    PlanRecord,
    SessionNote,
)


def _demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo_data", *args, stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    demo = {"clinic__is_demo": True}
    return {
        "clinics": Clinic.objects.filter(is_demo=True).count(),
        "clinicians": User.objects.filter(role="clinician", **demo).count(),
        "admins": User.objects.filter(role="clinic_admin", **demo).count(),
        "patients": Patient.objects.filter(**demo).count(),
    }


def test_demo_data_makes_a_labelled_clinic_with_plausible_history(cast: Cast) -> None:
    out = _demo()

    assert _counts() == {"clinics": 1, "clinicians": 2, "admins": 1, "patients": 30}
    clinic = Clinic.objects.get(is_demo=True)
    assert "demo data" in clinic.name
    assert "DEMO password" in out and "demo-clinician-1" in out and "@demo.invalid" in out

    demo = AssessmentRecord.objects.filter(episode__patient__clinic=clinic)
    levels = set(demo.values_list("triage_level", flat=True))
    assert {"emergency", "urgent", "soon", "routine", "physio", "self_care"} <= levels
    subgroups = {a.assessment["classification"]["tbc"] for a in demo}
    assert len(subgroups - {None}) >= 5
    # Every recovery course leaves its trace.
    assert ExerciseLog.objects.filter(patient__clinic=clinic, done=False).exists()
    assert ExerciseLog.objects.filter(patient__clinic=clinic, pain_during__gte=7).exists()
    assert CheckIn.objects.filter(patient__clinic=clinic).red_flagged().exists()
    assert PlanRecord.objects.filter(episode__patient__clinic=clinic).blocked().exists()
    assert SessionNote.objects.filter(visit__episode__patient__clinic=clinic).exists()
    assert Episode.objects.filter(patient__clinic=clinic, status="discharged").exists()
    # Logs were stored in bulk: one audit entry per patient's batch, not one per log.
    batches = AuditEntry.objects.filter(
        clinic_id=clinic.pk, object_type="planrecord", detail__has_key="exercise_logs"
    )
    assert (
        sum(e.detail["exercise_logs"] for e in batches)
        == ExerciseLog.objects.filter(patient__clinic=clinic).count()
    )
    # The cast's clinics are not demo data and are left alone.
    assert Patient.objects.filter(clinic=cast.riverside).count() == 1


def test_running_it_again_changes_nothing(db: Any) -> None:
    _demo()
    before = (_counts(), ExerciseLog.objects.count(), CheckIn.objects.count())

    out = _demo()

    assert "already exists" in out and "demo-admin" in out
    assert (_counts(), ExerciseLog.objects.count(), CheckIn.objects.count()) == before


def test_reset_makes_it_afresh_and_leaves_other_clinics_alone(cast: Cast) -> None:
    _demo()
    old = set(Patient.objects.filter(clinic__is_demo=True).values_list("pk", flat=True))

    _demo("--reset")

    assert _counts() == {"clinics": 1, "clinicians": 2, "admins": 1, "patients": 30}
    assert not Patient.objects.filter(pk__in=old).exists()
    assert Patient.objects.filter(clinic=cast.riverside).count() == 1
    assert AuditEntry.objects.filter(action="delete", object_type="clinic").count() == 1
    assert AuditEntry.objects.filter(at=NOW).exists()  # the cast's entries are all still there


def test_every_demo_account_can_sign_in_with_the_printed_password(db: Any) -> None:
    out = _demo()

    demo = User.objects.filter(clinic__is_demo=True)
    assert demo.count() == 33
    assert all(user.check_password("demo-only-not-secret") for user in demo)
    assert "demo-only-not-secret" in out
    # The featured patients are listed with what to try; the others are named as a sample.
    assert "what to try" in out and "The other 25 sign in the same way" in out


def test_patients_and_clinicians_scale_with_unique_logins(db: Any) -> None:
    out = _demo("--patients", "45", "--clinicians", "4")

    assert _counts() == {"clinics": 1, "clinicians": 4, "admins": 1, "patients": 45}
    usernames = list(
        User.objects.filter(clinic__is_demo=True, role="patient").values_list("username", flat=True)
    )
    assert len(set(usernames)) == 45 and "amara.okafor.31@demo.invalid" in usernames
    caseloads = Patient.objects.filter(clinic__is_demo=True).values_list("clinician", flat=True)
    assert sorted(Counter(caseloads).values()) == [11, 11, 11, 12]
    assert "... 2 more" in out  # a short table, not every clinician
