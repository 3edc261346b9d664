"""The forms of the intake at home: one short form per step (the steps are in intake_steps.py).

Every form takes a :class:`StepContext` (the clinic's questionnaires, the age on record) and
offers :meth:`IntakeForm.answers`: what the person typed, as kept in the draft, so the same
form can be bound again to the saved answers to show them, check them and build the intake.

The red-flag and history questions are the self-check's own (``backcare.portal.forms``), so the
safety rules are the same: "I'm not sure" writes nothing, and the engine reads it as unknown,
never as "no". The questionnaire items come from the clinic's questionnaires
(``actions.clinic_questionnaires``): the licensed wording when the clinic uploaded it, else
backcare's own labelled summaries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias, TypeVar

from django import forms
from django.utils.translation import gettext_lazy as _

from backcare.engine.intake import (
    Area,
    AvoidPosition,
    CareResponse,
    Equipment,
    Factor,
)
from backcare.engine.questionnaires import AnswerOption, Item, Questionnaire
from backcare.portal.forms import UNSURE, Answer, Question, StepForm
from backcare.portal.forms import Step as QuestionStep

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

    Text: TypeAlias = str | StrPromise

E = TypeVar("E", bound=StrEnum)
NOTHING = "nothing"  # "none of these": the list is known and empty (a present list is complete)
HOW_LONG_DAYS = {"days": 1, "weeks": 7, "months": 30}  # a month counted as 30 days
MAX_DAYS = 36500  # the intake's range for episode.days_since_onset
PSFS_ROWS = 3  # activities asked; the intake allows 1 to 5 (PSFS: "up to 3" is the usual form)
GOAL_ROWS = 3  # goals asked; the intake allows up to 10

AREA_LABELS: dict[Area, Text] = {
    Area.LOW_BACK: _("Low back"),
    Area.BUTTOCK: _("Buttock"),
    Area.THIGH: _("Thigh (upper leg)"),
    Area.BELOW_KNEE: _("Below the knee"),
    Area.FOOT: _("Foot"),
    Area.THORACIC: _("Upper or middle back"),
    Area.GROIN: _("Groin"),
    Area.FLANK: _("Side of the body, below the ribs"),
    Area.ABDOMEN: _("Belly"),
    Area.WIDESPREAD: _("All over the body"),
}
FACTOR_LABELS: dict[Factor, Text] = {
    Factor.BENDING_FORWARD: _("Bending forward"),
    Factor.BENDING_BACKWARD: _("Leaning back"),
    Factor.SITTING: _("Sitting"),
    Factor.STANDING: _("Standing"),
    Factor.WALKING: _("Walking"),
    Factor.LYING_DOWN: _("Lying down"),
    Factor.LIFTING: _("Lifting"),
    Factor.COUGHING_SNEEZING: _("Coughing or sneezing"),
    Factor.MORNING: _("In the morning"),
    Factor.REST: _("Resting"),
    Factor.MOVEMENT: _("Moving about"),
    Factor.ANTI_INFLAMMATORIES: _("Anti-inflammatory pain killers, such as ibuprofen"),
}
EQUIPMENT_LABELS: dict[Equipment, Text] = {
    Equipment.MAT: _("An exercise mat or a soft rug"),
    Equipment.CHAIR: _("A sturdy chair"),
    Equipment.WALL: _("A clear wall to lean on"),
    Equipment.STEP: _("A stair or step"),
    Equipment.BAND: _("An exercise band"),
    Equipment.TOWEL: _("A towel"),
    Equipment.PILLOW: _("A pillow or cushion"),
    Equipment.BALL: _("An exercise ball"),
    Equipment.WEIGHTS: _("Small weights"),
    Equipment.BIKE: _("An exercise bike or a bicycle"),
    Equipment.POOL: _("A swimming pool I can use"),
}
AVOID_LABELS: dict[AvoidPosition, Text] = {
    AvoidPosition.FLOOR: _("Getting down to the floor"),
    AvoidPosition.ON_BACK: _("Lying on my back"),
    AvoidPosition.FACE_DOWN: _("Lying face down"),
    AvoidPosition.HANDS_AND_KNEES: _("Being on hands and knees"),
    AvoidPosition.SIDE: _("Lying on my side"),
    AvoidPosition.KNEELING: _("Kneeling"),
    AvoidPosition.SITTING: _("Sitting"),
    AvoidPosition.STANDING: _("Standing"),
}


@dataclass(frozen=True, slots=True)
class StepContext:
    """What the forms need to know about the patient: no query is made while building them."""

    questionnaires: Mapping[str, Questionnaire]
    age: int | None = None  # from the date of birth on the patient's record, when known


def option_key(value: int | bool | str) -> str:
    """The form value of a questionnaire answer: "3", "true", "very_much"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def option_value(options: tuple[AnswerOption, ...], key: str) -> int | bool | str | None:
    """The intake value of the answer whose form value is ``key``; None when not answered."""
    for option in options:
        if option_key(option.value) == key:
            return option.value
    return None


# --- fields ---------------------------------------------------------------------------------


def radio(
    label: Text,
    choices: list[tuple[str, Text]],
    *,
    required: Text | None = None,
    hint: Text = "",
) -> forms.ChoiceField:
    """A group of radio buttons; ``required`` is the message when nothing is chosen (None: the
    question may be left out)."""
    message = required or _("Choose one of the answers.")
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=required is not None,
        help_text=hint,
        widget=forms.RadioSelect(attrs={"class": "radio__input"}),
        error_messages={"required": message, "invalid_choice": message},
    )


def ticks(
    label: Text,
    choices: list[tuple[str, Text]],
    *,
    required: Text | None = None,
    hint: Text = "",
) -> forms.MultipleChoiceField:
    """A group of tick boxes."""
    message = required or _("Tick the answers that fit.")
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        required=required is not None,
        help_text=hint,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checkbox__input"}),
        error_messages={"required": message, "invalid_choice": message, "invalid_list": message},
    )


def number(label: Text, low: int, high: int, *, hint: Text = "") -> forms.IntegerField:
    """A whole number that may be left empty; the message names what is allowed."""
    message = _("Enter a whole number from %(low)s to %(high)s, or leave it empty.") % {
        "low": low,
        "high": high,
    }
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=low,
        max_value=high,
        help_text=hint,
        widget=forms.TextInput(
            attrs={"class": "input input--short", "inputmode": "numeric", "autocomplete": "off"}
        ),
        error_messages={
            "invalid": message,
            "min_value": message,
            "max_value": message,
            "step_size": message,
        },
    )


def text(label: Text, max_length: int, *, hint: Text = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        help_text=hint,
        widget=forms.TextInput(attrs={"class": "input", "autocomplete": "off"}),
        error_messages={
            "max_length": _("Use %(limit_value)d characters or fewer (you used %(show_value)d).")
        },
    )


def scale(label: Text, *, required: Text | None = None, hint: Text = "") -> forms.ChoiceField:
    """A 0 to 10 rating as eleven radio buttons."""
    return radio(label, [(str(n), str(n)) for n in range(11)], required=required, hint=hint)


def _choices(labels: Mapping[E, Text]) -> list[tuple[str, Text]]:
    return [(member.value, label) for member, label in labels.items()]


def is_numeric_scale(options: tuple[AnswerOption, ...]) -> bool:
    """Numbers whose middle answers are just their numbers (0 "no pain", 1, ..., 10 "worst"):
    drawn as a row of numbers, with the two ends named in the hint."""
    return (
        len(options) > 2
        and all(isinstance(o.value, int) and not isinstance(o.value, bool) for o in options)
        and all(o.text == option_key(o.value) for o in options[1:-1])
    )


def item_field(q: Questionnaire, item: Item, *, required: bool = True) -> forms.ChoiceField:
    """One questionnaire item as radio buttons, in the clinic's wording (licensed or ours)."""
    options = q.options_for(item)
    hints: list[str] = []
    if is_numeric_scale(options):
        first, last = options[0], options[-1]
        choices = [(option_key(o.value), option_key(o.value)) for o in options]
        hints.append(
            _("%(low)s means %(low_text)s. %(high)s means %(high_text)s.")
            % {
                "low": option_key(first.value),
                "low_text": first.text,
                "high": option_key(last.value),
                "high_text": last.text,
            }
        )
    else:
        choices = [(option_key(o.value), o.text) for o in options]
    if not required:
        hints.append(str(_("You may leave this one out.")))
    return radio(
        f"{item.number}. {item.text}" if len(q.items) > 1 else item.text,
        choices,  # type: ignore[arg-type]
        required=_("Choose an answer to this question.") if required else None,
        hint=" ".join(str(h) for h in hints),
    )


# --- the base form --------------------------------------------------------------------------


class IntakeForm(forms.Form):
    """One step's questions. Subclasses add their fields in :meth:`add_fields`."""

    def __init__(self, *args: Any, context: StepContext, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.context = context
        self.scales: set[str] = set()  # fields drawn as a row of numbers
        self.add_fields()

    def describe(self) -> None:
        """Point each text box at its hint and its message (the ids includes/field.html gives
        them), once the form has been checked."""
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                continue
            auto_id = self[name].auto_id
            ids = [f"{auto_id}-hint"] if field.help_text else []
            if self.is_bound and self.errors.get(name):
                ids.append(f"{auto_id}-error")
                field.widget.attrs["aria-invalid"] = "true"
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)

    def add_fields(self) -> None:
        """Add this step's fields to ``self.fields``."""

    def answers(self) -> dict[str, Any]:
        """What the person gave, as kept in the draft: text as typed (trimmed), a list of values
        for tick boxes. Binding a form to this again gives the same cleaned data."""
        out: dict[str, Any] = {}
        for name, field in self.fields.items():
            raw = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            if isinstance(field, forms.MultipleChoiceField):
                out[name] = [str(v) for v in raw or ()]
            else:
                out[name] = str(raw).strip() if raw is not None else ""
        return out


class QuestionsForm(IntakeForm):
    """The self-check's questions (portal/forms.py): the same answers, hints and messages, and
    "I'm not sure" where the self-check has it."""

    questions: ClassVar[tuple[Question, ...]] = ()

    def add_fields(self) -> None:
        add_questions(self, self.asked())

    def asked(self) -> tuple[Question, ...]:
        return self.questions

    def intake_values(self) -> dict[str, object]:
        """The intake value of each answered question by path; "not sure" gives nothing."""
        return question_values(self, self.asked())


def yes_no(name: str, path: str, label: Text, hint: Text = "") -> Question:
    """A yes / no / I'm not sure question, as the self-check asks them."""
    return Question(
        name,
        path,
        label,
        _("Choose yes, no or I'm not sure."),
        answers=(
            Answer("yes", _("Yes"), True),
            Answer("no", _("No"), False),
            Answer(UNSURE, _("I'm not sure"), None),
        ),
        hint=hint,
    )


class AboutYouForm(QuestionsForm):
    """Age (unless the clinic has the date of birth) and sex."""

    def asked(self) -> tuple[Question, ...]:
        if self.context.age is not None:
            return tuple(q for q in self.questions if q.path != "person.age")
        return self.questions


# --- your back pain -------------------------------------------------------------------------


class PainForm(IntakeForm):
    """Where it hurts and for how long; how it started and how it is going come after."""

    extra: ClassVar[tuple[Question, ...]] = ()

    def add_fields(self) -> None:
        self.fields["pain_areas"] = ticks(
            _("Where do you feel pain?"),
            _choices(AREA_LABELS),
            required=_("Tick at least one place where you feel pain."),
            hint=_("Tick every place."),
        )
        self.fields["how_long"] = number(
            _("How long have you had this back pain?"),
            0,
            MAX_DAYS,
            hint=_("A number, then choose days, weeks or months. Leave it empty if not sure."),
        )
        self.fields["how_long_unit"] = radio(
            _("Days, weeks or months?"),
            [("days", _("Days")), ("weeks", _("Weeks")), ("months", _("Months"))],
        )
        add_questions(self, self.extra)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        amount, unit = data.get("how_long"), data.get("how_long_unit")
        if amount is not None and not unit and "how_long_unit" not in self.errors:
            self.add_error("how_long_unit", _("Choose days, weeks or months."))
        elif unit and amount is None and "how_long" not in self.errors:
            self.add_error("how_long", _("Enter a number, or leave both empty if not sure."))
        elif amount is not None and unit and amount * HOW_LONG_DAYS[unit] > MAX_DAYS:
            self.add_error("how_long", _("That is more than 100 years. Check the number."))
        return data

    def days(self) -> int | None:
        amount, unit = self.cleaned_data.get("how_long"), self.cleaned_data.get("how_long_unit")
        if amount is None or not unit:
            return None
        return int(amount) * HOW_LONG_DAYS[unit]


def add_questions(form: IntakeForm, questions: tuple[Question, ...]) -> None:
    """Add the self-check's questions to an intake form, built exactly as the self-check builds
    them (portal/forms.py StepForm: the same answers, "not sure", messages and age range)."""
    built = StepForm(QuestionStep("intake", "", "", questions))
    for q in questions:
        field = built.fields[q.name]
        field.help_text = q.hint
        if isinstance(field.widget, forms.RadioSelect):
            field.widget.attrs["class"] = "radio__input"
        else:  # the age: a short text box, as on the self-check
            field.widget = forms.TextInput(
                attrs={"class": "input input--short", "inputmode": "numeric", "autocomplete": "off"}
            )
        form.fields[q.name] = field


def question_values(form: forms.Form, questions: tuple[Question, ...]) -> dict[str, object]:
    """The intake value of each answered self-check question by path; "not sure" gives none."""
    out: dict[str, object] = {}
    for q in questions:
        if q.name not in form.fields:
            continue
        value = form.cleaned_data.get(q.name)
        intake = q.to_intake("" if value is None else str(value))
        if intake is not None:
            out[q.path] = intake.value if isinstance(intake, StrEnum) else intake
    return out


def factor_list(values: list[str]) -> list[str] | None:
    """A ticked list: absent when nothing is ticked (not answered), [] for "none of these"."""
    if not values:
        return None
    return [v for v in values if v != NOTHING]


class _NothingOrSome(IntakeForm):
    """Tick-box lists with a "none of these" box that cannot go with the others."""

    lists: ClassVar[tuple[str, ...]] = ()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in self.lists:
            values = data.get(name) or []
            if NOTHING in values and len(values) > 1:
                self.add_error(name, _('Tick "None of these", or the ones that fit, but not both.'))
        return data


class ChangesForm(_NothingOrSome):
    """What makes it worse or better, night pain, morning stiffness."""

    lists = ("worse_with", "better_with")
    extra: ClassVar[tuple[Question, ...]] = ()

    def add_fields(self) -> None:
        factors = [*_choices(FACTOR_LABELS), (NOTHING, _("None of these"))]
        self.fields["worse_with"] = ticks(
            _("What makes your pain worse?"), factors, hint=_("Tick all that fit.")
        )
        self.fields["better_with"] = ticks(
            _("What makes your pain better?"), factors, hint=_("Tick all that fit.")
        )
        add_questions(self, self.extra)
        self.fields["morning_stiffness_minutes"] = number(
            _("How many minutes is your back stiff when you get up in the morning?"),
            0,
            1440,
            hint=_("Enter 0 if it is not stiff. Leave it empty if not sure."),
        )


class BeforeForm(IntakeForm):
    """Earlier episodes, care so far, and everyday activities."""

    extra: ClassVar[tuple[Question, ...]] = ()

    def add_fields(self) -> None:
        self.fields["previous_episodes"] = number(
            _("How many times have you had back pain like this before?"),
            0,
            100,
            hint=_("Enter 0 if this is the first time. Leave it empty if not sure."),
        )
        self.fields["had_care"] = radio(
            _("Have you had treatment for this back pain already?"),
            [("yes", _("Yes")), ("no", _("No")), (UNSURE, _("I'm not sure"))],
            required=_("Choose yes, no or I'm not sure."),
            hint=_("For example physical therapy, or exercises from a doctor."),
        )
        self.fields["care_weeks"] = number(
            _("If yes: for how many weeks?"), 0, 520, hint=_("Leave it empty if not sure.")
        )
        self.fields["care_response"] = radio(
            _("If yes: how is it going?"),
            [
                (CareResponse.IMPROVING.value, _("I am getting better")),
                (CareResponse.NOT_IMPROVING.value, _("I am not getting better")),
                (CareResponse.WORSE.value, _("I am getting worse")),
                (UNSURE, _("I'm not sure")),
            ],
        )
        add_questions(self, self.extra)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("had_care") == "yes" and not data.get("care_response"):
            self.add_error("care_response", _("Choose how the treatment is going, or not sure."))
        if data.get("had_care") in ("no", UNSURE):
            for name in ("care_weeks", "care_response"):
                if data.get(name) not in (None, "") and name not in self.errors:
                    self.add_error(name, _("Leave this empty when you have had no treatment."))
        return data

    def care(self) -> dict[str, Any] | None:
        had = self.cleaned_data.get("had_care")
        if had == "no":
            return {"weeks": 0}  # no care so far: zero weeks of it
        if had != "yes":
            return None
        care: dict[str, Any] = {}
        if self.cleaned_data.get("care_weeks") is not None:
            care["weeks"] = self.cleaned_data["care_weeks"]
        response = self.cleaned_data.get("care_response")
        if response and response != UNSURE:
            care["response"] = response
        return care or None


# --- the questionnaires ---------------------------------------------------------------------


class QuestionnaireForm(IntakeForm):
    """The items of one questionnaire, in the clinic's wording."""

    questionnaire_id: ClassVar[str] = ""
    optional_items: ClassVar[frozenset[int]] = frozenset()  # item numbers that may be left out

    @property
    def questionnaire(self) -> Questionnaire:
        return self.context.questionnaires[self.questionnaire_id]

    def add_fields(self) -> None:
        q = self.questionnaire
        for item in q.items:
            name = self.item_name(item)
            self.fields[name] = item_field(q, item, required=item.number not in self.optional_items)
            if is_numeric_scale(q.options_for(item)):
                self.scales.add(name)

    @staticmethod
    def item_name(item: Item) -> str:
        return "item_" + str(item.number)

    def item_values(self) -> list[int | bool | str | None]:
        q = self.questionnaire
        return [
            option_value(q.options_for(item), self.cleaned_data.get(self.item_name(item)) or "")
            for item in q.items
        ]


class NprsForm(QuestionnaireForm):
    """The pain rating now (NPRS), then the worst and least pain of the last day, and leg pain."""

    questionnaire_id = "nprs"

    def add_fields(self) -> None:
        super().add_fields()
        self.scales |= {"pain_worst_24h", "pain_best_24h", "leg_pain_now"}
        rating = _("Choose a number from 0 to 10.")
        ends = _("0 means no pain. 10 means the worst pain you can imagine.")
        self.fields["pain_worst_24h"] = scale(
            _("In the last 24 hours, how bad was your back pain at its worst?"),
            required=rating,
            hint=ends,
        )
        self.fields["pain_best_24h"] = scale(
            _("In the last 24 hours, how bad was your back pain at its least?"),
            required=rating,
            hint=ends,
        )
        self.fields["leg_pain_now"] = scale(
            _("How bad is the pain in your leg right now?"),
            required=rating,
            hint=_("Choose 0 if you have no leg pain. 10 means the worst pain you can imagine."),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        worst, best = data.get("pain_worst_24h"), data.get("pain_best_24h")
        if worst and best and int(best) > int(worst):
            self.add_error("pain_best_24h", _("The least pain cannot be more than the worst."))
        return data


class OdiForm(QuestionnaireForm):
    questionnaire_id = "odi"
    # Section 8 (sex life) may be left out: content/questionnaires/odi.toml; clinical-facts §1.2.
    optional_items = frozenset({8})


class StartBackForm(QuestionnaireForm):
    questionnaire_id = "startback"


class FabqForm(QuestionnaireForm):
    questionnaire_id = "fabq"


class PsfsForm(IntakeForm):
    """Up to three activities the person finds hard, each rated 0 to 10."""

    @property
    def questionnaire(self) -> Questionnaire:
        return self.context.questionnaires["psfs"]

    def add_fields(self) -> None:
        q = self.questionnaire
        low, high = q.options[0].text, q.options[-1].text
        for item in q.items[:PSFS_ROWS]:
            self.fields[f"activity_{item.number}"] = text(
                item.text,
                120,
                hint=_("For example: lifting my child, sitting at work, gardening.")
                if item.number == 1
                else "",
            )
            self.fields[f"score_{item.number}"] = number(
                # Each box says which activity it scores: a screen reader hears the label alone.
                _("Activity %(number)s: how well can you do it today?") % {"number": item.number},
                0,
                10,
                hint=_("0 = %(low)s, 10 = %(high)s.") % {"low": low, "high": high},
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = 0
        for n in range(1, PSFS_ROWS + 1):
            activity, score = data.get(f"activity_{n}"), data.get(f"score_{n}")
            if activity and score is None and f"score_{n}" not in self.errors:
                self.add_error(f"score_{n}", _("Give this activity a number from 0 to 10."))
            if score is not None and not activity and f"activity_{n}" not in self.errors:
                self.add_error(f"activity_{n}", _("Name the activity for this number."))
            given += bool(activity)
        if not given and not self.errors:
            self.add_error("activity_1", _("Name at least one activity you find hard."))
        return data

    def items(self) -> list[dict[str, Any]]:
        out = []
        for n in range(1, PSFS_ROWS + 1):
            activity = self.cleaned_data.get(f"activity_{n}")
            if activity:
                out.append({"activity": activity, "score": self.cleaned_data.get(f"score_{n}")})
        return out


# --- preferences and goals ------------------------------------------------------------------


class PreferencesForm(_NothingOrSome):
    lists = ("equipment", "avoid_positions")
    extra: ClassVar[tuple[Question, ...]] = ()

    def add_fields(self) -> None:
        add_questions(self, self.extra)
        self.fields["equipment"] = ticks(
            _("What do you have at home, or can use?"),
            [*_choices(EQUIPMENT_LABELS), (NOTHING, _("None of these"))],
            hint=_("Tick all that fit. We choose exercises you can do with them."),
        )
        self.fields["avoid_positions"] = ticks(
            _("Is there a position you cannot get into, or would rather avoid?"),
            [*_choices(AVOID_LABELS), (NOTHING, _("None of these"))],
            hint=_("Tick all that fit."),
        )
        self.fields["minutes_per_day"] = number(
            _("How many minutes a day can you give to exercises at home?"),
            5,
            120,
            hint=_("From 5 to 120. Leave it empty if not sure."),
        )
        self.fields["clinic_sessions_per_week"] = number(
            _("How many times a week could you come to the clinic?"),
            0,
            7,
            hint=_("From 0 to 7. Leave it empty if not sure."),
        )


class GoalsForm(IntakeForm):
    def add_fields(self) -> None:
        for n in range(1, GOAL_ROWS + 1):
            self.fields[f"goal_{n}"] = text(
                _("Goal %(number)s") % {"number": n},
                200,
                hint=_("For example: walk the dog for half an hour.") if n == 1 else "",
            )

    def goals(self) -> list[str]:
        return [
            self.cleaned_data[f"goal_{n}"]
            for n in range(1, GOAL_ROWS + 1)
            if self.cleaned_data.get(f"goal_{n}")
        ]
