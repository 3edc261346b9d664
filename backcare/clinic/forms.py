"""The form of the clinic pages: inviting a patient (``actions.invite_patient``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from backcare.accounts.models import User
from backcare.care.models import Clinic

# Common IANA time zones offered in the invitation form; the clinic's own zone is always added
# and chosen by default. A patient elsewhere can be changed later by the lead's settings page.
COMMON_TIMEZONES: tuple[str, ...] = (
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Amsterdam",
    "Europe/Stockholm",
    "Europe/Warsaw",
    "Europe/Athens",
    "Europe/Istanbul",
    "Africa/Johannesburg",
    "Africa/Lagos",
    "Africa/Nairobi",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Hong_Kong",
    "Asia/Tokyo",
    "Australia/Perth",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/St_Johns",
    "America/Halifax",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Mexico_City",
    "America/Bogota",
    "America/Sao_Paulo",
    "America/Argentina/Buenos_Aires",
    "UTC",
)

MIN_AGE, MAX_AGE = 16, 120  # backcare is for adults (the intake's person.age range)


def timezone_choices(clinic: Clinic) -> list[tuple[str, str]]:
    """The clinic's zone first, then the common zones."""
    zones = [clinic.timezone, *(z for z in COMMON_TIMEZONES if z != clinic.timezone)]
    return [(zone, zone.replace("_", " ")) for zone in zones]


class InviteForm(forms.Form):
    first_name = forms.CharField(
        label=_("First name"),
        max_length=150,
        error_messages={"required": _("Enter the patient's first name.")},
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        error_messages={"required": _("Enter the patient's last name.")},
    )
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("The patient signs in with it. For example: name@example.org"),
        max_length=150,
        error_messages={
            "required": _("Enter the patient's email address."),
            "invalid": _("Enter an email address such as name@example.org."),
        },
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth (optional)"),
        required=False,
        help_text=_("For example: 1979-03-27"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date such as 1979-03-27.")},
    )
    timezone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("Where the patient lives: their day starts at midnight there."),
        error_messages={
            "required": _("Choose the patient's time zone."),
            "invalid_choice": _("Choose a time zone from the list."),
        },
    )
    clinician = forms.TypedChoiceField(
        label=_("Clinician"),
        coerce=int,
        error_messages={
            "required": _("Choose the patient's clinician."),
            "invalid_choice": _("Choose a clinician of the clinic from the list."),
        },
    )

    def __init__(
        self, *args: Any, clinic: Clinic, clinicians: list[User], today: dt.date, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.clinicians = {c.pk: c for c in clinicians}
        zone: forms.ChoiceField = self.fields["timezone"]  # type: ignore[assignment]
        zone.choices = timezone_choices(clinic)
        who: forms.TypedChoiceField = self.fields["clinician"]  # type: ignore[assignment]
        who.choices = [(c.pk, c.get_full_name() or c.username) for c in clinicians]
        for name in ("first_name", "last_name"):
            self.fields[name].widget.attrs.update({"class": "input", "autocomplete": "off"})
        self.fields["email"].widget.attrs.update(
            {"class": "input", "autocomplete": "off", "spellcheck": "false"}
        )
        self.fields["date_of_birth"].widget.attrs.update({"class": "input input--date"})
        self.fields["timezone"].widget.attrs.update({"class": "input select"})
        self.fields["clinician"].widget.attrs.update({"class": "input select"})
        for name, field in self.fields.items():
            described = f"id_{name}-hint" if field.help_text else ""
            if described:
                field.widget.attrs["aria-describedby"] = described

    def clean_date_of_birth(self) -> dt.date | None:
        born: dt.date | None = self.cleaned_data.get("date_of_birth")
        if born is None:
            return None
        age = (self.today - born).days // 365
        if born > self.today or not MIN_AGE <= age <= MAX_AGE:
            raise forms.ValidationError(
                _("Enter a date of birth of someone aged %(low)s to %(high)s."),
                params={"low": MIN_AGE, "high": MAX_AGE},
                code="age",
            )
        return born

    def clinician_user(self) -> User:
        return self.clinicians[self.cleaned_data["clinician"]]

    def mark_errors(self) -> None:
        """aria-invalid and aria-describedby on every field with an error."""
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                hint = attrs.get("aria-describedby", "")
                attrs["aria-describedby"] = f"{hint} id_{name}-error".strip()
