"""The clinician's care pages: plan review (journey 3), session notes (journey 4), reassessment
and discharge (journey 5). Mounted at /clinic/ (namespace ``clinic_care``).

Who: the clinicians and the administrator of the patient's clinic. Anonymous people are sent to
sign in, patients get 403, and another clinic's records are 404 (every object is fetched through
``.for_user(request.user)``). Every write is an action of ``backcare.care.actions``; every page
view that shows health data writes one audit "read" entry (``actions.record_read``). Forms work
without JavaScript: plain POST, redirect after success, the page again with the messages beside
the fields and what was typed kept.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from backcare.accounts.access import clinic_staff
from backcare.accounts.models import User
from backcare.care import actions
from backcare.care.content import dose_sentence
from backcare.care.models import (
    AssessmentRecord,
    CheckIn,
    Episode,
    Patient,
    PlanOverride,
    PlanRecord,
    Visit,
)
from backcare.clinic import care_forms
from backcare.clinic.plan_edit import (
    compare_scores,
    discharge_plan,
    reassessment_document,
    suitable_alternatives,
    why_unsuitable,
)
from backcare.engine.assessment import assess
from backcare.engine.catalog import Level as DoseLevel
from backcare.engine.intake import Questionnaires, parse_intake
from backcare.engine.plan import HomeItem, Plan, parse_plan
from backcare.engine.scoring import Scores, score_all
from backcare.engine.triage import Level
from backcare.engine.validation import InvalidDocument, Problem, parse_document

# What a clinician does first, by the triage level of a re-screen (the engine's advice follows).
DOCTOR_HEADLINES: dict[Level, Any] = {
    Level.EMERGENCY: gettext_lazy("Emergency: send the patient to the emergency department now"),
    Level.URGENT: gettext_lazy("Urgent: the patient needs a doctor today or tomorrow"),
    Level.SOON: gettext_lazy("The patient needs a doctor soon, before more exercise"),
    Level.ROUTINE: gettext_lazy("Refer the patient to their doctor for a routine check"),
}


def _staff(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _patient_url(patient: Patient) -> str:
    """The clinic's patient page (another page of issue 5), else the reassessment page."""
    try:
        return reverse("clinic:patient", kwargs={"patient_id": patient.pk})
    except NoReverseMatch:
        return reverse("clinic_care:reassess", kwargs={"patient_id": patient.pk})


def _headline(level: Level) -> str:
    return str(DOCTOR_HEADLINES[level])


def _problems(error: InvalidDocument) -> list[str]:
    return [_("%(value)s is not allowed; %(allowed)s") % _problem_words(p) for p in error.problems]


def _problem_words(problem: Problem) -> dict[str, str]:
    """The value as the engine shows it, and what is allowed, without the document path."""
    text = str(problem).removeprefix(f"{problem.path or '(document)'}: ")
    return {
        "value": text.rsplit(" is not allowed; ", 1)[0],
        "allowed": problem.allowed.removeprefix("allowed: "),
    }


def _dose_words(item: HomeItem) -> str:
    level = DoseLevel(
        level=item.level,
        sets=item.dose.sets,
        reps=item.dose.reps,
        hold_seconds=item.dose.hold_seconds,
        rest_seconds=item.dose.rest_seconds,
        times_a_day=item.dose.times_a_day,
        days_a_week=item.dose.days_a_week,
        minutes=item.minutes,
    )
    return dose_sentence(level, per_side=item.dose.per_side)


def _patients(request: HttpRequest) -> QuerySet[Patient]:
    return Patient.objects.for_user(request.user).select_related("user", "clinic")


# --- plan review ----------------------------------------------------------------------------------


def _plans(request: HttpRequest) -> QuerySet[PlanRecord]:
    return (
        PlanRecord.objects.for_user(request.user)
        .select_related(
            "episode__patient__user",
            "episode__patient__clinic",
            "assessment",
            "created_by",
            "published_by",
        )
        .prefetch_related(
            Prefetch(
                "overrides",
                queryset=PlanOverride.objects.select_related("by").order_by("at", "id"),
            )
        )
    )


@dataclass
class ItemView:
    """One home-programme item on the plan page, with its edit forms (draft plans only)."""

    index: int
    item: HomeItem
    dose: str
    levels: int
    swap: care_forms.SwapForm | None = None
    level: care_forms.LevelForm | None = None
    dose_form: care_forms.DoseForm | None = None
    alternatives: int = 0


def _item_views(
    record: PlanRecord,
    plan: Plan,
    bound: dict[str, forms.Form],
) -> list[ItemView]:
    catalog = actions.content().catalog
    draft = record.status == PlanRecord.Status.DRAFT
    alternatives: dict[int, Any] = {}
    if draft and plan.home_programme:
        intake = parse_intake(record.assessment.intake)
        assessed_on = dt.date.fromisoformat(record.assessment.assessment["assessed_on"])
        assessment = assess(intake, today=assessed_on, content_version=catalog.version)
        alternatives = suitable_alternatives(plan, intake, assessment, catalog)
    views = []
    for index, item in enumerate(plan.home_programme):
        exercise = catalog.exercises.get(item.exercise_id)
        levels = len(exercise.levels) if exercise else item.level
        view = ItemView(index, item, _dose_words(item), levels)
        if draft:
            options = [a.exercise for a in alternatives.get(index, ())]
            view.alternatives = len(options)
            hidden = {"exercise": item.exercise_id}
            prefix = f"item{index}"
            swap = bound.get(f"swap-{index}")
            view.swap = (
                swap
                if isinstance(swap, care_forms.SwapForm)
                else care_forms.SwapForm(
                    prefix=f"{prefix}-swap", initial=hidden, alternatives=options
                )
            )
            level = bound.get(f"level-{index}")
            view.level = (
                level
                if isinstance(level, care_forms.LevelForm)
                else care_forms.LevelForm(
                    prefix=f"{prefix}-level",
                    initial={**hidden, "level": str(item.level)},
                    levels=levels,
                )
            )
            dose = bound.get(f"dose-{index}")
            view.dose_form = (
                dose
                if isinstance(dose, care_forms.DoseForm)
                else care_forms.DoseForm(
                    prefix=f"{prefix}-dose",
                    initial={
                        **hidden,
                        **{name: getattr(item.dose, name) for name in care_forms.DOSE_FIELDS},
                    },
                )
            )
        views.append(view)
    return views


def _render_plan(
    request: HttpRequest,
    record: PlanRecord,
    *,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    bound = bound or {}
    patient = record.episode.patient
    actions.record_read(by=_staff(request), obj=record, patient=patient)
    plan = parse_plan(record.plan)
    draft = record.status == PlanRecord.Status.DRAFT
    sessions = bound.get("sessions")
    if draft and sessions is None:
        sessions = care_forms.SessionsForm(
            prefix="course", initial={"sessions_per_week": plan.course.sessions_per_week}
        )
    failed = next((f for f in bound.values() if f.errors), None)
    aims = [
        (name.replace("_", " "), getattr(plan.aims, name), round(getattr(plan.aims, name) * 100))
        for name in ("pain_reduction", "mobility", "strength", "posture", "prevention")
    ]
    return render(
        request,
        "clinic/plan.html",
        {
            "record": record,
            "patient": patient,
            "clinic": patient.clinic,
            "plan": plan,
            "draft": draft,
            "items": _item_views(record, plan, bound),
            "sessions_form": sessions if draft else None,
            "failed": failed,
            "aims": aims,
            "overrides": list(record.overrides.all()),
            "episode_active": record.episode.status == Episode.Status.ACTIVE,
            "patient_url": _patient_url(patient),
        },
        status=status,
    )


@require_http_methods(["GET"])
@clinic_staff
def plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    record = get_object_or_404(_plans(request), pk=plan_id)
    return _render_plan(request, record)


@require_POST
@clinic_staff
def generate_plan(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_object_or_404(_patients(request), pk=patient_id)
    episode = Episode.objects.filter(patient=patient, status=Episode.Status.ACTIVE).first()
    if episode is None:
        messages.error(request, _("This patient has no open episode of care to plan for."))
        return redirect(_patient_url(patient))
    try:
        record = actions.generate_plan(episode=episode, by=_staff(request))
    except actions.ActionRefused as refused:
        messages.error(request, str(refused))
        return redirect(_patient_url(patient))
    messages.success(request, _("A new draft plan was made. Review it, then publish it."))
    return redirect("clinic_care:plan", plan_id=record.pk)


def _override(record: PlanRecord, by: User, path: str, value: Any, reason: str) -> None:
    """One override; on a refusal the record's document is put back as it was (override_plan
    changes it in place before it checks)."""
    before = copy.deepcopy(record.plan)
    try:
        actions.override_plan(plan=record, by=by, path=path, value=value, reason=reason)
    except (InvalidDocument, actions.ActionRefused):
        record.plan = before
        raise


def _refusal_to_form(form: forms.Form, field: str, error: Exception) -> None:
    if isinstance(error, InvalidDocument):
        for problem in error.problems:
            name = problem.path.rsplit(".", 1)[-1]
            target = name if name in form.fields else field
            form.add_error(
                target, _("%(value)s is not allowed; %(allowed)s") % _problem_words(problem)
            )
    else:
        form.add_error(field, str(error))


@require_POST
@clinic_staff
def override(request: HttpRequest, plan_id: int) -> HttpResponse:
    record = get_object_or_404(_plans(request), pk=plan_id)
    by = _staff(request)
    if record.status != PlanRecord.Status.DRAFT:
        messages.error(request, _("Only a draft plan can be changed; make a new draft first."))
        return redirect("clinic_care:plan", plan_id=record.pk)
    change = request.POST.get("change", "")
    if change == "sessions":
        form: forms.Form = care_forms.SessionsForm(request.POST, prefix="course")
        if form.is_valid():
            try:
                _override(record, by, "course.sessions_per_week",
                          form.cleaned_data["sessions_per_week"], form.cleaned_data["reason"])  # fmt: skip
            except (InvalidDocument, actions.ActionRefused) as error:
                _refusal_to_form(form, "sessions_per_week", error)
            else:
                messages.success(request, _("Clinic sessions a week changed."))
                return redirect("clinic_care:plan", plan_id=record.pk)
        return _render_plan(request, record, bound={"sessions": form})
    kind, _sep, number = change.partition("-")
    items = record.plan.get("home_programme") or []
    if kind not in ("swap", "level", "dose") or not number.isdigit() or int(number) >= len(items):
        messages.error(request, _("That change is not one this page offers; nothing was changed."))
        return redirect("clinic_care:plan", plan_id=record.pk)
    index = int(number)
    item = items[index]
    prefix = f"item{index}-{kind}"
    catalog = actions.content().catalog
    exercise = catalog.exercises.get(item["exercise_id"])
    if kind == "swap":
        form = care_forms.SwapForm(request.POST, prefix=prefix)
    elif kind == "level":
        form = care_forms.LevelForm(
            request.POST, prefix=prefix, levels=len(exercise.levels) if exercise else item["level"]
        )
    else:
        form = care_forms.DoseForm(request.POST, prefix=prefix)
    if form.is_valid():
        if form.cleaned_data.get("exercise") not in ("", item["exercise_id"]):
            form.add_error(None, _("The plan changed since this page was shown; check it again."))
        else:
            saved = _apply_item_change(record, by, form, kind, index)
            if saved is not None:
                messages.success(request, saved)
                return redirect("clinic_care:plan", plan_id=record.pk)
    if isinstance(form, care_forms.SwapForm):
        _keep_swap_choices(form, record, index)
    return _render_plan(request, record, bound={f"{kind}-{index}": form})


def _keep_swap_choices(form: care_forms.SwapForm, record: PlanRecord, index: int) -> None:
    """The swap list again, with what was chosen kept (even when it was refused)."""
    catalog = actions.content().catalog
    plan = parse_plan(record.plan)
    intake = parse_intake(record.assessment.intake)
    assessed_on = dt.date.fromisoformat(record.assessment.assessment["assessed_on"])
    assessment = assess(intake, today=assessed_on, content_version=catalog.version)
    options = [a.exercise for a in suitable_alternatives(plan, intake, assessment, catalog)[index]]
    chosen = catalog.exercises.get(str(form.data.get(form.add_prefix("exercise_id"), "")))
    if chosen is not None and chosen not in options:
        options.append(chosen)
    widget = form.fields["exercise_id"].widget
    assert isinstance(widget, forms.Select)
    widget.choices = [("", _("Choose an exercise")), *((e.id, e.name) for e in options)]


def _apply_item_change(
    record: PlanRecord, by: User, form: forms.Form, kind: str, index: int
) -> str | None:
    """Make the change; the success message, or None with the refusal put on the form."""
    data = form.cleaned_data
    reason = data["reason"]
    base = f"home_programme[{index}]"
    if kind == "swap":
        catalog = actions.content().catalog
        chosen = catalog.exercises.get(data["exercise_id"])
        if chosen is None:
            form.add_error("exercise_id", _("Choose an exercise of the library."))
            return None
        plan = parse_plan(record.plan)
        intake = parse_intake(record.assessment.intake)
        assessed_on = dt.date.fromisoformat(record.assessment.assessment["assessed_on"])
        assessment = assess(intake, today=assessed_on, content_version=catalog.version)
        why = why_unsuitable(chosen, index, plan, intake, assessment, catalog)
        if why is not None:
            form.add_error(
                "exercise_id",
                _("%(name)s is not suitable for this patient: %(why)s. Choose one from the list.")
                % {"name": chosen.name, "why": why},
            )
            return None
        try:
            _override(record, by, f"{base}.exercise_id", chosen.id, reason)
        except (InvalidDocument, actions.ActionRefused) as error:
            _refusal_to_form(form, "exercise_id", error)
            return None
        return _("Exercise swapped for %(name)s.") % {"name": chosen.name}
    if kind == "level":
        try:
            _override(record, by, f"{base}.level", data["level"], reason)
        except (InvalidDocument, actions.ActionRefused) as error:
            _refusal_to_form(form, "level", error)
            return None
        return _("Level changed.")
    item = record.plan["home_programme"][index]
    changed = [name for name in care_forms.DOSE_FIELDS if data[name] != item["dose"][name]]
    if not changed:
        form.add_error(None, _("Nothing was changed: change at least one number of the dose."))
        return None
    current = ""
    try:
        with transaction.atomic():  # every number of the dose, or none of them
            for current in changed:
                _override(record, by, f"{base}.dose.{current}", data[current], reason)
    except (InvalidDocument, actions.ActionRefused) as error:
        record.refresh_from_db(fields=["plan"])
        _refusal_to_form(form, current, error)
        return None
    return _("Dose changed.")


@require_POST
@clinic_staff
def publish(request: HttpRequest, plan_id: int) -> HttpResponse:
    record = get_object_or_404(_plans(request), pk=plan_id)
    try:
        actions.publish_plan(plan=record, by=_staff(request))
    except actions.ActionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Plan published: the patient sees it now."))
    return redirect("clinic_care:plan", plan_id=record.pk)


# --- session notes --------------------------------------------------------------------------------


def _techniques() -> dict[str, Any]:
    return {t.id: t for t in actions.content().techniques}


@require_http_methods(["GET", "POST"])
@clinic_staff
def session_note(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = get_object_or_404(
        Visit.objects.for_user(request.user).select_related(
            "episode__patient__user",
            "episode__patient__clinic",
            "clinician",
            "note__created_by",
        ),
        pk=visit_id,
    )
    patient = visit.episode.patient
    by = _staff(request)
    note = getattr(visit, "note", None)
    techniques = _techniques()
    form = None
    if note is None:
        form = care_forms.SessionNoteForm(
            request.POST if request.method == "POST" else None, techniques=list(techniques.values())
        )
        if request.method == "POST" and form.is_valid():
            try:
                actions.write_session_note(
                    visit=visit,
                    by=by,
                    red_flag_screen=care_forms.red_flag_screen(form.cleaned_data),
                    subjective=form.cleaned_data["subjective"],
                    objective=form.cleaned_data["objective"],
                    assessment=form.cleaned_data["assessment"],
                    plan=form.cleaned_data["plan"],
                    techniques=form.techniques_used(),
                )
            except InvalidDocument as error:
                for text in _problems(error):
                    form.add_error(None, text)
            except actions.ActionRefused as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, _("Session note saved."))
                return redirect("clinic_care:session_note", visit_id=visit.pk)
    elif request.method == "POST":
        messages.error(request, _("This visit already has a note; it cannot be changed."))
        return redirect("clinic_care:session_note", visit_id=visit.pk)
    actions.record_read(by=by, obj=note if note is not None else visit, patient=patient)
    context: dict[str, Any] = {
        "visit": visit,
        "patient": patient,
        "clinic": patient.clinic,
        "note": note,
        "form": form,
        "status_form": care_forms.VisitStatusForm(),
        "patient_url": _patient_url(patient),
    }
    if note is not None:
        level = Level(note.triage_level)
        context.update(
            level=level,
            needs_doctor=level.needs_doctor,
            headline=_headline(level) if level.needs_doctor else "",
            flags=[flag["reason"] for flag in note.triage.get("flags", [])],
            advice=note.triage.get("advice", ""),
            unanswered=len(note.triage.get("unanswered", [])),
            answers=care_forms.red_flag_answers(note.red_flag_screen),
            used=[
                (
                    techniques.get(t["technique_id"]),
                    t["technique_id"],
                    (t.get("parameters") or {}).get("details", ""),
                    t.get("response", ""),
                )
                for t in note.techniques
            ],
        )
    return render(request, "clinic/session_note.html", context, status=200)


@require_POST
@clinic_staff
def visit_status(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = get_object_or_404(
        Visit.objects.for_user(request.user).select_related("episode__patient"), pk=visit_id
    )
    form = care_forms.VisitStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose missed or cancelled."))
    else:
        try:
            actions.set_visit_status(
                visit=visit, by=_staff(request), status=form.cleaned_data["status"]
            )
        except actions.ActionRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(
                request, _("Visit marked %(status)s.") % {"status": visit.get_status_display()}
            )
    return redirect("clinic_care:session_note", visit_id=visit.pk)


# --- reassessment ---------------------------------------------------------------------------------


def _records(episode: Episode) -> list[AssessmentRecord]:
    return list(
        AssessmentRecord.objects.filter(episode=episode)
        .only("id", "kind", "intake", "assessment", "triage_level", "created_at", "episode_id")
        .order_by("created_at", "id")
    )


def _episode_open_first(patient: Patient) -> Episode | None:
    episodes = list(Episode.objects.filter(patient=patient).order_by("-opened_on", "-id")[:20])
    active = [e for e in episodes if e.status == Episode.Status.ACTIVE]
    return active[0] if active else (episodes[0] if episodes else None)


def _scores(record: AssessmentRecord) -> Scores:
    """The scores of a record's intake questionnaires (a merged copy's check-in answers are
    checked by the same parser)."""
    questionnaires = parse_document(Questionnaires, record.intake.get("questionnaires") or {})
    return score_all(questionnaires)


@require_http_methods(["GET", "POST"])
@clinic_staff
def reassess(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_object_or_404(_patients(request), pk=patient_id)
    by = _staff(request)
    episode = Episode.objects.filter(patient=patient, status=Episode.Status.ACTIVE).first()
    records = _records(episode) if episode is not None else []
    latest = records[-1] if records else None
    form = None
    if latest is not None:
        # The instruments the intake had (and any asked since), the latest answers' shape.
        asked = {**(records[0].intake.get("questionnaires") or {})}
        asked.update({k: v for k, v in (latest.intake.get("questionnaires") or {}).items() if v})
        form = care_forms.ReassessmentForm(
            request.POST if request.method == "POST" else None,
            previous=asked,
            questionnaires=actions.clinic_questionnaires(patient.clinic),
        )
        if request.method == "POST" and form.is_valid():
            document = reassessment_document(
                latest.intake,
                questionnaires=form.questionnaires(),
                red_flag_screen=care_forms.red_flag_screen(form.cleaned_data),
                today=patient.today(timezone.now()),
            )
            try:
                actions.record_intake(
                    patient=patient, document=document, by=by, kind="reassessment"
                )
            except InvalidDocument as error:
                for text in _problems(error):
                    form.add_error(None, text)
            except actions.ActionRefused as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, _("Reassessment saved."))
                return redirect("clinic_care:compare", patient_id=patient.pk)
    actions.record_read(by=by, obj=latest if latest is not None else patient, patient=patient)
    return render(
        request,
        "clinic/reassess.html",
        {
            "patient": patient,
            "episode": episode,
            "form": form,
            "patient_url": _patient_url(patient),
        },
    )


def _outcome(records: list[AssessmentRecord]) -> tuple[AssessmentRecord | None, Any, list[Any]]:
    """The episode's baseline (its first intake) and the rows against its latest assessment."""
    baseline = next((r for r in records if r.kind == AssessmentRecord.Kind.INTAKE), None)
    if baseline is None and records:
        baseline = records[0]
    latest = records[-1] if records else None
    if baseline is None or latest is None or latest.pk == baseline.pk:
        return latest, None, []
    return latest, baseline, compare_scores(_scores(baseline), _scores(latest))


@require_http_methods(["GET"])
@clinic_staff
def compare(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_object_or_404(_patients(request), pk=patient_id)
    episode = _episode_open_first(patient)
    records = _records(episode) if episode is not None else []
    latest, baseline, rows = _outcome(records)
    actions.record_read(by=_staff(request), obj=latest or patient, patient=patient)
    context: dict[str, Any] = {
        "patient": patient,
        "episode": episode,
        "latest": latest,
        "baseline": baseline,
        "rows": rows,
        "patient_url": _patient_url(patient),
    }
    if latest is not None and baseline is not None:
        level = Level(latest.triage_level)
        context.update(
            level=level,
            needs_doctor=level.needs_doctor,
            headline=_headline(level) if level.needs_doctor else "",
            advice=latest.assessment.get("triage", {}).get("advice", ""),
            flags=[f["reason"] for f in latest.assessment.get("triage", {}).get("flags", [])],
        )
    return render(request, "clinic/reassess_compare.html", context)


# --- discharge ------------------------------------------------------------------------------------


def _with_check_ins(
    latest: AssessmentRecord | None, check_ins: list[CheckIn]
) -> AssessmentRecord | None:
    """The latest scores: the latest assessment's, with each instrument a later check-in
    measured taken from the latest such check-in (an unsaved copy; nothing is stored)."""
    if latest is None or not check_ins:
        return latest
    after = [c for c in check_ins if c.created_at > latest.created_at]
    if not after:
        return latest
    questionnaires = dict(latest.intake.get("questionnaires") or {})
    for check_in in after:  # oldest first: the latest value wins
        for name in ("nprs", "psfs", "odi", "rmdq"):
            value = getattr(check_in, name)
            if value is not None:
                questionnaires[name] = value
    merged = copy.copy(latest)
    merged.intake = {**latest.intake, "questionnaires": questionnaires}
    return merged


@require_http_methods(["GET", "POST"])
@clinic_staff
def discharge(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_object_or_404(_patients(request), pk=patient_id)
    by = _staff(request)
    episode = _episode_open_first(patient)
    form = care_forms.DischargeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and episode is not None and form.is_valid():
        try:
            actions.discharge_episode(episode=episode, by=by)
        except actions.ActionRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("The patient is discharged; planned visits are cancelled."))
        return redirect("clinic_care:discharge", patient_id=patient.pk)
    plan_record = None
    records: list[AssessmentRecord] = []
    check_ins: list[CheckIn] = []
    if episode is not None:
        shown = list(
            PlanRecord.objects.filter(episode=episode)
            .exclude(status=PlanRecord.Status.DRAFT)
            .order_by("-version")[:20]
        )
        plan_record = next(
            (p for p in shown if p.status == PlanRecord.Status.PUBLISHED),
            shown[0] if shown else None,
        )
        records = _records(episode)
        check_ins = list(
            CheckIn.objects.filter(episode=episode)
            .only("id", "nprs", "psfs", "odi", "rmdq", "created_at", "episode_id", "patient_id")
            .order_by("created_at", "id")
        )
    latest, baseline, _rows = _outcome(records)
    merged = _with_check_ins(latest, check_ins)
    rows = []
    if baseline is not None and merged is not None:
        rows = compare_scores(_scores(baseline), _scores(merged))
    elif latest is not None and merged is not None and merged is not latest:
        baseline = latest
        rows = compare_scores(_scores(latest), _scores(merged))
    plan = parse_plan(plan_record.plan) if plan_record is not None else None
    leaving = discharge_plan(plan) if plan is not None and not plan.blocked else None
    actions.record_read(by=by, obj=episode or patient, patient=patient)
    return render(
        request,
        "clinic/discharge.html",
        {
            "patient": patient,
            "episode": episode,
            "plan_record": plan_record,
            "maintenance": [(item, _dose_words(item)) for item in leaving.maintenance]
            if leaving
            else [],
            "flare_up_plan": leaving.flare_up_plan if leaving else (),
            "rows": rows,
            "baseline": baseline,
            "form": form,
            "patient_url": _patient_url(patient),
        },
    )
