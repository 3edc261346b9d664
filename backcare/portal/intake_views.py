"""The intake at home (patient journey 2): short steps saved as a draft after each one, a review
with a change link per step, then the assessment, and a page saying what happens next.

Only a signed-in patient with a patient record may use these pages (anyone else: 403;
anonymous: the sign-in page). The draft is the patient's own ``IntakeDraft``, written only by
``actions.save_intake_draft``; submitting calls ``actions.record_intake``, which asks the engine
and deletes the draft. Each page view makes a fixed number of queries: the patient with clinic,
clinician and draft in one, and one audit INSERT.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backcare.accounts.models import User
from backcare.care import actions
from backcare.care.models import AssessmentRecord, Episode, IntakeDraft, Patient
from backcare.engine.intake import parse_intake
from backcare.engine.planning import BLOCKING_LEVELS
from backcare.engine.questionnaires import SUMMARY_LABEL, Wording
from backcare.engine.triage import INCOMPLETE, SCREEN, Level, Triage, triage
from backcare.engine.validation import InvalidDocument
from backcare.portal.intake_forms import StepContext
from backcare.portal.intake_steps import (
    REVIEW,
    STEP_BY_SLUG_INTAKE,
    STEPS,
    TOTAL_MINUTES,
    Built,
    Step,
    bind,
    build_document,
    step_answers,
)
from backcare.portal.views import HEADLINES

# The engine's "the safety check is not finished" sentence and the questions it lists: shown
# apart from the advice, as on the self-check's result page.
_INCOMPLETE_PARTS = frozenset({INCOMPLETE, *(q.ask for q in SCREEN if q.cauda_equina)})

PatientView = Callable[..., HttpResponse]


# --- who may use these pages ----------------------------------------------------------------


def patient_only(view: PatientView) -> Callable[..., HttpResponse]:
    """Anonymous -> sign in; not a patient, or no patient record -> 403. The view gets the
    patient, with clinic, clinician and draft, and whether the active episode is assessed."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not isinstance(user, User) or not user.is_patient:
            raise PermissionDenied
        assessed = AssessmentRecord.objects.filter(
            episode__patient=OuterRef("pk"), episode__status=Episode.Status.ACTIVE
        )
        patient = (
            Patient.objects.for_user(user)
            .filter(user=user)
            .select_related("clinic", "clinician", "intake_draft")
            .annotate(assessed=Exists(assessed))
            .first()
        )
        if patient is None:
            raise PermissionDenied
        return view(request, patient, *args, **kwargs)

    return wrapped


def _draft(patient: Patient) -> IntakeDraft | None:
    try:
        return patient.intake_draft
    except ObjectDoesNotExist:
        return None


def _answers(patient: Patient) -> dict[str, Any]:
    draft = _draft(patient)
    return dict(draft.answers) if draft is not None and isinstance(draft.answers, dict) else {}


def _age(patient: Patient, today: dt.date) -> int | None:
    """The age on the patient's record, when the clinic entered a date of birth; None when it
    is unknown or outside the intake's range (then the person is asked)."""
    born = patient.date_of_birth
    if born is None:
        return None
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return age if 16 <= age <= 120 else None  # person.age's range in the intake contract


def _context(patient: Patient, today: dt.date) -> StepContext:
    return StepContext(actions.clinic_questionnaires(patient.clinic), age=_age(patient, today))


def _today_url() -> str:
    """The patient's Today page ("me:today", made by another page); /me/ until it exists."""
    try:
        return reverse("me:today")
    except NoReverseMatch:
        return "/me/"


def _level(document: Mapping[str, Any]) -> Level | None:
    try:
        return triage(parse_intake(document)).level
    except InvalidDocument:
        return None


# --- the overview ---------------------------------------------------------------------------


@require_GET
@patient_only
def start(request: HttpRequest, patient: Patient) -> HttpResponse:
    draft = _draft(patient)
    answers = _answers(patient)
    saved = {step.slug for step in STEPS if step_answers(answers, step) is not None}
    rows = [(step, step.slug in saved) for step in STEPS]
    resume: Step | None = None
    if answers:
        resume = STEP_BY_SLUG_INTAKE.get(draft.step if draft else "") or next(
            (step for step, done in rows if not done), None
        )
    actions.record_read(by=request.user, obj=draft or patient, patient=patient)  # type: ignore[arg-type]
    return render(
        request,
        "portal/intake_start.html",
        {
            "assessed": patient.assessed,  # type: ignore[attr-defined]
            "today_url": _today_url(),
            "rows": rows,
            "done_count": len(saved),
            "total": len(STEPS),
            "minutes": TOTAL_MINUTES,
            "minutes_left": sum(step.minutes for step, done in rows if not done),
            "first": STEPS[0],
            "resume": resume,
            "all_done": len(saved) == len(STEPS),
            "clinic": patient.clinic,
        },
    )


# --- one step -------------------------------------------------------------------------------


def _next_slug(step: Step) -> str:
    index = STEPS.index(step)
    return STEPS[index + 1].slug if index + 1 < len(STEPS) else REVIEW


def _wording(step: Step, context: StepContext) -> dict[str, Any] | None:
    """The questionnaire a step shows: its name, and whose words the items are."""
    if step.questionnaire is None:
        return None
    q = context.questionnaires[step.questionnaire]
    summary = q.wording is Wording.SUMMARY
    return {
        "name": q.name,
        "summary": summary,
        "label": gettext(SUMMARY_LABEL) if summary else (q.items[0].label if q.items else ""),
    }


@require_http_methods(["GET", "POST"])
@patient_only
def step(request: HttpRequest, patient: Patient, slug: str) -> HttpResponse:
    this = STEP_BY_SLUG_INTAKE.get(slug)
    if this is None:
        raise Http404(slug)
    if patient.assessed:  # type: ignore[attr-defined]
        return redirect("intake:start")
    now = timezone.now()
    context = _context(patient, patient.today(now))
    answers = _answers(patient)
    if request.method == "POST":
        form = this.form(data=request.POST, context=context)
        if form.is_valid():
            before = _level(build_document(answers, context).document)
            answers[this.slug] = form.answers()
            later = request.POST.get("then") == "later"
            following = _next_slug(this)
            actions.save_intake_draft(
                patient=patient,
                by=request.user,  # type: ignore[arg-type]
                answers=answers,
                step=this.slug if later else following,
                now=now,
            )
            if later:
                return redirect("intake:start")
            if before is not Level.EMERGENCY and (
                _level(build_document(answers, context).document) is Level.EMERGENCY
            ):
                # Nothing later can lower an emergency: say what to do now, and let them send
                # what they have answered.
                return redirect("intake:review")
            if following == REVIEW:
                return redirect("intake:review")
            return redirect("intake:step", slug=following)
    else:
        form = bind(this, context, step_answers(answers, this))
        if form.is_bound:
            form.is_valid()  # saved answers that no longer pass show their messages
        actions.record_read(
            by=request.user,  # type: ignore[arg-type]
            obj=_draft(patient) or patient,
            patient=patient,
            detail={"step": this.slug},
        )
    form.describe()
    index = STEPS.index(this)
    back = (
        reverse("intake:step", kwargs={"slug": STEPS[index - 1].slug})
        if index
        else reverse("intake:start")
    )
    return render(
        request,
        "portal/intake_step.html",
        {
            "form": form,
            "step": this,
            "fields": [(form[name], name in form.scales) for name in form.fields],
            "number": index + 1,
            "total": len(STEPS),
            "back": back,
            "last": index + 1 == len(STEPS),
            "wording": _wording(this, context),
        },
    )


# --- review and submit ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Row:
    step: Step
    state: str  # "done", "missing" or "check"
    answers: list[tuple[str, str]]
    problems: list[str]


def _shown(field: forms.BoundField) -> str:
    """An answer as the person chose it: the label of a choice, the ticked labels, the text."""
    value = field.value()
    choices = dict(getattr(field.field, "choices", ()))
    if isinstance(value, list | tuple):
        return ", ".join(str(choices.get(v, v)) for v in value) or gettext("Not answered")
    if value in (None, ""):
        return gettext("Not answered")
    return str(choices.get(value, value))


def _rows(
    built: Built,
    answers: Mapping[str, Any],
    context: StepContext,
    problems: Mapping[str, list[str]] | None = None,
) -> list[_Row]:
    rows = []
    for s in STEPS:
        saved = step_answers(answers, s)
        shown: list[tuple[str, str]] = []
        if saved is not None:
            form = bind(s, context, saved)
            shown = [(str(form[name].label), _shown(form[name])) for name in form.fields]
        if s in built.missing:
            state = "missing"
        elif s in built.invalid or (problems and s.slug in problems):
            state = "check"
        else:
            state = "done"
        rows.append(_Row(s, state, shown, list((problems or {}).get(s.slug, []))))
    return rows


def _outcome(result: Triage, level: Level) -> dict[str, Any]:
    """What the self-check's result page shows first, for a triage: the action in large words
    and the engine's advice (portal/views.py result)."""
    emergency = level is Level.EMERGENCY
    return {
        "level": level.value,
        "emergency": emergency,
        "blocking": level in BLOCKING_LEVELS,
        "headline": HEADLINES[level],
        "advice": [gettext(p) for p in result.advice_parts if p not in _INCOMPLETE_PARTS],
        "incomplete": []
        if emergency
        else [gettext(p) for p in result.advice_parts if p in _INCOMPLETE_PARTS],
        "flags": [gettext(f.reason) for f in result.flags],
    }


def _review(
    request: HttpRequest,
    patient: Patient,
    *,
    problems: Mapping[str, list[str]] | None = None,
    general: list[str] | None = None,
) -> HttpResponse:
    now = timezone.now()
    context = _context(patient, patient.today(now))
    answers = _answers(patient)
    built = build_document(answers, context)
    emergency = _level(built.document) is Level.EMERGENCY
    outcome = None
    if emergency:
        outcome = _outcome(triage(parse_intake(built.document)), Level.EMERGENCY)
    rows = _rows(built, answers, context, problems)
    ready = not built.invalid and (not built.missing or emergency) and bool(built.done)
    return render(
        request,
        "portal/intake_review.html",
        {
            "rows": rows,
            "ready": ready,
            "missing": [r for r in rows if r.state == "missing"],
            "emergency": emergency,
            "outcome": outcome,
            "problems": bool(problems) or bool(general),
            "general": general or [],
        },
    )


@require_GET
@patient_only
def review(request: HttpRequest, patient: Patient) -> HttpResponse:
    if patient.assessed:  # type: ignore[attr-defined]
        return redirect("intake:start")
    actions.record_read(
        by=request.user,  # type: ignore[arg-type]
        obj=_draft(patient) or patient,
        patient=patient,
        detail={"step": REVIEW},
    )
    return _review(request, patient)


@require_POST
@patient_only
def submit(request: HttpRequest, patient: Patient) -> HttpResponse:
    if patient.assessed:  # type: ignore[attr-defined]
        return redirect("intake:start")
    now = timezone.now()
    today = patient.today(now)
    context = _context(patient, today)
    built = build_document(_answers(patient), context, today)
    if built.invalid:
        return redirect("intake:step", slug=built.invalid[0].slug)
    if not built.done:
        return redirect("intake:step", slug=STEPS[0].slug)
    if built.missing and _level(built.document) is not Level.EMERGENCY:
        return redirect("intake:step", slug=built.missing[0].slug)
    try:
        actions.record_intake(
            patient=patient,
            document=built.document,
            by=request.user,  # type: ignore[arg-type]
            now=now,
        )
    except InvalidDocument as err:
        problems: dict[str, list[str]] = {}
        general: list[str] = []
        for problem in err.problems:
            found = built.step_for(problem.path)
            if found is None:
                general.append(str(problem))
            else:
                problems.setdefault(found.slug, []).append(str(problem))
        return _review(request, patient, problems=problems, general=general)
    except actions.ActionRefused as err:
        return _review(request, patient, general=[str(err)])
    return redirect("intake:done")


# --- what happens next ----------------------------------------------------------------------


@require_GET
@patient_only
def done(request: HttpRequest, patient: Patient) -> HttpResponse:
    record = (
        AssessmentRecord.objects.for_user(request.user)
        .filter(
            episode__patient=patient,
            episode__status=Episode.Status.ACTIVE,
            kind=AssessmentRecord.Kind.INTAKE,
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if record is None:
        return redirect("intake:start")
    actions.record_read(by=request.user, obj=record, patient=patient)  # type: ignore[arg-type]
    level = Level(record.triage_level)
    result = triage(parse_intake(record.intake))
    return render(
        request,
        "portal/intake_done.html",
        {
            "outcome": _outcome(result, level),
            "needs_doctor": level.needs_doctor,
            "clinician": patient.clinician,
            "clinic": patient.clinic,
            "today_url": _today_url(),
        },
    )
