"""An episode of care as a FHIR R4 Bundle (docs/fhir.md is the profile).

``episode_bundle(episode)`` returns a ``collection`` Bundle (a set of resources, not a signed
clinical document: there is no Composition to attest), as plain JSON-ready dicts:

- Patient, EpisodeOfCare, Condition (low back pain with its classification), a Goal per PSFS
  activity of the baseline intake;
- a Questionnaire per instrument given (our own item summaries, labelled; never a clinic's
  licensed wording) and, for every intake, reassessment and check-in, a QuestionnaireResponse
  per instrument and an Observation per score (LOINC where clinical-facts gives a code);
- a CarePlan per plan version with its activities (home exercises with their dose, the clinic
  visits), an Appointment per visit and a Procedure per technique of each session note;
- a DocumentReference per backcare record (intake + assessment, plan, check-in, session note)
  carrying the original backcare documents as JSON, so that another backcare can import the
  bundle without loss (fhir_import.py).

Resource ids are UUIDs derived from the database keys (uuid5), so the same episode exports the
same bundle every time; fullUrls are ``urn:uuid:<id>``. Reading only: the caller audits the read
(the API view, the ``export_fhir`` command).
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings

from backcare.accounts.models import User
from backcare.care.actions import content
from backcare.care.models import (
    AssessmentRecord,
    CheckIn,
    Episode,
    ExerciseLog,
    PlanOverride,
    PlanRecord,
    Visit,
)
from backcare.engine.intake import Questionnaires
from backcare.engine.questionnaires import (
    SUMMARY_LABEL,
    AnswerOption,
    Item,
    Questionnaire,
    Wording,
    load_questionnaires,
)
from backcare.engine.scoring import Instrument, score_all, scores_to_json
from backcare.engine.validation import parse_document

from .terminology import (
    BASE,
    BCP47,
    CONDITION_CATEGORY,
    CONDITION_CLINICAL,
    CS_ACTIVITY,
    CS_ANSWER,
    CS_CAUSE,
    CS_CONDITION,
    CS_DIRECTION,
    CS_DOCUMENT,
    CS_EXERCISE,
    CS_ICF,
    CS_PATHWAY,
    CS_SCORES,
    CS_STAGE,
    CS_TBC,
    CS_TECHNIQUE,
    DOCUMENT_KINDS,
    LOINC,
    LOINC_NPRS,
    LOINC_ODI,
    LOINC_RISK_ANSWERS,
    LOINC_STARTBACK_DISTRESS,
    LOINC_STARTBACK_RISK,
    LOINC_STARTBACK_TOTAL,
    OBSERVATION_CATEGORY,
    PARTICIPATION_TYPE,
    SCORE_CODES,
    UCUM,
    sd,
)

__all__ = ["BUNDLE_PROFILE", "NAMESPACE", "episode_bundle", "questionnaire_url", "resource_id"]

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, BASE)
BUNDLE_PROFILE = f"{BASE}/StructureDefinition/episode-bundle"
# backcare stores when a visit starts, not how long it lasts; FHIR R4 (invariant app-3) wants an
# end for a booked appointment, so we export a nominal slot. Not a clinical rule.
VISIT_SLOT_MINUTES = 45

EXT_TIMEZONE = sd("timezone")
EXT_CLASSIFICATION = sd("classification")
EXT_WORDING = sd("wording")
EXT_DOSE = sd("exercise-dose")
EXT_CARE_PLAN = sd("care-plan")
EXT_BLOCKED_BY = sd("blocked-by")
EXT_PARAMETERS = sd("technique-parameters")

# The order of the instruments in a bundle (and of a record's responses and scores).
INSTRUMENTS = ("nprs", "odi", "rmdq", "startback", "psfs", "fabq")
VISIT_STATUS = {
    "planned": "booked",
    "attended": "fulfilled",
    "cancelled": "cancelled",
    "missed": "noshow",
}
PLAN_STATUS = {"draft": "draft", "published": "active", "superseded": "revoked"}
ACTIVITY_STATUS = {
    "draft": "not-started",
    "active": "in-progress",
    "completed": "completed",
    "revoked": "stopped",
}
RISK_DISPLAY = {"low": "Low", "medium": "Medium", "high": "High"}  # LOINC LL3578-3 displays


def resource_id(kind: str, key: object) -> str:
    """The stable id of a resource: a UUID from the kind and the backcare key it stands for."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))


def _url(rid: str) -> str:
    return f"urn:uuid:{rid}"


def _ref(rid: str) -> dict[str, str]:
    return {"reference": _url(rid)}


def questionnaire_url(questionnaire_id: str) -> str:
    """The canonical URL of one of our Questionnaires (a file of content/questionnaires)."""
    return f"{BASE}/Questionnaire/{questionnaire_id}"


def _instant(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat()


def _coding(system: str, code: str, display: str | None = None) -> dict[str, str]:
    out = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def _concept(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"coding": [_coding(system, code, display)]}
    if display:
        out["text"] = display
    return out


def _practitioner(user: User) -> dict[str, str]:
    """A clinician named in a bundle: by name only (they are staff of the exporting clinic)."""
    return {"type": "Practitioner", "display": user.get_full_name() or user.username}


def canonical_json(document: Any) -> bytes:
    """The bytes of a document in a DocumentReference: sorted keys, no spaces, UTF-8."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


@functools.lru_cache(maxsize=4)
def _questionnaires(folder: Path) -> dict[str, Questionnaire]:
    """Our own questionnaires (item summaries written by backcare), never licensed wording."""
    return load_questionnaires(folder)


def our_questionnaires() -> dict[str, Questionnaire]:
    found = _questionnaires(Path(settings.BACKCARE_CONTENT_DIR) / "questionnaires")
    assert all(q.wording is Wording.SUMMARY for q in found.values())
    return found


def _answer_code(value: int | bool | str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --- the bundle -----------------------------------------------------------------------------


class _Export:
    """Builds the entries of one episode's bundle from rows already loaded."""

    def __init__(self, episode: Episode) -> None:
        self.episode = episode
        self.patient = episode.patient
        self.patient_ref = _ref(resource_id("patient", self.patient.pk))
        self.condition_id = resource_id("condition", episode.pk)
        self.questionnaires = our_questionnaires()
        self.used: dict[str, Questionnaire] = {}
        self.entries: list[dict[str, Any]] = []

    def add(self, resource: dict[str, Any]) -> None:
        self.entries.append({"fullUrl": _url(resource["id"]), "resource": resource})

    # --- people and the episode ---------------------------------------------------------------

    def patient_resource(self) -> dict[str, Any]:
        user = self.patient.user
        resource: dict[str, Any] = {
            "resourceType": "Patient",
            "id": resource_id("patient", self.patient.pk),
            "extension": [{"url": EXT_TIMEZONE, "valueCode": self.patient.timezone}],
        }
        name: dict[str, Any] = {}
        if user.last_name:
            name["family"] = user.last_name
        if user.first_name:
            name["given"] = [user.first_name]
        if name:
            resource["name"] = [name]
        if user.email:
            resource["telecom"] = [{"system": "email", "value": user.email}]
        if self.patient.date_of_birth is not None:
            resource["birthDate"] = self.patient.date_of_birth.isoformat()
        resource["communication"] = [
            {"language": {"coding": [_coding(BCP47, self.patient.language)]}}
        ]
        return resource

    def episode_resource(self) -> dict[str, Any]:
        episode = self.episode
        period = {"start": episode.opened_on.isoformat()}
        if episode.closed_on is not None:
            period["end"] = episode.closed_on.isoformat()
        return {
            "resourceType": "EpisodeOfCare",
            "id": resource_id("episode", episode.pk),
            "status": "active" if episode.status == Episode.Status.ACTIVE else "finished",
            "patient": self.patient_ref,
            "period": period,
            "diagnosis": [{"condition": _ref(self.condition_id)}],
        }

    def condition(self, records: Sequence[AssessmentRecord]) -> dict[str, Any]:
        active = self.episode.status == Episode.Status.ACTIVE
        resource: dict[str, Any] = {
            "resourceType": "Condition",
            "id": self.condition_id,
            "clinicalStatus": {
                "coding": [_coding(CONDITION_CLINICAL, "active" if active else "inactive")]
            },
            "category": [{"coding": [_coding(CONDITION_CATEGORY, "problem-list-item")]}],
            "code": _concept(CS_CONDITION, "low-back-pain", "Low back pain"),
            "subject": self.patient_ref,
        }
        if not records:
            return resource
        first, latest = records[0], records[-1]
        days = (first.intake.get("episode") or {}).get("days_since_onset")
        if days is not None:
            assessed = dt.date.fromisoformat(first.assessment["assessed_on"])
            resource["onsetDateTime"] = (assessed - dt.timedelta(days=days)).isoformat()
        resource["recordedDate"] = _instant(first.created_at)
        assessment = latest.assessment
        if assessment.get("stage"):
            resource["stage"] = [{"summary": _concept(CS_STAGE, assessment["stage"])}]
        c = assessment["classification"]
        parts: list[dict[str, Any]] = [
            {"url": "pathway", "valueCoding": _coding(CS_PATHWAY, c["pathway"])},
            {"url": "icf-category", "valueCoding": _coding(CS_ICF, c["icf"])},
        ]
        if c.get("tbc"):
            parts.append({"url": "tbc-subgroup", "valueCoding": _coding(CS_TBC, c["tbc"])})
        parts.append(
            {
                "url": "directional-preference",
                "valueCoding": _coding(CS_DIRECTION, c["directional_preference"]),
            }
        )
        if c.get("radicular") is not None:
            parts.append({"url": "radicular", "valueBoolean": c["radicular"]})
        parts += [
            {"url": "likely-cause", "valueCoding": _coding(CS_CAUSE, cause["cause"])}
            for cause in c.get("likely_causes") or []
        ]
        resource["extension"] = [{"url": EXT_CLASSIFICATION, "extension": parts}]
        reasons = [str(r) for r in c.get("reasons") or [] if str(r).strip()]
        if reasons:
            resource["note"] = [{"text": reason} for reason in reasons]
        return resource

    def goals(self, records: Sequence[AssessmentRecord]) -> list[dict[str, Any]]:
        """One Goal per PSFS activity of the baseline: being able to do it again."""
        baseline = next((r for r in records if r.kind == AssessmentRecord.Kind.INTAKE), None)
        if baseline is None:
            return []
        psfs = (baseline.intake.get("questionnaires") or {}).get("psfs") or []
        active = self.episode.status == Episode.Status.ACTIVE
        out = []
        for i, entry in enumerate(psfs):
            activity = str(entry.get("activity") or "").strip()
            if not activity:
                continue
            out.append(
                {
                    "resourceType": "Goal",
                    "id": resource_id("goal", f"{self.episode.pk}:{i}"),
                    "lifecycleStatus": "active" if active else "completed",
                    "description": {"text": activity},
                    "subject": self.patient_ref,
                    "startDate": self.episode.opened_on.isoformat(),
                    "expressedBy": self.patient_ref,
                    "addresses": [_ref(self.condition_id)],
                    "target": [
                        {
                            "measure": _concept(
                                CS_SCORES, "psfs-activity", SCORE_CODES["psfs-activity"]
                            )
                        }
                    ],
                }
            )
        return out

    # --- questionnaires, responses and scores ----------------------------------------------------

    def questionnaire_for(self, instrument: str, raw: Any) -> Questionnaire:
        wanted = Instrument(instrument)
        variant = (raw.get("variant") or "2.1a") if wanted is Instrument.ODI else None
        for q in self.questionnaires.values():
            if q.instrument is wanted and (variant is None or q.variant == variant):
                self.used[q.id] = q
                return q
        raise LookupError(f"no questionnaire in the content for {instrument} {variant or ''}")

    def responses(
        self, source: str, given: Mapping[str, Any], authored: dt.datetime
    ) -> dict[str, str]:
        """A QuestionnaireResponse per instrument given; returns their ids by instrument."""
        ids: dict[str, str] = {}
        for instrument in INSTRUMENTS:
            raw = given.get(instrument)
            if raw is None:
                continue
            q = self.questionnaire_for(instrument, raw)
            rid = resource_id("response", f"{source}:{instrument}")
            resource: dict[str, Any] = {
                "resourceType": "QuestionnaireResponse",
                "id": rid,
                "questionnaire": f"{questionnaire_url(q.id)}|{q.version}",
                "status": "completed",
                "subject": self.patient_ref,
                "authored": _instant(authored),
            }
            items = _response_items(q, instrument, raw)
            if items:
                resource["item"] = items
            self.add(resource)
            ids[instrument] = rid
        return ids

    def observations(
        self,
        source: str,
        scores: Mapping[str, Any],
        *,
        effective: str,
        issued: dt.datetime,
        responses: Mapping[str, str],
    ) -> None:
        for instrument in INSTRUMENTS:
            score = scores.get(instrument)
            if not score:
                continue
            for code, value, components in _score_values(instrument, score):
                status = "preliminary" if score.get("status") == "scored_review" else "final"
                resource: dict[str, Any] = {
                    "resourceType": "Observation",
                    "id": resource_id("observation", f"{source}:{code['code']}"),
                    "status": status,
                    "category": [{"coding": [_coding(OBSERVATION_CATEGORY, "survey")]}],
                    "code": {"coding": [code], "text": code["display"]},
                    "subject": self.patient_ref,
                    "effectiveDateTime": effective,
                    "issued": _instant(issued),
                    **value,
                }
                if instrument in responses:
                    resource["derivedFrom"] = [_ref(responses[instrument])]
                if components:
                    resource["component"] = components
                self.add(resource)

    def questionnaire_resources(self) -> list[dict[str, Any]]:
        return [_questionnaire(q) for _id, q in sorted(self.used.items())]

    # --- records as documents ---------------------------------------------------------------------

    def document(
        self,
        rid: str,
        kind: str,
        payload: Mapping[str, Any],
        *,
        date: dt.datetime,
        related: Sequence[str] = (),
    ) -> None:
        data = canonical_json(payload)
        resource: dict[str, Any] = {
            "resourceType": "DocumentReference",
            "id": rid,
            "status": "current",
            "docStatus": "final",
            "type": _concept(CS_DOCUMENT, kind, DOCUMENT_KINDS[kind]),
            "subject": self.patient_ref,
            "date": _instant(date),
            "content": [
                {
                    "attachment": {
                        "contentType": "application/json",
                        "data": base64.b64encode(data).decode("ascii"),
                        "hash": base64.b64encode(hashlib.sha1(data).digest()).decode("ascii"),
                        "title": f"{kind}.json",
                    }
                }
            ],
        }
        if related:
            resource["context"] = {"related": [_ref(r) for r in related]}
        self.add(resource)


def _response_items(q: Questionnaire, instrument: str, raw: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if instrument == "nprs":
        item = q.items[0]
        return [{"linkId": item.id, "text": item.text, "answer": [_answer(q, item, raw)]}]
    if instrument == "psfs":
        for item, entry in zip(q.items, raw, strict=False):
            children: list[dict[str, Any]] = [
                {"linkId": f"{item.id}.activity", "answer": [{"valueString": entry["activity"]}]}
            ]
            if entry.get("score") is not None:
                children.append(
                    {"linkId": f"{item.id}.score", "answer": [_answer(q, item, entry["score"])]}
                )
            out.append({"linkId": item.id, "text": item.text, "item": children})
        return out
    answers = raw.get("answers") or []
    for item, value in zip(q.items, answers, strict=False):
        if value is not None:
            out.append({"linkId": item.id, "text": item.text, "answer": [_answer(q, item, value)]})
    return out


def _answer(q: Questionnaire, item: Item, value: int | bool | str) -> dict[str, Any]:
    code = _answer_code(value)
    text = next((o.text for o in q.options_for(item) if _answer_code(o.value) == code), None)
    return {"valueCoding": _coding(CS_ANSWER, code, text)}


def _score_quantity(value: float, unit: str = "{score}") -> dict[str, Any]:
    return {"valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit}}


def _score_values(
    instrument: str, score: Mapping[str, Any]
) -> Iterable[tuple[dict[str, str], dict[str, Any], list[dict[str, Any]]]]:
    """(code, value, components) of every Observation a score gives; none for a missing value."""

    def ours(code: str) -> dict[str, str]:
        return _coding(CS_SCORES, code, SCORE_CODES[code])

    if instrument == "nprs" and score.get("value") is not None:
        yield _coding(LOINC, LOINC_NPRS, "Pain severity 0-10"), _score_quantity(score["value"]), []
    if instrument == "odi" and score.get("percent") is not None:
        # LOINC 97909-6 names the ODI (2.1a); the modified ODI gets our own code.
        if score.get("variant") == "modified":
            code = ours("odi-modified-percent")
        else:
            code = _coding(LOINC, LOINC_ODI, "Oswestry disability index score")
        yield code, _score_quantity(score["percent"], "%"), []
    if instrument == "rmdq" and score.get("total") is not None:
        yield ours("rmdq-total"), _score_quantity(score["total"]), []
    if instrument == "startback":
        if score.get("total") is not None:
            code = _coding(LOINC, LOINC_STARTBACK_TOTAL, "Total score [STarT Back]")
            yield code, _score_quantity(score["total"]), []
        if score.get("psychosocial") is not None:
            code = _coding(LOINC, LOINC_STARTBACK_DISTRESS, "Distress subscore [STarT Back]")
            yield code, _score_quantity(score["psychosocial"]), []
        if score.get("risk") is not None:
            risk = score["risk"]
            answer = _coding(LOINC, LOINC_RISK_ANSWERS[risk], RISK_DISPLAY[risk])
            code = _coding(LOINC, LOINC_STARTBACK_RISK, "STarT Back Screening risk level")
            yield code, {"valueCodeableConcept": {"coding": [answer], "text": risk}}, []
    if instrument == "psfs" and score.get("mean") is not None:
        components = [
            {
                "code": {"coding": [ours("psfs-activity")], "text": entry["activity"]},
                "valueInteger": entry["score"],
            }
            for entry in score.get("activities") or []
            if entry.get("score") is not None
        ]
        yield ours("psfs-mean"), _score_quantity(score["mean"]), components
    if instrument == "fabq":
        for key, code_name in (("physical_activity", "fabq-physical-activity"),
                               ("work", "fabq-work")):  # fmt: skip
            if score.get(key) is not None:
                yield ours(code_name), _score_quantity(score[key]), []


def _questionnaire(q: Questionnaire) -> dict[str, Any]:
    label = [{"url": EXT_WORDING, "valueCode": Wording.SUMMARY.value}]
    name = "Backcare" + "".join(part.capitalize() for part in q.id.split("_"))
    items = []
    for item in q.items:
        if q.instrument is Instrument.PSFS:
            items.append(
                {
                    "linkId": item.id,
                    "text": item.text,
                    "type": "group",
                    "extension": label,
                    "item": [
                        {
                            "linkId": f"{item.id}.activity",
                            "text": "Activity (in your own words)",
                            "type": "string",
                        },
                        {
                            "linkId": f"{item.id}.score",
                            "text": "How well you can do it now",
                            "type": "choice",
                            "answerOption": _options(q.options_for(item)),
                        },
                    ],
                }
            )
        else:
            items.append(
                {
                    "linkId": item.id,
                    "text": item.text,
                    "type": "choice",
                    "extension": label,
                    "answerOption": _options(q.options_for(item)),
                }
            )
    return {
        "resourceType": "Questionnaire",
        "id": resource_id("questionnaire", f"{q.id}|{q.version}"),
        "extension": label,
        "url": questionnaire_url(q.id),
        "version": q.version,
        "name": name,
        "title": q.name,
        "status": "active",
        "subjectType": ["Patient"],
        "description": f"{SUMMARY_LABEL}. {q.wording_note}",
        "copyright": f"{q.licence_holder}. {q.licence_note}",
        "item": items,
    }


def _options(options: Sequence[AnswerOption]) -> list[dict[str, Any]]:
    return [
        {"valueCoding": _coding(CS_ANSWER, _answer_code(o.value), o.text or None)} for o in options
    ]


def _check_in_given(check_in: CheckIn) -> dict[str, Any]:
    fields = {
        "nprs": check_in.nprs,
        "psfs": check_in.psfs,
        "odi": check_in.odi,
        "rmdq": check_in.rmdq,
    }
    return {k: v for k, v in fields.items() if v is not None}


def check_in_scores(check_in: CheckIn) -> dict[str, Any]:
    """The scores of a check-in's answers, by the engine (as in an assessment's "scores")."""
    return scores_to_json(score_all(parse_document(Questionnaires, _check_in_given(check_in))))


# --- the plan and the clinic --------------------------------------------------------------------


def _dose_text(item: Mapping[str, Any]) -> str:
    d = item["dose"]
    each = " each side" if d.get("per_side") else ""
    parts = [f"level {item['level']}", f"{d['sets']} x {d['reps']}{each}"]
    if d.get("hold_seconds"):
        parts.append(f"hold {d['hold_seconds']} s")
    if d.get("rest_seconds"):
        parts.append(f"rest {d['rest_seconds']} s")
    parts.append(f"{d['times_a_day']} a day, {d['days_a_week']} days a week")
    return ", ".join(parts)


def _dose_extension(item: Mapping[str, Any]) -> dict[str, Any]:
    d = item["dose"]
    parts: list[dict[str, Any]] = [{"url": "level", "valueInteger": item["level"]}]
    for key in ("sets", "reps", "hold_seconds", "rest_seconds", "times_a_day", "days_a_week"):
        parts.append({"url": key.replace("_", "-"), "valueInteger": d[key]})
    parts.append({"url": "per-side", "valueBoolean": bool(d.get("per_side"))})
    return {"url": EXT_DOSE, "extension": parts}


def _care_plan(
    export: _Export,
    record: PlanRecord,
    *,
    goals: Sequence[str],
    visits: Sequence[Visit],
    active: bool,
) -> dict[str, Any]:
    plan = record.plan
    status = PLAN_STATUS[record.status]
    if status == "active" and not active:
        status = "completed"
    activity_status = ACTIVITY_STATUS[status]
    activities: list[dict[str, Any]] = []
    for item in plan.get("home_programme") or []:
        activities.append(
            {
                "detail": {
                    "extension": [_dose_extension(item)],
                    "code": _concept(CS_EXERCISE, item["exercise_id"], item["name"]),
                    "status": activity_status,
                    "scheduledTiming": {
                        "repeat": {
                            "frequency": item["dose"]["times_a_day"],
                            "period": 1,
                            "periodUnit": "d",
                        }
                    },
                    "description": _dose_text(item),
                }
            }
        )
    course = plan.get("course") or {}
    if course.get("visits") and course.get("sessions_per_week"):
        activities.append(
            {
                "detail": {
                    "kind": "Appointment",
                    "code": _concept(CS_ACTIVITY, "clinic-visits", "Clinic visits of the course"),
                    "status": activity_status,
                    "scheduledTiming": {
                        "repeat": {
                            "count": len(course["visits"]),
                            "frequency": course["sessions_per_week"],
                            "period": 1,
                            "periodUnit": "wk",
                        }
                    },
                    "description": f"{course['sessions_per_week']} clinic visits a week for "
                    f"{course['weeks']} weeks",
                }
            }
        )
    activities += [{"reference": _ref(resource_id("visit", v.pk))} for v in visits]
    resource: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": resource_id("plan", record.pk),
        "status": status,
        "intent": "plan",
        "title": f"Plan version {record.version}",
        "subject": export.patient_ref,
        "period": {"start": plan["start"]},
        "created": _instant(record.created_at),
        "addresses": [_ref(export.condition_id)],
        "supportingInfo": [
            _ref(resource_id("plan-document", record.pk)),
            _ref(resource_id("assessment", record.assessment_id)),
        ],
    }
    if record.blocked_by_id is not None:
        blocked = {
            "url": EXT_BLOCKED_BY,
            "valueReference": _ref(resource_id("check-in", record.blocked_by_id)),
        }
        resource["extension"] = [blocked]
    if goals:
        resource["goal"] = [_ref(g) for g in goals]
    if activities:
        resource["activity"] = activities
    return resource


def _appointment(export: _Export, visit: Visit) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Appointment",
        "id": resource_id("visit", visit.pk),
        "status": VISIT_STATUS[visit.status],
        "description": "Physiotherapy visit",
        "start": _instant(visit.starts_at),
        "end": _instant(visit.starts_at + dt.timedelta(minutes=VISIT_SLOT_MINUTES)),
        "participant": [
            {
                "type": [{"coding": [_coding(PARTICIPATION_TYPE, "SBJ", "subject")]}],
                "actor": export.patient_ref,
                "status": "accepted",
            },
            {
                "type": [{"coding": [_coding(PARTICIPATION_TYPE, "ATND", "attender")]}],
                "actor": _practitioner(visit.clinician),
                "status": "accepted",
            },
        ],
    }
    if visit.plan_id is not None:
        resource["extension"] = [
            {"url": EXT_CARE_PLAN, "valueReference": _ref(resource_id("plan", visit.plan_id))}
        ]
    return resource


def _procedures(export: _Export, visit: Visit) -> list[dict[str, Any]]:
    note = visit.note
    names = {t.id: t.name for t in content().techniques}
    out = []
    for i, used in enumerate(note.techniques):
        technique_id = used["technique_id"]
        name = names.get(technique_id, technique_id)
        resource: dict[str, Any] = {
            "resourceType": "Procedure",
            "id": resource_id("procedure", f"{note.pk}:{i}"),
            "status": "completed",
            "code": _concept(CS_TECHNIQUE, technique_id, name),
            "subject": export.patient_ref,
            "performedDateTime": _instant(visit.starts_at),
            "performer": [{"actor": _practitioner(note.created_by)}],
            "reasonReference": [_ref(export.condition_id)],
            "report": [_ref(resource_id("session-note", note.pk))],
        }
        if used.get("parameters"):
            resource["extension"] = [
                {"url": EXT_PARAMETERS, "valueString": canonical_json(used["parameters"]).decode()}
            ]
        if visit.plan_id is not None:
            resource["basedOn"] = [_ref(resource_id("plan", visit.plan_id))]
        if used.get("response"):
            resource["note"] = [{"text": used["response"]}]
        out.append(resource)
    return out


# --- the payloads of the DocumentReferences: what import reads back -----------------------------


def _assessment_payload(r: AssessmentRecord) -> dict[str, Any]:
    return {
        "kind": r.kind,
        "intake": r.intake,
        "assessment": r.assessment,
        "triage_level": r.triage_level,
        "engine_version": r.engine_version,
        "content_version": r.content_version,
        "created_at": _instant(r.created_at),
    }


def _check_in_payload(c: CheckIn) -> dict[str, Any]:
    return {
        "day": c.day.isoformat(),
        "nprs": c.nprs,
        "psfs": c.psfs,
        "odi": c.odi,
        "rmdq": c.rmdq,
        "red_flag_screen": c.red_flag_screen,
        "triage": c.triage,
        "triage_level": c.triage_level,
        "created_at": _instant(c.created_at),
    }


def _plan_payload(
    p: PlanRecord, overrides: Sequence[PlanOverride], logs: Sequence[ExerciseLog]
) -> dict[str, Any]:
    return {
        "version": p.version,
        "status": p.status,
        "plan": p.plan,
        "engine_version": p.engine_version,
        "content_version": p.content_version,
        "created_at": _instant(p.created_at),
        "published_at": _instant(p.published_at) if p.published_at else None,
        "overrides": [
            {
                "path": o.path,
                "before": o.before,
                "after": o.after,
                "reason": o.reason,
                "at": _instant(o.at),
            }
            for o in overrides
        ],
        "exercise_logs": [
            {
                "exercise_id": g.exercise_id,
                "day": g.day.isoformat(),
                "done": g.done,
                "sets": g.sets,
                "reps": g.reps,
                "pain_during": g.pain_during,
                "difficulty": g.difficulty,
                "pain_settled_next_morning": g.pain_settled_next_morning,
                "symptoms_spread": g.symptoms_spread,
                "level": g.level,
                "logged_at": _instant(g.logged_at),
            }
            for g in logs
        ],
    }


def _note_payload(visit: Visit) -> dict[str, Any]:
    n = visit.note
    return {
        "subjective": n.subjective,
        "objective": n.objective,
        "assessment": n.assessment,
        "plan": n.plan,
        "techniques": n.techniques,
        "red_flag_screen": n.red_flag_screen,
        "triage": n.triage,
        "triage_level": n.triage_level,
        "created_at": _instant(n.created_at),
    }


def _has_note(visit: Visit) -> bool:
    try:
        visit.note  # noqa: B018 - the reverse one-to-one raises when there is none
    except Visit.note.RelatedObjectDoesNotExist:
        return False
    return True


def episode_bundle(episode: Episode) -> dict[str, Any]:
    """The episode as a FHIR R4 ``collection`` Bundle (JSON-ready dicts), the same every time.

    A constant number of queries (seven) whatever the size of the episode.
    """
    episode = Episode.objects.select_related("patient__user").get(pk=episode.pk)
    records = list(episode.assessments.order_by("created_at", "id"))
    check_ins = list(episode.check_ins.order_by("day", "created_at", "id"))
    plans = list(episode.plans.order_by("version", "id"))
    overrides = list(PlanOverride.objects.filter(plan__episode=episode).order_by("at", "id"))
    logs = list(
        ExerciseLog.objects.filter(plan__episode=episode).order_by("day", "logged_at", "id")
    )
    visits = list(
        episode.visits.select_related("clinician", "note", "note__created_by").order_by(
            "starts_at", "id"
        )
    )
    export = _Export(episode)
    active = episode.status == Episode.Status.ACTIVE

    head = [export.patient_resource(), export.episode_resource(), export.condition(records)]
    goals = export.goals(records)
    head += goals
    for record in records:
        rid = resource_id("assessment", record.pk)
        export.document(rid, "assessment", _assessment_payload(record), date=record.created_at)
        source = f"assessment:{record.pk}"
        given = record.intake.get("questionnaires") or {}
        responses = export.responses(source, given, record.created_at)
        export.observations(
            source,
            record.assessment.get("scores") or {},
            effective=record.assessment["assessed_on"],
            issued=record.created_at,
            responses=responses,
        )
    for check_in in check_ins:
        rid = resource_id("check-in", check_in.pk)
        export.document(rid, "check-in", _check_in_payload(check_in), date=check_in.created_at)
        source = f"check-in:{check_in.pk}"
        given = _check_in_given(check_in)
        responses = export.responses(source, given, check_in.created_at)
        export.observations(
            source,
            check_in_scores(check_in),
            effective=check_in.day.isoformat(),
            issued=check_in.created_at,
            responses=responses,
        )
    goal_ids = [g["id"] for g in goals]
    for plan in plans:
        export.document(
            resource_id("plan-document", plan.pk),
            "plan",
            _plan_payload(
                plan,
                [o for o in overrides if o.plan_id == plan.pk],
                [g for g in logs if g.plan_id == plan.pk],
            ),
            date=plan.created_at,
            related=[resource_id("plan", plan.pk)],
        )
        export.add(
            _care_plan(
                export,
                plan,
                goals=goal_ids,
                active=active,
                visits=[v for v in visits if v.plan_id == plan.pk],
            )
        )
    for visit in visits:
        export.add(_appointment(export, visit))
        if _has_note(visit):
            note_id = resource_id("session-note", visit.note.pk)
            export.document(
                note_id,
                "session-note",
                _note_payload(visit),
                date=visit.note.created_at,
                related=[resource_id("visit", visit.pk)],
            )
            for procedure in _procedures(export, visit):
                export.add(procedure)

    entries = [{"fullUrl": _url(r["id"]), "resource": r} for r in head]
    entries += [{"fullUrl": _url(r["id"]), "resource": r} for r in export.questionnaire_resources()]
    entries += export.entries
    return {
        "resourceType": "Bundle",
        "id": resource_id("bundle", episode.pk),
        "meta": {"profile": [BUNDLE_PROFILE]},
        "type": "collection",
        "entry": entries,
    }
