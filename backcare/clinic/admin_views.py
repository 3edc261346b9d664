"""The clinic administrator's pages, /clinic/admin/: the clinic's details, its clinicians, its
licensed questionnaire wording, and the audit trail of who read or changed what.

Only an active clinic administrator of a clinic sees these pages, and always for their own
clinic (anonymous: sign in; anyone else: 403). Every change goes through ``care/actions.py``,
which checks the permission again and writes the audit entry.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backcare.accounts.access import clinic_admin
from backcare.accounts.forms import plain_password_errors
from backcare.accounts.models import User
from backcare.care import actions
from backcare.care.models import AuditEntry, Clinic, Patient
from backcare.clinic.admin_forms import (
    WHO_PATIENTS,
    WHO_SYSTEM,
    AddClinicianForm,
    AuditFilterForm,
    ClinicDetailsForm,
    WordingForm,
)

AUDIT_PAGE_SIZE = 50
STAFF_ROLES = (User.Role.CLINICIAN, User.Role.CLINIC_ADMIN)


def _admin(request: HttpRequest) -> tuple[User, Clinic]:
    user = request.user
    assert isinstance(user, User) and user.clinic is not None
    return user, user.clinic


def _staff(clinic: Clinic) -> QuerySet[User]:
    return User.objects.filter(clinic=clinic, role__in=STAFF_ROLES)


def _licensed(clinic: Clinic) -> list[Any]:
    """The questionnaires the clinic's licensed wording covers, by name."""
    covered = [q for q in actions.clinic_questionnaires(clinic).values() if q.licence is not None]
    return sorted(covered, key=lambda q: q.name)


@require_GET
@clinic_admin
def home(request: HttpRequest) -> HttpResponse:
    clinic = _admin(request)[1]
    staff = _staff(clinic).aggregate(
        clinicians=Count("pk", filter=Q(role=User.Role.CLINICIAN, is_active=True)),
        admins=Count("pk", filter=Q(role=User.Role.CLINIC_ADMIN, is_active=True)),
        inactive=Count("pk", filter=Q(is_active=False)),
    )
    context = {
        "clinic": clinic,
        "staff": staff,
        "patients": Patient.objects.filter(clinic=clinic).count(),
        "licensed": _licensed(clinic),
    }
    return render(request, "clinic/admin_home.html", context)


def _refusal_to_form(form: Any, error: Exception, field: str | None = None) -> None:
    """Show a refused action's message on the form (on ``field``, or above the fields)."""
    if isinstance(error, ValidationError):
        for message in error.messages:
            form.add_error(field, message)
    else:
        form.add_error(field, str(error))
    form.describe_fields(form.errors)


@require_http_methods(["GET", "POST"])
@clinic_admin
def details(request: HttpRequest) -> HttpResponse:
    admin, clinic = _admin(request)
    if request.method == "POST":
        form = ClinicDetailsForm(data=request.POST)
        if form.is_valid():
            try:
                actions.update_clinic(clinic=clinic, by=admin, **form.cleaned_data)
            except ValidationError as error:  # the time zone, checked again by the action
                _refusal_to_form(form, error, "timezone")
            except actions.ActionRefused as error:
                _refusal_to_form(form, error)
            else:
                messages.success(request, _("The clinic's details are saved."))
                return redirect("clinic_admin:home")
    else:
        form = ClinicDetailsForm(
            initial={name: getattr(clinic, name) for name in actions.CLINIC_FIELDS}
        )
    return render(request, "clinic/admin_details.html", {"clinic": clinic, "form": form})


@require_GET
@clinic_admin
def staff(request: HttpRequest) -> HttpResponse:
    admin, clinic = _admin(request)
    people = (
        _staff(clinic)
        .annotate(patients=Count("caseload"))
        .order_by("-is_active", "last_name", "first_name", "username")
    )
    return render(
        request, "clinic/admin_staff.html", {"clinic": clinic, "people": people, "me": admin}
    )


@require_http_methods(["GET", "POST"])
@clinic_admin
def add_staff(request: HttpRequest) -> HttpResponse:
    admin, clinic = _admin(request)
    if request.method == "POST":
        form = AddClinicianForm(data=request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                person = actions.add_clinician(
                    clinic=clinic,
                    by=admin,
                    username=data["username"],
                    password=data["password"] or None,
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    role=data["role"],
                )
            except ValidationError as error:  # Django's password validators
                for message in plain_password_errors(error):
                    form.add_error("password", message)
                form.describe_fields(form.errors)
            except actions.ActionRefused as error:  # the user name is taken
                _refusal_to_form(form, error, "username")
            else:
                name = person.get_full_name() or person.username
                if person.has_usable_password():
                    messages.success(request, _("%(name)s can now sign in.") % {"name": name})
                    return redirect("clinic_admin:staff")
                return _show_link(request, clinic, person, admin)
    else:
        form = AddClinicianForm()
    return render(request, "clinic/admin_add_staff.html", {"clinic": clinic, "form": form})


def _show_link(request: HttpRequest, clinic: Clinic, person: User, admin: User) -> HttpResponse:
    """Make a one-time sign-in link for ``person`` and show it once (never stored in clear)."""
    invitation, token = actions.invite_staff(user=person, by=admin)
    link = request.build_absolute_uri(reverse("accounts:accept_invitation", args=[token]))
    response = render(
        request,
        "clinic/admin_staff_link.html",
        {"clinic": clinic, "person": person, "link": link, "expires_at": invitation.expires_at},
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@clinic_admin
def staff_link(request: HttpRequest, user_id: int) -> HttpResponse:
    admin, clinic = _admin(request)
    person = get_object_or_404(_staff(clinic), pk=user_id)
    try:
        return _show_link(request, clinic, person, admin)
    except actions.ActionRefused as error:
        messages.error(request, str(error))
        return redirect("clinic_admin:staff")


@require_POST
@clinic_admin
def staff_active(request: HttpRequest, user_id: int) -> HttpResponse:
    admin, clinic = _admin(request)
    person = get_object_or_404(_staff(clinic), pk=user_id)
    active = request.POST.get("active") == "1"
    name = person.get_full_name() or person.username
    try:
        actions.set_staff_active(user=person, by=admin, active=active)
    except actions.ActionRefused as error:
        messages.error(request, str(error))
    else:
        if active:
            messages.success(request, _("%(name)s can sign in again.") % {"name": name})
        else:
            messages.success(
                request,
                _("%(name)s can no longer sign in. Their notes and plans are kept.")
                % {"name": name},
            )
    return redirect("clinic_admin:staff")


@require_http_methods(["GET", "POST"])
@clinic_admin
def wording(request: HttpRequest) -> HttpResponse:
    admin, clinic = _admin(request)
    problems: list[Any] = []
    if request.method == "POST":
        form = WordingForm(data=request.POST, files=request.FILES)
        if form.is_valid():
            text = form.wording()
            try:
                actions.upload_licensed_wording(clinic=clinic, by=admin, text=text)
            except actions.QuestionnaireError as error:
                problems = list(error.problems)
                # Keep the text, so it can be fixed here and sent again.
                form = WordingForm(initial={"text": text})
            else:
                covered = ", ".join(q.name for q in _licensed(clinic))
                messages.success(
                    request,
                    _("The licensed wording is saved. It covers: %(names)s.")
                    % {"names": covered or _("no questionnaire")},
                )
                return redirect("clinic_admin:wording")
    else:
        form = WordingForm()
    context = {
        "clinic": clinic,
        "form": form,
        "problems": problems,
        "licensed": _licensed(clinic),
        "questionnaires": sorted(
            actions.clinic_questionnaires(clinic).values(), key=lambda q: q.name
        ),
    }
    return render(request, "clinic/admin_wording.html", context, status=422 if problems else 200)


@require_POST
@clinic_admin
def wording_remove(request: HttpRequest) -> HttpResponse:
    admin, clinic = _admin(request)
    actions.upload_licensed_wording(clinic=clinic, by=admin, text="")
    messages.success(
        request, _("The licensed wording is removed: backcare's own summaries show again.")
    )
    return redirect("clinic_admin:wording")


def _filtered(entries: QuerySet[AuditEntry], data: dict[str, Any], zone: ZoneInfo) -> Any:
    """``entries`` filtered by the valid fields of the audit filter form."""
    patient = (data.get("patient") or "").strip()
    if patient:
        match = (
            Q(patient__user__username__icontains=patient)
            | Q(patient__user__first_name__icontains=patient)
            | Q(patient__user__last_name__icontains=patient)
        )
        if patient.isdigit():
            match |= Q(patient_id=int(patient))
        entries = entries.filter(match)
    who = data.get("who") or ""
    if who == WHO_PATIENTS:
        entries = entries.filter(who__role=User.Role.PATIENT)
    elif who == WHO_SYSTEM:
        entries = entries.filter(who__isnull=True)
    elif who:
        entries = entries.filter(who_id=int(who))
    if data.get("action"):
        entries = entries.filter(action=data["action"])
    # Dates are the clinic's days: from the start of "since" to the end of "until".
    if data.get("since"):
        entries = entries.filter(at__gte=dt.datetime.combine(data["since"], dt.time(), zone))
    if data.get("until"):
        end = data["until"] + dt.timedelta(days=1)
        entries = entries.filter(at__lt=dt.datetime.combine(end, dt.time(), zone))
    return entries


@require_GET
@clinic_admin
def audit(request: HttpRequest) -> HttpResponse:
    """The audit trail of the clinic, newest first, 50 a page. Reading it is not audited."""
    admin, clinic = _admin(request)
    people = list(_staff(clinic).order_by("last_name", "first_name", "username"))
    params = request.GET.copy()
    params.pop("page", None)
    form = AuditFilterForm(data=params, staff=people)
    form.is_valid()  # invalid fields are shown with their message and not applied
    entries = _filtered(
        AuditEntry.objects.for_user(admin).select_related("who", "patient__user"),
        form.cleaned_data,
        ZoneInfo(clinic.timezone),
    ).order_by("-at", "-id")
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "clinic": clinic,
        "form": form,
        "page": page,
        "filtered": any(value for value in params.values()),
    }
    return render(request, "clinic/admin_audit.html", context)
