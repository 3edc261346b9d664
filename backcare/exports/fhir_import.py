"""Import an episode bundle made by ``episode_bundle`` (fhir.py) into this backcare.

``import_bundle`` is an action in the style of care/actions.py: ``@transaction.atomic``,
keyword-only, permission checked (``by`` is staff of ``clinic``), one audit entry for the
imported episode. A bundle that breaks the profile raises :class:`InvalidBundle` listing every
problem (path: what is wrong; what is allowed), and nothing is stored.

What is read back: the Patient (name, email, birth date, time zone, language), the
EpisodeOfCare (dates, status), each DocumentReference's backcare record (intake and assessment,
check-in, plan with its overrides and exercise logs, session note: the original documents, kept
as they were), the CarePlans' links (which assessment a plan came from, which check-in blocked
it) and the Appointments (start, status, plan). Everything else in the bundle (Condition, Goals,
Questionnaires, responses, Observations, Procedures) is derived from those records, and export
derives it again.

The round trip, precisely: for an episode ``x``,
``comparable(episode_bundle(import_bundle(episode_bundle(x), ...)))`` equals
``comparable(episode_bundle(x))``: the same resources in the same order with the same content,
once :func:`comparable` has replaced what must differ between two databases - resource ids,
fullUrls and the references to them (by "<resourceType>/<n>", the n-th resource of that type),
the bundle id, and the names of clinic staff (the importing clinic's clinicians take over the
patient, the visits and the notes; the bundle names them by display only).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from pydantic import ValidationError as PydanticError

from backcare.accounts.models import User
from backcare.care.actions import ActionRefused, _audit, _now, _require_staff, content
from backcare.care.models import (
    AssessmentRecord,
    AuditEntry,
    CheckIn,
    Clinic,
    Episode,
    ExerciseLog,
    Patient,
    PlanOverride,
    PlanRecord,
    SessionNote,
    Visit,
    validate_timezone,
)
from backcare.engine.assessment import ASSESSMENT_FORMAT
from backcare.engine.intake import RedFlagScreen, parse_intake
from backcare.engine.plan import parse_plan
from backcare.engine.progression import CheckIn as EngineCheckIn
from backcare.engine.progression import ExerciseLog as EngineExerciseLog
from backcare.engine.triage import Level
from backcare.engine.validation import InvalidDocument, parse_document

from .fhir import BUNDLE_PROFILE, EXT_BLOCKED_BY, EXT_CARE_PLAN, EXT_TIMEZONE, VISIT_STATUS
from .terminology import BCP47, CS_DOCUMENT, check_terminology

__all__ = ["InvalidBundle", "comparable", "import_bundle", "read_bundle"]

_VISIT_STATUS = {fhir: ours for ours, fhir in VISIT_STATUS.items()}
_LEVELS = frozenset(level.value for level in Level)


class InvalidBundle(ValueError):
    """The bundle breaks backcare's profile; ``problems`` lists every reason."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


# --- reading the bundle -----------------------------------------------------------------------


@dataclass
class _Plan:
    payload: dict[str, Any]
    assessment: str  # fullUrl of the assessment document
    blocked_by: str | None  # fullUrl of the check-in document


@dataclass
class _Visit:
    starts_at: dt.datetime
    status: str
    plan: str | None  # fullUrl of the CarePlan


@dataclass
class ReadBundle:
    """What an episode bundle holds, checked, keyed by the fullUrls of the bundle."""

    patient: dict[str, Any] = field(default_factory=dict)
    episode: dict[str, Any] = field(default_factory=dict)
    assessments: dict[str, dict[str, Any]] = field(default_factory=dict)
    check_ins: dict[str, dict[str, Any]] = field(default_factory=dict)
    plans: dict[str, _Plan] = field(default_factory=dict)  # by CarePlan fullUrl
    visits: dict[str, _Visit] = field(default_factory=dict)  # by Appointment fullUrl
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (Appointment, note)


class _Reader:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, where: str, what: str) -> None:
        self.problems.append(f"{where}: {what}")

    def instant(self, value: Any, where: str) -> dt.datetime | None:
        try:
            parsed = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            self.add(where, f"{value!r}; allowed: a date and time with its UTC offset")
            return None
        return parsed

    def day(self, value: Any, where: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            pass
        self.add(where, f"{value!r}; allowed: a date (YYYY-MM-DD)")
        return None

    def text(self, value: Any, where: str, max_chars: int | None = None) -> None:
        if not isinstance(value, str) or (max_chars is not None and len(value) > max_chars):
            limit = f" of up to {max_chars} characters" if max_chars else ""
            self.add(where, f"{_short(value)}; allowed: a text{limit}")

    def choice(self, value: Any, allowed: Sequence[str], where: str) -> None:
        if value not in allowed:
            self.add(where, f"{_short(value)}; allowed: " + ", ".join(allowed))

    def document(self, parse: Any, data: Any, where: str) -> None:
        """Run an engine parser; every problem it finds, under ``where``."""
        try:
            parse(data)
        except InvalidDocument as err:
            for p in err.problems:
                self.add(
                    f"{where}.{p.path}" if p.path else where,
                    f"{_short(p.value)} is not allowed; {p.allowed}",
                )

    def keys(self, payload: Mapping[str, Any], required: Sequence[str], where: str) -> bool:
        missing = [k for k in required if k not in payload]
        unknown = sorted(set(payload) - set(required))
        for key in missing:
            self.add(f"{where}.{key}", "missing; this field is required")
        for key in unknown:
            self.add(f"{where}.{key}", "unknown; allowed: " + ", ".join(required))
        return not missing and not unknown


def _short(value: Any) -> str:
    shown = json.dumps(value, ensure_ascii=False, default=str)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _structure_problems(bundle: Mapping[str, Any]) -> list[str]:
    """The R4B models' verdict on the bundle's structure, one line per error."""
    from fhir.resources.R4B.bundle import Bundle  # a large import, only when importing

    try:
        Bundle.model_validate(bundle)
    except PydanticError as err:
        out = []
        for e in err.errors():
            path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e["loc"])
            out.append(f"{path.lstrip('.') or '(bundle)'}: {e['msg']} (FHIR R4B structure)")
        return out
    return []


def _ref(value: Any) -> str | None:
    return value.get("reference") if isinstance(value, Mapping) else None


def _extension(resource: Mapping[str, Any], url: str) -> Mapping[str, Any] | None:
    return next((e for e in resource.get("extension") or [] if e.get("url") == url), None)


def _payload(reader: _Reader, resource: Mapping[str, Any], where: str) -> tuple[str, Any]:
    """The kind and the decoded JSON record of one of our DocumentReferences."""
    codes = [
        c.get("code")
        for c in (resource.get("type") or {}).get("coding") or []
        if c.get("system") == CS_DOCUMENT
    ]
    if len(codes) != 1:
        reader.add(f"{where}.type", f"allowed: exactly one coding of {CS_DOCUMENT}")
        return "", None
    contents = resource.get("content") or []
    attachment = contents[0].get("attachment", {}) if len(contents) == 1 else {}
    here = f"{where}.content[0].attachment"
    if attachment.get("contentType") != "application/json" or "data" not in attachment:
        reader.add(here, "allowed: one attachment of application/json with its data")
        return str(codes[0]), None
    try:
        data = base64.b64decode(attachment["data"], validate=True)
        payload = json.loads(data)
    except (binascii.Error, ValueError):
        reader.add(f"{here}.data", "allowed: base64 of a UTF-8 JSON document")
        return str(codes[0]), None
    digest = base64.b64encode(hashlib.sha1(data).digest()).decode("ascii")
    if attachment.get("hash", digest) != digest:
        reader.add(f"{here}.hash", "does not match the data; allowed: base64 of its SHA-1")
    if not isinstance(payload, dict):
        reader.add(f"{here}.data", "allowed: a JSON object")
        return str(codes[0]), None
    return str(codes[0]), payload


def _check_assessment(reader: _Reader, p: dict[str, Any], where: str) -> None:
    if not reader.keys(p, ("kind", "intake", "assessment", "triage_level", "engine_version",
                           "content_version", "created_at"), where):  # fmt: skip
        return
    reader.choice(p["kind"], AssessmentRecord.Kind.values, f"{where}.kind")
    reader.document(parse_intake, p["intake"], f"{where}.intake")
    a = p["assessment"]
    if not isinstance(a, dict) or a.get("format") != ASSESSMENT_FORMAT:
        reader.add(f"{where}.assessment", f"allowed: a {ASSESSMENT_FORMAT} document")
    else:
        reader.day(a.get("assessed_on"), f"{where}.assessment.assessed_on")
        for key in ("triage", "scores", "classification"):
            if not isinstance(a.get(key), dict):
                reader.add(f"{where}.assessment.{key}", "missing; allowed: an object")
        if isinstance(a.get("classification"), dict):
            for key in ("pathway", "icf", "directional_preference"):
                reader.text(
                    a["classification"].get(key), f"{where}.assessment.classification.{key}"
                )
    _check_record(reader, p, where)


def _check_record(reader: _Reader, p: Mapping[str, Any], where: str) -> None:
    """The fields every record shares: triage level, versions, time."""
    reader.choice(p["triage_level"], sorted(_LEVELS), f"{where}.triage_level")
    if "engine_version" in p:
        reader.text(p["engine_version"], f"{where}.engine_version", 40)
        reader.text(p["content_version"], f"{where}.content_version", 40)
    if "triage" in p and not isinstance(p["triage"], dict):
        reader.add(f"{where}.triage", "allowed: an object (the engine's triage)")
    reader.instant(p["created_at"], f"{where}.created_at")


def _check_check_in(reader: _Reader, p: dict[str, Any], where: str) -> None:
    if not reader.keys(p, ("day", "nprs", "psfs", "odi", "rmdq", "red_flag_screen", "triage",
                           "triage_level", "created_at"), where):  # fmt: skip
        return
    document = {
        "date": p["day"],
        "red_flag_screen": p["red_flag_screen"],
        **{k: p[k] for k in ("nprs", "psfs", "odi", "rmdq") if p[k] is not None},
    }
    reader.document(lambda d: parse_document(EngineCheckIn, d), document, where)
    _check_record(reader, p, where)


def _check_plan(reader: _Reader, p: dict[str, Any], where: str) -> None:
    if not reader.keys(p, ("version", "status", "plan", "engine_version", "content_version",
                           "created_at", "published_at", "overrides", "exercise_logs"),
                       where):  # fmt: skip
        return
    if not isinstance(p["version"], int) or isinstance(p["version"], bool) or p["version"] < 1:
        reader.add(f"{where}.version", f"{_short(p['version'])}; allowed: a whole number from 1")
    reader.choice(p["status"], PlanRecord.Status.values, f"{where}.status")
    reader.document(parse_plan, p["plan"], f"{where}.plan")
    reader.text(p["engine_version"], f"{where}.engine_version", 40)
    reader.text(p["content_version"], f"{where}.content_version", 40)
    reader.instant(p["created_at"], f"{where}.created_at")
    if p["published_at"] is not None:
        reader.instant(p["published_at"], f"{where}.published_at")
    for i, o in enumerate(p["overrides"] if isinstance(p["overrides"], list) else []):
        here = f"{where}.overrides[{i}]"
        if reader.keys(o, ("path", "before", "after", "reason", "at"), here):
            reader.text(o["path"], f"{here}.path", 100)
            if not isinstance(o["reason"], str) or not o["reason"].strip():
                reader.add(f"{here}.reason", "allowed: the clinician's reason, not empty")
            reader.instant(o["at"], f"{here}.at")
    for i, g in enumerate(p["exercise_logs"] if isinstance(p["exercise_logs"], list) else []):
        here = f"{where}.exercise_logs[{i}]"
        names = (
            "exercise_id",
            "day",
            "done",
            "sets",
            "reps",
            "pain_during",
            "difficulty",
            "pain_settled_next_morning",
            "symptoms_spread",
            "level",
            "logged_at",
        )
        if reader.keys(g, names, here):
            engine = {
                "date": g["day"],
                "symptoms_spread_down_leg": g["symptoms_spread"],
                **{k: g[k] for k in names[:-1] if k not in ("day", "symptoms_spread")},
            }
            engine = {k: v for k, v in engine.items() if v is not None}
            reader.document(lambda d: parse_document(EngineExerciseLog, d), engine, here)
            reader.instant(g["logged_at"], f"{here}.logged_at")
    for key in ("overrides", "exercise_logs"):
        if not isinstance(p[key], list):
            reader.add(f"{where}.{key}", "allowed: a list")


def _check_note(reader: _Reader, p: dict[str, Any], where: str) -> None:
    if not reader.keys(p, ("subjective", "objective", "assessment", "plan", "techniques",
                           "red_flag_screen", "triage", "triage_level", "created_at"),
                       where):  # fmt: skip
        return
    for key in ("subjective", "objective", "assessment", "plan"):
        reader.text(p[key], f"{where}.{key}")
    known = sorted(t.id for t in content().techniques)
    techniques = p["techniques"] if isinstance(p["techniques"], list) else []
    if not isinstance(p["techniques"], list):
        reader.add(f"{where}.techniques", "allowed: a list")
    for i, t in enumerate(techniques):
        here = f"{where}.techniques[{i}]"
        if reader.keys(t, ("technique_id", "parameters", "response"), here):
            reader.choice(t["technique_id"], known, f"{here}.technique_id")
            if not isinstance(t["parameters"], dict):
                reader.add(f"{here}.parameters", "allowed: an object")
            reader.text(t["response"], f"{here}.response")
    reader.document(
        lambda d: parse_document(RedFlagScreen, d), p["red_flag_screen"], f"{where}.red_flag_screen"
    )
    _check_record(reader, p, where)


_CHECKS = {
    "assessment": _check_assessment,
    "check-in": _check_check_in,
    "plan": _check_plan,
    "session-note": _check_note,
}


def read_bundle(bundle: Any) -> ReadBundle:
    """Check a bundle against backcare's profile and return what it holds, or raise
    InvalidBundle with every problem: structure (R4B models), terminology, then the profile."""
    if not isinstance(bundle, Mapping):
        raise InvalidBundle(["(bundle): allowed: a JSON object, a FHIR Bundle"])
    problems = _structure_problems(bundle) + check_terminology(bundle)
    if problems:
        raise InvalidBundle(problems)
    reader = _Reader()
    if BUNDLE_PROFILE not in ((bundle.get("meta") or {}).get("profile") or []):
        reader.add("meta.profile", f"allowed: a bundle made by backcare ({BUNDLE_PROFILE})")
    by_url: dict[str, tuple[str, dict[str, Any]]] = {}
    for i, entry in enumerate(bundle.get("entry") or []):
        where = f"entry[{i}].resource"
        if not entry.get("fullUrl"):
            reader.add(f"entry[{i}].fullUrl", "missing; allowed: urn:uuid:<id>")
        elif entry["fullUrl"] in by_url:
            reader.add(f"entry[{i}].fullUrl", "used twice; allowed: one fullUrl per entry")
        else:
            by_url[entry["fullUrl"]] = (where, entry["resource"])
    out = ReadBundle()

    def of_type(kind: str) -> list[tuple[str, str, dict[str, Any]]]:
        return [(url, where, r) for url, (where, r) in by_url.items() if r["resourceType"] == kind]

    def points_to(value: Any, kind: str, where: str, kinds: Mapping[str, Any]) -> str | None:
        url = _ref(value)
        if url not in kinds:
            reader.add(where, f"{_short(url)}; allowed: a reference to a {kind} of this bundle")
            return None
        return url

    patients, episodes = of_type("Patient"), of_type("EpisodeOfCare")
    for kind, found in (("Patient", patients), ("EpisodeOfCare", episodes)):
        if len(found) != 1:
            reader.add("entry", f"{len(found)} {kind} resources; allowed: exactly one")
    if patients:
        out.patient = _read_patient(reader, *patients[0][1:])
    if episodes:
        out.episode = _read_episode(reader, *episodes[0][1:])
    documents: dict[str, dict[str, Any]] = {
        "assessment": {},
        "check-in": {},
        "plan": {},
        "session-note": {},
    }
    note_visits: dict[str, Any] = {}
    for url, where, resource in of_type("DocumentReference"):
        kind, payload = _payload(reader, resource, where)
        if payload is None or kind not in _CHECKS:
            continue
        here = f"{where}.content[0].attachment.data"
        _CHECKS[kind](reader, payload, here)
        documents[kind][url] = payload
        if kind == "session-note":
            related = (resource.get("context") or {}).get("related") or []
            note_visits[url] = related[0] if len(related) == 1 else None
    out.assessments = documents["assessment"]
    out.check_ins = documents["check-in"]
    used_plan_documents: set[str] = set()
    for url, where, resource in of_type("CarePlan"):
        supporting = [_ref(r) for r in resource.get("supportingInfo") or []]
        plan_docs = [u for u in supporting if u is not None and u in documents["plan"]]
        assessment_docs = [u for u in supporting if u is not None and u in out.assessments]
        if len(plan_docs) != 1 or len(assessment_docs) != 1 or plan_docs[0] in used_plan_documents:
            reader.add(
                f"{where}.supportingInfo",
                "allowed: a reference to this plan's own plan "
                "document and one to its assessment document",
            )
            continue
        used_plan_documents.add(plan_docs[0])
        blocked = _extension(resource, EXT_BLOCKED_BY)
        blocked_url = None
        if blocked is not None:
            blocked_url = points_to(
                blocked.get("valueReference"),
                "check-in document",
                f"{where}.extension",
                out.check_ins,
            )
        out.plans[url] = _Plan(documents["plan"][plan_docs[0]], assessment_docs[0], blocked_url)
    for url in documents["plan"].keys() - used_plan_documents:
        reader.add(by_url[url][0], "a plan document no CarePlan refers to; allowed: one per plan")
    versions = [p.payload.get("version") for p in out.plans.values()]
    if len(set(versions)) != len(versions):
        reader.add("entry", "two plans with the same version; allowed: one plan per version")
    if sum(p.payload.get("status") == "published" for p in out.plans.values()) > 1:
        reader.add("entry", "more than one published plan; allowed: at most one")
    for url, where, resource in of_type("Appointment"):
        starts_at = reader.instant(resource.get("start"), f"{where}.start")
        plan_ext = _extension(resource, EXT_CARE_PLAN)
        plan_url = None
        if plan_ext is not None:
            plan_url = points_to(
                plan_ext.get("valueReference"), "CarePlan", f"{where}.extension", out.plans
            )
        if starts_at is not None:
            out.visits[url] = _Visit(starts_at, _VISIT_STATUS[resource["status"]], plan_url)
    noted: set[str] = set()
    for url, related in note_visits.items():
        visit_url = points_to(
            related, "Appointment", f"{by_url[url][0]}.context.related", out.visits
        )
        if visit_url is not None and visit_url in noted:
            reader.add(f"{by_url[url][0]}.context.related", "allowed: one note per visit")
        elif visit_url is not None:
            noted.add(visit_url)
            out.notes.append((visit_url, documents["session-note"][url]))
    if not out.assessments:
        reader.add("entry", "no assessment document; allowed: an episode with its intake")
    if reader.problems:
        raise InvalidBundle(reader.problems)
    return out


def _read_patient(reader: _Reader, where: str, r: Mapping[str, Any]) -> dict[str, Any]:
    timezone = _extension(r, EXT_TIMEZONE)
    zone = timezone.get("valueCode") if timezone else None
    try:
        validate_timezone(str(zone))
    except ValidationError:
        reader.add(
            f"{where}.extension",
            f"time zone {_short(zone)}; allowed: an IANA name "
            f"such as Europe/London, in the extension {EXT_TIMEZONE}",
        )
    name = (r.get("name") or [{}])[0]
    languages = [
        c.get("code")
        for m in r.get("communication") or []
        for c in (m.get("language") or {}).get("coding") or []
        if c.get("system") == BCP47
    ]
    emails = [t.get("value") for t in r.get("telecom") or [] if t.get("system") == "email"]
    birth = r.get("birthDate")
    if birth is not None and len(birth) != 10:
        reader.add(f"{where}.birthDate", f"{birth!r}; allowed: a full date (YYYY-MM-DD)")
    return {
        "first_name": " ".join(name.get("given") or []),
        "last_name": name.get("family") or "",
        "email": emails[0] if emails else "",
        "date_of_birth": dt.date.fromisoformat(birth) if birth and len(birth) == 10 else None,
        "timezone": zone,
        "language": languages[0] if languages else "en",
    }


def _read_episode(reader: _Reader, where: str, r: Mapping[str, Any]) -> dict[str, Any]:
    period = r.get("period") or {}
    opened = reader.day(period.get("start"), f"{where}.period.start")
    closed = reader.day(period["end"], f"{where}.period.end") if "end" in period else None
    finished = r["status"] == "finished"
    if finished != (closed is not None):
        reader.add(f"{where}.period.end", "allowed: an end date exactly when status is finished")
    return {
        "opened_on": opened,
        "closed_on": closed,
        "status": Episode.Status.DISCHARGED if finished else Episode.Status.ACTIVE,
    }


# --- storing it ---------------------------------------------------------------------------------


def _instant(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def _username(email: str) -> str:
    if email and not User.objects.filter(username=email.lower()).exists():
        return email.lower()
    return f"fhir-import-{uuid.uuid4().hex[:12]}"


@transaction.atomic
def import_bundle(
    bundle: Mapping[str, Any],
    *,
    clinic: Clinic,
    by: User,
    clinician: User | None = None,
    now: dt.datetime | None = None,
) -> Episode:
    """Store an episode bundle made by backcare as a new patient of ``clinic``.

    ``by`` (staff of ``clinic``) imports; the patient's clinician is ``clinician``, by default
    ``by`` when ``by`` is a clinician. The patient gets a new account without a password (invite
    them to set one). The records keep their own dates; ``by`` is recorded as the author of
    what was imported. One audit entry names the episode and what came with it. A bundle that
    breaks the profile raises InvalidBundle listing every problem; nothing is stored.
    """
    now = _now(now)
    _require_staff(by, clinic.pk)
    clinician = clinician or by
    if clinician.role != User.Role.CLINICIAN or clinician.clinic_id != clinic.pk:
        raise ActionRefused(_("The patient's clinician must be a clinician of the same clinic."))
    read = read_bundle(bundle)
    person = read.patient
    user = User(
        username=_username(person["email"]),
        email=person["email"],
        first_name=person["first_name"],
        last_name=person["last_name"],
        role=User.Role.PATIENT,
        clinic=clinic,
    )
    user.set_unusable_password()
    user.save()
    patient = Patient.objects.create(
        user=user,
        clinic=clinic,
        clinician=clinician,
        date_of_birth=person["date_of_birth"],
        timezone=person["timezone"],
        language=person["language"],
    )
    episode = Episode.objects.create(patient=patient, **read.episode)
    assessments: dict[str, AssessmentRecord] = {}
    for url, p in read.assessments.items():
        assessments[url] = AssessmentRecord.objects.create(
            episode=episode,
            kind=p["kind"],
            intake=p["intake"],
            assessment=p["assessment"],
            triage_level=p["triage_level"],
            engine_version=p["engine_version"],
            content_version=p["content_version"],
            created_at=_instant(p["created_at"]),
            created_by=by,
        )
    check_ins: dict[str, CheckIn] = {}
    for url, p in read.check_ins.items():
        check_ins[url] = CheckIn.objects.create(
            patient=patient,
            episode=episode,
            day=dt.date.fromisoformat(p["day"]),
            nprs=p["nprs"],
            psfs=p["psfs"],
            odi=p["odi"],
            rmdq=p["rmdq"],
            red_flag_screen=p["red_flag_screen"],
            triage=p["triage"],
            triage_level=p["triage_level"],
            created_at=_instant(p["created_at"]),
        )
    plans: dict[str, PlanRecord] = {}
    logs: list[ExerciseLog] = []
    for url, entry in read.plans.items():
        p = entry.payload
        published_at = _instant(p["published_at"]) if p["published_at"] else None
        plan = PlanRecord.objects.create(
            episode=episode,
            assessment=assessments[entry.assessment],
            version=p["version"],
            plan=p["plan"],
            status=p["status"],
            engine_version=p["engine_version"],
            content_version=p["content_version"],
            created_at=_instant(p["created_at"]),
            created_by=by,
            published_at=published_at,
            published_by=by if published_at else None,
            blocked_by=check_ins[entry.blocked_by] if entry.blocked_by else None,
        )
        plans[url] = plan
        PlanOverride.objects.bulk_create(
            PlanOverride(
                plan=plan,
                path=o["path"],
                before=o["before"],
                after=o["after"],
                reason=o["reason"],
                by=by,
                at=_instant(o["at"]),
            )
            for o in p["overrides"]
        )
        logs += [
            ExerciseLog(
                patient=patient,
                plan=plan,
                logged_at=_instant(g.pop("logged_at")),
                day=dt.date.fromisoformat(g.pop("day")),
                **g,
            )
            for g in (dict(log) for log in p["exercise_logs"])
        ]
    ExerciseLog.objects.bulk_create(logs, batch_size=500)
    visits: dict[str, Visit] = {}
    for url, v in read.visits.items():
        visits[url] = Visit.objects.create(
            episode=episode,
            clinician=clinician,
            plan=plans[v.plan] if v.plan else None,
            starts_at=v.starts_at,
            status=v.status,
        )
    for visit_url, p in read.notes:
        SessionNote.objects.create(
            visit=visits[visit_url],
            subjective=p["subjective"],
            objective=p["objective"],
            assessment=p["assessment"],
            plan=p["plan"],
            techniques=p["techniques"],
            red_flag_screen=p["red_flag_screen"],
            triage=p["triage"],
            triage_level=p["triage_level"],
            created_at=_instant(p["created_at"]),
            created_by=by,
        )
    _audit(
        who=by,
        action=AuditEntry.Action.CREATE,
        obj=episode,
        at=now,
        patient=patient,
        detail={
            "fhir_import": {
                "assessments": len(assessments),
                "check_ins": len(check_ins),
                "plans": len(plans),
                "exercise_logs": len(logs),
                "visits": len(visits),
                "session_notes": len(read.notes),
            }
        },
    )
    return episode


# --- the round-trip comparison ------------------------------------------------------------------

STAFF = "(clinician)"


def comparable(bundle: Mapping[str, Any]) -> dict[str, Any]:
    """The bundle with what must differ between two databases replaced (module docstring):
    resource ids and fullUrls by "<resourceType>/<n>", the bundle id, and staff names."""
    labels: dict[str, str] = {}
    counts: dict[str, int] = {}
    for entry in bundle.get("entry") or []:
        resource = entry["resource"]
        kind = resource["resourceType"]
        counts[kind] = counts.get(kind, 0) + 1
        label = f"{kind}/{counts[kind]}"
        labels[entry["fullUrl"]] = label
        labels[resource["id"]] = label

    def walk(value: Any) -> Any:
        if isinstance(value, Mapping):
            out = {k: walk(v) for k, v in value.items()}
            if out.get("type") == "Practitioner" and "reference" not in out:
                out["display"] = STAFF
            return out
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, str):
            return labels.get(value, value)
        return value

    result: dict[str, Any] = walk(bundle)
    result["id"] = "bundle"
    return result
