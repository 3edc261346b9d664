"""The form of the API tokens page: a name and a scope."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from backcare.accounts.forms import PlainForm

from .models import ApiToken


class NewTokenForm(PlainForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, so you know later, e.g. 'clinic records system'."),
        error_messages={
            "required": _("Give the token a name."),
            "max_length": _("Use a name of at most 100 characters."),
        },
    )
    scope = forms.ChoiceField(
        label=_("What may it do?"),
        choices=[
            (ApiToken.Scope.READ, _("Read only: see records")),
            (ApiToken.Scope.READ_WRITE, _("Read and write: also log exercises and check-ins")),
        ],
        initial=ApiToken.Scope.READ,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what the token may do.")},
    )
