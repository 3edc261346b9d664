"""The screening questions (the self-check, the intake, check-ins and session notes ask them), grouped into short steps, and the form that asks one step.

The questions are data: each names the intake field it fills (``red_flag_screen.bladder``) and,
for each answer the person can pick, the value written into the intake document. "I'm not sure"
writes nothing, so the engine sees the field as unknown (never "no") and lists it as unanswered.
The triage itself is the engine's (``backcare.engine.triage``): these pages only ask.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeAlias

from django import forms
from django.utils.translation import gettext_lazy as _

from backcare.engine.intake import (
    INTAKE_FORMAT,
    Bladder,
    Cancer,
    Legs,
    NightPain,
    Onset,
    Sex,
    Trend,
    Weakness,
)
from backcare.engine.triage import FEW_DAYS, RECURRING_EPISODES, SPA_MIN_DAYS

UNSURE = "unsure"
MIN_AGE, MAX_AGE = 16, 120  # the intake's range for person.age (backcare is for adults)

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

    Text: TypeAlias = str | StrPromise  # a plain or lazily translated string


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer a person can pick, and the value it writes into the intake (None: unknown)."""

    value: str
    label: Text
    intake: object


@dataclass(frozen=True, slots=True)
class Question:
    """One question: a set of answers (radio buttons), or a whole number when ``answers`` is
    empty (age, which may be left empty)."""

    name: str  # the form field's name; unique across all steps
    path: str  # the intake field it fills, "section.field"
    label: Text
    required: Text  # the message when nothing is chosen (or, for a number, when it is wrong)
    answers: tuple[Answer, ...] = ()
    hint: Text = ""

    def to_intake(self, raw: str) -> object:
        """The intake value for a stored answer; None for "not sure" or an empty number."""
        if not self.answers:
            return int(raw) if raw else None
        for answer in self.answers:
            if answer.value == raw:
                return answer.intake
        return None


@dataclass(frozen=True, slots=True)
class Step:
    slug: str
    title: Text
    intro: Text
    questions: tuple[Question, ...]


def _yes_no(yes: object = True, no: object = False) -> tuple[Answer, ...]:
    return (
        Answer("yes", _("Yes"), yes),
        Answer("no", _("No"), no),
        Answer(UNSURE, _("I'm not sure"), None),
    )


def _unsure() -> Answer:
    return Answer(UNSURE, _("I'm not sure"), None)


def _yes_no_question(name: str, path: str, label: Text, hint: Text = "") -> Question:
    return Question(
        name, path, label, _("Choose yes, no or I'm not sure."), answers=_yes_no(), hint=hint
    )


STEPS: tuple[Step, ...] = (
    Step(
        "nerves",
        _("Numbness, bladder and bowels"),
        _(
            "These questions check for a rare problem with the nerves at the bottom of the spine. "
            "It needs help straight away, so we ask about it first."
        ),
        (
            _yes_no_question(
                "saddle_numbness",
                "red_flag_screen.saddle_numbness",
                _(
                    "Is there numbness or a strange feeling around your bottom, between your legs "
                    "or around your private parts?"
                ),
                _("It may feel odd when you wipe after using the toilet."),
            ),
            Question(
                "bladder",
                "red_flag_screen.bladder",
                _("Has peeing changed since your back pain started?"),
                _("Choose the answer that fits best, or I'm not sure."),
                answers=(
                    Answer("normal", _("No, it is the same as usual"), Bladder.NORMAL),
                    Answer("hesitancy", _("It is hard to start"), Bladder.HESITANCY),
                    Answer("retention", _("I cannot pee, or cannot empty"), Bladder.RETENTION),
                    Answer("incontinence", _("I leak without meaning to"), Bladder.INCONTINENCE),
                    Answer(
                        "reduced_sensation",
                        _("I cannot feel when I need to go, or feel it pass"),
                        Bladder.REDUCED_SENSATION,
                    ),
                    _unsure(),
                ),
            ),
            _yes_no_question(
                "bowel_incontinence",
                "red_flag_screen.bowel_incontinence",
                _("Have you lost control of your bowels (poo) without meaning to?"),
            ),
            _yes_no_question(
                "new_sexual_dysfunction",
                "red_flag_screen.new_sexual_dysfunction",
                _("Have you had new problems with sex, such as less feeling?"),
            ),
        ),
    ),
    Step(
        "legs",
        _("Your legs"),
        _("Tell us about any weakness, numbness or pain in your legs."),
        (
            Question(
                "leg_weakness",
                "red_flag_screen.leg_weakness",
                _("Are your legs weak?"),
                _("Choose the answer that fits best, or I'm not sure."),
                answers=(
                    Answer("none", _("No"), Weakness.NONE),
                    Answer(
                        "stable", _("Yes, but it is not new and not getting worse"), Weakness.STABLE
                    ),
                    Answer("new", _("Yes, and it is new"), Weakness.NEW),
                    Answer("worsening", _("Yes, and it is getting worse"), Weakness.WORSENING),
                    _unsure(),
                ),
            ),
            Question(
                "leg_numbness",
                "red_flag_screen.leg_numbness",
                _("Is there numbness in your legs?"),
                _("Choose the answer that fits best, or I'm not sure."),
                answers=(
                    Answer("none", _("No"), Legs.NONE),
                    Answer("one_leg", _("Yes, in one leg"), Legs.ONE_LEG),
                    Answer("both_legs", _("Yes, in both legs"), Legs.BOTH_LEGS),
                    _unsure(),
                ),
            ),
            _yes_no_question(
                "walking_difficulty_new",
                "red_flag_screen.walking_difficulty_new",
                _("Do you have new trouble walking or keeping your balance?"),
            ),
            Question(
                "leg_symptoms",
                "episode.leg_symptoms",
                _("Does pain or tingling spread from your back into a leg?"),
                _("Choose the answer that fits best, or I'm not sure."),
                answers=(
                    Answer("none", _("No"), Legs.NONE),
                    Answer("one_leg", _("Yes, into one leg"), Legs.ONE_LEG),
                    Answer("both_legs", _("Yes, into both legs"), Legs.BOTH_LEGS),
                    _unsure(),
                ),
            ),
        ),
    ),
    Step(
        "unwell",
        _("How you feel in yourself"),
        _("Some signs away from your back matter too."),
        (
            _yes_no_question(
                "fever_or_chills",
                "red_flag_screen.fever_or_chills",
                _("Do you have a fever or chills?"),
                _("For example, you feel hot and shivery."),
            ),
            _yes_no_question(
                "systemically_unwell",
                "red_flag_screen.systemically_unwell",
                _("Do you feel generally unwell?"),
            ),
            _yes_no_question(
                "unexplained_weight_loss",
                "red_flag_screen.unexplained_weight_loss",
                _("Have you lost weight without trying?"),
            ),
            _yes_no_question(
                "abdominal_pulsation",
                "red_flag_screen.abdominal_pulsation",
                _("Do you feel a throbbing or pulsing in your belly?"),
            ),
            _yes_no_question(
                "thoracic_pain",
                "red_flag_screen.thoracic_pain",
                _("Do you have pain in your upper or middle back?"),
            ),
        ),
    ),
    Step(
        "pain",
        _("Your back pain"),
        _("How it started, how long you have had it and what it is like."),
        (
            Question(
                "onset",
                "episode.onset",
                _("How did this back pain start?"),
                _("Choose how it started, or I'm not sure."),
                answers=(
                    Answer("gradual", _("Slowly, over time"), Onset.GRADUAL),
                    Answer("sudden", _("Suddenly, for no clear reason"), Onset.SUDDEN),
                    Answer("after_lifting", _("After lifting or bending"), Onset.AFTER_LIFTING),
                    Answer("minor_trauma", _("After a small fall or knock"), Onset.MINOR_TRAUMA),
                    Answer(
                        "major_trauma",
                        _("After a serious accident, such as a car crash or a fall from a height"),
                        Onset.MAJOR_TRAUMA,
                    ),
                    _unsure(),
                ),
            ),
            Question(
                "duration",
                "episode.days_since_onset",
                _("How long have you had this back pain?"),
                _("Choose how long, or I'm not sure."),
                # Each band writes the number of days at its upper edge, so the engine's cut-offs
                # (more than FEW_DAYS days; more than SPA_MIN_DAYS days) read it the same way.
                answers=(
                    Answer("days", _("3 days or less"), FEW_DAYS),
                    Answer("weeks", _("More than 3 days, up to 3 months"), SPA_MIN_DAYS),
                    Answer("months", _("More than 3 months"), SPA_MIN_DAYS + 1),
                    _unsure(),
                ),
            ),
            Question(
                "trend",
                "episode.trend",
                _("Is it getting better?"),
                _("Choose the answer that fits best, or I'm not sure."),
                answers=(
                    Answer("improving", _("Yes, it is getting better"), Trend.IMPROVING),
                    Answer("same", _("No, it is about the same"), Trend.SAME),
                    Answer("worsening", _("No, it is getting worse"), Trend.WORSENING),
                    _unsure(),
                ),
            ),
            Question(
                "night_pain",
                "episode.night_pain",
                _("Does the pain wake you at night?"),
                _("Choose the answer that fits best, or I'm not sure."),
                answers=(
                    Answer("none", _("No"), NightPain.NONE),
                    Answer(
                        "with_movement", _("Only when I move or turn over"), NightPain.WITH_MOVEMENT
                    ),
                    Answer(
                        "constant",
                        _("Yes, and no position makes it easier"),
                        NightPain.CONSTANT,
                    ),
                    _unsure(),
                ),
            ),
            _yes_no_question(
                "pain_unchanged",
                "red_flag_screen.pain_unchanged_by_position_or_movement",
                _("Does the pain stay the same whatever position you are in or however you move?"),
            ),
        ),
    ),
    Step(
        "about-you",
        _("About you"),
        _("Age and some past illnesses change what back pain can mean."),
        (
            Question(
                "age",
                "person.age",
                _("How old are you?"),
                _("Enter your age as a whole number, like 47, or leave it empty."),
                hint=_("In years. You can leave this empty if you would rather not say."),
            ),
            Question(
                "sex",
                "person.sex",
                _("What is your sex?"),
                _("Choose an answer, or I'd rather not say."),
                answers=(
                    Answer("female", _("Female"), Sex.FEMALE),
                    Answer("male", _("Male"), Sex.MALE),
                    Answer("other", _("Other"), Sex.OTHER),
                    Answer(UNSURE, _("I'd rather not say"), None),
                ),
            ),
            Question(
                "cancer",
                "history.cancer",
                _("Have you ever had cancer?"),
                _("Choose an answer, or I'm not sure."),
                answers=(
                    Answer("none", _("No"), Cancer.NONE),
                    Answer("past", _("Yes, in the past"), Cancer.PAST),
                    Answer("current", _("Yes, I have cancer now"), Cancer.CURRENT),
                    _unsure(),
                ),
            ),
        ),
    ),
    Step(
        "health",
        _("Your health"),
        _("Some medicines and illnesses make bones or the body's defences weaker."),
        (
            _yes_no_question(
                "long_term_steroids",
                "history.long_term_steroids",
                _("Have you taken steroid tablets for a long time?"),
                _("For example prednisolone for more than 3 months. Not inhalers or creams."),
            ),
            _yes_no_question(
                "osteoporosis",
                "history.osteoporosis",
                _("Have you been told you have thin or weak bones (osteoporosis)?"),
            ),
            _yes_no_question(
                "immunosuppressed",
                "history.immunosuppressed",
                _("Is your body's defence against infection weak?"),
                _("For example from chemotherapy, HIV, or medicines after a transplant."),
            ),
            _yes_no_question(
                "iv_drug_use",
                "history.iv_drug_use",
                _("Have you injected drugs that were not prescribed?"),
                _("We ask because it raises the risk of an infection in the spine."),
            ),
            _yes_no_question(
                "recent_spinal_procedure",
                "history.recent_spinal_procedure",
                _("Have you had an operation or injection in your back recently?"),
            ),
        ),
    ),
    Step(
        "physio",
        _("Should you see a physical therapist?"),
        _("The last few questions help decide whether a physical therapist would help."),
        (
            Question(
                "previous_episodes",
                "episode.previous_episodes",
                _("Have you had back pain like this before?"),
                _("Choose an answer, or I'm not sure."),
                # "Keeps coming back" is RECURRING_EPISODES or more earlier episodes (engine).
                answers=(
                    Answer("never", _("No, this is the first time"), 0),
                    Answer("once", _("Yes, once before"), RECURRING_EPISODES - 1),
                    Answer("often", _("Yes, more than once"), RECURRING_EPISODES),
                    _unsure(),
                ),
            ),
            _yes_no_question(
                "daily_activities_hard",
                "episode.daily_activities_hard",
                _("Does the pain make everyday activities hard?"),
                _("For example getting dressed, working, or looking after others."),
            ),
            _yes_no_question(
                "wants_drug_free_care",
                "preferences.wants_drug_free_care",
                _("Would you like a treatment without medicines?"),
            ),
        ),
    ),
)

STEP_BY_SLUG: dict[str, Step] = {s.slug: s for s in STEPS}
QUESTIONS: tuple[Question, ...] = tuple(q for s in STEPS for q in s.questions)
QUESTION_BY_PATH: dict[str, Question] = {q.path: q for q in QUESTIONS}


class StepForm(forms.Form):
    """The questions of one step. Every question must be answered; "I'm not sure" is an answer.
    Age is the exception: it may be left empty."""

    def __init__(self, step: Step, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.step = step
        for q in step.questions:
            field: forms.Field
            if q.answers:
                field = forms.ChoiceField(
                    label=q.label,
                    choices=[(a.value, a.label) for a in q.answers],
                    widget=forms.RadioSelect,
                    error_messages={"required": q.required, "invalid_choice": q.required},
                )
            else:
                field = forms.IntegerField(
                    label=q.label,
                    required=False,
                    min_value=MIN_AGE,
                    max_value=MAX_AGE,
                    error_messages={
                        "invalid": q.required,
                        "min_value": _(
                            "This check is for people aged 16 or over. For a child with back "
                            "pain, please see a doctor."
                        ),
                        "max_value": q.required,
                    },
                )
            self.fields[q.name] = field

    def answers(self) -> dict[str, str]:
        """The cleaned answers as the strings kept in the session ("" for an empty number)."""
        out: dict[str, str] = {}
        for q in self.step.questions:
            value = self.cleaned_data.get(q.name)
            out[q.name] = "" if value is None else str(value)
        return out


def intake_document(answers: Mapping[str, str]) -> dict[str, Any]:
    """The intake document (backcare-intake/1, as decoded JSON) for the answers so far.

    An unanswered question, "I'm not sure" and an empty age leave the field out: unknown.
    """
    data: dict[str, Any] = {"format": INTAKE_FORMAT}
    for q in QUESTIONS:
        raw = answers.get(q.name)
        if raw is None:
            continue
        value = q.to_intake(raw)
        if value is None:
            continue
        if isinstance(value, StrEnum):
            value = value.value  # the parser takes JSON values: plain strings
        section, name = q.path.split(".")
        data.setdefault(section, {})[name] = value
    return data
