"""Forms of the clinic administrator's pages: clinic details, a new clinician, the licensed
questionnaire wording, and the audit trail's filters. Each keeps what was typed on an error and
says what is allowed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from backcare.accounts.forms import PlainForm
from backcare.accounts.models import User
from backcare.care.models import AuditEntry, validate_timezone

MAX_WORDING_BYTES = 1_000_000  # a full licensed file of all seven questionnaires is ~100 kB


def _timezone(value: str) -> None:
    try:
        validate_timezone(value)
    except ValidationError:
        raise ValidationError(
            _(
                "%(value)s is not a time-zone name we know. Use a name from the IANA list, "
                "written like Europe/London, America/New_York or Australia/Sydney."
            ),
            params={"value": value},
            code="invalid_timezone",
        ) from None


class ClinicDetailsForm(PlainForm):
    """The fields of actions.CLINIC_FIELDS."""

    name = forms.CharField(
        label=_("Clinic name"),
        max_length=200,
        error_messages={"required": _("Enter the clinic's name.")},
    )
    address = forms.CharField(
        label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        help_text=_("Patients see it when they need to book or ask something."),
    )
    timezone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        validators=[_timezone],
        help_text=_(
            "An IANA time-zone name, for example Europe/London, America/New_York or "
            "Australia/Sydney. Visit times and the audit trail are shown in it."
        ),
        error_messages={"required": _("Enter a time zone, for example Europe/London.")},
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    direct_access_note = forms.CharField(
        label=_("Booking without a doctor's referral"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Whether people may book a physical therapist without a doctor's referral, and how. "
            "Shown with the self-check's result."
        ),
    )
    visit_time = forms.TimeField(
        label=_("Time of planned visits"),
        help_text=_("When visits booked from a plan start, as hours:minutes, for example 09:00."),
        error_messages={
            "required": _("Enter a time, for example 09:00."),
            "invalid": _("Enter a time as hours:minutes, for example 09:00 or 14:30."),
        },
        widget=forms.TimeInput(format="%H:%M", attrs={"inputmode": "numeric"}),
    )

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        if not name:
            raise ValidationError(_("Enter the clinic's name."))
        return name


class AddClinicianForm(PlainForm):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_(
            "What they type to sign in: letters, digits and @ . + - _ only, for example "
            "j.smith or their email address."
        ),
        error_messages={"required": _("Enter a user name.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        error_messages={"invalid": _("Enter an email address like name@example.org.")},
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            (User.Role.CLINICIAN.value, _("Clinician: sees and treats the clinic's patients")),
            (
                User.Role.CLINIC_ADMIN.value,
                _("Clinic administrator: also manages staff, clinic details and the audit"),
            ),
        ],
        initial=User.Role.CLINICIAN.value,
        widget=forms.RadioSelect(attrs={"class": "radio__input"}),
        error_messages={"required": _("Choose a role.")},
    )
    password = forms.CharField(
        label=_("Password (optional)"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Leave it empty (best) and you get a one-time link with which they choose their own "
            "password. Or give them a first password and tell them in person. It is not shown "
            "again after an error."
        ),
    )


class WordingForm(PlainForm):
    """A licensed-wording file (backcare-licensed-wording/1), uploaded or pasted."""

    file = forms.FileField(
        label=_("Upload the file"),
        required=False,
        help_text=_("A TOML text file, in the format of docs/questionnaires.md."),
        widget=forms.FileInput(attrs={"accept": ".toml,text/plain"}),
    )
    text = forms.CharField(
        label=_("Or paste the file's text"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
    )

    def clean_file(self) -> str | None:
        upload = self.cleaned_data.get("file")
        if not isinstance(upload, UploadedFile):
            return None
        if upload.size is not None and upload.size > MAX_WORDING_BYTES:
            raise ValidationError(
                _("This file is too big: the most allowed is %(kb)d kB."),
                params={"kb": MAX_WORDING_BYTES // 1000},
            )
        data: bytes = upload.read()
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError(
                _("This file is not a text file: save it as plain text (UTF-8) and try again.")
            ) from None

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if "file" in self.errors:
            return cleaned
        uploaded, pasted = cleaned.get("file"), cleaned.get("text") or ""
        if uploaded is None and not pasted.strip():
            self.add_error("file", _("Choose a file to upload, or paste its text below."))
        return cleaned

    def wording(self) -> str:
        """The text to store: the uploaded file when there is one, else what was pasted."""
        uploaded = self.cleaned_data.get("file")
        return str(uploaded) if uploaded is not None else str(self.cleaned_data.get("text") or "")


# The audit trail's "who" filter: a person's id, or one of these.
WHO_PATIENTS = "patients"
WHO_SYSTEM = "system"


class AuditFilterForm(PlainForm):
    """GET filters of the audit trail; an invalid filter is shown with its message and ignored."""

    patient = forms.CharField(
        label=_("Patient"),
        required=False,
        max_length=150,
        help_text=_("Part of a name or email address, or the patient's number."),
    )
    who = forms.ChoiceField(label=_("Done by"), required=False)
    action = forms.ChoiceField(
        label=_("What was done"),
        required=False,
        choices=[("", _("Anything")), *AuditEntry.Action.choices],
    )
    since = forms.DateField(
        label=_("From (date)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date like 2026-11-27 (year-month-day).")},
    )
    until = forms.DateField(
        label=_("To (date)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date like 2026-11-27 (year-month-day).")},
    )

    def __init__(self, *args: Any, staff: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people: list[tuple[str, str]] = [
            (
                str(person.pk),
                f"{person.get_full_name() or person.username} ({person.get_role_display()})",
            )
            for person in staff
        ]
        who = self.fields["who"]
        assert isinstance(who, forms.ChoiceField)
        who.choices = [
            ("", _("Anyone")),
            (WHO_PATIENTS, _("Patients themselves")),
            (WHO_SYSTEM, _("The system (no person)")),
            *people,
        ]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        since: dt.date | None = cleaned.get("since")
        until: dt.date | None = cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return cleaned
