"""The self-check: a few short steps of questions, then a result that leads with the action.

No account and no records: the answers so far live in the visitor's session under
``SESSION_KEY``, so back, forward and refresh keep them. The result is the engine's triage of an
intake built from those answers (``parse_intake`` then ``triage``), the same call the clinic
makes, so both give the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backcare.care.content import public_topics, render_topic
from backcare.engine import ENGINE_VERSION
from backcare.engine.intake import parse_intake
from backcare.engine.triage import INCOMPLETE, SCREEN, Level, Triage, triage
from backcare.portal.forms import (
    QUESTION_BY_PATH,
    STEP_BY_SLUG,
    STEPS,
    UNSURE,
    Step,
    StepForm,
    intake_document,
)

SESSION_KEY = "self_check"

# The result page's first words: the action, in plain large words, by triage level. The advice
# under it is the engine's (ADVICE in backcare/engine/triage.py).
HEADLINES: dict[Level, Promise] = {
    Level.EMERGENCY: _("Get emergency help now"),
    Level.URGENT: _("See a doctor today or tomorrow"),
    Level.SOON: _("See a doctor soon"),
    Level.ROUTINE: _("Ask your doctor for a routine check"),
    Level.PHYSIO: _("See a physical therapist"),
    Level.SELF_CARE: _("You can start looking after your back at home"),
}

# Starter education for each level (topic ids of content/education). The doctor levels get only
# the warning signs: the action comes first and reading can wait.
TOPICS_BY_LEVEL: dict[Level, tuple[str, ...]] = {
    Level.EMERGENCY: (),
    Level.URGENT: ("warning-signs",),
    Level.SOON: ("warning-signs",),
    Level.ROUTINE: ("warning-signs", "staying-active-and-pacing"),
    Level.PHYSIO: (
        "what-physical-therapy-does",
        "what-happens-at-a-session",
        "do-i-need-a-referral",
        "hurt-is-not-harm",
        "staying-active-and-pacing",
        "warning-signs",
    ),
    Level.SELF_CARE: (
        "what-is-back-pain",
        "staying-active-and-pacing",
        "hurt-is-not-harm",
        "heat-and-cold-at-home",
        "flare-up-plan",
        "warning-signs",
    ),
}

# The engine's "the safety check is not finished" sentence and the questions it lists.
_INCOMPLETE_PARTS = frozenset({INCOMPLETE, *(q.ask for q in SCREEN if q.cauda_equina)})


def _answers(request: HttpRequest) -> dict[str, str]:
    stored = request.session.get(SESSION_KEY)
    return dict(stored) if isinstance(stored, dict) else {}


def _first_unanswered(answers: dict[str, str]) -> Step | None:
    for step in STEPS:
        if any(q.name not in answers for q in step.questions):
            return step
    return None


def _triage(answers: dict[str, str]) -> Triage:
    return triage(parse_intake(intake_document(answers)))


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    answers = _answers(request)
    return render(
        request,
        "portal/start.html",
        {
            "first": STEPS[0],
            "resume": _first_unanswered(answers) if answers else None,
            "steps": len(STEPS),
            "has_answers": bool(answers),
        },
    )


@dataclass(frozen=True, slots=True)
class _Shown:
    """A bound field with its question, as the step template shows it."""

    field: object
    question: object
    choices: tuple[tuple[str, str], ...]


@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, slug: str) -> HttpResponse:
    this = STEP_BY_SLUG.get(slug)
    if this is None:
        raise Http404(slug)
    answers = _answers(request)
    if request.method == "POST":
        form = StepForm(this, data=request.POST)
        if form.is_valid():
            answers.update(form.answers())
            request.session[SESSION_KEY] = answers
            if _triage(answers).level is Level.EMERGENCY:
                # Nothing later can lower an emergency: show what to do now.
                return redirect("portal:result")
            index = STEPS.index(this)
            if index + 1 < len(STEPS):
                return redirect("portal:step", slug=STEPS[index + 1].slug)
            return redirect("portal:result")
    else:
        initial = {q.name: answers[q.name] for q in this.questions if q.name in answers}
        form = StepForm(this, initial=initial)
    index = STEPS.index(this)
    back = (
        reverse("portal:step", kwargs={"slug": STEPS[index - 1].slug})
        if index
        else reverse("portal:start")
    )
    shown = [
        _Shown(form[q.name], q, tuple((a.value, str(a.label)) for a in q.answers))
        for q in this.questions
    ]
    return render(
        request,
        "portal/step.html",
        {
            "form": form,
            "step": this,
            "shown": shown,
            "number": index + 1,
            "total": len(STEPS),
            "back": back,
        },
    )


@require_GET
def result(request: HttpRequest) -> HttpResponse:
    answers = _answers(request)
    missing = _first_unanswered(answers)
    outcome = _triage(answers)
    if missing is not None and outcome.level is not Level.EMERGENCY:
        return redirect("portal:step", slug=missing.slug)
    asked = [QUESTION_BY_PATH[p] for p in outcome.unanswered if p in QUESTION_BY_PATH]
    # Only questions the person saw and answered "not sure" (or left empty); after an early stop
    # the questions never asked are not listed.
    not_sure = [str(q.label) for q in asked if answers.get(q.name) in (UNSURE, "")]
    topics = public_topics()
    emergency = outcome.level is Level.EMERGENCY
    # For an emergency, more questions cannot change what to do: the advice stands alone.
    incomplete = (
        [] if emergency else [gettext(p) for p in outcome.advice_parts if p in _INCOMPLETE_PARTS]
    )
    advice = [gettext(p) for p in outcome.advice_parts if p not in _INCOMPLETE_PARTS]
    flags = [gettext(f.reason) for f in outcome.flags]
    reasons = [gettext(r) for r in outcome.reasons] if not outcome.flags else []
    return render(
        request,
        "portal/result.html",
        {
            "level": outcome.level.value,
            "emergency": emergency,
            "needs_doctor": outcome.level.needs_doctor,
            "headline": HEADLINES[outcome.level],
            "advice": advice,
            "incomplete": incomplete,
            "flags": flags,
            "reasons": reasons,
            "not_sure": not_sure,
            "other_unanswered": len(outcome.unanswered) - len(asked),
            "topics": [topics[t] for t in TOPICS_BY_LEVEL[outcome.level] if t in topics],
            "stopped_early": missing is not None,
            "engine_version": ENGINE_VERSION,
        },
    )


@require_POST
def restart(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    return redirect("portal:step", slug=STEPS[0].slug)


@require_GET
def topic(request: HttpRequest, topic_id: str) -> HttpResponse:
    found = public_topics().get(topic_id)
    if found is None:
        raise Http404(topic_id)
    return render(
        request,
        "portal/topic.html",
        {
            "topic": found,
            "body": render_topic(found),
            "has_result": bool(_answers(request)),
        },
    )
