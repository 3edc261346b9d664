"""The weekly check-in form (patient journey 4): pain now, the patient's own activities (PSFS),
the red-flag questions again, and every two weeks a disability questionnaire (ODI, or RMDQ when
that is what the intake used).

The red-flag questions are the self-check's own (``backcare.care.screening`` through
``backcare.portal.forms``): "I'm not sure" writes nothing, so the engine keeps the answer
unknown, never "no". The questionnaire items come from ``actions.clinic_questionnaires``: the
clinic's licensed wording where it has one, backcare's labelled summaries otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from backcare.engine.planning import REASSESS_TARGET_DAY
from backcare.engine.questionnaires import Questionnaire
from backcare.engine.scoring import ODI_MISSING, Status
from backcare.portal.forms import QUESTIONS, Question

# The red-flag questions of the self-check, in its order (only the red_flag_screen fields: the
# rest of the self-check is history and the episode, which a check-in does not ask again).
RED_FLAG_QUESTIONS: tuple[Question, ...] = tuple(
    q for q in QUESTIONS if q.path.startswith("red_flag_screen.")
)

# A disability questionnaire (ODI or RMDQ) every two weeks counted from the day the episode
# opened: issue 5 ("ODI or RMDQ every two weeks"), and the engine's review interval,
# planning.REASSESS_TARGET_DAY = 14 (clinical-facts §4.6 [synthesis]: "reassess formally every
# 2 weeks"). The engine has no check-in schedule of its own, so the rule lives here.
DISABILITY_EVERY_DAYS = REASSESS_TARGET_DAY

# The most ODI sections that may be left blank and still give a score: the last ODI_MISSING
# row that scores (two blank: scored for review; three or more: not scored). scoring.py,
# Fairbank & Pynsent 2000 [sec] and backcare's policy [synthesis]; clinical-facts §1.2.
ODI_MOST_BLANK = max(r.most_missing for r in ODI_MISSING if r.status is not Status.NOT_SCORED)

NPRS_FIELD = "nprs"


def disability_due(opened_on: dt.date, today: dt.date, last_asked: dt.date | None) -> bool:
    """Whether today's check-in asks the disability questionnaire.

    Two-week blocks are counted from ``opened_on`` (block 0 is the first two weeks, whose
    score is the intake's). It is due once in every later block: when it has not been answered
    at a check-in (``last_asked``) in the block ``today`` falls in. So the check-in one week in
    does not ask it, the one two weeks in does, and a missed week does not push it back.
    """
    block = (today - opened_on).days // DISABILITY_EVERY_DAYS
    if block < 1:
        return False
    return last_asked is None or (last_asked - opened_on).days // DISABILITY_EVERY_DAYS < block


def _rating(label: str, required: Any, hint: Any = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        help_text=hint,
        min_value=0,
        max_value=10,
        error_messages={
            "required": required,
            "invalid": _("Enter a whole number from 0 to 10, like 4."),
            "min_value": _("Enter a whole number from 0 to 10, like 4."),
            "max_value": _("Enter a whole number from 0 to 10, like 4."),
        },
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "class": "input input--short"}
        ),
    )


def _value(raw: str, options: Sequence[Any]) -> Any:
    """The questionnaire value whose text form is ``raw`` (the radio buttons post strings)."""
    return next(value for value in options if str(value) == raw)


class CheckInForm(forms.Form):
    """One check-in on one page. ``psfs_activities`` are the patient's own activities from the
    intake (none: PSFS not asked); ``disability`` is the ODI or RMDQ questionnaire when it is due
    (None: not asked this week)."""

    def __init__(
        self,
        *args: Any,
        psfs_activities: Sequence[str] = (),
        disability: Questionnaire | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.psfs_activities = tuple(psfs_activities)
        self.disability = disability
        self.fields[NPRS_FIELD] = _rating(
            str(_("How bad is your back pain right now?")),
            _("Enter a number from 0 to 10 for your pain right now."),
            _("0 means no pain. 10 means the worst pain you can imagine."),
        )
        for index, activity in enumerate(self.psfs_activities):
            self.fields[f"psfs_{index}"] = _rating(
                activity,
                _("Enter a number from 0 to 10 for this activity."),
            )
        for q in RED_FLAG_QUESTIONS:
            self.fields[q.name] = forms.ChoiceField(
                label=q.label,
                help_text=q.hint,
                choices=[(a.value, a.label) for a in q.answers],
                widget=forms.RadioSelect,
                error_messages={"required": q.required, "invalid_choice": q.required},
            )
        if disability is None:
            return
        if disability.options and all(isinstance(o.value, bool) for o in disability.options):
            # RMDQ: tick the statements that apply today; an unticked one is "does not apply".
            self.fields["rmdq"] = forms.MultipleChoiceField(
                label=_("Tick each sentence that is true for you today"),
                choices=[(str(item.number), item.text) for item in disability.items],
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            return
        for item in disability.items:
            self.fields[f"odi_{item.number}"] = forms.ChoiceField(
                label=item.text,
                choices=[(str(o.value), o.text) for o in disability.options_for(item)],
                widget=forms.RadioSelect,
                required=False,
                error_messages={"invalid_choice": _("Choose one of the answers.")},
            )

    @property
    def psfs_fields(self) -> list[forms.BoundField]:
        return [self[f"psfs_{i}"] for i in range(len(self.psfs_activities))]

    @property
    def red_flag_fields(self) -> list[forms.BoundField]:
        return [self[q.name] for q in RED_FLAG_QUESTIONS]

    @property
    def odi_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("odi_")]

    @property
    def asks_odi(self) -> bool:
        return any(name.startswith("odi_") for name in self.fields)

    @property
    def asks_rmdq(self) -> bool:
        return "rmdq" in self.fields

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        blank = [
            f for f in self.odi_fields if not cleaned.get(f.name) and f.name not in self.errors
        ]
        if len(blank) > ODI_MOST_BLANK:
            message = _(
                "Please answer this one. You can leave out at most %(most)s sections, for "
                "example one that does not apply to you."
            ) % {"most": ODI_MOST_BLANK}
            for bound in blank:
                self.add_error(bound.name, message)
        return cleaned

    # --- what the action takes --------------------------------------------------------------

    def nprs(self) -> int:
        value: int = self.cleaned_data[NPRS_FIELD]
        return value

    def psfs(self) -> list[dict[str, Any]] | None:
        """The PSFS items: the intake's activities with this week's ratings (None: not asked)."""
        if not self.psfs_activities:
            return None
        return [
            {"activity": activity, "score": self.cleaned_data[f"psfs_{i}"]}
            for i, activity in enumerate(self.psfs_activities)
        ]

    def red_flag_screen(self) -> dict[str, Any]:
        """The red-flag answers as the engine reads them: "I'm not sure" is left out (unknown)."""
        screen: dict[str, Any] = {}
        for q in RED_FLAG_QUESTIONS:
            value = q.to_intake(self.cleaned_data[q.name])
            if value is None:
                continue
            screen[q.path.split(".", 1)[1]] = value.value if isinstance(value, StrEnum) else value
        return screen

    def odi(self) -> dict[str, Any] | None:
        """ODI answers in section order (None for a section left blank), or None if not asked."""
        if self.disability is None or not self.asks_odi:
            return None
        answers: list[int | None] = []
        for item in self.disability.items:
            raw = self.cleaned_data.get(f"odi_{item.number}") or ""
            options = [o.value for o in self.disability.options_for(item)]
            answers.append(_value(raw, options) if raw else None)
        document: dict[str, Any] = {"answers": answers}
        if self.disability.variant is not None:
            document["variant"] = self.disability.variant.value
        return document

    def rmdq(self) -> dict[str, Any] | None:
        """RMDQ answers: True for each ticked sentence, False for the others (None: not asked)."""
        if self.disability is None or not self.asks_rmdq:
            return None
        ticked = set(self.cleaned_data.get("rmdq") or ())
        return {"answers": [str(item.number) in ticked for item in self.disability.items]}
