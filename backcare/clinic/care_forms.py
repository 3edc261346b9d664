"""Forms of the clinician's plan review, session note, reassessment and discharge pages.

The forms check the shape of what was typed (a whole number, a reason given, a choice of the
list); the clinical and range checks are the actions' and the engine's (override_plan,
write_session_note, record_intake), whose refusals the views show beside the field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backcare.care.screening import QUESTIONS, UNSURE, Question
from backcare.engine.catalog import Exercise
from backcare.engine.education import Technique
from backcare.engine.questionnaires import Questionnaire

REASON_REQUIRED = _("Give a reason for the change, so the record shows why.")
RED_FLAG_PREFIX = "red_flag_screen."
# The red-flag questions of the self-check and the check-ins (backcare.care.screening).
RED_FLAG_QUESTIONS: tuple[Question, ...] = tuple(
    q for q in QUESTIONS if q.path.startswith(RED_FLAG_PREFIX)
)
DOSE_FIELDS = ("sets", "reps", "hold_seconds", "rest_seconds", "times_a_day", "days_a_week")
DOSE_LABELS: dict[str, Any] = {
    "sets": _("Sets"),
    "reps": _("Repetitions per set"),
    "hold_seconds": _("Hold (seconds)"),
    "rest_seconds": _("Rest between sets (seconds)"),
    "times_a_day": _("Times a day"),
    "days_a_week": _("Days a week"),
}


def _reason() -> forms.CharField:
    return forms.CharField(
        label=_("Reason for the change"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": REASON_REQUIRED},
    )


def _number(label: Any, message: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": message, "invalid": message},
    )


class ItemForm(forms.Form):
    """Common to the forms that change one home-programme item: which item, as it was shown."""

    exercise = forms.CharField(widget=forms.HiddenInput, required=False)


class SwapForm(ItemForm):
    """Swap the exercise for a suitable alternative. The list holds only the suitable ones; a
    value that is not in it is refused with the engine's reason (checked by the view)."""

    exercise_id = forms.CharField(
        label=_("Swap for"),
        widget=forms.Select,
        error_messages={"required": _("Choose an exercise from the list.")},
    )
    reason = _reason()

    def __init__(self, *args: Any, alternatives: Sequence[Exercise] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widget = self.fields["exercise_id"].widget
        assert isinstance(widget, forms.Select)
        widget.choices = [
            ("", gettext("Choose an exercise")),
            *((e.id, e.name) for e in alternatives),
        ]


class LevelForm(ItemForm):
    level = forms.TypedChoiceField(
        label=_("Level"),
        coerce=int,
        error_messages={
            "required": _("Choose a level."),
            "invalid_choice": _("Choose one of the exercise's levels."),
        },
    )
    reason = _reason()

    def __init__(self, *args: Any, levels: int = 1, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["level"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(str(n), str(n)) for n in range(1, levels + 1)]


class DoseForm(ItemForm):
    """The six dose numbers; only the ones changed become overrides (one reason for all)."""

    sets = _number(DOSE_LABELS["sets"], _("Enter the sets as a whole number."))
    reps = _number(DOSE_LABELS["reps"], _("Enter the repetitions as a whole number."))
    hold_seconds = _number(DOSE_LABELS["hold_seconds"], _("Enter the hold in whole seconds."))
    rest_seconds = _number(DOSE_LABELS["rest_seconds"], _("Enter the rest in whole seconds."))
    times_a_day = _number(DOSE_LABELS["times_a_day"], _("Enter the times a day as a whole number."))
    days_a_week = _number(DOSE_LABELS["days_a_week"], _("Enter the days a week as a whole number."))
    reason = _reason()


class SessionsForm(forms.Form):
    sessions_per_week = _number(
        _("Clinic sessions a week"), _("Enter the sessions a week as a whole number from 0 to 7.")
    )
    reason = _reason()


class VisitStatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("missed", _("Missed")), ("cancelled", _("Cancelled"))],
        error_messages={
            "required": _("Choose missed or cancelled."),
            "invalid_choice": _("Choose missed or cancelled."),
        },
    )


class DischargeForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have agreed the discharge with the patient and explained the flare-up plan"),
        error_messages={"required": _("Tick the box to confirm the discharge.")},
    )


# --- the red-flag re-screen -----------------------------------------------------------------------


def add_red_flag_fields(form: forms.Form) -> None:
    """The red-flag questions as required radio groups; "I'm not sure" is an answer and stays
    unknown in the document (never "no")."""
    for q in RED_FLAG_QUESTIONS:
        form.fields[q.name] = forms.ChoiceField(
            label=q.label,
            help_text=q.hint,
            choices=[(a.value, a.label) for a in q.answers],
            widget=forms.RadioSelect,
            error_messages={"required": q.required, "invalid_choice": q.required},
        )


def red_flag_screen(cleaned: Mapping[str, Any]) -> dict[str, Any]:
    """The red_flag_screen object of an intake or check-in from the answers (unsure: left out)."""
    screen: dict[str, Any] = {}
    for q in RED_FLAG_QUESTIONS:
        value = q.to_intake(cleaned.get(q.name) or UNSURE)
        if value is None:
            continue
        screen[q.path.removeprefix(RED_FLAG_PREFIX)] = (
            value.value if isinstance(value, StrEnum) else value
        )
    return screen


def red_flag_answers(screen: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(question, answer) in words for a stored screen; an absent answer is "not sure"."""
    out = []
    for q in RED_FLAG_QUESTIONS:
        stored = screen.get(q.path.removeprefix(RED_FLAG_PREFIX))
        label = next(
            (str(a.label) for a in q.answers if a.intake is not None and a.intake == stored),
            gettext("Not sure (unknown)"),
        )
        out.append((str(q.label), label))
    return out


# --- the session note -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TechniqueFields:
    """The three fields of one technique, as the template shows them."""

    technique: Technique
    used: forms.BoundField
    parameters: forms.BoundField
    response: forms.BoundField


class SessionNoteForm(forms.Form):
    subjective = forms.CharField(
        label=_("Subjective"),
        help_text=_("What the patient reports: pain, function, how the home programme went."),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    objective = forms.CharField(
        label=_("Objective"),
        help_text=_("What you found: movement, tests, measures."),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    assessment = forms.CharField(
        label=_("Assessment"),
        help_text=_("Your clinical reasoning: progress, classification, response."),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    plan = forms.CharField(
        label=_("Plan changes"),
        help_text=_("What changes next: home programme, visits, referrals."),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, techniques: Sequence[Technique] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.techniques = tuple(techniques)
        for t in self.techniques:
            self.fields[f"tech-{t.id}-used"] = forms.BooleanField(
                label=gettext("Used: %(name)s") % {"name": t.name}, required=False
            )
            self.fields[f"tech-{t.id}-parameters"] = forms.CharField(
                label=gettext("Parameters"),
                help_text=gettext("For example grade, area, time, intensity, position."),
                required=False,
                max_length=1000,
            )
            self.fields[f"tech-{t.id}-response"] = forms.CharField(
                label=gettext("Response"),
                help_text=gettext("How the patient responded."),
                required=False,
                max_length=1000,
            )
        add_red_flag_fields(self)

    def technique_fields(self) -> list[TechniqueFields]:
        return [
            TechniqueFields(
                t,
                self[f"tech-{t.id}-used"],
                self[f"tech-{t.id}-parameters"],
                self[f"tech-{t.id}-response"],
            )
            for t in self.techniques
        ]

    def red_flag_fields(self) -> list[forms.BoundField]:
        return [self[q.name] for q in RED_FLAG_QUESTIONS]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for t in self.techniques:
            used = cleaned.get(f"tech-{t.id}-used")
            typed = cleaned.get(f"tech-{t.id}-parameters") or cleaned.get(f"tech-{t.id}-response")
            if typed and not used:
                self.add_error(
                    f"tech-{t.id}-used",
                    gettext("Tick %(name)s as used, or clear its parameters and response.")
                    % {"name": t.name},
                )
        return cleaned

    def techniques_used(self) -> list[dict[str, Any]]:
        """write_session_note's ``techniques``: [{technique_id, parameters, response}]."""
        out = []
        for t in self.techniques:
            if not self.cleaned_data.get(f"tech-{t.id}-used"):
                continue
            details = self.cleaned_data.get(f"tech-{t.id}-parameters") or ""
            out.append(
                {
                    "technique_id": t.id,
                    "parameters": {"details": details} if details else {},
                    "response": self.cleaned_data.get(f"tech-{t.id}-response") or "",
                }
            )
        return out


# --- the reassessment -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Instrument:
    """One questionnaire of the reassessment form and its fields."""

    key: str  # the intake's questionnaires key: nprs, odi, rmdq, startback, psfs, fabq
    questionnaire: Questionnaire
    names: tuple[str, ...]  # the form field names, in item order


@dataclass(frozen=True, slots=True)
class InstrumentFields:
    key: str
    title: str
    note: str
    fields: list[forms.BoundField]


def _encode(value: object) -> str:
    return json.dumps(value)


# Which content questionnaire asks each intake key (ODI: the variant decides).
QUESTIONNAIRE_FOR = {
    "nprs": "nprs",
    "rmdq": "rmdq",
    "startback": "startback",
    "psfs": "psfs",
    "fabq": "fabq",
}


class ReassessmentForm(forms.Form):
    """The instruments the intake had, item by item, then the red-flag questions.

    A whole instrument left empty is not asked again; an item left empty in an instrument that
    was answered is a missing item (the engine scores with the missing-item rules)."""

    def __init__(
        self,
        *args: Any,
        previous: Mapping[str, Any],
        questionnaires: Mapping[str, Questionnaire],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.instruments: list[Instrument] = []
        self.psfs_activities: list[str] = []
        self.odi_variant = "2.1a"
        for key in ("nprs", "odi", "rmdq", "startback", "psfs", "fabq"):
            if previous.get(key) is None:
                continue
            if key == "odi":
                self.odi_variant = previous["odi"].get("variant") or "2.1a"
                qid = "odi_modified" if self.odi_variant == "modified" else "odi"
            else:
                qid = QUESTIONNAIRE_FOR[key]
            questionnaire = questionnaires.get(qid)
            if questionnaire is None:
                continue
            if key == "psfs":
                names = self._psfs(previous["psfs"])
            elif key == "nprs":
                names = (self._nprs(questionnaire),)
            else:
                names = self._items(key, questionnaire)
            self.instruments.append(Instrument(key, questionnaire, names))
        add_red_flag_fields(self)

    def _nprs(self, questionnaire: Questionnaire) -> str:
        item = questionnaire.items[0]
        self.fields["nprs"] = forms.IntegerField(
            label=item.text or questionnaire.name,
            help_text=gettext("0 no pain to 10 worst imaginable; leave empty if not asked."),
            required=False,
            min_value=0,
            max_value=10,
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            error_messages={
                "invalid": gettext("Enter the pain as a whole number from 0 to 10."),
                "min_value": gettext("Enter the pain as a whole number from 0 to 10."),
                "max_value": gettext("Enter the pain as a whole number from 0 to 10."),
            },
        )
        return "nprs"

    def _items(self, key: str, questionnaire: Questionnaire) -> tuple[str, ...]:
        names = []
        for item in sorted(questionnaire.items, key=lambda i: i.number):
            name = f"{key}-{item.number}"
            options = questionnaire.options_for(item)
            self.fields[name] = forms.ChoiceField(
                label=f"{item.number}. {item.text}",
                choices=[
                    ("", gettext("Not answered")),
                    *((_encode(o.value), f"{o.value}: {o.text}") for o in options),
                ],
                required=False,
                error_messages={"invalid_choice": gettext("Choose one of the listed answers.")},
            )
            names.append(name)
        return tuple(names)

    def _psfs(self, items: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
        names = []
        for i, item in enumerate(items):
            activity = str(item.get("activity") or "")
            self.psfs_activities.append(activity)
            name = f"psfs-{i + 1}"
            self.fields[name] = forms.IntegerField(
                label=gettext("Activity %(n)d: %(activity)s") % {"n": i + 1, "activity": activity},
                help_text=gettext("0 unable to do it to 10 as before the problem."),
                required=False,
                min_value=0,
                max_value=10,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                error_messages={
                    "invalid": gettext("Enter a whole number from 0 to 10."),
                    "min_value": gettext("Enter a whole number from 0 to 10."),
                    "max_value": gettext("Enter a whole number from 0 to 10."),
                },
            )
            names.append(name)
        return tuple(names)

    def instrument_fields(self) -> list[InstrumentFields]:
        return [
            InstrumentFields(
                i.key,
                i.questionnaire.name,
                i.questionnaire.wording_note if i.questionnaire.licence is None else "",
                [self[name] for name in i.names],
            )
            for i in self.instruments
        ]

    def red_flag_fields(self) -> list[forms.BoundField]:
        return [self[q.name] for q in RED_FLAG_QUESTIONS]

    def questionnaires(self) -> dict[str, Any]:
        """The intake's questionnaires object from the answers: only instruments answered."""
        data = self.cleaned_data
        out: dict[str, Any] = {}
        for instrument in self.instruments:
            values = [data.get(name) for name in instrument.names]
            if all(v in (None, "") for v in values):
                continue
            key = instrument.key
            if key == "nprs":
                out["nprs"] = values[0]
            elif key == "psfs":
                out["psfs"] = [
                    {"activity": activity, "score": score}
                    for activity, score in zip(self.psfs_activities, values, strict=True)
                ]
            else:
                answers = [None if v in (None, "") else json.loads(v) for v in values]
                if key == "odi":
                    out["odi"] = {"variant": self.odi_variant, "answers": answers}
                else:
                    out[key] = {"answers": answers}
        return out

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.instruments and not self.errors and not self.questionnaires():
            raise forms.ValidationError(
                gettext("Answer at least one questionnaire, so there is something to compare.")
            )
        return cleaned
