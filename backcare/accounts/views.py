"""Signing in and out, where to go after signing in, and accepting an invitation.

- ``login``: Django's LoginView with our form and template. django-axes checks every attempt
  (settings.AXES_*): after too many wrong passwords for one user name from one address, that
  pair is locked out for a while and sees ``accounts/locked_out.html`` (status 429).
- ``logout``: POST signs out; GET shows a page with the button, so a link cannot sign anyone out.
- ``after_login``: sends each person to their start page by role.
- ``accept_invitation``: an invited patient chooses a password, then is signed in.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView as DjangoLoginView
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from backcare.accounts.forms import LoginForm, SetPasswordForm, plain_password_errors
from backcare.accounts.models import Invitation, User, token_hash
from backcare.care import actions
from backcare.care.models import AssessmentRecord

# The backend that checks the password; named when signing in a patient who has just chosen one.
PASSWORD_BACKEND = "django.contrib.auth.backends.ModelBackend"


class LoginView(DjangoLoginView):
    """Sign in. ``next`` is followed only when it is on this site (Django checks it)."""

    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True


login = LoginView.as_view()


@never_cache
@require_http_methods(["GET", "POST"])
def logout(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    if request.method == "POST":
        auth_logout(request)
        messages.success(request, _("You have signed out."))
        return redirect("accounts:login")
    return render(request, "accounts/logout.html")


def start_page(user: User) -> str:
    """The URL name of ``user``'s start page (web.md): a patient who has never been assessed
    starts with the intake, every other patient with Today (after discharge it shows the
    maintenance programme); staff start at their clinic's pages."""
    if user.role == User.Role.CLINIC_ADMIN and user.clinic_id is not None:
        return "clinic_admin:home"
    if user.role == User.Role.CLINICIAN and user.clinic_id is not None:
        return "clinic:dashboard"
    if user.role == User.Role.PATIENT and user.clinic_id is not None:
        assessed = AssessmentRecord.objects.filter(episode__patient__user_id=user.pk).exists()
        return "me:today" if assessed else "intake:start"
    return "home"  # site staff made with createsuperuser belong to no clinic


@never_cache
@require_GET
@login_required
def after_login(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    return redirect(start_page(request.user))


def _usable_invitation(token: str) -> tuple[Invitation | None, str]:
    """The invitation of ``token`` and "" when it can be used; otherwise why not: "unknown",
    "used" or "expired"."""
    invitation = (
        Invitation.objects.select_related("user__clinic")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if invitation is None:
        return None, "unknown"
    if invitation.used_at is not None:
        return invitation, "used"
    if not invitation.is_usable(timezone.now()):
        return invitation, "expired"
    return invitation, ""


def _invitation_refused(request: HttpRequest, reason: str) -> HttpResponse:
    # Unknown: 404 (there is no such link). Used or expired: 410 (it was real, and is gone).
    status = 404 if reason == "unknown" else 410
    return render(request, "accounts/invitation_invalid.html", {"reason": reason}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation, reason = _usable_invitation(token)
    if invitation is None or reason:
        return _invitation_refused(request, reason)
    form = SetPasswordForm(data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.accept_invitation(token=token, password=form.cleaned_data["password1"])
        except ValidationError as error:
            for message in plain_password_errors(error):
                form.add_error("password1", message)
            form.describe_fields(form.errors)
        except actions.ActionRefused:
            # Used or expired between showing the form and sending it.
            reason = _usable_invitation(token)[1]
            return _invitation_refused(request, reason or "expired")
        else:
            auth_login(request, user, backend=PASSWORD_BACKEND)
            messages.success(request, _("Your password is set and you are signed in."))
            return redirect("accounts:after_login")
    invited: User = invitation.user
    context: dict[str, Any] = {
        "form": form,
        "first_name": invited.first_name,
        "clinic": invited.clinic,
        "username": invited.username,
        "expires_at": invitation.expires_at,
    }
    return render(request, "accounts/accept_invitation.html", context)
