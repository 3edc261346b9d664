"""The operations of /api/v1 (docs/api.md).

Every read goes through ``Model.objects.for_user(user)``, so a token sees exactly what its
owner sees on the pages: a patient only themselves, clinic staff their clinic's patients; any
other id is 404, whether it exists or not. Each request that reads health data writes one audit
entry (``actions.record_read``) naming the patient (or, for the patient list, the clinic).
Writes go through ``care/actions.py`` and need a read-write token (403 otherwise).

Lists are paged (``limit`` up to 100, ``offset``, ``count`` of all matches) and filtered by
date with ``from`` and ``to`` (both days included, in the patient's own time zone), newest
first; visits come in time order.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

from django.db.models import Exists, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.json import KT
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Status
from ninja.params.functions import Path, Query

from backcare.accounts.models import User
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
from backcare.engine.assessment import assess, assessment_to_json
from backcare.engine.intake import OdiAnswers, PsfsItem, parse_intake
from backcare.engine.progression import CheckIn as EngineCheckIn
from backcare.engine.scoring import Status as ScoreStatus
from backcare.engine.scoring import score_odi, score_psfs
from backcare.engine.validation import InvalidDocument, ListOf, Obj, Problem, parse_document
from backcare.exports.fhir import episode_bundle

from .models import ApiToken
from .problems import ApiProblem
from .schemas import (
    ASSESSMENT_SCHEMA,
    CHECK_IN_BODY_SCHEMA,
    CHECK_IN_FIELDS,
    DEFAULT_LIMIT,
    INTAKE_SCHEMA,
    MAX_ID,
    MAX_LIMIT,
    MAX_OFFSET,
    AssessmentPage,
    CheckInOut,
    CheckInPage,
    ExerciseLogIn,
    ExerciseLogOut,
    ExerciseLogPage,
    FhirBundle,
    MeOut,
    Outcomes,
    PatientOut,
    PatientPage,
    PlanOut,
    PlanPage,
    ProblemOut,
    QueryDay,
    VisitPage,
)

router = Router()
M = TypeVar("M", bound=Model)

FIRST_DAY = dt.date(1900, 1, 1)  # dates outside 1900-2999 are clamped (nothing is stored there)
LAST_DAY = dt.date(2999, 12, 31)


def _responses(ok: Mapping[int, Any], *errors: int) -> dict[int, Any]:
    """The operation's responses: ``ok`` and a problem-details body for each error status."""
    return {**ok, **{status: ProblemOut for status in errors}}


# Every operation can answer 401 (no live token) and 422 (bad parameters).
READ_ONE = (401, 404, 422)
READ_LIST = (401, 404, 422)
WRITE = (400, 401, 403, 404, 409, 422)


# --- who is asking -----------------------------------------------------------------------------


def _now() -> dt.datetime:
    """The current time (one place, so the tests can set the clock)."""
    return timezone.now()


def _token(request: HttpRequest) -> ApiToken:
    return cast(ApiToken, request.auth)  # type: ignore[attr-defined]


def _user(request: HttpRequest) -> User:
    return _token(request).user


def _writer(request: HttpRequest) -> User:
    """The token's user, when the token may write; 403 problem otherwise."""
    token = _token(request)
    if not token.can_write:
        raise ApiProblem(
            "insufficient-scope",
            "This token's scope is read. Make a read-write token to record anything.",
        )
    return token.user


def _name(user: User) -> str:
    return user.get_full_name() or user.username


def _patients(user: User) -> QuerySet[Patient]:
    active = Episode.objects.filter(patient=OuterRef("pk"), status=Episode.Status.ACTIVE)
    return (
        Patient.objects.for_user(user)
        .select_related("user", "clinician")
        .annotate(active_episode_id=Subquery(active.values("pk")[:1]))
    )


def _patient(user: User, patient_id: int) -> Patient:
    patient = _patients(user).filter(pk=patient_id).first()
    if patient is None:
        raise Http404("no such patient for this token")
    return patient


def _audit_read(request: HttpRequest, patient: Patient, resource: str) -> None:
    actions.record_read(
        by=_user(request),
        obj=patient,
        patient=patient,
        detail={"api": f"v1 {resource}"},
        now=_now(),
    )


# --- paging and dates ----------------------------------------------------------------------------


def _clamp(day: dt.date) -> dt.date:
    return min(max(day, FIRST_DAY), LAST_DAY)


def _days(
    qs: QuerySet[M], field: str, date_from: dt.date | None, date_to: dt.date | None
) -> QuerySet[M]:
    if date_from is not None:
        qs = qs.filter(**{f"{field}__gte": _clamp(date_from)})
    if date_to is not None:
        qs = qs.filter(**{f"{field}__lte": _clamp(date_to)})
    return qs


def _times(
    qs: QuerySet[M], field: str, zone: str, date_from: dt.date | None, date_to: dt.date | None
) -> QuerySet[M]:
    """``field`` (a UTC timestamp) on the days ``from``..``to`` of the time zone ``zone``."""
    tz = ZoneInfo(zone)
    if date_from is not None:
        start = dt.datetime.combine(_clamp(date_from), dt.time(0), tz)
        qs = qs.filter(**{f"{field}__gte": start})
    if date_to is not None:
        end = dt.datetime.combine(_clamp(date_to) + dt.timedelta(days=1), dt.time(0), tz)
        qs = qs.filter(**{f"{field}__lt": end})
    return qs


def _page(qs: QuerySet[M], limit: int, offset: int) -> tuple[int, list[M]]:
    return qs.count(), list(qs[offset : offset + limit])


def _paged(count: int, limit: int, offset: int, items: list[Any]) -> dict[str, Any]:
    return {"count": count, "limit": limit, "offset": offset, "items": items}


PatientId = Path(..., ge=1, le=MAX_ID, description="The patient's id.")
Limit = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"At most {MAX_LIMIT}.")
Offset = Query(0, ge=0, le=MAX_OFFSET, description="How many to skip.")
From = Query(None, alias="from", description="First day included (YYYY-MM-DD).")
To = Query(None, alias="to", description="Last day included (YYYY-MM-DD).")


# --- the body of a request ------------------------------------------------------------------------


def _json_body(request: HttpRequest) -> Any:
    try:
        return json.loads(request.body)
    except (ValueError, RecursionError):
        raise ApiProblem(
            "malformed-request", "The body is not a JSON document (UTF-8, application/json)."
        ) from None


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    """openapi_extra for an operation whose JSON body the engine checks itself."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


# --- the token's owner ----------------------------------------------------------------------------


@router.get("/me", response=_responses({200: MeOut}, 401), summary="Who this token belongs to")
def me(request: HttpRequest) -> dict[str, Any]:
    """The token's owner and scope; for a patient, their own patient id."""
    token = _token(request)
    user = token.user
    patient_id = Patient.objects.filter(user=user).values_list("pk", flat=True).first()
    return {
        "user_id": user.pk,
        "username": user.username,
        "name": _name(user),
        "role": user.role,
        "clinic_id": user.clinic_id,
        "patient_id": patient_id,
        "token": {"name": token.name, "scope": token.scope},
    }


# --- the stateless assessment ---------------------------------------------------------------------


@router.post(
    "/assess",
    response=_responses({200: dict[str, Any]}, 400, 401, 422),
    openapi_extra={
        **_body(INTAKE_SCHEMA),
        "responses": {
            "200": {
                "description": "The assessment (backcare-assessment/1).",
                "content": {"application/json": {"schema": ASSESSMENT_SCHEMA}},
            }
        },
    },
    summary="Assess an intake document (nothing is stored)",
)
def assess_intake(request: HttpRequest) -> dict[str, Any]:
    """POST a backcare-intake/1 document, get its backcare-assessment/1, exactly what
    ``backcare assess FILE --json`` prints. Nothing is stored or audited (no person is named).
    A document that breaks the contract is a 422 listing every problem (path, value,
    allowed). ``assessed_on`` defaults to today (UTC)."""
    intake = parse_intake(_json_body(request))
    content_version = actions.content().version
    result = assess(intake, today=_now().date(), content_version=content_version)
    return assessment_to_json(result)


# --- patients ---------------------------------------------------------------------------------------


def _patient_out(p: Patient) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": _name(p.user),
        "email": p.user.email,
        "date_of_birth": p.date_of_birth,
        "timezone": p.timezone,
        "language": p.language,
        "clinic_id": p.clinic_id,
        "clinician_id": p.clinician_id,
        "clinician_name": _name(p.clinician),
        "active_episode_id": getattr(p, "active_episode_id", None),
    }


@router.get(
    "/patients",
    response=_responses({200: PatientPage}, 401, 403, 422),
    summary="The clinic's patients (clinic staff)",
)
def patients(
    request: HttpRequest,
    name: str | None = Query(None, max_length=100, description="Part of a name or email."),
    limit: int = Limit,
    offset: int = Offset,
) -> dict[str, Any]:
    """Clinic staff: their clinic's patients, by name. A patient's token gets 403 (use
    ``/me`` for their own id)."""
    user = _user(request)
    if not user.is_clinic_staff:
        raise ApiProblem("forbidden", "Only clinic staff can list patients; see /api/v1/me.")
    qs = _patients(user).order_by("user__last_name", "user__first_name", "pk")
    for word in (name or "").split():
        qs = qs.filter(
            Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
            | Q(user__username__icontains=word)
            | Q(user__email__icontains=word)
        )
    count, rows = _page(qs, limit, offset)
    assert user.clinic is not None  # clinic staff always belong to a clinic (for_user)
    actions.record_read(by=user, obj=user.clinic, patient=None,
                        detail={"api": "v1 patients", "count": len(rows)}, now=_now())  # fmt: skip
    return _paged(count, limit, offset, [_patient_out(p) for p in rows])


@router.get(
    "/patients/{patient_id}",
    response=_responses({200: PatientOut}, *READ_ONE),
    summary="One patient",
)
def patient(request: HttpRequest, patient_id: int = PatientId) -> dict[str, Any]:
    p = _patient(_user(request), patient_id)
    _audit_read(request, p, "patient")
    return _patient_out(p)


# --- assessments -------------------------------------------------------------------------------------


@router.get(
    "/patients/{patient_id}/assessments",
    response=_responses({200: AssessmentPage}, *READ_LIST),
    summary="The patient's stored assessments",
)
def assessments(
    request: HttpRequest,
    patient_id: int = PatientId,
    date_from: QueryDay | None = From,
    date_to: QueryDay | None = To,
    limit: int = Limit,
    offset: int = Offset,
) -> dict[str, Any]:
    """Each intake or reassessment with its document and the engine's assessment, newest first
    (dates: when it was recorded)."""
    user = _user(request)
    p = _patient(user, patient_id)
    qs: QuerySet[AssessmentRecord] = AssessmentRecord.objects.for_user(user).filter(
        episode__patient=p
    )
    qs = _times(qs, "created_at", p.timezone, date_from, date_to).order_by("-created_at", "-id")
    count, rows = _page(qs, limit, offset)
    _audit_read(request, p, "assessments")
    items = [
        {
            "id": r.pk,
            "episode_id": r.episode_id,
            "kind": r.kind,
            "triage_level": r.triage_level,
            "created_at": r.created_at,
            "engine_version": r.engine_version,
            "content_version": r.content_version,
            "intake": r.intake,
            "assessment": r.assessment,
        }
        for r in rows
    ]
    return _paged(count, limit, offset, items)


# --- plans ---------------------------------------------------------------------------------------------


def _plan_out(r: PlanRecord, *, document: bool) -> dict[str, Any]:
    out = {
        "id": r.pk,
        "episode_id": r.episode_id,
        "assessment_id": r.assessment_id,
        "version": r.version,
        "status": r.status,
        "created_at": r.created_at,
        "published_at": r.published_at,
        "blocked_by_check_in_id": r.blocked_by_id,
        "engine_version": r.engine_version,
        "content_version": r.content_version,
    }
    if document:
        out["plan"] = r.plan
    return out


@router.get(
    "/patients/{patient_id}/plans",
    response=_responses({200: PlanPage}, *READ_LIST),
    summary="The patient's plans (summaries)",
)
def plans(
    request: HttpRequest,
    patient_id: int = PatientId,
    date_from: QueryDay | None = From,
    date_to: QueryDay | None = To,
    limit: int = Limit,
    offset: int = Offset,
) -> dict[str, Any]:
    """Every version of the patient's plans, newest first (a patient's token: never drafts).
    The plan document itself is at ``/plans/{plan_id}``."""
    user = _user(request)
    p = _patient(user, patient_id)
    qs: QuerySet[PlanRecord] = (
        PlanRecord.objects.for_user(user).filter(episode__patient=p).defer("plan")
    )
    qs = _times(qs, "created_at", p.timezone, date_from, date_to).order_by("-created_at", "-id")
    count, rows = _page(qs, limit, offset)
    _audit_read(request, p, "plans")
    return _paged(count, limit, offset, [_plan_out(r, document=False) for r in rows])


@router.get(
    "/patients/{patient_id}/plans/{plan_id}",
    response=_responses({200: PlanOut}, *READ_ONE),
    summary="One plan with its document (backcare-plan/1)",
)
def plan(
    request: HttpRequest,
    patient_id: int = PatientId,
    plan_id: int = Path(..., ge=1, le=MAX_ID, description="The plan's id."),
) -> dict[str, Any]:
    user = _user(request)
    p = _patient(user, patient_id)
    record = PlanRecord.objects.for_user(user).filter(pk=plan_id, episode__patient=p).first()
    if record is None:
        raise Http404("no such plan for this patient")
    _audit_read(request, p, "plan")
    return _plan_out(record, document=True)


# --- home-exercise logs ------------------------------------------------------------------------------


def _log_out(log: ExerciseLog) -> dict[str, Any]:
    return {
        "id": log.pk,
        "plan_id": log.plan_id,
        "exercise_id": log.exercise_id,
        "day": log.day,
        "done": log.done,
        "sets": log.sets,
        "reps": log.reps,
        "pain_during": log.pain_during,
        "difficulty": log.difficulty,
        "pain_settled_next_morning": log.pain_settled_next_morning,
        "symptoms_spread": log.symptoms_spread,
        "level": log.level,
        "logged_at": log.logged_at,
    }


@router.get(
    "/patients/{patient_id}/exercise-logs",
    response=_responses({200: ExerciseLogPage}, *READ_LIST),
    summary="The patient's home-exercise logs",
)
def exercise_logs(
    request: HttpRequest,
    patient_id: int = PatientId,
    date_from: QueryDay | None = From,
    date_to: QueryDay | None = To,
    limit: int = Limit,
    offset: int = Offset,
) -> dict[str, Any]:
    """Newest day first (dates: the patient's day of the session)."""
    user = _user(request)
    p = _patient(user, patient_id)
    qs: QuerySet[ExerciseLog] = ExerciseLog.objects.for_user(user).filter(patient=p)
    qs = _days(qs, "day", date_from, date_to).order_by("-day", "-logged_at", "-id")
    count, rows = _page(qs, limit, offset)
    _audit_read(request, p, "exercise-logs")
    return _paged(count, limit, offset, [_log_out(r) for r in rows])


# The engine's names for the two fields the API (and the database) name differently.
_LOG_PATHS = {"date": "day", "symptoms_spread_down_leg": "symptoms_spread"}


@router.post(
    "/patients/{patient_id}/exercise-logs",
    response=_responses({201: ExerciseLogOut}, *WRITE),
    summary="Log a home session of an exercise (read-write token)",
)
def log_exercise(
    request: HttpRequest, payload: ExerciseLogIn, patient_id: int = PatientId
) -> Status[dict[str, Any]]:
    """One session of an exercise of the patient's published plan, through
    ``actions.log_exercise``: the patient logs their own, their clinic's staff may log for
    them. 409 when there is no published plan, the exercise is not in it, or the day has not
    come yet."""
    user = _writer(request)
    p = _patient(user, patient_id)
    try:
        log = actions.log_exercise(patient=p, by=user, now=_now(), **payload.model_dump())
    except InvalidDocument as err:
        raise InvalidDocument(
            [Problem(_LOG_PATHS.get(e.path, e.path), e.value, e.allowed) for e in err.problems]
        ) from None
    return Status(201, _log_out(log))


# --- check-ins -----------------------------------------------------------------------------------------


def _check_in_out(c: CheckIn) -> dict[str, Any]:
    return {
        "id": c.pk,
        "episode_id": c.episode_id,
        "day": c.day,
        "nprs": c.nprs,
        "psfs": c.psfs,
        "odi": c.odi,
        "rmdq": c.rmdq,
        "red_flag_screen": c.red_flag_screen,
        "triage_level": c.triage_level,
        "triage": c.triage,
        "created_at": c.created_at,
    }


@router.get(
    "/patients/{patient_id}/check-ins",
    response=_responses({200: CheckInPage}, *READ_LIST),
    summary="The patient's check-ins, each with its triage",
)
def check_ins(
    request: HttpRequest,
    patient_id: int = PatientId,
    date_from: QueryDay | None = From,
    date_to: QueryDay | None = To,
    limit: int = Limit,
    offset: int = Offset,
) -> dict[str, Any]:
    """Newest day first (dates: the patient's day of the check-in)."""
    user = _user(request)
    p = _patient(user, patient_id)
    qs: QuerySet[CheckIn] = CheckIn.objects.for_user(user).filter(patient=p)
    qs = _days(qs, "day", date_from, date_to).order_by("-day", "-created_at", "-id")
    count, rows = _page(qs, limit, offset)
    _audit_read(request, p, "check-ins")
    return _paged(count, limit, offset, [_check_in_out(r) for r in rows])


def _check_in_document(body: Any, today: dt.date) -> tuple[dict[str, Any], dt.date]:
    """The body checked as the engine's check-in (every problem, with the API's field names)."""
    if not isinstance(body, dict):
        raise InvalidDocument([Problem("", body, "allowed: an object with named fields")])
    allowed = ("day", *CHECK_IN_FIELDS)
    problems = [
        Problem(name, body[name], "unknown field; allowed: " + ", ".join(allowed))
        for name in body
        if name not in allowed
    ]
    document = {name: body.get(name) for name in CHECK_IN_FIELDS}
    day = body.get("day")
    document["date"] = today.isoformat() if day is None else day
    try:
        checked = parse_document(EngineCheckIn, document)
    except InvalidDocument as err:
        problems += [Problem("day" if e.path == "date" else e.path, e.value, e.allowed)
                     for e in err.problems]  # fmt: skip
    if problems:
        raise InvalidDocument(problems)
    return document, checked.date


@router.post(
    "/patients/{patient_id}/check-ins",
    response=_responses({201: CheckInOut}, *WRITE),
    openapi_extra=_body(CHECK_IN_BODY_SCHEMA),
    summary="Record a check-in; its red flags are triaged again (read-write token)",
)
def record_check_in(request: HttpRequest, patient_id: int = PatientId) -> Status[dict[str, Any]]:
    """Pain, PSFS, ODI or RMDQ and the red-flag questions again, through
    ``actions.record_check_in``: the engine triages it again with the episode's baseline and
    the response carries the triage. A level that needs a doctor first blocks the published
    plan until a clinician acts. 409 when there is no open episode of care."""
    user = _writer(request)
    p = _patient(user, patient_id)
    body = _json_body(request)
    document, day = _check_in_document(body, p.today(_now()))
    record = actions.record_check_in(
        patient=p,
        by=user,
        day=day,
        nprs=document["nprs"],
        psfs=document["psfs"],
        odi=document["odi"],
        rmdq=document["rmdq"],
        red_flag_screen=document["red_flag_screen"] or {},
        now=_now(),
    )
    return Status(201, _check_in_out(record))


# --- outcomes -------------------------------------------------------------------------------------------


def _number(text: Any) -> float | None:
    return None if text is None else float(text)


def _odi_percent(data: Any) -> float | None:
    if not data:
        return None
    answers = parse_document(OdiAnswers, data)  # stored after the engine checked it
    result = score_odi(answers)
    return None if result.status is ScoreStatus.NOT_SCORED else result.percent


_PSFS = ListOf(Obj(PsfsItem), min_items=1, max_items=5)


def _psfs_mean(data: Any) -> float | None:
    if not data:
        return None
    problems: list[Problem] = []
    items = _PSFS.parse(data, "psfs", problems)
    return None if problems else score_psfs(items).mean


@router.get(
    "/patients/{patient_id}/outcomes",
    response=_responses({200: Outcomes}, *READ_LIST),
    summary="Scores over time: NPRS, ODI and PSFS",
)
def outcomes(
    request: HttpRequest,
    patient_id: int = PatientId,
    date_from: QueryDay | None = From,
    date_to: QueryDay | None = To,
) -> dict[str, Any]:
    """Every assessment and check-in with the scores it has, oldest first: pain (NPRS 0-10),
    the Oswestry Disability Index (%) and the mean PSFS activity score (0-10). Assessments
    are dated by their assessment day, check-ins by the patient's day."""
    user = _user(request)
    p = _patient(user, patient_id)
    assessed = (
        AssessmentRecord.objects.for_user(user)
        .filter(episode__patient=p)
        .annotate(
            on=KT("assessment__assessed_on"),
            nprs=KT("assessment__scores__nprs__value"),
            odi=KT("assessment__scores__odi__percent"),
            psfs=KT("assessment__scores__psfs__mean"),
        )
        .values("id", "on", "nprs", "odi", "psfs", "created_at")
    )
    points: list[dict[str, Any]] = []
    for row in assessed:
        day = dt.date.fromisoformat(row["on"])
        if (date_from and day < date_from) or (date_to and day > date_to):
            continue
        nprs = _number(row["nprs"])
        points.append(
            {
                "day": day,
                "source": "assessment",
                "source_id": row["id"],
                "nprs": None if nprs is None else round(nprs),
                "odi_percent": _number(row["odi"]),
                "psfs_mean": _number(row["psfs"]),
            }
        )
    checked = _days(CheckIn.objects.for_user(user).filter(patient=p), "day", date_from, date_to)
    for c in checked.values("id", "day", "nprs", "odi", "psfs"):
        points.append(
            {
                "day": c["day"],
                "source": "check_in",
                "source_id": c["id"],
                "nprs": c["nprs"],
                "odi_percent": _odi_percent(c["odi"]),
                "psfs_mean": _psfs_mean(c["psfs"]),
            }
        )
    points.sort(key=lambda point: (point["day"], point["source"], point["source_id"]))
    _audit_read(request, p, "outcomes")
    return {"patient_id": p.pk, "items": points}


# --- visits ----------------------------------------------------------------------------------------------


@router.get(
    "/patients/{patient_id}/visits",
    response=_responses({200: VisitPage}, *READ_LIST),
    summary="The patient's clinic visits",
)
def visits(
    request: HttpRequest,
    patient_id: int = PatientId,
    date_from: QueryDay | None = From,
    date_to: QueryDay | None = To,
    limit: int = Limit,
    offset: int = Offset,
) -> dict[str, Any]:
    """In time order (dates: the visit's day in the patient's time zone)."""
    user = _user(request)
    p = _patient(user, patient_id)
    qs: QuerySet[Any] = (
        Visit.objects.for_user(user)
        .filter(episode__patient=p)
        .select_related("clinician")
        .annotate(has_note=Exists(SessionNote.objects.filter(visit=OuterRef("pk"))))
    )
    qs = _times(qs, "starts_at", p.timezone, date_from, date_to).order_by("starts_at", "id")
    count, rows = _page(qs, limit, offset)
    _audit_read(request, p, "visits")
    items = [
        {
            "id": v.pk,
            "episode_id": v.episode_id,
            "plan_id": v.plan_id,
            "starts_at": v.starts_at,
            "status": v.status,
            "clinician_id": v.clinician_id,
            "clinician_name": _name(v.clinician),
            "has_note": v.has_note,
        }
        for v in rows
    ]
    return _paged(count, limit, offset, items)


# --- FHIR ---------------------------------------------------------------------------------------

FHIR_MEDIA_TYPE = "application/fhir+json"


@router.get(
    "/episodes/{episode_id}/fhir",
    response=_responses({200: FhirBundle}, *READ_ONE),
    openapi_extra={"x-media-type": FHIR_MEDIA_TYPE},
    summary="An episode of care as a FHIR R4 Bundle",
)
def episode_fhir(
    request: HttpRequest,
    episode_id: int = Path(..., ge=1, le=MAX_ID, description="The episode's id."),
) -> HttpResponse:
    """The episode (its patient, condition, questionnaires and scores, plans, visits and
    sessions) as a FHIR R4 ``collection`` Bundle, ``application/fhir+json`` (docs/fhir.md).
    The patient's ``active_episode_id`` names their open episode."""
    user = _user(request)
    episode = Episode.objects.for_user(user).select_related("patient").filter(pk=episode_id).first()
    if episode is None:
        raise Http404("no such episode for this token")
    bundle = episode_bundle(episode)
    actions.record_read(
        by=user,
        obj=episode,
        patient=episode.patient,
        detail={"api": "v1 fhir"},
        now=_now(),
    )
    return HttpResponse(
        json.dumps(bundle, ensure_ascii=False), content_type=f"{FHIR_MEDIA_TYPE}; charset=utf-8"
    )
