"""The site navigation: which links the header shows, by who is signed in."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from backcare.accounts.models import User


@dataclass(frozen=True, slots=True)
class Link:
    label: str | Promise
    url_name: str


PUBLIC = (Link(_("Check your back"), "portal:start"), Link(_("Library"), "library:index"))
PATIENT = (
    Link(_("Today"), "me:today"),
    Link(_("Check-in"), "progress:check_in"),
    Link(_("Progress"), "progress:progress"),
    Link(_("My exercises"), "me:exercises"),
    Link(_("Calendar"), "calendars:settings"),
    Link(_("Library"), "library:index"),
)
CLINICIAN = (
    Link(_("Caseload"), "clinic:dashboard"),
    Link(_("Calendar"), "calendars:settings"),
    Link(_("Library"), "library:index"),
)
ADMIN = (
    Link(_("Clinic"), "clinic_admin:home"),
    Link(_("Caseload"), "clinic:dashboard"),
    Link(_("Audit"), "clinic_admin:audit"),
)
LINKS: dict[str, tuple[Link, ...]] = {
    User.Role.PATIENT: PATIENT,
    User.Role.CLINICIAN: CLINICIAN,
    User.Role.CLINIC_ADMIN: ADMIN,
}


def navigation(request: HttpRequest) -> dict[str, object]:
    """Context processor: ``nav`` is a list of (label, url, is_current) for the header."""
    user = request.user
    links = LINKS.get(user.role, PUBLIC) if isinstance(user, User) else PUBLIC
    path = request.path
    nav = []
    for link in links:
        url = reverse(link.url_name)
        current = path == url or (url not in ("/", "/me/", "/clinic/") and path.startswith(url))
        nav.append((link.label, url, current))
    return {"nav": nav}
