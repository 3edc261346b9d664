"""Every change to care data goes through these functions (docs/adr/0001, docs/data-model.md).

Each action is ``@transaction.atomic``, takes keyword arguments only, checks who may do it,
calls the engine where a clinical decision is made, stores the result stamped with the engine
and content versions, and writes one audit entry. ``now`` (an aware datetime) may be passed in;
it defaults to the current time. Refusals raise :class:`ActionRefused` (or
:class:`NotAllowed`) with a plain message; documents that break their contract raise the
engine's ``InvalidDocument`` listing every problem; bad passwords raise Django's
``ValidationError``. A refused action stores nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from backcare.accounts.models import Invitation, User, new_token, token_hash
from backcare.engine.assessment import assess, assessment_to_json, triage_to_json
from backcare.engine.intake import Intake, RedFlagScreen, load_intake, parse_intake
from backcare.engine.plan import parse_plan, plan_to_json
from backcare.engine.planning import (
    BLOCKING_LEVELS,
    Content,
    PlanOptions,
    load_content,
    plan_for,
    reassessment,
    visit_dates,
)
from backcare.engine.progression import Baseline, baseline_from_intake, check_in_intake
from backcare.engine.progression import CheckIn as EngineCheckIn
from backcare.engine.progression import ExerciseLog as EngineExerciseLog
from backcare.engine.questionnaires import Questionnaire, QuestionnaireError, load_questionnaires
from backcare.engine.triage import Triage, triage
from backcare.engine.validation import InvalidDocument, Problem, dump_document, parse_document

from .alerts import plan_document
from .models import (
    AssessmentRecord,
    AuditEntry,
    CheckIn,
    Clinic,
    Episode,
    ExerciseLog,
    IntakeDraft,
    Patient,
    PlanOverride,
    PlanRecord,
    SessionNote,
    Visit,
    validate_timezone,
)
from .stamps import insert_audit_entry, insert_row

__all__ = [
    "ActionRefused",
    "InvalidDocument",
    "NotAllowed",
    "QuestionnaireError",
    "accept_invitation",
    "add_clinician",
    "clinic_questionnaires",
    "content",
    "create_clinic",
    "delete_demo_clinic",
    "discharge_episode",
    "generate_plan",
    "import_exercise_logs",
    "invite_patient",
    "invite_staff",
    "log_exercise",
    "override_plan",
    "publish_plan",
    "record_check_in",
    "record_intake",
    "record_pain_settled",
    "record_read",
    "renew_invitation",
    "save_intake_draft",
    "set_staff_active",
    "set_visit_status",
    "update_clinic",
    "upload_licensed_wording",
    "write_session_note",
]

Action = AuditEntry.Action


class ActionRefused(Exception):
    """The action cannot be done as asked; the message says why in plain words."""


class NotAllowed(ActionRefused):
    """The person asking may not do this."""


@functools.cache
def content() -> Content:
    """The clinical content (settings.BACKCARE_CONTENT_DIR), loaded once per process."""
    return load_content(settings.BACKCARE_CONTENT_DIR)


# --- helpers --------------------------------------------------------------------------------


def _now(now: dt.datetime | None) -> dt.datetime:
    if now is None:
        return timezone.now()
    if timezone.is_naive(now):
        raise ValueError("now must be an aware datetime")
    return now


def _audit(
    *,
    who: User | None,
    action: str,
    obj: models.Model,
    at: dt.datetime,
    patient: Patient | None = None,
    clinic_id: int | None = None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """One INSERT, no other query: every id comes from objects already in hand. Written by
    ``stamps.insert_audit_entry`` (a statement composed once), as every page writes one."""
    if clinic_id is None and patient is not None:
        clinic_id = patient.clinic_id
    if clinic_id is None and who is not None:
        clinic_id = who.clinic_id
    insert_audit_entry(
        {
            "at": at,
            "who_id": who.pk if who is not None else None,
            "clinic_id": clinic_id,
            "patient_id": patient.pk if patient is not None else None,
            "action": action,
            "object_type": obj._meta.model_name or type(obj).__name__.lower(),
            "object_id": str(obj.pk),
            "detail": dict(detail or {}),
        }
    )


def _require_staff(by: User, clinic_id: int | None) -> int:
    """``clinic_id``, when ``by`` is an active clinician or administrator of that clinic."""
    if not (by.is_active and by.is_clinic_staff and clinic_id and by.clinic_id == clinic_id):
        raise NotAllowed(_("Only the clinic's own clinicians may do this."))
    return clinic_id


def _require_self_or_staff(by: User, patient: Patient) -> None:
    if by.is_active and by.pk == patient.user_id:
        return
    _require_staff(by, patient.clinic_id)


def _require_admin(by: User | None, clinic: Clinic) -> None:
    if by is None or by.is_superuser:
        return
    if not (by.is_active and by.role == User.Role.CLINIC_ADMIN and by.clinic_id == clinic.pk):
        raise NotAllowed(_("Only the clinic's administrator may do this."))


def _active_episode(patient: Patient) -> Episode | None:
    return patient.episodes.filter(status=Episode.Status.ACTIVE).first()


def _published_plan(episode_id: int) -> PlanRecord | None:
    return PlanRecord.objects.filter(
        episode_id=episode_id, status=PlanRecord.Status.PUBLISHED
    ).first()


def _baseline(episode: Episode) -> Baseline | None:
    """The baseline of the episode: its first intake's person, history and scores."""
    first = episode.assessments.filter(kind=AssessmentRecord.Kind.INTAKE).order_by("id").first()
    if first is None:
        return None
    intake = parse_intake(first.intake)
    return baseline_from_intake(intake, date=first.created_at.date())


def _invitation(user: User, by: User | None, now: dt.datetime) -> tuple[Invitation, str]:
    token, digest = new_token()
    invitation = Invitation.objects.create(
        user=user,
        token_hash=digest,
        created_by=by,
        created_at=now,
        expires_at=now + dt.timedelta(days=settings.BACKCARE_INVITATION_DAYS),
    )
    return invitation, token


# --- clinics and people ---------------------------------------------------------------------


@transaction.atomic
def delete_demo_clinic(*, clinic: Clinic, now: dt.datetime | None = None) -> None:
    """Delete a demo clinic with its people and their records (``demo_data --reset``).

    Refuses any clinic not marked as demo data. The audit entries stay: they are append-only.
    """
    now = _now(now)
    if not clinic.is_demo:
        raise ActionRefused(_("Only a demo clinic can be deleted."))
    Patient.objects.filter(clinic=clinic).delete()
    Invitation.objects.filter(user__clinic=clinic).delete()
    User.objects.filter(clinic=clinic).delete()
    _audit(who=None, action=Action.DELETE, obj=clinic, at=now, clinic_id=clinic.pk,
           detail={"demo_data": "deleted"})  # fmt: skip
    clinic.delete()


@transaction.atomic
def create_clinic(
    *,
    name: str,
    timezone: str,
    address: str = "",
    phone: str = "",
    direct_access_note: str = "",
    visit_time: dt.time = dt.time(9, 0),
    is_demo: bool = False,
    by: User | None = None,
    now: dt.datetime | None = None,
) -> Clinic:
    """A new clinic. ``timezone`` is an IANA name; ``visit_time`` is when planned visits start."""
    now = _now(now)
    clinic = Clinic(
        name=name,
        timezone=timezone,
        address=address,
        phone=phone,
        direct_access_note=direct_access_note,
        visit_time=visit_time,
        is_demo=is_demo,
    )
    clinic.full_clean()
    clinic.save()
    _audit(who=by, action=Action.CREATE, obj=clinic, at=now, clinic_id=clinic.pk)
    return clinic


@transaction.atomic
def add_clinician(
    *,
    clinic: Clinic,
    username: str,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    role: str = User.Role.CLINICIAN,
    by: User | None = None,
    now: dt.datetime | None = None,
) -> User:
    """A clinician (or, with ``role``, a clinic administrator) of ``clinic``.

    ``by`` is the clinic's administrator, or None for the system (a management command). Without
    a password the account cannot sign in until one is set.
    """
    now = _now(now)
    _require_admin(by, clinic)
    if role not in (User.Role.CLINICIAN, User.Role.CLINIC_ADMIN):
        raise ActionRefused(_("A clinic's staff are clinicians or clinic administrators."))
    if User.objects.filter(username=username).exists():
        raise ActionRefused(_("That user name is taken."))
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        role=role,
        clinic=clinic,
    )
    if password is None:
        user.set_unusable_password()
    else:
        validate_password(password, user)
        user.set_password(password)
    user.save()
    _audit(who=by, action=Action.CREATE, obj=user, at=now, clinic_id=clinic.pk)
    return user


CLINIC_FIELDS = ("name", "address", "phone", "timezone", "direct_access_note", "visit_time")


@transaction.atomic
def update_clinic(
    *, clinic: Clinic, by: User, now: dt.datetime | None = None, **fields: Any
) -> Clinic:
    """Change the clinic's details (any of CLINIC_FIELDS); only its administrator may."""
    now = _now(now)
    _require_admin(by, clinic)
    unknown = sorted(set(fields) - set(CLINIC_FIELDS))
    if unknown:
        raise ActionRefused(
            _("Unknown clinic detail: %(names)s; allowed: %(allowed)s.")
            % {"names": ", ".join(unknown), "allowed": ", ".join(CLINIC_FIELDS)}
        )
    if "timezone" in fields:
        validate_timezone(fields["timezone"])
    if "name" in fields and not str(fields["name"]).strip():
        raise ActionRefused(_("The clinic needs a name."))
    changed = sorted(name for name, value in fields.items() if getattr(clinic, name) != value)
    for name in changed:
        setattr(clinic, name, fields[name])
    if changed:
        clinic.save(update_fields=changed)
        _audit(who=by, action=Action.UPDATE, obj=clinic, at=now, clinic_id=clinic.pk,
               detail={"changed": changed})  # fmt: skip
    return clinic


@transaction.atomic
def set_staff_active(*, user: User, by: User, active: bool, now: dt.datetime | None = None) -> User:
    """Let a clinician or administrator of the clinic sign in again, or stop them signing in.

    Records stay: a deactivated clinician's notes and plans keep their name. Administrators
    cannot deactivate themselves (a clinic must keep someone who can manage it).
    """
    now = _now(now)
    if user.clinic is None or not user.is_clinic_staff:
        raise ActionRefused(_("Only clinic staff accounts are managed here."))
    _require_admin(by, user.clinic)
    if not active and user.pk == by.pk:
        raise ActionRefused(_("You cannot deactivate your own account."))
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        _audit(who=by, action=Action.UPDATE, obj=user, at=now, clinic_id=user.clinic_id,
               detail={"is_active": active})  # fmt: skip
    return user


def _questionnaires_from(text: str) -> dict[str, Questionnaire]:
    """The questionnaires with ``text`` (a licensed-wording file) laid over our summaries."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "licensed-wording.toml"
        path.write_text(text, encoding="utf-8")
        return load_questionnaires(settings.BACKCARE_CONTENT_DIR / "questionnaires", path)


@functools.lru_cache(maxsize=64)
def _questionnaires_cached(
    clinic_id: int, uploaded_at: dt.datetime | None, text: str
) -> dict[str, Questionnaire]:
    if not text:
        return load_questionnaires(settings.BACKCARE_CONTENT_DIR / "questionnaires")
    return _questionnaires_from(text)


def clinic_questionnaires(clinic: Clinic) -> dict[str, Questionnaire]:
    """The questionnaires as this clinic shows them: the licensed wording it uploaded where it
    has one, our own labelled item summaries otherwise. Loaded once per upload per process."""
    return _questionnaires_cached(
        clinic.pk, clinic.licensed_wording_uploaded_at, clinic.licensed_wording
    )


@transaction.atomic
def upload_licensed_wording(
    *, clinic: Clinic, by: User, text: str, now: dt.datetime | None = None
) -> Clinic:
    """Store the clinic's licensed questionnaire wording (backcare-licensed-wording/1).

    The file is checked against the questionnaires first; a bad file raises QuestionnaireError
    listing every problem, and the wording already stored stays. An empty ``text`` removes the
    wording, and backcare's own summaries show again.
    """
    now = _now(now)
    _require_admin(by, clinic)
    if text.strip():
        covered = sorted(q.id for q in _questionnaires_from(text).values() if q.licence is not None)
    else:
        text, covered = "", []
    clinic.licensed_wording = text
    clinic.licensed_wording_uploaded_at = now if text else None
    clinic.save(update_fields=["licensed_wording", "licensed_wording_uploaded_at"])
    _audit(who=by, action=Action.UPDATE, obj=clinic, at=now, clinic_id=clinic.pk,
           detail={"licensed_wording": covered})  # fmt: skip
    return clinic


@transaction.atomic
def invite_patient(
    *,
    by: User,
    email: str,
    timezone: str,
    first_name: str = "",
    last_name: str = "",
    clinician: User | None = None,
    language: str = "en",
    date_of_birth: dt.date | None = None,
    now: dt.datetime | None = None,
) -> tuple[Invitation, str]:
    """A patient account of ``by``'s clinic, and an invitation to set a password.

    Returns the invitation and the raw token for the link; only the token's hash is stored, so
    the token cannot be shown again. ``clinician`` defaults to ``by``.
    """
    now = _now(now)
    clinic_id = _require_staff(by, by.clinic_id)
    clinician = clinician or by
    if clinician.role != User.Role.CLINICIAN or clinician.clinic_id != by.clinic_id:
        raise ActionRefused(_("The patient's clinician must be a clinician of the same clinic."))
    validate_timezone(timezone)
    username = email.strip().lower()
    if not username:
        raise ActionRefused(_("An email address is needed to send the invitation."))
    if User.objects.filter(username=username).exists():
        raise ActionRefused(_("There is already an account for that email address."))
    user = User(
        username=username,
        email=username,
        first_name=first_name,
        last_name=last_name,
        role=User.Role.PATIENT,
        clinic_id=clinic_id,
    )
    user.set_unusable_password()
    user.save()
    patient = Patient.objects.create(
        user=user,
        clinic_id=clinic_id,
        clinician=clinician,
        date_of_birth=date_of_birth,
        timezone=timezone,
        language=language,
    )
    invitation, token = _invitation(user, by, now)
    _audit(who=by, action=Action.CREATE, obj=patient, at=now, patient=patient)
    return invitation, token


@transaction.atomic
def renew_invitation(
    *, patient: Patient, by: User, now: dt.datetime | None = None
) -> tuple[Invitation, str]:
    """A new invitation for a patient who has not set a password (the old link stops working)."""
    now = _now(now)
    _require_staff(by, patient.clinic_id)
    if patient.user.has_usable_password():
        raise ActionRefused(_("This patient has already set a password."))
    Invitation.objects.filter(user_id=patient.user_id, used_at__isnull=True).update(expires_at=now)
    invitation, token = _invitation(patient.user, by, now)
    _audit(who=by, action=Action.CREATE, obj=invitation, at=now, patient=patient)
    return invitation, token


@transaction.atomic
def invite_staff(*, user: User, by: User, now: dt.datetime | None = None) -> tuple[Invitation, str]:
    """A one-time link for a clinician or administrator to set (or reset) their password.

    Only the clinic's administrator makes one; earlier unused links stop working. The raw token
    is returned once and only its hash is stored, as for patients.
    """
    now = _now(now)
    if user.clinic is None or not user.is_clinic_staff:
        raise ActionRefused(_("Only clinic staff accounts are managed here."))
    _require_admin(by, user.clinic)
    if not user.is_active:
        raise ActionRefused(_("Let this person sign in again first."))
    Invitation.objects.filter(user_id=user.pk, used_at__isnull=True).update(expires_at=now)
    invitation, token = _invitation(user, by, now)
    _audit(who=by, action=Action.CREATE, obj=invitation, at=now, clinic_id=user.clinic_id)
    return invitation, token


@transaction.atomic
def accept_invitation(*, token: str, password: str, now: dt.datetime | None = None) -> User:
    """Set the invited patient's password (Django's validators) and use up the invitation."""
    now = _now(now)
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("user")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if invitation is None:
        raise ActionRefused(_("This link is not valid. Ask your clinic for a new one."))
    if invitation.used_at is not None:
        raise ActionRefused(
            _("This link has already been used. Sign in, or ask your clinic for a new link.")
        )
    if not invitation.is_usable(now):
        raise ActionRefused(_("This link has expired. Ask your clinic for a new one."))
    user = invitation.user
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    invitation.used_at = now
    invitation.save(update_fields=["used_at"])
    patient = Patient.objects.filter(user=user).first()
    _audit(who=user, action=Action.UPDATE, obj=invitation, at=now, patient=patient,
           detail={"accepted": True})  # fmt: skip
    return user


# --- assessment and plans -----------------------------------------------------------------------


@transaction.atomic
def record_intake(
    *,
    patient: Patient,
    document: Mapping[str, Any] | str | bytes,
    by: User,
    kind: str = AssessmentRecord.Kind.INTAKE,
    now: dt.datetime | None = None,
) -> AssessmentRecord:
    """Parse and assess an intake document (JSON text or decoded) and store both.

    An intake opens an episode when the patient has no active one; a reassessment needs one.
    A bad document raises InvalidDocument listing every problem, and nothing is stored.
    """
    now = _now(now)
    _require_self_or_staff(by, patient)
    intake = load_intake(document) if isinstance(document, str | bytes) else parse_intake(document)
    today = patient.today(now)
    engine_content = content()
    result = assess(intake, today=today, content_version=engine_content.version)
    episode = _active_episode(patient)
    if episode is None:
        if kind == AssessmentRecord.Kind.REASSESSMENT:
            raise ActionRefused(_("A reassessment needs an open episode of care."))
        episode = Episode.objects.create(patient=patient, opened_on=today)
    record = AssessmentRecord.objects.create(
        episode=episode,
        kind=kind,
        intake=_dump(intake),
        assessment=assessment_to_json(result),
        triage_level=result.triage.level.value,
        engine_version=result.engine_version,
        content_version=result.content_version,
        created_at=now,
        created_by=by,
    )
    _audit(
        who=by,
        action=Action.CREATE,
        obj=record,
        at=now,
        patient=patient,
        detail={"triage_level": record.triage_level, "kind": kind},
    )
    IntakeDraft.objects.filter(patient=patient).delete()  # the answers now live in the record
    return record


@transaction.atomic
def save_intake_draft(
    *,
    patient: Patient,
    by: User,
    answers: Mapping[str, Any],
    step: str = "",
    now: dt.datetime | None = None,
) -> IntakeDraft:
    """Keep the answers of an intake being filled in, so the patient can stop and come back.

    ``answers`` replaces what was saved; ``step`` is the step to show next. The audit entry
    names the step, not the answers.
    """
    now = _now(now)
    _require_self_or_staff(by, patient)
    draft, created = IntakeDraft.objects.update_or_create(
        patient=patient, defaults={"answers": dict(answers), "step": step, "updated_at": now}
    )
    _audit(who=by, action=Action.CREATE if created else Action.UPDATE, obj=draft, at=now,
           patient=patient, detail={"step": step})  # fmt: skip
    return draft


def _dump(intake: Intake) -> dict[str, Any]:
    document: dict[str, Any] = dump_document(intake)
    return document


@transaction.atomic
def generate_plan(
    *,
    episode: Episode,
    by: User,
    options: PlanOptions | None = None,
    now: dt.datetime | None = None,
) -> PlanRecord:
    """A draft plan from the episode's latest assessment, keeping the published plan's
    exercises where they still fit. Older drafts of the episode are superseded."""
    now = _now(now)
    patient = episode.patient
    _require_staff(by, patient.clinic_id)
    if episode.status != Episode.Status.ACTIVE:
        raise ActionRefused(_("This episode of care is closed."))
    record = episode.assessments.order_by("-created_at", "-id").first()
    if record is None:
        raise ActionRefused(_("A plan needs an assessment first."))
    intake = parse_intake(record.intake)
    assessed_on = dt.date.fromisoformat(record.assessment["assessed_on"])
    engine_content = content()
    assessment = assess(intake, today=assessed_on, content_version=engine_content.version)
    published = _published_plan(episode.pk)
    today = patient.today(now)
    options = options or PlanOptions()
    options = dataclasses.replace(
        options,
        start=options.start or today,
        previous=parse_plan(published.plan) if published is not None else None,
    )
    plan = plan_for(assessment, intake, engine_content, today=today, options=options)
    episode.plans.filter(status=PlanRecord.Status.DRAFT).update(status=PlanRecord.Status.SUPERSEDED)
    last = episode.plans.aggregate(last=Max("version"))["last"] or 0
    plan_record = PlanRecord.objects.create(
        episode=episode,
        assessment=record,
        version=last + 1,
        plan=plan_to_json(plan),
        engine_version=plan.engine_version,
        content_version=plan.content_version,
        created_at=now,
        created_by=by,
    )
    _audit(
        who=by,
        action=Action.CREATE,
        obj=plan_record,
        at=now,
        patient=patient,
        detail={"version": plan_record.version, "blocked": plan.blocked},
    )
    return plan_record


_ITEM_PATH = re.compile(r"^home_programme\[(\d+)\]\.(exercise_id|level|dose\.(\w+))$")
_DOSE_FIELDS = ("sets", "reps", "hold_seconds", "rest_seconds", "times_a_day", "days_a_week")
OVERRIDE_PATHS = (
    "home_programme[i].exercise_id",
    "home_programme[i].level",
    *(f"home_programme[i].dose.{name}" for name in _DOSE_FIELDS),
    "course.sessions_per_week",
)


@transaction.atomic
def override_plan(
    *,
    plan: PlanRecord,
    by: User,
    path: str,
    value: Any,
    reason: str,
    now: dt.datetime | None = None,
) -> PlanOverride:
    """Change one thing in a draft plan, with the clinician's reason (required).

    ``path`` is one of OVERRIDE_PATHS with ``i`` the exercise's index: swap an exercise (for one
    of the library; its name, aims and level-1 dose come from the content), set its level (the
    dose follows the level), change one dose number, or set the clinic sessions a week (the
    visits are re-dated). The changed plan is checked against backcare-plan/1.
    """
    now = _now(now)
    patient = plan.episode.patient
    _require_staff(by, patient.clinic_id)
    if plan.status != PlanRecord.Status.DRAFT:
        raise ActionRefused(_("Only a draft plan can be changed; make a new draft first."))
    if not reason.strip():
        raise ActionRefused(_("Give a reason for the change."))
    document = plan.plan
    before, after = _apply_override(document, path, value)
    parsed = parse_plan(document)  # InvalidDocument when the value is out of range
    plan.plan = plan_to_json(parsed)
    plan.save(update_fields=["plan"])
    override = PlanOverride.objects.create(
        plan=plan, path=path, before=before, after=after, reason=reason.strip(), by=by, at=now
    )
    _audit(
        who=by,
        action=Action.UPDATE,
        obj=plan,
        at=now,
        patient=patient,
        detail={"path": path, "before": before, "after": after},
    )
    return override


def _refuse(path: str, value: Any, allowed: str) -> InvalidDocument:
    return InvalidDocument([Problem(path, value, allowed)])


def _apply_override(document: dict[str, Any], path: str, value: Any) -> tuple[Any, Any]:
    """Change ``document`` in place; return the value before and after."""
    if path == "course.sessions_per_week":
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 7:
            raise _refuse(path, value, "allowed: a whole number from 0 to 7")
        course = document["course"]
        before = course["sessions_per_week"]
        start = dt.date.fromisoformat(document["start"])
        visits, _short = visit_dates(start, value, course["weeks"])
        reassess = reassessment(start, visits)
        course["sessions_per_week"] = value
        course["visits"] = [day.isoformat() for day in visits]
        course["reassess_on"] = reassess.isoformat() if reassess else None
        course["why"] = [*course["why"], f"Sessions a week set by the clinician: {value}."]
        return before, value
    match = _ITEM_PATH.match(path)
    if match is None:
        raise _refuse(path, value, "allowed paths: " + ", ".join(OVERRIDE_PATHS))
    items = document["home_programme"]
    index = int(match[1])
    if index >= len(items):
        raise _refuse(path, value, f"allowed: an index from 0 to {len(items) - 1}")
    item = items[index]
    catalog = content().catalog
    if match[2] == "exercise_id":
        exercise = catalog.exercises.get(value) if isinstance(value, str) else None
        if exercise is None:
            raise _refuse(path, value, "allowed: an exercise id of the library")
        if any(other["exercise_id"] == value for other in items):
            raise _refuse(path, value, "allowed: an exercise not already in the programme")
        before = item["exercise_id"]
        item.update(
            exercise_id=exercise.id,
            name=exercise.name,
            aims=[aim.value for aim in exercise.aims],
            direction=exercise.direction.value,
            position=exercise.position.value,
            why=["Chosen by the clinician."],
        )
        _set_level(item, exercise.levels, 1, per_side=exercise.per_side)
        return before, value
    if match[2] == "level":
        exercise = catalog.exercises.get(item["exercise_id"])
        if exercise is None:
            raise _refuse(path, value, "allowed: only for an exercise of the library")
        levels = exercise.levels
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= len(levels):
            raise _refuse(path, value, f"allowed: a level from 1 to {len(levels)}")
        before = item["level"]
        _set_level(item, levels, value, per_side=exercise.per_side)
        return before, value
    name = match[3]
    if name not in _DOSE_FIELDS:
        raise _refuse(path, value, "allowed dose fields: " + ", ".join(_DOSE_FIELDS))
    before = item["dose"][name]
    item["dose"][name] = value
    return before, value


def _set_level(item: dict[str, Any], levels: Sequence[Any], level: int, *, per_side: bool) -> None:
    step = levels[level - 1]
    item["level"] = level
    item["dose"] = {
        "sets": step.sets,
        "reps": step.reps,
        "hold_seconds": step.hold_seconds,
        "rest_seconds": step.rest_seconds,
        "times_a_day": step.times_a_day,
        "days_a_week": step.days_a_week,
        "per_side": per_side,
    }
    item["minutes"] = step.minutes
    item["minutes_a_day"] = step.minutes * step.times_a_day


@transaction.atomic
def publish_plan(*, plan: PlanRecord, by: User, now: dt.datetime | None = None) -> PlanRecord:
    """Publish a draft: the patient sees it, the previously published plan is superseded (its
    planned visits from now on are cancelled), and the plan's visits are booked at the clinic's
    visit time in the clinic's time zone with the patient's clinician."""
    now = _now(now)
    episode = plan.episode
    patient = episode.patient
    clinic = patient.clinic
    _require_staff(by, patient.clinic_id)
    if plan.status != PlanRecord.Status.DRAFT:
        raise ActionRefused(_("Only a draft plan can be published."))
    previous = _published_plan(episode.pk)
    if previous is not None:
        previous.status = PlanRecord.Status.SUPERSEDED
        previous.save(update_fields=["status"])
        Visit.objects.filter(plan=previous, status=Visit.Status.PLANNED, starts_at__gte=now).update(
            status=Visit.Status.CANCELLED
        )
    plan.status = PlanRecord.Status.PUBLISHED
    plan.published_at = now
    plan.published_by = by
    plan.save(update_fields=["status", "published_at", "published_by"])
    zone = ZoneInfo(clinic.timezone)
    visits = [
        Visit(
            episode=episode,
            clinician_id=patient.clinician_id,
            plan=plan,
            starts_at=dt.datetime.combine(dt.date.fromisoformat(day), clinic.visit_time, zone),
        )
        for day in plan.plan["course"]["visits"]
    ]
    Visit.objects.bulk_create(visits)
    _audit(
        who=by,
        action=Action.UPDATE,
        obj=plan,
        at=now,
        patient=patient,
        detail={
            "published": plan.version,
            "superseded": previous.version if previous else None,
            "visits": len(visits),
        },
    )
    return plan


# --- home and clinic ----------------------------------------------------------------------------


def _log_fields(data: Mapping[str, Any]) -> EngineExerciseLog:
    """Check one log's values against backcare-logs/1 (InvalidDocument with every problem)."""
    return parse_document(EngineExerciseLog, {k: v for k, v in data.items() if v is not None})


def log_exercise(
    *,
    patient: Patient,
    by: User,
    exercise_id: str,
    done: bool,
    day: dt.date | None = None,
    sets: int | None = None,
    reps: int | None = None,
    pain_during: int | None = None,
    difficulty: str | None = None,
    pain_settled_next_morning: bool | None = None,
    symptoms_spread: bool | None = None,
    level: int | None = None,
    plan: PlanRecord | None = None,
    now: dt.datetime | None = None,
) -> ExerciseLog:
    """Log one home session of an exercise of the patient's published plan.

    ``day`` is the patient's own day (default: today in their time zone) and cannot be in the
    future. The level defaults to the plan's level for the exercise. ``plan``: the published
    plan of the patient's open episode with its episode, when the caller has it in hand (Today
    does); it is checked to be that, and read when not given.
    """
    now = _now(now)
    _require_self_or_staff(by, patient)
    today = patient.today(now)
    day = day or today
    if day > today:
        raise ActionRefused(_("You cannot log a day that has not come yet."))
    if plan is None:
        plan = (
            PlanRecord.objects.filter(
                episode__patient=patient,
                episode__status=Episode.Status.ACTIVE,
                status=PlanRecord.Status.PUBLISHED,
            )
            .select_related("episode")
            .first()
        )
    elif not (
        plan.status == PlanRecord.Status.PUBLISHED
        and plan.episode.patient_id == patient.pk
        and plan.episode.status == Episode.Status.ACTIVE
    ):
        raise ActionRefused(_("This is not the plan you follow now."))
    if plan is None:
        raise ActionRefused(_("There is no plan to log exercises against yet."))
    item = next(
        (i for i in plan_document(plan).home_programme if i.exercise_id == exercise_id), None
    )
    if item is None:
        raise ActionRefused(_("This exercise is not in your plan."))
    checked = _log_fields(
        {
            "date": day.isoformat(),
            "exercise_id": exercise_id,
            "done": done,
            "level": level or item.level,
            "sets": sets,
            "reps": reps,
            "pain_during": pain_during,
            "difficulty": difficulty,
            "pain_settled_next_morning": pain_settled_next_morning,
            "symptoms_spread_down_leg": symptoms_spread,
        }
    )
    # Every check is made before the transaction: it holds SQLite's one write lock for the two
    # INSERTs only, as every patient's logging waits on it (docs/benchmarks.md, "Web").
    with transaction.atomic():
        log = insert_row(
            ExerciseLog,
            {"patient_id": patient.pk, "plan_id": plan.pk, "logged_at": now}
            | _log_columns(checked),
        )
        _audit(who=by, action=Action.CREATE, obj=log, at=now, patient=patient)
    log.patient, log.plan = patient, plan
    return log


def _log_columns(log: EngineExerciseLog) -> dict[str, Any]:
    return {
        "exercise_id": log.exercise_id,
        "day": log.date,
        "done": log.done,
        "sets": log.sets,
        "reps": log.reps,
        "pain_during": log.pain_during,
        "difficulty": log.difficulty.value if log.difficulty else None,
        "pain_settled_next_morning": log.pain_settled_next_morning,
        "symptoms_spread": log.symptoms_spread_down_leg,
        "level": log.level,
    }


@transaction.atomic
def import_exercise_logs(
    *,
    patient: Patient,
    plan: PlanRecord,
    logs: Iterable[EngineExerciseLog],
    by: User | None,
    now: dt.datetime | None = None,
) -> int:
    """Store many engine ExerciseLogs at once (demo data, imports) with ONE audit entry for the
    batch. The logs are engine values, so already checked; the database checks the ranges."""
    now = _now(now)
    if by is not None:
        _require_self_or_staff(by, patient)
    if plan.episode.patient_id != patient.pk:
        raise ActionRefused(_("This plan belongs to another patient."))
    rows = [
        ExerciseLog(patient=patient, plan=plan, logged_at=now, **_log_columns(log)) for log in logs
    ]
    ExerciseLog.objects.bulk_create(rows, batch_size=500)
    _audit(
        who=by,
        action=Action.CREATE,
        obj=plan,
        at=now,
        patient=patient,
        detail={"exercise_logs": len(rows)},
    )
    return len(rows)


@transaction.atomic
def record_pain_settled(
    *, log: ExerciseLog, by: User, settled: bool, now: dt.datetime | None = None
) -> ExerciseLog:
    """The next morning's answer: had the pain from this session settled?"""
    now = _now(now)
    patient = log.patient
    _require_self_or_staff(by, patient)
    log.pain_settled_next_morning = settled
    log.save(update_fields=["pain_settled_next_morning"])
    _audit(who=by, action=Action.UPDATE, obj=log, at=now, patient=patient)
    return log


def _screen_triage(check_in: EngineCheckIn, baseline: Baseline | None) -> Triage:
    """The engine's red-flag triage of a check-in, with the baseline's person and history."""
    return triage(check_in_intake(check_in, baseline))


@transaction.atomic
def record_check_in(
    *,
    patient: Patient,
    by: User,
    red_flag_screen: Mapping[str, Any],
    nprs: int | None = None,
    psfs: Sequence[Mapping[str, Any]] | None = None,
    odi: Mapping[str, Any] | None = None,
    rmdq: Mapping[str, Any] | None = None,
    day: dt.date | None = None,
    now: dt.datetime | None = None,
) -> CheckIn:
    """Store a check-in, always triaged again by the engine with the episode's baseline.

    When the level needs a doctor before exercise (emergency, urgent, soon), the published plan
    is marked blocked by this check-in, so the clinician sees it until they make a new plan.
    """
    now = _now(now)
    _require_self_or_staff(by, patient)
    episode = _active_episode(patient)
    if episode is None:
        raise ActionRefused(_("There is no open episode of care to check in to."))
    day = day or patient.today(now)
    document = {
        "date": day.isoformat(),
        "nprs": nprs,
        "psfs": list(psfs) if psfs is not None else None,
        "odi": odi,
        "rmdq": rmdq,
        "red_flag_screen": dict(red_flag_screen),
    }
    check_in = parse_document(EngineCheckIn, document)
    result = _screen_triage(check_in, _baseline(episode))
    record = CheckIn.objects.create(
        patient=patient,
        episode=episode,
        day=day,
        nprs=nprs,
        psfs=document["psfs"],
        odi=odi,
        rmdq=rmdq,
        red_flag_screen=document["red_flag_screen"],
        triage=triage_to_json(result),
        triage_level=result.level.value,
        created_at=now,
    )
    _audit(
        who=by,
        action=Action.CREATE,
        obj=record,
        at=now,
        patient=patient,
        detail={"triage_level": record.triage_level},
    )
    if result.level in BLOCKING_LEVELS:
        plan = _published_plan(episode.pk)
        if plan is not None:
            plan.blocked_by = record
            plan.save(update_fields=["blocked_by"])
            _audit(
                who=by,
                action=Action.UPDATE,
                obj=plan,
                at=now,
                patient=patient,
                detail={"blocked_by_check_in": record.pk, "triage_level": record.triage_level},
            )
    return record


@transaction.atomic
def write_session_note(
    *,
    visit: Visit,
    by: User,
    red_flag_screen: Mapping[str, Any],
    subjective: str = "",
    objective: str = "",
    assessment: str = "",
    plan: str = "",
    techniques: Sequence[Mapping[str, Any]] = (),
    now: dt.datetime | None = None,
) -> SessionNote:
    """The SOAP note of a visit, with the techniques used and the red-flag re-screen, triaged by
    the engine. The visit is marked attended.

    ``techniques`` are ``{"technique_id", "parameters", "response"}`` with ids from
    content/techniques.toml.
    """
    now = _now(now)
    episode = visit.episode
    patient = episode.patient
    _require_staff(by, patient.clinic_id)
    if SessionNote.objects.filter(visit=visit).exists():
        raise ActionRefused(_("This visit already has a note."))
    known = {technique.id for technique in content().techniques}
    used = []
    for i, entry in enumerate(techniques):
        technique_id = entry.get("technique_id")
        if technique_id not in known:
            raise _refuse(f"techniques[{i}].technique_id", technique_id,
                          "allowed: an id of content/techniques.toml")  # fmt: skip
        used.append(
            {
                "technique_id": technique_id,
                "parameters": dict(entry.get("parameters") or {}),
                "response": str(entry.get("response") or ""),
            }
        )
    screen = parse_document(RedFlagScreen, dict(red_flag_screen))
    day = visit.starts_at.astimezone(ZoneInfo(patient.timezone)).date()
    result = _screen_triage(EngineCheckIn(date=day, red_flag_screen=screen), _baseline(episode))
    note = SessionNote.objects.create(
        visit=visit,
        subjective=subjective,
        objective=objective,
        assessment=assessment,
        plan=plan,
        techniques=used,
        red_flag_screen=dict(red_flag_screen),
        triage=triage_to_json(result),
        triage_level=result.level.value,
        created_at=now,
        created_by=by,
    )
    visit.status = Visit.Status.ATTENDED
    visit.save(update_fields=["status"])
    _audit(
        who=by,
        action=Action.CREATE,
        obj=note,
        at=now,
        patient=patient,
        detail={"triage_level": note.triage_level},
    )
    return note


@transaction.atomic
def set_visit_status(
    *, visit: Visit, by: User, status: str, now: dt.datetime | None = None
) -> Visit:
    """Mark a planned visit missed or cancelled (attended comes with its session note)."""
    now = _now(now)
    patient = visit.episode.patient
    _require_staff(by, patient.clinic_id)
    if status not in (Visit.Status.MISSED, Visit.Status.CANCELLED):
        raise ActionRefused(_("A visit is marked missed or cancelled; a note marks it attended."))
    if visit.status != Visit.Status.PLANNED:
        raise ActionRefused(_("Only a planned visit can be changed."))
    visit.status = status
    visit.save(update_fields=["status"])
    _audit(who=by, action=Action.UPDATE, obj=visit, at=now, patient=patient,
           detail={"status": status})  # fmt: skip
    return visit


def record_read(
    *,
    by: User,
    obj: models.Model,
    patient: Patient | None,
    detail: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Audit that ``by`` read ``obj`` (health data of ``patient``): one INSERT, no other query.

    Not wrapped in a transaction of its own: a single INSERT is atomic, and a page calls this
    inside its request without paying for a savepoint.
    """
    _audit(who=by, action=Action.READ, obj=obj, at=_now(now), patient=patient, detail=detail)


@transaction.atomic
def discharge_episode(
    *, episode: Episode, by: User, on: dt.date | None = None, now: dt.datetime | None = None
) -> Episode:
    """Close the episode (default: the patient's today) and cancel its visits still planned."""
    now = _now(now)
    patient = episode.patient
    _require_staff(by, patient.clinic_id)
    if episode.status != Episode.Status.ACTIVE:
        raise ActionRefused(_("This episode of care is already closed."))
    episode.status = Episode.Status.DISCHARGED
    episode.closed_on = on or patient.today(now)
    if episode.closed_on < episode.opened_on:
        raise ActionRefused(_("An episode cannot close before it opened."))
    episode.save(update_fields=["status", "closed_on"])
    cancelled = episode.visits.filter(status=Visit.Status.PLANNED, starts_at__gte=now).update(
        status=Visit.Status.CANCELLED
    )
    _audit(
        who=by,
        action=Action.UPDATE,
        obj=episode,
        at=now,
        patient=patient,
        detail={"discharged_on": episode.closed_on.isoformat(), "visits_cancelled": cancelled},
    )
    return episode
