"""The patient's own pages: Today (journey 3), my exercises and my flare-up plan (journey 6).

Only a signed-in patient may open them (anonymous: the login page; clinicians and clinic
administrators: 403), and each shows only the patient's own plan, fetched through
``for_user``. Reads write one audit entry (``actions.record_read``); writes go through
``actions.log_exercise`` and ``actions.record_pain_settled``. Every form works without
JavaScript (POST, then a redirect back to Today); with htmx the changed part is swapped in place.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Hashable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from backcare.accounts.access import patient_only
from backcare.accounts.models import User
from backcare.care import actions
from backcare.care.alerts import LruCache, caching
from backcare.care.content import catalog, figures, public_topics, render_topic
from backcare.care.models import Episode, ExerciseLog, Patient, PlanRecord
from backcare.care.schedule import dose_words
from backcare.engine.catalog import Aim
from backcare.engine.progression import FLARE_UP_PLAN, discharge_plan
from backcare.engine.triage import SAFETY_NET
from backcare.pagecache import render_cached
from backcare.portal import today
from backcare.portal.library import AIM_LABELS, CERTAINTY_LABELS, EQUIPMENT_LABELS, POSITION_LABELS
from backcare.portal.today_forms import DIFFICULTY_LABELS, LogForm, SettledForm, log_prefix


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # patient_only has checked
    return request.user


def _today(patient: Patient) -> dt.date:
    return patient.today(timezone.now())


# Rendered pages and cards, per worker process, by what they show (render_cached): Today is
# about 30 KB; 2,000 pages are about 60 MB at most.
_PAGES: LruCache[Hashable, str] = LruCache(2000)


def _render_today(
    request: HttpRequest, user: User, patient: Patient, page: today.TodayPage
) -> HttpResponse:
    if page.record is not None:
        actions.record_read(by=user, obj=page.record, patient=patient, detail={"page": "today"})
    return render(
        request,
        "portal/today.html",
        {
            "page": page,
            "difficulty_labels": DIFFICULTY_LABELS,
        },
    )


@require_GET
@patient_only
def today_view(request: HttpRequest) -> HttpResponse:
    """Today: made from three queries' rows (today.today_inputs), rendered once per state of
    those rows (a new log, answer or check-in, or a new day, is a new state)."""
    user = _user(request)
    patient = today.patient_of(user)
    day = _today(patient)
    # Fast path: nothing of the patient's has changed since Today was drawn for this day (every
    # write goes through care/actions.py, which audits it naming the patient), so the page
    # drawn then is served again, after one index seek for the patient's latest change.
    stamp = patient.change_stamp  # type: ignore[attr-defined]  # set by today.patient_of
    clinic = patient.clinic  # its details show on the page; a change to them is not the patient's
    fast_key = (
        (user.pk, patient.pk, day, stamp, clinic.name, clinic.phone, clinic.address)
        if caching()
        else None
    )
    shown = _TODAY_SHOWN.get(fast_key) if fast_key is not None else None
    if shown is not None:
        actions.record_read(by=user, obj=PlanRecord(pk=shown), patient=patient,
                            detail={"page": "today"})  # fmt: skip
        return render_cached(
            request,
            "portal/today.html",
            lambda: {
                "page": today.today_page(user, patient, day),
                "difficulty_labels": DIFFICULTY_LABELS,
            },
            key=fast_key,
            cache=_PAGES,
        )
    inputs = today.today_inputs(user, patient, day)
    if inputs.record is None:
        record, plan = _followed_plan(user, patient)
        if record is not None and record.episode.status == Episode.Status.DISCHARGED:
            actions.record_read(by=user, obj=record, patient=patient, detail={"page": "today"})
            return render(
                request,
                "portal/today_maintenance.html",
                {"record": record, "items": today.my_exercises(plan), "day": day},
            )
    key = inputs.key(user, patient, day)
    if key is None:
        return _render_today(request, user, patient, today.today_page(user, patient, day))
    assert inputs.record is not None
    actions.record_read(by=user, obj=inputs.record, patient=patient, detail={"page": "today"})
    context = {
        "page": today.today_page(user, patient, day, inputs=inputs),
        "difficulty_labels": DIFFICULTY_LABELS,
    }
    if fast_key is not None:
        _TODAY_SHOWN.put(fast_key, inputs.record.pk)
        response = render_cached(request, "portal/today.html", lambda: context, key=fast_key,
                                 cache=_PAGES)  # fmt: skip
        return response
    return render_cached(request, "portal/today.html", lambda: context, key=key, cache=_PAGES)


# The plan record each fast key's page shows (for the audit entry of a page served again).
_TODAY_SHOWN: LruCache[Hashable, int] = LruCache(2000)


def _card_response(
    request: HttpRequest,
    user: User,
    patient: Patient,
    record: PlanRecord,
    exercise_id: str,
    day: dt.date,
    form: LogForm | None,
    *,
    written: ExerciseLog | None,
) -> HttpResponse:
    saved = written is not None
    plan = today.plan_of(record)
    item = today.item_of(plan, exercise_id)
    logs, counted = today.card_logs(user, patient, day, exercise_id, written=written)
    card = today.card_for(item, start=plan.start, day=day, logs=logs, form=form, counted=counted)
    # Only htmx asks for a card alone, and sends the CSRF token in a header: the card's form
    # needs no token of its own (and a kept card then needs no fresh one).
    context = {
        "card": card,
        "saved": saved,
        "swapped": True,
        "difficulty_labels": DIFFICULTY_LABELS,
    }
    key = card.render_key
    if key is None:
        return render(request, "portal/today_card.html", context)
    return render_cached(request, "portal/today_card.html", lambda: context,
                         key=(key, saved), cache=_PAGES)  # fmt: skip


@require_POST
@patient_only
def log_view(request: HttpRequest, exercise_id: str) -> HttpResponse:
    """Log one session of one exercise of today's plan."""
    user = _user(request)
    patient = today.patient_of(user, with_plan=True)
    day = _today(patient)
    record = today.active_plan(user, patient)
    if record is None:
        raise Http404("no published plan")
    plan = today.plan_of(record)
    item = today.item_of(plan, exercise_id)
    if today.blocked_by(record, plan, patient) is not None:
        messages.error(request, gettext("Your exercises are on hold. Please read what to do."))
        return redirect("me:today")
    form = LogForm(data=request.POST, prefix=log_prefix(exercise_id))
    written = None
    if form.is_valid():
        try:
            written = actions.log_exercise(
                patient=patient,
                by=user,
                exercise_id=exercise_id,
                day=day,
                level=item.level,
                plan=record,
                **form.log_values(),
            )
        except (actions.ActionRefused, actions.InvalidDocument) as refused:
            form.add_error(None, str(refused))
    if request.htmx:  # type: ignore[attr-defined]
        return _card_response(
            request, user, patient, record, exercise_id, day, None if written else form,
            written=written,
        )  # fmt: skip
    if written is not None:
        messages.success(request, gettext("Saved: %(name)s.") % {"name": item.name})
        return redirect(reverse("me:today") + f"#exercise-{exercise_id}")
    page = today.today_page(user, patient, day, bound={exercise_id: form})
    return _render_today(request, user, patient, page)


@require_POST
@patient_only
def settled_view(request: HttpRequest) -> HttpResponse:
    """The next morning's answer, for each of yesterday's sessions not answered yet."""
    user = _user(request)
    patient = today.patient_of(user)
    day = _today(patient)
    form = SettledForm(data=request.POST)
    answered = 0
    if form.is_valid():
        pending = ExerciseLog.objects.for_user(user).filter(
            patient=patient,
            day=day - dt.timedelta(days=1),
            done=True,
            pain_settled_next_morning__isnull=True,
        )
        for log in pending:
            log.patient = patient  # in hand: the action reads it without a query
            actions.record_pain_settled(log=log, by=user, settled=form.settled_value)
            answered += 1
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request,
            "portal/today_settled.html",
            {"form": form, "thanks": form.is_valid(), "answered": answered},
        )
    if form.is_valid():
        messages.success(request, gettext("Thank you. We saved your answer."))
        return redirect("me:today")
    page = today.today_page(user, patient, day, settled_form=form)
    return _render_today(request, user, patient, page)


# --- my exercises ----------------------------------------------------------------------------


def _followed_plan(user: User, patient: Patient) -> tuple[PlanRecord | None, Any]:
    """The plan the patient follows: the open episode's; after discharge, the last plan with its
    maintenance programme in place of the course's home programme (the doses change)."""
    record = today.latest_plan(user, patient)
    if record is None:
        return None, None
    plan = today.plan_of(record)
    if record.episode.status == Episode.Status.DISCHARGED:
        plan = dataclasses.replace(plan, home_programme=discharge_plan(plan).maintenance)
    return record, plan


@require_GET
@patient_only
def exercises_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    patient = today.patient_of(user)
    record, plan = _followed_plan(user, patient)
    context: dict[str, Any] = {"record": record, "plan": plan, "items": (), "blocked": None}
    if record is not None:
        context["blocked"] = today.blocked_by(record, plan, patient)
        if context["blocked"] is None:
            context["items"] = today.my_exercises(plan)
        actions.record_read(by=user, obj=record, patient=patient, detail={"page": "my_exercises"})
    else:
        context["intake_done"] = today.has_assessment(user, patient)
    return render(request, "portal/my_exercises.html", context)


@require_GET
@patient_only
def exercise_view(request: HttpRequest, exercise_id: str) -> HttpResponse:
    user = _user(request)
    patient = today.patient_of(user)
    record, plan = _followed_plan(user, patient)
    if record is None:
        raise Http404("no published plan")
    item = today.item_of(plan, exercise_id)
    blocked = today.blocked_by(record, plan, patient)
    if blocked is not None:
        messages.error(request, gettext("Your exercises are on hold. Please read what to do."))
        return redirect("me:today")
    exercise = catalog().exercises.get(exercise_id)
    context: dict[str, Any] = {
        "item": item,
        "exercise": exercise,
        "dose": dose_words(item),
        "record": record,
    }
    if exercise is not None:
        still, animation = figures(exercise)
        context.update(
            still=still,
            animation=animation,
            aims=[AIM_LABELS[a] for a in exercise.aims],
            position=POSITION_LABELS[exercise.position],
            equipment=[EQUIPMENT_LABELS[e] for e in exercise.equipment],
            certainty=CERTAINTY_LABELS[exercise.evidence.certainty],
        )
    actions.record_read(
        by=user,
        obj=record,
        patient=patient,
        detail={"page": "my_exercise", "exercise": exercise_id},
    )
    return render(request, "portal/my_exercise.html", context)


@require_GET
@patient_only
@cache_control(private=True, max_age=24 * 60 * 60)
def figure_view(request: HttpRequest, exercise_id: str) -> HttpResponse:
    """The animated figure of a library exercise as an image file, for Today's cards: inline
    figures for every exercise would make Today heavy on a phone. Content, not health data."""
    exercise = catalog().exercises.get(exercise_id)
    if exercise is None:
        raise Http404(exercise_id)
    return HttpResponse(figures(exercise)[1], content_type="image/svg+xml; charset=utf-8")


# --- my flare-up plan --------------------------------------------------------------------------

FLARE_UP_TOPIC = "flare-up-plan"  # the education topic of the flare-up plan (progression.py)


@require_GET
@patient_only
def flare_up_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    patient = today.patient_of(user)
    record, plan = _followed_plan(user, patient)
    day = _today(patient)
    topic = public_topics().get(FLARE_UP_TOPIC)
    context: dict[str, Any] = {
        "steps": [gettext(step) for step in FLARE_UP_PLAN],
        "safety_net": gettext(SAFETY_NET),
        "topic": topic,
        "body": render_topic(topic) if topic is not None else "",
        "flare": None,
        "blocked": None,
        "easing": (),
        "record": record,
    }
    if record is not None:
        blocked = today.blocked_by(record, plan, patient)
        context["blocked"] = blocked
        if blocked is None:
            active = record.episode.status == Episode.Status.ACTIVE
            context["flare"] = today.flare_up(record, plan, day) if active else None
            context["easing"] = [
                shown for shown in today.my_exercises(plan) if Aim.PAIN_REDUCTION in shown.item.aims
            ]
        actions.record_read(by=user, obj=record, patient=patient, detail={"page": "flare_up"})
    return render(request, "portal/flare_up.html", context)
