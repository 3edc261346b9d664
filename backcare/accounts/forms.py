"""Forms of the sign-in and invitation pages, and a mixin the clinic administrator's forms share.

Messages are plain words. The sign-in error never says whether the user name exists: a wrong
user name, a wrong password and an account that was switched off all read the same.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.forms.widgets import Input
from django.utils.translation import gettext_lazy as _

# Django's password validators' codes, said in plainer words (settings.AUTH_PASSWORD_VALIDATORS).
PASSWORD_MESSAGES = {
    "password_too_short": _(
        "This password is too short. Use at least %(min_length)d characters: a few words "
        "in a row is easy to remember."
    ),
    "password_too_common": _(
        "Lots of people use this password, so it is easy to guess. Choose another one."
    ),
    "password_entirely_numeric": _("Use some letters too, not only numbers."),
    "password_too_similar": _(
        "This password is too close to your name or email address. Choose another one."
    ),
}

NO_MATCH = _(
    "The email address (or user name) and password do not match an account that can sign in. "
    "Check them and try again."
)


def plain_password_errors(error: ValidationError) -> list[str]:
    """The messages of Django's password validators, in plain words where we have them."""
    messages = []
    for item in error.error_list:
        template = PASSWORD_MESSAGES.get(item.code or "")
        if template is None:
            messages.extend(item.messages)
        else:
            messages.append(str(template) % (item.params or {}))
    return messages


class DescribedFieldsMixin:
    """Point each input's aria-describedby at the hint and error that includes/field.html draws
    (ids ``<id>-hint`` and ``<id>-error``), and give every text input the site's class."""

    fields: dict[str, forms.Field]
    auto_id: str | bool

    def style_fields(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Textarea):
                widget.attrs.setdefault("class", "input input--text")
            elif isinstance(widget, forms.Select | Input) and not isinstance(
                widget, forms.RadioSelect | forms.CheckboxInput
            ):
                widget.attrs.setdefault("class", "input")

    def describe_fields(self, errors: dict[str, Any]) -> None:
        if not isinstance(self.auto_id, str) or "%s" not in self.auto_id:
            return
        for name, field in self.fields.items():
            auto_id = self.auto_id % name
            ids = []
            if field.help_text:
                ids.append(f"{auto_id}-hint")
            if name in errors:
                ids.append(f"{auto_id}-error")
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)


class PlainForm(DescribedFieldsMixin, forms.Form):
    """A form whose inputs carry the site's class and point at their hints and errors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()
        self.describe_fields({})

    def full_clean(self) -> None:
        super().full_clean()
        self.describe_fields(self.errors)


class LoginForm(DescribedFieldsMixin, AuthenticationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The same words whether the user name exists or not, or the account is switched off.
        self.error_messages = {"invalid_login": NO_MATCH, "inactive": NO_MATCH}
        username = self.fields["username"]
        username.label = _("Email address or user name")
        username.help_text = _("Patients: the email address your clinic sent the invitation to.")
        username.error_messages["required"] = _("Enter your email address or user name.")
        username.widget.attrs.update({"autocomplete": "username", "spellcheck": "false"})
        username.widget.attrs.pop("autofocus", None)
        password = self.fields["password"]
        password.label = _("Password")
        password.error_messages["required"] = _("Enter your password.")
        self.style_fields()
        self.describe_fields({})

    def full_clean(self) -> None:
        super().full_clean()
        self.describe_fields(self.errors)


class SetPasswordForm(PlainForm):
    """The password an invited patient chooses, typed twice."""

    password1 = forms.CharField(
        label=_("Choose a password"),
        help_text=_(
            "At least 8 characters, not only numbers, not a password lots of people use and "
            "not like your name or email address. A few words in a row is easy to remember."
        ),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Choose a password.")},
    )
    password2 = forms.CharField(
        label=_("Type the same password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Type the password again, to check it.")},
    )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are not the same. Type them again."))
        return cleaned
