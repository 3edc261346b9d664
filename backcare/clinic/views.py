"""The clinician's pages: the caseload dashboard with its alerts, a patient's page, and inviting
a patient (docs/guides/caseload.md).

Only the clinic's clinicians and administrators may see them (anonymous: the sign-in page; a
patient: 403); a patient of another clinic is 404, because every lookup goes through
``for_user``. Reads of health data write one audit entry per page view
(``actions.record_read``). The alerts are ``backcare.care.alerts`` (the engine's rules); the
charts are ``backcare.care.charts``. Writes go through ``backcare.care.actions``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Avg, Count, F, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backcare.accounts.access import clinic_staff
from backcare.accounts.models import Invitation, User
from backcare.care import actions, alerts, charts, stamps
from backcare.care.models import (
    AssessmentRecord,
    CheckIn,
    Clinic,
    Episode,
    ExerciseLog,
    Patient,
    PlanRecord,
    Visit,
)
from backcare.clinic.forms import InviteForm
from backcare.engine.intake import OdiAnswers, PsfsItem, RmdqAnswers
from backcare.engine.scoring import (
    Instrument,
    Status,
    change_rule,
    score_odi,
    score_psfs,
    score_rmdq,
)
from backcare.engine.validation import parse_document
from backcare.pagecache import render_cached

PAGE_SIZE = 50


def _now() -> dt.datetime:
    """The current time (the tests move it)."""
    return timezone.now()


def link(name: str, **kwargs: Any) -> str:
    """The URL of ``name``, or "" while that page does not exist yet (another helper's)."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _staff(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # clinic_staff checked it
    return user


STAGES = {
    "invited": gettext_lazy("Invited: no password yet"),
    "waiting": gettext_lazy("Waiting for the intake"),
    "assessed": gettext_lazy("Assessed: no plan published"),
    "on_plan": gettext_lazy("On a plan"),
    "discharged": gettext_lazy("Discharged"),
}

LEVELS = {
    "emergency": gettext_lazy("Emergency"),
    "urgent": gettext_lazy("Urgent"),
    "soon": gettext_lazy("Soon"),
    "routine": gettext_lazy("Routine referral"),
    "physio": gettext_lazy("Physical therapy"),
    "self_care": gettext_lazy("Self-care"),
}


# --- the caseload dashboard ---------------------------------------------------------------------


@require_GET
@never_cache
@clinic_staff
def dashboard(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    clinic = stamps.clinic_of_staff(user.clinic_id or 0)  # with its change stamp, one query
    if clinic is None:
        raise Http404("no clinic")
    zone = ZoneInfo(clinic.timezone)
    now = _now()
    default_who = "mine" if user.role == User.Role.CLINICIAN else "all"
    who = request.GET.get("who", default_who)
    who = who if who in ("mine", "all") else default_who
    kind = request.GET.get("kind", "")
    kind = kind if kind in alerts.Kind.__members__.values() else ""
    query = request.GET.get("q", "").strip()[:100]

    filters = {"who": who, "kind": kind, "q": query}
    # What the page shows changes only with an audited change in the clinic (every write goes
    # through care/actions.py) or with time (review due, nothing logged for 7 days, the next
    # visit): the rendering is cached under that stamp, so a caseload that has not changed is
    # served without reading it again (docs/benchmarks.md, "Web").
    key = (
        user.pk, user.role, user.get_full_name(), clinic.pk, clinic.name, clinic.timezone,
        tuple(filters.items()), request.GET.get("page", ""), clinic.change_stamp,  # type: ignore[attr-defined]
        _fresh_until(now),
    )  # fmt: skip

    def build() -> dict[str, Any]:
        context = _caseload_context(user, clinic, zone, now, filters, request.GET.get("page"))
        _CASELOAD_SIZES.put(key, context["total"])
        return context

    response = render_cached(request, "clinic/dashboard.html", build, key=key,
                             cache=_DASHBOARD_PAGES)  # fmt: skip
    actions.record_read(by=user, obj=clinic, patient=None, now=now,
                        detail={"view": "caseload", "patients": _CASELOAD_SIZES.get(key)})  # fmt: skip
    return response


# How fresh the time-dependent parts of a cached caseload are (the next visit, a review that
# falls due, seven days without a log): a cached page is used for at most this long.
CASELOAD_FRESH_MINUTES = 5


def _fresh_until(now: dt.datetime) -> dt.datetime:
    """``now`` rounded down to CASELOAD_FRESH_MINUTES: part of a cached caseload's key."""
    bucket = now.replace(second=0, microsecond=0)
    return bucket - dt.timedelta(minutes=bucket.minute % CASELOAD_FRESH_MINUTES)


def _caseload_context(
    user: User,
    clinic: Clinic,
    zone: ZoneInfo,
    now: dt.datetime,
    filters: dict[str, str],
    page_number: str | None,
) -> dict[str, Any]:
    """Everything the caseload page shows: every patient's status (sorted by what needs
    attention), the page of rows asked for, and the count of each alert."""
    who, kind, query = filters["who"], filters["kind"], filters["q"]
    patients = Patient.objects.for_user(user).select_related("user", "clinician")
    if who == "mine":
        patients = patients.filter(clinician=user)
    for word in query.split():
        patients = patients.filter(
            Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
            | Q(user__email__icontains=word)
        )
    statuses = alerts.caseload(list(patients), now=now, catalog=actions.content().catalog)
    counts = Counter(k for s in statuses for k in s.kinds)
    if kind:
        statuses = [s for s in statuses if kind in s.kinds]
    page = Paginator(statuses, PAGE_SIZE).get_page(page_number)
    rows = [_row(s, zone, show_clinician=who == "all") for s in page]
    return {
        "clinic": clinic,
        "rows": rows,
        "page": page,
        "total": len(statuses),
        "filters": {"who": who, "kind": kind, "q": query},
        "query_string": urlencode({k: v for k, v in filters.items() if v}),
        "kinds": [
            {"value": r.kind.value, "label": r.label, "count": counts.get(r.kind, 0)}
            for r in alerts.RULES
        ],
        "show_clinician": who == "all",
        "is_clinician": user.role == User.Role.CLINICIAN,
    }


# Rendered dashboards (about 75 KB each for 50 rows), per worker process.
_DASHBOARD_PAGES: alerts.LruCache[Hashable, str] = alerts.LruCache(200)
_CASELOAD_SIZES: alerts.LruCache[Hashable, int] = alerts.LruCache(200)


def _row(status: alerts.PatientStatus, zone: ZoneInfo, *, show_clinician: bool) -> dict[str, Any]:
    patient = status.patient
    return {
        "patient": patient,
        "name": str(patient),
        "url": reverse("clinic:patient", kwargs={"patient_id": patient.pk}),
        "stage": str(STAGES[status.stage]),
        "alerts": status.alerts,
        "last_nprs": status.last_nprs,
        "last_check_in": status.last_check_in,
        "adherence": status.adherence,
        "adherence_week": status.adherence_week,
        "next_visit": status.next_visit.astimezone(zone) if status.next_visit else None,
        "triage": str(LEVELS.get(status.triage_level or "", "")) or None,
        "triage_level": status.triage_level,
        "clinician": str(patient.clinician.get_full_name() or patient.clinician.username)
        if show_clinician
        else "",
    }


# --- inviting a patient ------------------------------------------------------------------------


def _clinicians(clinic_id: int) -> list[User]:
    return list(
        User.objects.filter(clinic_id=clinic_id, role=User.Role.CLINICIAN, is_active=True).order_by(
            "last_name", "first_name", "username"
        )
    )


@require_http_methods(["GET", "POST"])
@never_cache
@clinic_staff
def invite(request: HttpRequest) -> HttpResponse:
    """The form; on success the page with the one-time link (rendered, not redirected: the
    token is shown once and stored nowhere in clear, so there is nothing to redirect to)."""
    user = _staff(request)
    clinic = Clinic.objects.get(pk=user.clinic_id or 0)
    now = _now()
    clinicians = _clinicians(clinic.pk)
    today = now.astimezone(ZoneInfo(clinic.timezone)).date()
    initial = {"timezone": clinic.timezone}
    if user.role == User.Role.CLINICIAN:
        initial["clinician"] = str(user.pk)
    form = InviteForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        clinic=clinic,
        clinicians=clinicians,
        today=today,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation, token = actions.invite_patient(
                by=user,
                email=data["email"],
                timezone=data["timezone"],
                first_name=data["first_name"].strip(),
                last_name=data["last_name"].strip(),
                clinician=form.clinician_user(),
                date_of_birth=data["date_of_birth"],
                now=now,
            )
        except ValidationError as err:  # the time zone, checked again by the action
            form.add_error("timezone", err.messages[0])
        except actions.ActionRefused as err:
            email_problems = {
                _("There is already an account for that email address."),
                _("An email address is needed to send the invitation."),
            }  # actions.invite_patient's messages about the email address
            form.add_error("email" if str(err) in email_problems else None, str(err))
        else:
            patient = Patient.objects.select_related("user").get(user_id=invitation.user_id)
            return _invited_page(request, patient, invitation, token, clinic, created=True)
    form.mark_errors()
    return render(
        request,
        "clinic/invite.html",
        {"form": form, "clinic": clinic, "has_clinicians": bool(clinicians)},
        status=200,
    )


def _invited_page(
    request: HttpRequest,
    patient: Patient,
    invitation: Invitation,
    token: str | None,
    clinic: Clinic,
    *,
    created: bool = False,
) -> HttpResponse:
    accept = link("accounts:accept_invitation", token=token) if token else ""
    response = render(
        request,
        "clinic/invited.html",
        {
            "patient": patient,
            "invitation": invitation,
            "token": token,
            "link": request.build_absolute_uri(accept) if accept else "",
            "expires_at": invitation.expires_at.astimezone(ZoneInfo(clinic.timezone)),
            "expired": not invitation.is_usable(_now()),
            "created": created,
            "clinic": clinic,
            "has_password": patient.user.has_usable_password(),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@never_cache
@clinic_staff
def invited(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The patient's invitation: when it expires, whether it was used, and renewing it. The
    link itself is shown only once, right after it was made."""
    user = _staff(request)
    patient = get_object_or_404(
        Patient.objects.for_user(user).select_related("user", "clinic"), pk=patient_id
    )
    invitation = Invitation.objects.filter(user_id=patient.user_id).order_by("-created_at").first()
    if invitation is None:
        messages.info(request, _("This patient has no invitation."))
        return redirect("clinic:patient", patient_id=patient.pk)
    return _invited_page(request, patient, invitation, None, patient.clinic)


@require_POST
@clinic_staff
def renew_invitation(request: HttpRequest, patient_id: int) -> HttpResponse:
    """A new one-time link (the old one stops working), shown once."""
    user = _staff(request)
    patient = get_object_or_404(
        Patient.objects.for_user(user).select_related("user", "clinic"), pk=patient_id
    )
    try:
        invitation, token = actions.renew_invitation(patient=patient, by=user)
    except actions.ActionRefused as err:
        messages.error(request, str(err))
        return redirect("clinic:patient", patient_id=patient.pk)
    return _invited_page(request, patient, invitation, token, patient.clinic, created=True)


# --- the patient page --------------------------------------------------------------------------


@require_GET
@never_cache
@clinic_staff
def patient(request: HttpRequest, patient_id: int) -> HttpResponse:
    user = _staff(request)
    patient = get_object_or_404(
        Patient.objects.for_user(user).select_related("user", "clinician", "clinic"),
        pk=patient_id,
    )
    now = _now()
    clinic_zone = ZoneInfo(patient.clinic.timezone)
    episodes = list(patient.episodes.order_by("-opened_on", "-id"))
    episode = next((e for e in episodes if e.status == Episode.Status.ACTIVE), None)
    episode = episode or (episodes[0] if episodes else None)
    status = alerts.caseload(
        [patient], now=now, catalog=actions.content().catalog, all_sessions=True
    )[0]

    context: dict[str, Any] = {
        "patient": patient,
        "status": status,
        "stage": STAGES[status.stage],
        "episode": episode,
        "episodes": episodes,
        "triage": LEVELS.get(status.triage_level or ""),
        "links": {
            "reassess": link("clinic_care:reassess", patient_id=patient.pk),
            "discharge": link("clinic_care:discharge", patient_id=patient.pk),
        },
        "invitation": None,
    }
    if not patient.user.has_usable_password():
        invitation = (
            Invitation.objects.filter(user_id=patient.user_id).order_by("-created_at").first()
        )
        context["invitation"] = invitation
        if invitation is not None:
            context["invitation_expires"] = invitation.expires_at.astimezone(clinic_zone)
            context["invitation_expired"] = not invitation.is_usable(now)
    if episode is not None:
        context.update(_episode_context(episode, status, clinic_zone, now))
    actions.record_read(by=user, obj=patient, patient=patient, now=now,
                        detail={"view": "patient"})  # fmt: skip
    return render(request, "clinic/patient.html", context)


def _episode_context(
    episode: Episode, status: alerts.PatientStatus, zone: ZoneInfo, now: dt.datetime
) -> dict[str, Any]:
    assessments = list(episode.assessments.order_by("created_at", "id"))
    plans = list(
        episode.plans.filter(
            status__in=[PlanRecord.Status.PUBLISHED, PlanRecord.Status.DRAFT]
        ).order_by("-version")
    )
    check_ins = list(
        CheckIn.objects.filter(episode=episode)
        .order_by("day", "created_at")
        .values("id", "day", "nprs", "psfs", "odi", "rmdq", "triage", "triage_level")
    )
    log_days = list(
        ExerciseLog.objects.filter(plan__episode=episode)
        .values("day")
        .annotate(
            sessions=Count("id"),
            done=Count("id", filter=Q(done=True)),
            pain=Avg("pain_during"),
            spread=Count("id", filter=Q(symptoms_spread=True)),
            hard=Count("id", filter=Q(difficulty=ExerciseLog.Difficulty.HARD)),
        )
        .order_by("day")
    )
    visits = list(
        Visit.objects.filter(episode=episode)
        .annotate(note_pk=F("note__id"), note_level=F("note__triage_level"))
        .select_related("clinician")
        .order_by("starts_at")
    )
    latest = assessments[-1] if assessments else None
    first = next((a for a in assessments if a.kind == AssessmentRecord.Kind.INTAKE), None)
    scored = [_check_in_scores(row) for row in check_ins]
    return {
        "assessment": _assessment(latest) if latest else None,
        "assessments": [
            {
                "record": a,
                "kind": a.get_kind_display(),
                "level": LEVELS.get(a.triage_level, a.triage_level),
                "at": a.created_at.astimezone(zone),
            }
            for a in assessments
        ],
        "plans": [_plan(p) for p in plans],
        # The first draft (after an intake sent from home), or a new one after a published plan.
        "can_draft": bool(
            latest
            and episode.status == Episode.Status.ACTIVE
            and not any(p.status == PlanRecord.Status.DRAFT for p in plans)
        ),
        "charts": _charts(first, scored, log_days, status),
        "timeline": _timeline(assessments, scored, log_days, visits, zone),
        "upcoming": [_visit(v, zone) for v in visits if v.starts_at >= now],
        "past": [_visit(v, zone) for v in reversed(visits) if v.starts_at < now],
        "adherence": status.step.adherence if status.step else (),
        "changes": [
            {
                "instrument": c.instrument.value.upper(),
                "baseline": c.baseline,
                "follow_up": c.follow_up,
                "on": c.follow_up_on,
                "verdict": _label(c.verdict.value),
            }
            for c in (status.step.changes if status.step else ())
        ],
    }


# --- the assessment, as the CLI report shows it (engine/report.py) ------------------------------

_INSTRUMENTS = {
    "nprs": gettext_lazy("Pain (NPRS)"),
    "odi": gettext_lazy("Oswestry Disability Index (ODI)"),
    "rmdq": gettext_lazy("Roland-Morris (RMDQ)"),
    "startback": gettext_lazy("STarT Back"),
    "psfs": gettext_lazy("Patient-Specific Functional Scale (PSFS)"),
    "fabq": gettext_lazy("Fear-Avoidance Beliefs (FABQ)"),
}


def _label(value: object) -> str:
    return str(value).replace("_", " ")


def _score(key: str, s: Mapping[str, Any]) -> tuple[str, str]:
    """The score and its band in words, from backcare-assessment/1 (as report._score_line)."""
    if s["status"] == "not_scored":
        return _("not scored"), s.get("reason") or ""
    if key == "nprs":
        return f"{s['value']}/10", ""
    if key == "odi":
        return f"{s['percent']:g} %", _("%(band)s disability (ODI %(variant)s)") % {
            "band": _label(s["band"]),
            "variant": s["variant"],
        }
    if key == "rmdq":
        return f"{s['total']}/24", ""
    if key == "startback":
        return f"{s['total']}/9", _("%(risk)s risk; psychosocial %(psy)s/5") % {
            "risk": _label(s["risk"]),
            "psy": s["psychosocial"],
        }
    if key == "psfs":
        shown = "; ".join(
            f"{a['activity']} {a['score'] if a['score'] is not None else '-'}"
            for a in s["activities"]
        )
        return f"{s['mean']:g}/10", shown
    flags = "; ".join(flag["meaning"] for flag in s.get("flags", []))
    pa = "-" if s["physical_activity"] is None else s["physical_activity"]
    work = "-" if s["work"] is None else s["work"]
    return _("physical activity %(pa)s/24, work %(work)s/42") % {"pa": pa, "work": work}, flags


def _assessment(record: AssessmentRecord) -> dict[str, Any]:
    doc = record.assessment
    scores = doc.get("scores", {})
    classification = doc["classification"]
    radicular = {True: _("yes"), False: _("no"), None: _("unknown")}[classification["radicular"]]
    return {
        "record": record,
        "kind": record.get_kind_display(),
        "assessed_on": doc["assessed_on"],
        "triage": doc["triage"],
        "flags": [
            {**flag, "condition": _label(flag["condition"]), "level": _label(flag["level"])}
            for flag in doc["triage"]["flags"]
        ],
        "level": LEVELS.get(doc["triage"]["level"], doc["triage"]["level"]),
        "scores": [
            {"name": name, "key": key, "value": value, "band": band}
            for key, name in _INSTRUMENTS.items()
            if key in scores
            for value, band in [_score(key, scores[key])]
        ],
        "stage": _label(doc["stage"]) if doc.get("stage") else _("unknown (onset not given)"),
        "facts": [
            (_("Pathway"), _label(classification["pathway"])),
            (_("ICF category"), _label(classification["icf"])),
            (
                _("Treatment subgroup"),
                _label(classification["tbc"]) if classification["tbc"] else _("none fits yet"),
            ),
            (_("Directional preference"), _label(classification["directional_preference"])),
            (_("Radicular"), radicular),
        ],
        "causes": [
            {"cause": _label(c["cause"]), "reasons": c["reasons"]}
            for c in classification["likely_causes"]
        ],
        "reasons": classification["reasons"],
        "missing": classification.get("missing_findings", []),
        "engine_version": doc["engine_version"],
        "content_version": doc["content_version"],
    }


def _plan(record: PlanRecord) -> dict[str, Any]:
    doc = record.plan
    return {
        "record": record,
        "status": record.get_status_display(),
        "is_draft": record.status == PlanRecord.Status.DRAFT,
        "url": link("clinic_care:plan", plan_id=record.pk),
        "doc": doc,
        "level": LEVELS.get(doc["triage_level"], doc["triage_level"]),
        "home": doc["home_programme"],
        "course": doc["course"],
        "education": doc["education"],
        "techniques": doc["clinic_techniques"],
        "excluded": doc["excluded"],
        "why": doc["why"],
    }


# --- check-ins, logs and charts ----------------------------------------------------------------


def _check_in_scores(row: Mapping[str, Any]) -> dict[str, Any]:
    """A check-in's scores (the engine's scoring, as progression reads them)."""
    odi = psfs = rmdq = None
    if row["odi"]:
        result = score_odi(parse_document(OdiAnswers, row["odi"]))
        odi = None if result.status is Status.NOT_SCORED else result.percent
    if row["rmdq"]:
        rmdq = score_rmdq(parse_document(RmdqAnswers, row["rmdq"])).total
    if row["psfs"]:
        psfs = score_psfs(tuple(parse_document(PsfsItem, item) for item in row["psfs"])).mean
    return {**row, "odi_percent": odi, "rmdq_total": rmdq, "psfs_mean": psfs,
            "level": LEVELS.get(row["triage_level"], row["triage_level"])}  # fmt: skip


def _baseline_score(first: AssessmentRecord | None, key: str, field: str) -> float | None:
    if first is None:
        return None
    score = first.assessment.get("scores", {}).get(key)
    if not score or score.get("status") == "not_scored":
        return None
    value = score.get(field)
    return float(value) if value is not None else None


def _charts(
    first: AssessmentRecord | None,
    check_ins: Sequence[Mapping[str, Any]],
    log_days: Sequence[Mapping[str, Any]],
    status: alerts.PatientStatus,
) -> list[dict[str, Any]]:
    out = []
    base_nprs = _baseline_score(first, "nprs", "value")
    pain = charts.Series(_("Pain now (check-ins)"),
                         [(c["day"], float(c["nprs"])) for c in check_ins if c["nprs"] is not None])  # fmt: skip
    during = charts.Series(
        _("Pain during exercise (daily mean)"),
        [(d["day"], round(float(d["pain"]), 1)) for d in log_days if d["pain"] is not None],
    )
    bands, references = [], []
    if base_nprs is not None:
        references.append(
            charts.Reference(base_nprs, _("baseline %(n)s") % {"n": f"{base_nprs:g}"})
        )
        mcid = change_rule(Instrument.NPRS).points or 0  # Childs 2005 [src]; clinical-facts §1.1
        if base_nprs - mcid >= 0:
            bands.append(charts.Band(0, base_nprs - mcid, _("improved by 2 or more")))
    series = [pain, during]
    out.append({
        "id": "chart-pain",
        "title": _("Pain, 0 to 10"),
        "svg": charts.line_chart(
            series, y_min=0, y_max=10, y_label=_("NPRS 0-10"), title=_("Pain over time"),
            description=_("Pain at each check-in and during exercise; lower is better. The "
                          "shaded band is a change from baseline that matters (2 points)."),
            bands=bands, references=references, chart_id="chart-pain"),
        "table": charts.line_table(series, caption=_("Pain over time"), x_label=_("Day")),
    })  # fmt: skip
    base_odi = _baseline_score(first, "odi", "percent")
    odi = charts.Series(_("ODI %"), [(c["day"], float(c["odi_percent"]))
                                     for c in check_ins if c["odi_percent"] is not None])  # fmt: skip
    base_psfs = _baseline_score(first, "psfs", "mean")
    psfs = charts.Series(_("PSFS mean x10"), [(c["day"], float(c["psfs_mean"]) * 10)
                                              for c in check_ins if c["psfs_mean"] is not None])  # fmt: skip
    refs = []
    if base_odi is not None:
        refs.append(charts.Reference(base_odi, _("ODI baseline %(n)s %%") % {"n": f"{base_odi:g}"}))
    if base_psfs is not None:
        refs.append(
            charts.Reference(base_psfs * 10, _("PSFS baseline %(n)s") % {"n": f"{base_psfs:g}"})
        )
    out.append({
        "id": "chart-function",
        "title": _("Function"),
        "svg": charts.line_chart(
            [odi, psfs], y_min=0, y_max=100, y_label=_("0-100"), title=_("Function over time"),
            description=_("ODI disability percent (lower is better) and the PSFS mean times "
                          "ten (higher is better) at each check-in."),
            references=refs, chart_id="chart-function"),
        "table": charts.line_table([odi, psfs], caption=_("Function over time"), x_label=_("Day")),
    })  # fmt: skip
    weeks = status.step.adherence if status.step else ()
    bars = [
        charts.Bar(_("week %(n)s") % {"n": w.week}, float(w.percent),
                   _("%(p)s %%") % {"p": w.percent})
        for w in weeks
    ]  # fmt: skip
    out.append({
        "id": "chart-adherence",
        "title": _("Home sessions done"),
        "svg": charts.bar_chart(
            bars, y_min=0, y_max=100, y_label=_("% of prescribed sessions"),
            title=_("Home sessions done each week"),
            description=_("The share of the prescribed home sessions done in each complete week "
                          "of the plan; the dashed line is 50 %."),
            references=[charts.Reference(50, _("50 %"))], chart_id="chart-adherence"),
        "table": charts.bar_table(bars, caption=_("Home sessions done each week"),
                                  label_header=_("Week"), value_header=_("Done")),
    })  # fmt: skip
    return out


def _timeline(
    assessments: Sequence[AssessmentRecord],
    check_ins: Sequence[Mapping[str, Any]],
    log_days: Sequence[Mapping[str, Any]],
    visits: Sequence[Visit],
    zone: ZoneInfo,
) -> list[dict[str, Any]]:
    """Everything that happened, newest first."""
    items: list[dict[str, Any]] = []
    for a in assessments:
        items.append({"day": a.created_at.astimezone(zone).date(), "order": 0,
                      "kind": a.get_kind_display(),
                      "text": _("Triage: %(level)s") % {
                          "level": LEVELS.get(a.triage_level, a.triage_level)}})  # fmt: skip
    for c in check_ins:
        parts = []
        if c["nprs"] is not None:
            parts.append(_("pain %(n)s/10") % {"n": c["nprs"]})
        if c["odi_percent"] is not None:
            parts.append(_("ODI %(n)s %%") % {"n": f"{c['odi_percent']:g}"})
        if c["rmdq_total"] is not None:
            parts.append(_("RMDQ %(n)s/24") % {"n": c["rmdq_total"]})
        if c["psfs_mean"] is not None:
            parts.append(_("PSFS %(n)s/10") % {"n": f"{c['psfs_mean']:g}"})
        parts.append(_("red-flag screen: %(level)s") % {"level": c["level"]})
        items.append({"day": c["day"], "order": 1, "kind": _("Check-in"),
                      "text": ", ".join(str(p) for p in parts),
                      "alert": alerts.needs_doctor(c["triage_level"])})  # fmt: skip
    for d in log_days:
        text = _("%(done)s of %(n)s sessions done") % {"done": d["done"], "n": d["sessions"]}
        if d["pain"] is not None:
            text += ", " + _("pain during %(p)s/10") % {"p": f"{d['pain']:.1f}".removesuffix(".0")}
        if d["hard"]:
            text += ", " + _("%(n)s hard") % {"n": d["hard"]}
        if d["spread"]:
            text += ", " + _("symptoms spread down the leg")
        items.append({"day": d["day"], "order": 2, "kind": _("Exercises"), "text": text,
                      "alert": bool(d["spread"])})  # fmt: skip
    for v in visits:
        if v.status == Visit.Status.PLANNED:
            continue
        items.append({"day": v.starts_at.astimezone(zone).date(), "order": 3,
                      "kind": _("Visit"), "text": v.get_status_display()})  # fmt: skip
    items.sort(key=lambda i: (i["day"], i["order"]), reverse=True)
    return items


def _visit(visit: Visit, zone: ZoneInfo) -> dict[str, Any]:
    note_pk = getattr(visit, "note_pk", None)
    return {
        "visit": visit,
        "at": visit.starts_at.astimezone(zone),
        "status": visit.get_status_display(),
        "clinician": visit.clinician.get_full_name() or visit.clinician.username,
        "has_note": note_pk is not None,
        "note_level": LEVELS.get(getattr(visit, "note_level", None) or ""),
        "url": link("clinic_care:session_note", visit_id=visit.pk),
    }
