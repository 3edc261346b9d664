"""The forms of Today: log one session of an exercise, and the next morning's answer.

Both work as plain POST forms without JavaScript. Every message names what is allowed, and a
bound form keeps what the person typed (Django's bound fields show the raw value).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from backcare.care.models import ExerciseLog

YES, NO = "yes", "no"
YES_NO = ((YES, _("Yes")), (NO, _("No")))

# The engine's ExerciseLog range for pain during exercise (backcare-logs/1, progression.py).
PAIN_MIN, PAIN_MAX = 0, 10

DIFFICULTY_LABELS = {
    ExerciseLog.Difficulty.EASY: _("Easy"),
    ExerciseLog.Difficulty.RIGHT: _("About right"),
    ExerciseLog.Difficulty.HARD: _("Hard"),
}


def log_prefix(exercise_id: str) -> str:
    """The form prefix of one exercise's card, so that many cards on one page keep unique ids."""
    return f"ex-{exercise_id}"


class LogForm(forms.Form):
    """One session of one exercise: done or not, and when done, the pain and how hard it was."""

    done = forms.ChoiceField(
        label=_("Did you do it?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose yes or no."),
            "invalid_choice": _("Choose yes or no."),
        },
    )
    pain_during = forms.IntegerField(
        label=_("Pain during the exercise, from 0 to 10"),
        help_text=_("0 is no pain, 10 is the worst pain you can imagine. You can leave it empty."),
        required=False,
        min_value=PAIN_MIN,
        max_value=PAIN_MAX,
        error_messages={
            "invalid": _("Enter a whole number from 0 to 10."),
            "min_value": _("Enter a whole number from 0 to 10."),
            "max_value": _("Enter a whole number from 0 to 10."),
        },
    )
    difficulty = forms.ChoiceField(
        label=_("How hard was it?"),
        choices=list(DIFFICULTY_LABELS.items()),
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": _("Choose easy, about right or hard.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("done") == NO:
            # Not done: there was no session to rate.
            data["pain_during"] = None
            data["difficulty"] = ""
        return data

    def log_values(self) -> dict[str, Any]:
        """The checked answers as log_exercise's keyword arguments."""
        data = self.cleaned_data
        return {
            "done": data["done"] == YES,
            "pain_during": data.get("pain_during"),
            "difficulty": data.get("difficulty") or None,
        }


class SettledForm(forms.Form):
    """The next morning's question about yesterday's exercises."""

    settled = forms.ChoiceField(
        label=_("Did the pain from yesterday's exercises settle by this morning?"),
        help_text=_("Say yes if you had no pain from them, or if it had gone by the morning."),
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose yes or no."),
            "invalid_choice": _("Choose yes or no."),
        },
    )

    @property
    def settled_value(self) -> bool:
        return bool(self.cleaned_data["settled"] == YES)
