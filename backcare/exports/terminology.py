"""The codes and statuses backcare's FHIR bundles may carry, and a check of a bundle against them.

``fhir.resources`` checks structure only: it accepts ``"status": "not-a-status"`` and any code
in any system (shared/deps.md). These tables are the terminology half of the profile
(docs/fhir.md): every code system we emit with the codes allowed in it, and the status codes
allowed per resource type. ``check_terminology`` walks a bundle and lists every code, system or
status outside them; the tests run it on every export and the importer refuses a bundle that
fails it.

Sources of the external codes: LOINC codes and answer codes from clinical-facts §1.1, §1.2 and
§1.4 (loinc.org pages [src]); FHIR value sets from the R4 specification. No SNOMED CT code is
emitted: clinical-facts.md and design.md give none, and we do not invent codes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from backcare.engine.classification import Cause, DirectionalPreference, Icf, Pathway, Stage, Tbc
from backcare.engine.intake import Bothersome

# --- code systems -------------------------------------------------------------------------------

BASE = "https://backcare.example/fhir"  # the project's namespace for its own FHIR definitions
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
BCP47 = "urn:ietf:bcp:47"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"


def cs(name: str) -> str:
    """The URI of one of backcare's own code systems."""
    return f"{BASE}/CodeSystem/{name}"


def sd(name: str) -> str:
    """The URI of one of backcare's own extensions."""
    return f"{BASE}/StructureDefinition/{name}"


CS_CONDITION = cs("condition")
CS_STAGE = cs("stage")
CS_PATHWAY = cs("pathway")
CS_ICF = cs("icf-category")
CS_TBC = cs("tbc-subgroup")
CS_DIRECTION = cs("directional-preference")
CS_CAUSE = cs("likely-cause")
CS_SCORES = cs("scores")
CS_ANSWER = cs("answer")
CS_EXERCISE = cs("exercise")
CS_TECHNIQUE = cs("technique")
CS_ACTIVITY = cs("care-activity")
CS_DOCUMENT = cs("document")

# LOINC, exactly as the issue lists them and clinical-facts sources them.
LOINC_NPRS = "72514-3"  # Pain severity 0-10 verbal numeric rating; clinical-facts §1.1 [sec]
LOINC_ODI = "97909-6"  # Oswestry disability index score; clinical-facts §1.2 [src: loinc.org]
LOINC_STARTBACK_TOTAL = "91351-7"  # Total score [STarT Back]; clinical-facts §1.4 [src]
LOINC_STARTBACK_DISTRESS = "91350-9"  # Distress subscore [STarT Back]; §1.4 [src]
LOINC_STARTBACK_RISK = "91352-5"  # STarT Back Screening risk level; §1.4 [src]
# Answer list LL3578-3 of 91352-5; clinical-facts §1.4 [src: loinc.org]
LOINC_RISK_ANSWERS = {"low": "LA9194-7", "medium": "LA8982-6", "high": "LA9193-9"}

# Our own score codes: instruments (or parts) with no LOINC code in clinical-facts (§1.3 RMDQ,
# §1.5 PSFS, §1.6 FABQ: "LOINC: not found - gap"), and the modified ODI, which is not the
# instrument LOINC 97909-6 names.
SCORE_CODES: dict[str, str] = {
    "odi-modified-percent": "Modified ODI (Fritz & Irrgang 2001), percent",
    "rmdq-total": "Roland-Morris Disability Questionnaire total, 0-24",
    "psfs-mean": "Patient-Specific Functional Scale mean, 0-10",
    "psfs-activity": "Patient-Specific Functional Scale: one activity, 0-10",
    "fabq-physical-activity": "FABQ physical-activity subscale, 0-24",
    "fabq-work": "FABQ work subscale, 0-42",
}
DOCUMENT_KINDS: dict[str, str] = {
    "assessment": "backcare intake and assessment (backcare-intake/1, backcare-assessment/1)",
    "plan": "backcare plan record (backcare-plan/1) with its overrides and exercise logs",
    "check-in": "backcare check-in with its red-flag screen and triage",
    "session-note": "backcare session note (SOAP, techniques, red-flag re-screen)",
}
ACTIVITY_CODES: dict[str, str] = {
    "clinic-visits": "Clinic visits of the course",
}

_ANSWERS = {str(n) for n in range(11)} | {"true", "false"} | {b.value for b in Bothersome}

# Every code system we emit, with its allowed codes (None: any code of that system: exercise and
# technique ids come from the content, which a clinic may extend; a language is any BCP 47 tag.
# The importer checks technique ids against this installation's content).
CODE_SYSTEMS: dict[str, frozenset[str] | None] = {
    CS_CONDITION: frozenset({"low-back-pain"}),
    CS_STAGE: frozenset(s.value for s in Stage),
    CS_PATHWAY: frozenset(p.value for p in Pathway),
    CS_ICF: frozenset(i.value for i in Icf),
    CS_TBC: frozenset(t.value for t in Tbc),
    CS_DIRECTION: frozenset(d.value for d in DirectionalPreference),
    CS_CAUSE: frozenset(c.value for c in Cause),
    CS_SCORES: frozenset(SCORE_CODES),
    CS_ANSWER: frozenset(_ANSWERS),
    CS_EXERCISE: None,
    CS_TECHNIQUE: None,
    CS_ACTIVITY: frozenset(ACTIVITY_CODES),
    CS_DOCUMENT: frozenset(DOCUMENT_KINDS),
    LOINC: frozenset(
        {
            LOINC_NPRS,
            LOINC_ODI,
            LOINC_STARTBACK_TOTAL,
            LOINC_STARTBACK_DISTRESS,
            LOINC_STARTBACK_RISK,
            *LOINC_RISK_ANSWERS.values(),
        }
    ),
    UCUM: frozenset({"{score}", "%"}),
    BCP47: None,  # a language tag (Patient.communication)
    OBSERVATION_CATEGORY: frozenset({"survey"}),
    CONDITION_CLINICAL: frozenset({"active", "inactive"}),
    CONDITION_CATEGORY: frozenset({"problem-list-item"}),
    PARTICIPATION_TYPE: frozenset({"ATND", "SBJ"}),
}

# The status codes allowed per resource type (FHIR R4 value sets, narrowed to what we emit).
# Keys are dotted paths inside the resource; "[]" steps into every item of a list.
STATUSES: dict[str, dict[str, frozenset[str]]] = {
    "Bundle": {"type": frozenset({"collection"})},
    "Patient": {},
    "EpisodeOfCare": {"status": frozenset({"active", "finished"})},
    "Condition": {},
    "Questionnaire": {"status": frozenset({"active"})},
    "QuestionnaireResponse": {"status": frozenset({"completed"})},
    "Observation": {"status": frozenset({"final", "preliminary"})},
    "CarePlan": {
        "status": frozenset({"draft", "active", "revoked", "completed"}),
        "intent": frozenset({"plan"}),
        "activity[].detail.status": frozenset(
            {"not-started", "in-progress", "completed", "stopped"}
        ),
        "activity[].detail.kind": frozenset({"Appointment"}),
    },
    "Goal": {"lifecycleStatus": frozenset({"active", "completed"})},
    "Appointment": {
        "status": frozenset({"booked", "fulfilled", "cancelled", "noshow"}),
        "participant[].status": frozenset({"accepted"}),
    },
    "Procedure": {"status": frozenset({"completed"})},
    "DocumentReference": {
        "status": frozenset({"current"}),
        "docStatus": frozenset({"final"}),
    },
}


# --- the check ----------------------------------------------------------------------------------


def _show(values: frozenset[str]) -> str:
    return ", ".join(sorted(values))


def _at(resource: Mapping[str, Any], path: str, where: str) -> Iterator[tuple[str, Any]]:
    """Every value at the dotted ``path`` (with ``[]`` for lists) inside ``resource``."""
    head, _dot, rest = path.partition(".")
    many = head.endswith("[]")
    key = head.removesuffix("[]")
    if key not in resource:
        return
    value = resource[key]
    items = list(enumerate(value)) if many and isinstance(value, list) else [(None, value)]
    for i, item in items:
        here = f"{where}.{key}" + (f"[{i}]" if i is not None else "")
        if not rest:
            yield here, item
        elif isinstance(item, Mapping):
            yield from _at(item, rest, here)


def _codings(value: Any, where: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every Coding or coded Quantity (a mapping with a system and a code) inside ``value``."""
    if isinstance(value, Mapping):
        if "system" in value and "code" in value:
            yield where, value
        for key, item in value.items():
            yield from _codings(item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _codings(item, f"{where}[{i}]")


def check_terminology(bundle: Mapping[str, Any]) -> list[str]:
    """Every problem with the bundle's codes and statuses, as "path: what; allowed: ..." lines
    (an empty list when it passes). Structure is fhir.resources' job, not this one's."""
    problems: list[str] = []
    if bundle.get("resourceType") != "Bundle":
        return [f"resourceType: {bundle.get('resourceType')!r}; allowed: Bundle"]
    resources: list[tuple[str, Mapping[str, Any]]] = [("", bundle)]
    entries = bundle.get("entry") or []
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        resource = entry.get("resource") if isinstance(entry, Mapping) else None
        if isinstance(resource, Mapping):
            resources.append((f"entry[{i}].resource", resource))
    for where, resource in resources:
        kind = resource.get("resourceType")
        allowed = STATUSES.get(kind) if isinstance(kind, str) else None
        if allowed is None:
            problems.append(f"{where or '(bundle)'}.resourceType: {kind!r}; allowed: "
                            + _show(frozenset(STATUSES)))  # fmt: skip
            continue
        for path, codes in allowed.items():
            for here, value in _at(resource, path, where):
                if value not in codes:
                    problems.append(f"{here.lstrip('.')}: {value!r}; allowed: {_show(codes)}")
        if resource is bundle:
            continue
        for here, coding in _codings(resource, where):
            system, code = coding.get("system"), coding.get("code")
            if system not in CODE_SYSTEMS:
                known = _show(frozenset(CODE_SYSTEMS))
                problems.append(f"{here}.system: {system!r}; allowed: {known}")
                continue
            codes_allowed = CODE_SYSTEMS[system]
            if not isinstance(code, str) or not code.strip():
                problems.append(f"{here}.code: {code!r}; allowed: a code of {system}")
            elif codes_allowed is not None and code not in codes_allowed:
                problems.append(f"{here}.code: {code!r}; allowed in {system}: "
                                + _show(codes_allowed))  # fmt: skip
    return problems


def terminology_markdown() -> str:
    """The code systems and statuses as Markdown tables, generated from the tables above."""
    lines = ["| code system | allowed codes |", "|---|---|"]
    for system, codes in CODE_SYSTEMS.items():
        shown = _show(codes) if codes is not None else "any"
        lines.append(f"| `{system}` | {shown} |")
    lines += ["", "| resource | element | allowed |", "|---|---|---|"]
    for kind, paths in STATUSES.items():
        for path, codes in paths.items():
            lines.append(f"| {kind} | `{path}` | {_show(codes)} |")
    return "\n".join(lines) + "\n"
