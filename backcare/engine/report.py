"""The readable assessment report printed by ``backcare assess``.

It renders the ``backcare-assessment/1`` document itself, so the report can never say anything
the contract does not. Order follows what a clinician must see first: the triage level and
what to do, then the flags with their reasons, what was not asked, scores with bands, stage,
and the classification with its reasons.
"""

from __future__ import annotations

import textwrap
from typing import Any

from .assessment import Assessment, assessment_to_json
from .i18n import _

WIDTH = 78

_HEADLINES = {
    "emergency": _("EMERGENCY: go to an emergency department now"),
    "urgent": _("URGENT: see a doctor today or tomorrow"),
    "soon": _("SOON: see a doctor within about two weeks"),
    "routine": _("ROUTINE: a non-urgent medical referral; physical therapy may go on"),
    "physio": _("PHYSICAL THERAPY recommended"),
    "self_care": _("SELF-CARE: advice and a home programme"),
}

_INSTRUMENTS = {
    "nprs": _("Pain (NPRS)"),
    "odi": _("Oswestry (ODI)"),
    "rmdq": _("Roland-Morris (RMDQ)"),
    "startback": _("STarT Back"),
    "psfs": _("Patient-specific (PSFS)"),
    "fabq": _("Fear-avoidance (FABQ)"),
}


def _wrap(text: str, indent: str = "  ", first: str | None = None) -> list[str]:
    return textwrap.wrap(
        text,
        WIDTH,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent if first is None else " " * len(first),
    ) or [indent.rstrip()]


def _label(value: str) -> str:
    return value.replace("_", " ")


def _score_line(key: str, s: dict[str, Any]) -> str:
    if s["status"] == "not_scored":
        return _("not scored")
    if key == "nprs":
        return f"{s['value']}/10"
    if key == "odi":
        return f"{s['percent']:g} % ({_label(s['band'])}; version {s['variant']})"
    if key == "rmdq":
        return f"{s['total']}/24"
    if key == "startback":
        return f"{s['total']}/9, psychosocial {s['psychosocial']}/5, {s['risk']} risk"
    if key == "psfs":
        return f"{s['mean']:g}/10 " + _("average of {n} activities").format(n=s["rated"])
    return _("physical activity {pa}/24, work {work}/42").format(
        pa=_or_dash(s["physical_activity"]), work=_or_dash(s["work"])
    )


def _or_dash(value: object) -> str:
    return "-" if value is None else str(value)


def render_report(assessment: Assessment) -> str:
    doc = assessment_to_json(assessment)
    triage = doc["triage"]
    level = triage["level"]
    rule = "=" * WIDTH
    lines = [rule, *_wrap(_HEADLINES[level], "  "), rule]
    if "intake_id" in doc:
        lines.append(
            _("Intake {id}, assessed on {day}").format(id=doc["intake_id"], day=doc["assessed_on"])
        )
    else:
        lines.append(_("Assessed on {day}").format(day=doc["assessed_on"]))
    advice = triage["advice"]
    if "incomplete" in triage:
        incomplete = triage["incomplete"]
        lines += ["", *_wrap(incomplete, "  ", "! ")]
        advice = advice.removeprefix(incomplete).strip()
    lines += ["", _("What to do"), *_wrap(advice)]

    lines += ["", _("Red flags")]
    if triage["flags"]:
        for flag in triage["flags"]:
            lines.append(f"  ! {_label(flag['condition'])}, {flag['level']} ({flag['id']})")
            lines += _wrap(flag["reason"], "      ")
            lines += _wrap(
                _("Source: {source}").format(source=flag["source"]), "        ", "      "
            )
    else:
        lines.append("  " + _("None found in the answers given."))
    if triage["unanswered"]:
        lines += _wrap(
            _("Not answered: {fields}").format(fields=", ".join(triage["unanswered"])), "    ", "  "
        )
    if triage["reasons"]:
        lines += ["", _("Why this level")]
        for reason in triage["reasons"]:
            lines += _wrap(reason, "    ", "  - ")

    lines += ["", _("Scores")]
    scores = doc["scores"]
    if not scores:
        lines.append("  " + _("No questionnaires given."))
    for key, name in _INSTRUMENTS.items():
        if key in scores:
            s = scores[key]
            lines += _wrap(_score_line(key, s), " " * 28, f"  {name:<26}")
            if s.get("reason"):
                lines += _wrap(s["reason"], "      ")

    lines += [
        "",
        _("Stage: {stage}").format(stage=_label(doc["stage"] or _("unknown (onset not given)"))),
    ]

    c = doc["classification"]
    lines += ["", _("Classification (working hypotheses for care, not a diagnosis)")]
    tbc = c["tbc"]
    for label, value in (
        (_("Pathway"), c["pathway"]),
        (_("ICF category"), c["icf"]),
        (_("Treatment subgroup"), tbc if tbc else _("none fits yet")),
        (_("Directional preference"), c["directional_preference"]),
        (_("Radicular"), {True: _("yes"), False: _("no"), None: _("unknown")}[c["radicular"]]),
    ):
        lines.append(f"  {label:<26}{_label(str(value))}")
    if c["likely_causes"]:
        lines.append("  " + _("Likely causes:"))
        for cause in c["likely_causes"]:
            lines += _wrap(
                "; ".join(cause["reasons"]), "      ", f"    - {_label(cause['cause'])}: "
            )
    lines.append("  " + _("Why:"))  # classification always gives its reasons
    for reason in c["reasons"]:
        lines += _wrap(reason, "      ", "    - ")
    if c.get("missing_findings"):
        lines.append("  " + _("Findings that would decide more:"))
        for finding in c["missing_findings"]:
            lines += _wrap(finding, "      ", "    - ")

    lines += [
        "",
        *_wrap(
            _(
                "backcare supports clinical decisions; it does not diagnose. "
                "Engine {engine}, content {content}."
            ).format(engine=doc["engine_version"], content=doc["content_version"]),
            "",
        ),
    ]
    return "\n".join(lines) + "\n"
