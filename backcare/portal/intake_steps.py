"""The intake at home as data: the steps in order, each with its form and the part of the intake
document (``backcare-intake/1``) it fills. Adding a step is one entry in :data:`STEPS`.

A step's ``to_document`` takes its valid bound form and returns the intake fields it fills as
flat paths (``"episode.days_since_onset": 21``); :func:`build_document` binds every step's form
to the saved answers again, checks them, and nests the paths into the document. Questions left
out, or answered "I'm not sure", fill nothing: the engine reads them as unknown, never "no".
The clinician's examination findings (``exam``) are never asked here and stay absent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

from django.utils.translation import gettext_lazy as _

from backcare.engine.intake import INTAKE_FORMAT
from backcare.portal.forms import QUESTION_BY_PATH, STEP_BY_SLUG, Question
from backcare.portal.intake_forms import (
    AboutYouForm,
    BeforeForm,
    ChangesForm,
    FabqForm,
    GoalsForm,
    IntakeForm,
    NprsForm,
    OdiForm,
    PainForm,
    PreferencesForm,
    PsfsForm,
    QuestionnaireForm,
    QuestionsForm,
    StartBackForm,
    StepContext,
    factor_list,
    question_values,
    yes_no,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

    Text: TypeAlias = str | StrPromise

Fields: TypeAlias = dict[str, Any]  # intake fields by flat path, "section.field"
REVIEW = "review"  # the draft's "next step" once every step is done


@dataclass(frozen=True, slots=True)
class Step:
    """One page of the intake."""

    slug: str
    title: Text
    intro: Text
    form: type[IntakeForm]
    to_document: Callable[[Any, StepContext], Fields]  # (the valid bound form, context)
    minutes: int = 1  # about how long it takes, for the overview
    questionnaire: str | None = None  # the questionnaire it shows, for its name and wording label


def _q(path: str) -> Question:
    return QUESTION_BY_PATH[path]


def _questions(*questions: Question) -> type[QuestionsForm]:
    """A form class asking these self-check questions."""
    return type("Questions", (QuestionsForm,), {"questions": tuple(questions)})


def _questions_document(form: QuestionsForm, context: StepContext) -> Fields:
    return form.intake_values()


# --- the documents of the steps -------------------------------------------------------------


def _about_you(form: AboutYouForm, context: StepContext) -> Fields:
    out = form.intake_values()
    if context.age is not None:
        out["person.age"] = context.age
    return out


def _pain(form: PainForm, context: StepContext) -> Fields:
    out: Fields = {"episode.pain_areas": list(form.cleaned_data["pain_areas"])}
    days = form.days()
    if days is not None:
        out["episode.days_since_onset"] = days
    out.update(question_values(form, form.extra))
    return out


def _changes(form: ChangesForm, context: StepContext) -> Fields:
    out: Fields = {}
    for name in ("worse_with", "better_with"):
        values = factor_list(form.cleaned_data.get(name) or [])
        if values is not None:
            out[f"episode.{name}"] = values
    out.update(question_values(form, form.extra))
    minutes = form.cleaned_data.get("morning_stiffness_minutes")
    if minutes is not None:
        out["episode.morning_stiffness_minutes"] = minutes
    return out


def _before(form: BeforeForm, context: StepContext) -> Fields:
    out: Fields = {}
    if form.cleaned_data.get("previous_episodes") is not None:
        out["episode.previous_episodes"] = form.cleaned_data["previous_episodes"]
    care = form.care()
    if care is not None:
        out["episode.care_so_far"] = care
    out.update(question_values(form, form.extra))
    return out


def _nprs(form: NprsForm, context: StepContext) -> Fields:
    (now,) = form.item_values()
    out: Fields = {"questionnaires.nprs": now, "episode.pain_now": now}  # the same question
    for name in ("pain_worst_24h", "pain_best_24h", "leg_pain_now"):
        out[f"episode.{name}"] = int(form.cleaned_data[name])
    return out


def _odi(form: OdiForm, context: StepContext) -> Fields:
    variant = form.questionnaire.variant
    odi: Fields = {"answers": form.item_values()}
    if variant is not None:
        odi["variant"] = variant.value
    return {"questionnaires.odi": odi}


def _answers_of(name: str) -> Callable[[QuestionnaireForm, StepContext], Fields]:
    def to_document(form: QuestionnaireForm, context: StepContext) -> Fields:
        return {f"questionnaires.{name}": {"answers": form.item_values()}}

    return to_document


def _psfs(form: PsfsForm, context: StepContext) -> Fields:
    return {"questionnaires.psfs": form.items()}


def _preferences(form: PreferencesForm, context: StepContext) -> Fields:
    out = question_values(form, form.extra)
    for name in ("equipment", "avoid_positions"):
        values = factor_list(form.cleaned_data.get(name) or [])
        if values is not None:
            out[f"preferences.{name}"] = values
    for name in ("minutes_per_day", "clinic_sessions_per_week"):
        if form.cleaned_data.get(name) is not None:
            out[f"preferences.{name}"] = form.cleaned_data[name]
    return out


def _goals(form: GoalsForm, context: StepContext) -> Fields:
    goals = form.goals()
    return {"goals": goals} if goals else {}


# --- the steps ------------------------------------------------------------------------------

_HISTORY_MORE = (
    ("diabetes", _("Do you have diabetes?"), ""),
    ("smoker", _("Do you smoke?"), ""),
    (
        "vascular_disease",
        _("Have you been told you have a problem with your blood vessels?"),
        _("For example narrowed arteries, or a swelling of the main artery in the belly."),
    ),
    (
        "family_history_spondyloarthritis",
        _("Does anyone in your close family have a long-term inflammation of the spine?"),
        _("For example ankylosing spondylitis."),
    ),
    ("psoriasis", _("Do you have psoriasis, a skin condition with scaly patches?"), ""),
    (
        "inflammatory_bowel_disease",
        _("Do you have Crohn's disease or ulcerative colitis?"),
        "",
    ),
    ("uveitis", _("Have you had an inflamed, red and painful eye (uveitis)?"), ""),
)

STEPS: tuple[Step, ...] = (
    Step(
        "about-you",
        _("About you"),
        _("A few words about you help your clinician read your answers."),
        type("AboutYou", (AboutYouForm,), {"questions": (_q("person.age"), _q("person.sex"))}),
        _about_you,
    ),
    Step(
        "your-pain",
        _("Your back pain now"),
        _("Where it hurts, how long you have had it and how it started."),
        type(
            "Pain",
            (PainForm,),
            {
                "extra": (
                    _q("episode.onset"),
                    _q("episode.trend"),
                    _q("episode.leg_symptoms"),
                )
            },
        ),
        _pain,
        minutes=2,
    ),
    Step(
        "what-changes-it",
        _("What changes your pain"),
        _("What makes it worse or better, and how it is at night and in the morning."),
        type("Changes", (ChangesForm,), {"extra": (_q("episode.night_pain"),)}),
        _changes,
        minutes=2,
    ),
    Step(
        "before-now",
        _("Before now"),
        _("Earlier back pain, treatment so far, and everyday life."),
        type("Before", (BeforeForm,), {"extra": (_q("episode.daily_activities_hard"),)}),
        _before,
    ),
    Step(
        "safety-nerves",
        STEP_BY_SLUG["nerves"].title,
        STEP_BY_SLUG["nerves"].intro,
        _questions(*STEP_BY_SLUG["nerves"].questions),
        _questions_document,
    ),
    Step(
        "safety-legs",
        _("Weakness and numbness in your legs"),
        _("These questions check how the nerves to your legs are working."),
        _questions(
            *(q for q in STEP_BY_SLUG["legs"].questions if q.path.startswith("red_flag_screen."))
        ),
        _questions_document,
    ),
    Step(
        "safety-unwell",
        STEP_BY_SLUG["unwell"].title,
        STEP_BY_SLUG["unwell"].intro,
        _questions(
            *STEP_BY_SLUG["unwell"].questions,
            _q("red_flag_screen.pain_unchanged_by_position_or_movement"),
        ),
        _questions_document,
    ),
    Step(
        "health",
        STEP_BY_SLUG["health"].title,
        STEP_BY_SLUG["health"].intro,
        _questions(
            _q("history.cancer"),
            *STEP_BY_SLUG["health"].questions,
            yes_no(
                "recent_bacterial_infection",
                "history.recent_bacterial_infection",
                _("Have you had an infection treated with antibiotics in the last few weeks?"),
                _("For example a urine or chest infection."),
            ),
            yes_no(
                "previous_spinal_surgery",
                "history.previous_spinal_surgery",
                _("Have you ever had an operation on your spine?"),
            ),
        ),
        _questions_document,
    ),
    Step(
        "health-more",
        _("More about your health"),
        _("Some conditions change which treatments suit you."),
        _questions(
            *(yes_no(name, f"history.{name}", label, hint) for name, label, hint in _HISTORY_MORE)
        ),
        _questions_document,
    ),
    Step(
        "pain-scores",
        _("How bad is the pain?"),
        _("Rate your pain from 0 to 10."),
        NprsForm,
        _nprs,
        questionnaire="nprs",
    ),
    Step(
        "daily-life",
        _("Your back and daily life"),
        _("For each topic, choose the answer that fits you best today."),
        OdiForm,
        _odi,
        minutes=3,
        questionnaire="odi",
    ),
    Step(
        "thoughts-and-feelings",
        _("How your back affects you"),
        _("Think about the last 2 weeks. Choose the answer that fits you best."),
        StartBackForm,
        _answers_of("startback"),
        minutes=2,
        questionnaire="startback",
    ),
    Step(
        "activities",
        _("Activities you find hard"),
        _(
            "Name up to 3 things you find hard to do because of your back, and say how well you "
            "can do each one today."
        ),
        PsfsForm,
        _psfs,
        minutes=2,
        questionnaire="psfs",
    ),
    Step(
        "activity-and-work",
        _("Activity, work and your back"),
        _("Say how much you agree with each sentence, from 0 (not at all) to 6 (completely)."),
        FabqForm,
        _answers_of("fabq"),
        minutes=3,
        questionnaire="fabq",
    ),
    Step(
        "preferences",
        _("Treatment and exercise at home"),
        _("What you would like, and what you have at home for exercises."),
        type(
            "Preferences", (PreferencesForm,), {"extra": (_q("preferences.wants_drug_free_care"),)}
        ),
        _preferences,
    ),
    Step(
        "goals",
        _("Your goals"),
        _("What would you like to be able to do again? Write up to 3 goals in your own words."),
        GoalsForm,
        _goals,
    ),
)

STEP_BY_SLUG_INTAKE: dict[str, Step] = {s.slug: s for s in STEPS}
TOTAL_MINUTES = sum(s.minutes for s in STEPS)


def step_answers(answers: Mapping[str, Any], step: Step) -> dict[str, Any] | None:
    """The saved answers of one step, or None when it has none (or they are not a mapping)."""
    saved = answers.get(step.slug)
    return dict(saved) if isinstance(saved, Mapping) else None


def bind(step: Step, context: StepContext, saved: Mapping[str, Any] | None) -> IntakeForm:
    """The step's form: bound to the saved answers when there are any, else empty."""
    if saved is None:
        return step.form(context=context)
    return step.form(data=dict(saved), context=context)


@dataclass(slots=True)
class Built:
    """The intake document from the saved answers, and where each of its fields came from."""

    document: dict[str, Any]
    done: list[Step] = field(default_factory=list)  # saved and still valid
    missing: list[Step] = field(default_factory=list)  # no answers yet
    invalid: list[Step] = field(default_factory=list)  # saved answers that no longer pass
    origin: dict[str, Step] = field(default_factory=dict)  # flat path -> the step that filled it

    def step_for(self, path: str) -> Step | None:
        """The step that filled the intake field at ``path`` ("questionnaires.odi.answers[3]")."""
        for key, step in self.origin.items():
            if path == key or path.startswith((key + ".", key + "[")):
                return step
        return None


def build_document(
    answers: Mapping[str, Any], context: StepContext, today: dt.date | None = None
) -> Built:
    """The backcare-intake/1 document (decoded JSON) from the draft's answers by step."""
    document: dict[str, Any] = {"format": INTAKE_FORMAT}
    if today is not None:
        document["assessed_on"] = today.isoformat()
    built = Built(document)
    for step in STEPS:
        saved = step_answers(answers, step)
        if saved is None:
            built.missing.append(step)
            continue
        form = bind(step, context, saved)
        if not form.is_valid():
            built.invalid.append(step)
            continue
        built.done.append(step)
        for path, value in step.to_document(form, context).items():
            _put(document, path, value)
            built.origin[path] = step
    return built


def _put(document: dict[str, Any], path: str, value: Any) -> None:
    *sections, name = path.split(".")
    here = document
    for section in sections:
        here = here.setdefault(section, {})
    here[name] = value
