"""Storage for the care pathway: clinics, patients, episodes and everything recorded in them.

Engine results are stored as the engine's own JSON documents (intake, assessment, plan,
triage), each stamped with the engine and content versions that produced it. Timestamps are
UTC; a day that belongs to a person (an exercise log, a check-in) is a date in the patient's own
time zone. Every write goes through ``care/actions.py``; reads are QuerySet methods, and
``for_user(user)`` is the permission rule: a patient sees only their own records, clinic staff
only their clinic's patients, anyone else nothing (docs/data-model.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from backcare.accounts.models import User
from backcare.engine.triage import Level

TRIAGE_LEVELS = [(level.value, level.value) for level in Level]
M = TypeVar("M", bound=models.Model)


def validate_timezone(value: str) -> None:
    """Refuse anything that is not an IANA time-zone name such as ``Europe/London``."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            "%(value)s is not a time zone; use a name such as Europe/London.",
            params={"value": value},
            code="invalid_timezone",
        ) from None


def local_day(now: dt.datetime, timezone: str) -> dt.date:
    """The calendar day it is at the moment ``now`` (aware) in ``timezone``."""
    return now.astimezone(ZoneInfo(timezone)).date()


def visible_to(
    qs: models.QuerySet[M], user: User | AnonymousUser, patient: str
) -> models.QuerySet[M]:
    """``qs`` filtered to what ``user`` may see; ``patient`` is the lookup path to the Patient
    ("" for Patient itself). Patients: their own; clinic staff: their clinic's; others: none."""
    prefix = f"{patient}__" if patient else ""
    if not isinstance(user, User) or not user.is_active:
        return qs.none()
    if user.role == User.Role.PATIENT:
        return qs.filter(**{f"{prefix}user_id": user.pk})
    if user.is_clinic_staff and user.clinic_id is not None:
        return qs.filter(**{f"{prefix}clinic_id": user.clinic_id})
    return qs.none()


def _between(field: str, low: int, high: int) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": low, f"{field}__lte": high})


# --- clinics and people ---------------------------------------------------------------------


class Clinic(models.Model):
    name = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    direct_access_note = models.TextField(
        blank=True, help_text="Whether people may book without a doctor's referral, and how."
    )
    visit_time = models.TimeField(
        default=dt.time(9, 0), help_text="When planned visits start, in the clinic's time zone."
    )
    is_demo = models.BooleanField(default=False, help_text="Demo data: made up, not a person.")
    licensed_wording = models.TextField(
        blank=True,
        help_text="The clinic's licensed questionnaire wording (backcare-licensed-wording/1, "
        "docs/questionnaires.md); empty shows backcare's own item summaries.",
    )
    licensed_wording_uploaded_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class PatientQuerySet(models.QuerySet["Patient"]):
    def for_user(self, user: User | AnonymousUser) -> PatientQuerySet:
        return visible_to(self, user, "")  # type: ignore[return-value]

    def for_clinician(self, user: User) -> PatientQuerySet:
        """The clinician's own caseload."""
        return self.filter(clinician=user)


class Patient(models.Model):
    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="patient")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="patients")
    clinician = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="caseload",
        help_text="A clinician of the same clinic (checked by the actions).",
    )
    date_of_birth = models.DateField(null=True, blank=True)
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    language = models.CharField(max_length=10, default="en")

    objects: ClassVar[PatientQuerySet] = PatientQuerySet.as_manager()  # type: ignore[assignment]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.username

    def today(self, now: dt.datetime) -> dt.date:
        """The patient's own calendar day at the moment ``now``."""
        return local_day(now, self.timezone)


# --- episodes and what the engine made ----------------------------------------------------------


class EpisodeQuerySet(models.QuerySet["Episode"]):
    def for_user(self, user: User | AnonymousUser) -> EpisodeQuerySet:
        return visible_to(self, user, "patient")  # type: ignore[return-value]

    def active(self) -> EpisodeQuerySet:
        return self.filter(status=Episode.Status.ACTIVE)


class Episode(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active"
        DISCHARGED = "discharged"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="episodes")
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)

    objects: ClassVar[EpisodeQuerySet] = EpisodeQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["patient"], condition=Q(status="active"), name="one_active_episode"
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="episode_closes_after_opening",
            ),
        )

    def __str__(self) -> str:
        return f"episode {self.pk} of patient {self.patient_id} ({self.status})"


class IntakeDraftQuerySet(models.QuerySet["IntakeDraft"]):
    def for_user(self, user: User | AnonymousUser) -> IntakeDraftQuerySet:
        return visible_to(self, user, "patient")  # type: ignore[return-value]


class IntakeDraft(models.Model):
    """The answers of an intake a patient is filling in at home, saved after every step so it
    can be resumed; ``record_intake`` turns the finished draft into an assessment."""

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="intake_draft")
    answers = models.JSONField(default=dict, help_text="Form answers by step, as typed.")
    step = models.CharField(max_length=40, blank=True, help_text="The next step to show.")
    updated_at = models.DateTimeField()

    objects: ClassVar[IntakeDraftQuerySet] = IntakeDraftQuerySet.as_manager()  # type: ignore[assignment]


class AssessmentRecordQuerySet(models.QuerySet["AssessmentRecord"]):
    def for_user(self, user: User | AnonymousUser) -> AssessmentRecordQuerySet:
        return visible_to(self, user, "episode__patient")  # type: ignore[return-value]


class AssessmentRecord(models.Model):
    """An intake document and the engine's assessment of it (backcare-assessment/1)."""

    class Kind(models.TextChoices):
        INTAKE = "intake"
        REASSESSMENT = "reassessment"

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="assessments")
    kind = models.CharField(max_length=14, choices=Kind.choices)
    intake = models.JSONField(help_text="The intake document, backcare-intake/1.")
    assessment = models.JSONField(help_text="The engine's result, backcare-assessment/1.")
    triage_level = models.CharField(max_length=10, choices=TRIAGE_LEVELS)
    engine_version = models.CharField(max_length=40)
    content_version = models.CharField(max_length=40)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[AssessmentRecordQuerySet] = AssessmentRecordQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        get_latest_by = "created_at"


class PlanRecordQuerySet(models.QuerySet["PlanRecord"]):
    def for_user(self, user: User | AnonymousUser) -> PlanRecordQuerySet:
        """Patients see their published and past plans, never a draft."""
        qs = visible_to(self, user, "episode__patient")
        if isinstance(user, User) and user.is_patient:
            qs = qs.exclude(status=PlanRecord.Status.DRAFT)
        return qs  # type: ignore[return-value]

    def published(self) -> PlanRecordQuerySet:
        return self.filter(status=PlanRecord.Status.PUBLISHED)

    def blocked(self) -> PlanRecordQuerySet:
        """Published plans a later check-in's red flags have blocked."""
        return self.published().filter(blocked_by__isnull=False)


class PlanRecord(models.Model):
    """One version of an episode's plan (backcare-plan/1): a draft until a clinician publishes
    it; publishing supersedes the plan published before."""

    class Status(models.TextChoices):
        DRAFT = "draft"
        PUBLISHED = "published"
        SUPERSEDED = "superseded"

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="plans")
    assessment = models.ForeignKey(AssessmentRecord, on_delete=models.CASCADE, related_name="plans")
    version = models.PositiveIntegerField()
    plan = models.JSONField(help_text="The plan document, backcare-plan/1, with any overrides.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    engine_version = models.CharField(max_length=40)
    content_version = models.CharField(max_length=40)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    blocked_by = models.ForeignKey(
        "CheckIn",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="A check-in whose red-flag answers block this plan until a clinician acts.",
    )

    objects: ClassVar[PlanRecordQuerySet] = PlanRecordQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["episode", "version"], name="plan_version_unique"),
            models.UniqueConstraint(
                fields=["episode"], condition=Q(status="published"), name="one_published_plan"
            ),
        )

    def __str__(self) -> str:
        return f"plan v{self.version} of episode {self.episode_id} ({self.status})"


class PlanOverride(models.Model):
    """A clinician's change to a draft plan, with the reason (design.md: every override is
    recorded with its reason)."""

    plan = models.ForeignKey(PlanRecord, on_delete=models.CASCADE, related_name="overrides")
    path = models.CharField(max_length=100, help_text='e.g. "home_programme[2].exercise_id"')
    before = models.JSONField(null=True)
    after = models.JSONField(null=True)
    reason = models.TextField()
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        constraints = (models.CheckConstraint(condition=~Q(reason=""), name="override_has_reason"),)


# --- home and clinic ----------------------------------------------------------------------------


class ExerciseLogQuerySet(models.QuerySet["ExerciseLog"]):
    def for_user(self, user: User | AnonymousUser) -> ExerciseLogQuerySet:
        return visible_to(self, user, "patient")  # type: ignore[return-value]

    def on(self, day: dt.date) -> ExerciseLogQuerySet:
        return self.filter(day=day)


class ExerciseLog(models.Model):
    """One home session of one exercise, as the patient logged it (the engine's ExerciseLog)."""

    class Difficulty(models.TextChoices):
        EASY = "easy"
        RIGHT = "right"
        HARD = "hard"

    # No index of its own: log_patient_day (below) leads with it.
    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, db_index=False, related_name="exercise_logs"
    )
    plan = models.ForeignKey(PlanRecord, on_delete=models.CASCADE, related_name="exercise_logs")
    exercise_id = models.CharField(max_length=60)
    day = models.DateField(help_text="The day in the patient's time zone.")
    done = models.BooleanField()
    sets = models.PositiveSmallIntegerField(null=True, blank=True)
    reps = models.PositiveSmallIntegerField(null=True, blank=True)
    pain_during = models.PositiveSmallIntegerField(null=True, blank=True)
    difficulty = models.CharField(max_length=5, choices=Difficulty.choices, null=True, blank=True)
    pain_settled_next_morning = models.BooleanField(null=True, blank=True)
    symptoms_spread = models.BooleanField(null=True, blank=True)
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    logged_at = models.DateTimeField()

    objects: ClassVar[ExerciseLogQuerySet] = ExerciseLogQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        # The ranges of the engine's backcare-logs/1 ExerciseLog (progression.py).
        constraints = (
            models.CheckConstraint(condition=_between("pain_during", 0, 10), name="log_pain_0_10"),
            models.CheckConstraint(condition=_between("level", 1, 9), name="log_level_1_9"),
            models.CheckConstraint(condition=_between("sets", 0, 20), name="log_sets_0_20"),
            models.CheckConstraint(condition=_between("reps", 0, 100), name="log_reps_0_100"),
            models.CheckConstraint(
                condition=Q(difficulty__isnull=True) | Q(difficulty__in=["easy", "right", "hard"]),
                name="log_difficulty_known",
            ),
        )
        # A patient's days (Today, progress) and, covering, the count of an exercise's sessions
        # that day with those done (the card after logging: stamps.sessions_on).
        indexes = (
            models.Index(fields=["patient", "day", "exercise_id", "done"], name="log_patient_day"),
        )


class CheckInQuerySet(models.QuerySet["CheckIn"]):
    def for_user(self, user: User | AnonymousUser) -> CheckInQuerySet:
        return visible_to(self, user, "patient")  # type: ignore[return-value]

    def red_flagged(self) -> CheckInQuerySet:
        """Check-ins whose re-triage needs a doctor (emergency, urgent, soon or routine)."""
        doctor = [level.value for level in Level if level.needs_doctor]
        return self.filter(triage_level__in=doctor)


class CheckIn(models.Model):
    """A weekly check-in, re-triaged by the engine when it was recorded."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="check_ins")
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="check_ins")
    day = models.DateField(help_text="The day in the patient's time zone.")
    nprs = models.PositiveSmallIntegerField(null=True, blank=True)
    psfs = models.JSONField(null=True, blank=True)
    odi = models.JSONField(null=True, blank=True, help_text="ODI answers, when asked.")
    rmdq = models.JSONField(null=True, blank=True, help_text="RMDQ answers, when asked.")
    red_flag_screen = models.JSONField()
    triage = models.JSONField(help_text="The engine's triage of this check-in.")
    triage_level = models.CharField(max_length=10, choices=TRIAGE_LEVELS)
    created_at = models.DateTimeField()

    objects: ClassVar[CheckInQuerySet] = CheckInQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = (
            models.CheckConstraint(condition=_between("nprs", 0, 10), name="check_in_nprs_0_10"),
        )
        indexes = (models.Index(fields=["patient", "day"]),)


class VisitQuerySet(models.QuerySet["Visit"]):
    def for_user(self, user: User | AnonymousUser) -> VisitQuerySet:
        return visible_to(self, user, "episode__patient")  # type: ignore[return-value]

    def upcoming(self, *, after: dt.datetime) -> VisitQuerySet:
        return self.filter(status=Visit.Status.PLANNED, starts_at__gte=after)


class Visit(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned"
        ATTENDED = "attended"
        CANCELLED = "cancelled"
        MISSED = "missed"

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="visits")
    clinician = models.ForeignKey(User, on_delete=models.PROTECT, related_name="visits")
    plan = models.ForeignKey(
        PlanRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="visits"
    )
    starts_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)

    objects: ClassVar[VisitQuerySet] = VisitQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ("starts_at",)


class SessionNoteQuerySet(models.QuerySet["SessionNote"]):
    def for_user(self, user: User | AnonymousUser) -> SessionNoteQuerySet:
        return visible_to(self, user, "visit__episode__patient")  # type: ignore[return-value]


class SessionNote(models.Model):
    """The clinician's note of a visit: SOAP, techniques used, and the red-flag re-screen."""

    visit = models.OneToOneField(Visit, on_delete=models.CASCADE, related_name="note")
    subjective = models.TextField(blank=True)
    objective = models.TextField(blank=True)
    assessment = models.TextField(blank=True)
    plan = models.TextField(blank=True)
    techniques = models.JSONField(
        default=list, help_text="[{technique_id, parameters, response}], ids of techniques.toml"
    )
    red_flag_screen = models.JSONField()
    triage = models.JSONField()
    triage_level = models.CharField(max_length=10, choices=TRIAGE_LEVELS)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[SessionNoteQuerySet] = SessionNoteQuerySet.as_manager()  # type: ignore[assignment]


# --- the audit trail ------------------------------------------------------------------------------


class AuditEntryIsAppendOnly(Exception):
    """An audit entry was about to be changed or deleted."""


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def for_user(self, user: User | AnonymousUser) -> AuditEntryQuerySet:
        """Clinic administrators browse their clinic's entries; nobody else does."""
        if (
            isinstance(user, User)
            and user.is_active
            and user.role == User.Role.CLINIC_ADMIN
            and user.clinic_id is not None
        ):
            return self.filter(clinic_id=user.clinic_id)
        return self.none()

    def update(self, **kwargs: Any) -> int:
        raise AuditEntryIsAppendOnly("Audit entries are never changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditEntryIsAppendOnly("Audit entries are never deleted.")


class AuditEntry(models.Model):
    """Who read or changed which health record, and when. Append-only: ``save()`` refuses to
    update, ``delete()`` refuses, and database triggers (migration 0002) refuse UPDATE and
    DELETE. The references are kept as plain ids (no foreign-key constraint), so an entry
    outlives the records and people it names."""

    class Action(models.TextChoices):
        READ = "read"
        CREATE = "create"
        UPDATE = "update"
        DELETE = "delete"

    at = models.DateTimeField()
    who = models.ForeignKey(
        User,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        help_text="Empty for the system (a management command).",
    )
    # No index of their own: the indexes below lead with them (an entry is written on every
    # page, so each index is paid for on every page).
    clinic = models.ForeignKey(
        Clinic,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    patient = models.ForeignKey(
        Patient,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    action = models.CharField(max_length=6, choices=Action.choices)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects: ClassVar[AuditEntryQuerySet] = AuditEntryQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name_plural = "audit entries"
        indexes = (
            models.Index(fields=["clinic", "at"]),
            models.Index(fields=["patient", "at"]),
            # The latest change (not a read) of a patient, and of a clinic: the stamps under
            # which the caseload caches what it shows (care/alerts.py, clinic/views.py). One
            # index seek, however many reads the pages have written since.
            models.Index(
                fields=["patient", "id"], condition=~Q(action="read"), name="audit_patient_change"
            ),
            models.Index(
                fields=["clinic", "id"], condition=~Q(action="read"), name="audit_clinic_change"
            ),
        )

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.who_id} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditEntryIsAppendOnly("Audit entries are never changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditEntryIsAppendOnly("Audit entries are never deleted.")
