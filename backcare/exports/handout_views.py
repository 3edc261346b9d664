"""The printable handouts as web pages and as PDF: one template each, for screen and print.

GET /handouts/patients/<id>/programme/      the home programme (HTML)
GET /handouts/patients/<id>/programme.pdf   the same, as a PDF (WeasyPrint)
GET /handouts/patients/<id>/report/         the progress report for a referrer (HTML)
GET /handouts/patients/<id>/report.pdf      the same, as a PDF

``?paper=a4|letter`` picks the paper (default: the patient's or clinic's place, A4 elsewhere).
Access: the patient their own programme; their clinic's staff both; anyone else 404 (another
patient, another clinic's staff) or 403 (a patient asking for a report); anonymous -> sign in.
Each view writes one audit entry (``actions.record_read``).

WeasyPrint fetches nothing from the network: its URL fetcher serves only the site's own static
files (print.css) from disk and refuses everything else.
"""

from __future__ import annotations

import functools
import mimetypes
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from backcare.accounts.models import User
from backcare.care import actions
from backcare.care.models import Patient
from backcare.exports import handouts

View = Callable[..., HttpResponse]

# The file URL base the PDF's relative links resolve against: "/static/backcare/print.css"
# becomes file:///static/backcare/print.css, which the fetcher maps to the static file on disk.
PDF_BASE_URL = "file:///"


def _static_path(url: str) -> Path | None:
    """The file on disk of a site static URL (file:///static/...), else None."""
    parts = urlsplit(url)
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    if parts.scheme != "file" or parts.netloc or not parts.path.startswith(prefix):
        return None
    name = unquote(parts.path[len(prefix) :])
    if not name or ".." in name.split("/"):
        return None
    found = finders.find(name)
    return Path(found) if isinstance(found, str) else None


def _fetcher() -> Any:
    """A WeasyPrint URL fetcher that serves the site's static files and nothing else: no
    http(s), no other file, so a PDF never waits on the network or reads a private file."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = _static_path(url)
            if path is None:
                raise ValueError(f"handouts fetch only the site's static files, not {url}")
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})

    return StaticOnly(allowed_protocols=("file", "data"))


def render_pdf(html: str) -> bytes:
    """The PDF of an HTML handout (print media; static files read from disk)."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=_fetcher(), media_type="print")
    pdf: bytes = document.write_pdf()
    return pdf


# --- access ---------------------------------------------------------------------------------


def _signed_in(view: View) -> View:
    """Anonymous -> sign in; otherwise the view decides (404 or 403)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return view(request, *args, **kwargs)

    return login_required(require_GET(wrapped))


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required has checked
    return request.user


def _patient(user: User, patient_id: int) -> Patient:
    """The patient, if ``user`` may see them (their own record, or their clinic's), else 404."""
    return get_object_or_404(
        Patient.objects.for_user(user).select_related("clinic", "clinician", "user"),
        pk=patient_id,
    )


def _staff(user: User) -> None:
    """The report is for clinic staff only: a patient (or anyone else) gets 403."""
    if not (user.is_clinic_staff and user.clinic_id):
        raise PermissionDenied


# --- responses ------------------------------------------------------------------------------


def _filename(kind: str, patient: Patient, day: Any, paper: handouts.Paper) -> str:
    name = slugify(str(patient)) or f"patient-{patient.pk}"
    return f"{kind}-{name}-{day:%Y-%m-%d}-{paper.value}.pdf"


def _respond(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    pdf: bool,
    filename: str,
) -> HttpResponse:
    context = {**context, "pdf": pdf}
    html = render_to_string(template, context, request=request)
    if not pdf:
        return HttpResponse(html)
    started = time.perf_counter()
    body = render_pdf(html)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Render-Seconds"] = f"{time.perf_counter() - started:.2f}"
    return response


def _links(name: str, patient: Patient, paper: handouts.Paper) -> dict[str, str]:
    kwargs = {"patient_id": patient.pk}
    return {
        "html": reverse(f"handouts:{name}", kwargs=kwargs) + f"?paper={paper.value}",
        "pdf": reverse(f"handouts:{name}_pdf", kwargs=kwargs) + f"?paper={paper.value}",
        "pdf_a4": reverse(f"handouts:{name}_pdf", kwargs=kwargs) + "?paper=a4",
        "pdf_letter": reverse(f"handouts:{name}_pdf", kwargs=kwargs) + "?paper=letter",
    }


def _programme(request: HttpRequest, patient_id: int, *, pdf: bool) -> HttpResponse:
    user = _user(request)
    patient = _patient(user, patient_id)
    paper = handouts.paper_for(request.GET.get("paper"), patient.timezone)
    now = timezone.now()
    shown = handouts.programme(user, patient, now=now, paper=paper)
    actions.record_read(
        by=user,
        obj=shown.record or patient,
        patient=patient,
        detail={"page": "handout_programme", "format": "pdf" if pdf else "html"},
        now=now,
    )
    context = {
        "handout": shown,
        "page_size": handouts.PAGE_SIZE[paper],
        "paper_label": handouts.PAPER_LABEL[paper],
        "links": _links("programme", patient, paper),
        "back": _back(user, patient),
    }
    filename = _filename("home-programme", patient, shown.made_on, paper)
    return _respond(request, "exports/handout_programme.html", context, pdf=pdf, filename=filename)


def _report(request: HttpRequest, patient_id: int, *, pdf: bool) -> HttpResponse:
    user = _user(request)
    _staff(user)
    patient = _patient(user, patient_id)
    paper = handouts.paper_for(request.GET.get("paper"), patient.clinic.timezone)
    now = timezone.now()
    shown = handouts.report(user, patient, now=now, paper=paper)
    actions.record_read(
        by=user,
        obj=shown.episode or patient,
        patient=patient,
        detail={"page": "handout_report", "format": "pdf" if pdf else "html"},
        now=now,
    )
    context = {
        "report": shown,
        "page_size": handouts.PAGE_SIZE[paper],
        "paper_label": handouts.PAPER_LABEL[paper],
        "links": _links("report", patient, paper),
        "back": _back(user, patient),
        "author": handouts.person_name(user),
    }
    filename = _filename("progress-report", patient, shown.made_on, paper)
    return _respond(request, "exports/report_progress.html", context, pdf=pdf, filename=filename)


def _back(user: User, patient: Patient) -> str:
    """Where the page's back link goes: the patient's exercises, or the clinic's patient page."""
    if user.is_patient:
        return reverse("me:exercises")
    return reverse("clinic:patient", kwargs={"patient_id": patient.pk})


@_signed_in
def programme(request: HttpRequest, patient_id: int) -> HttpResponse:
    return _programme(request, patient_id, pdf=False)


@_signed_in
def programme_pdf(request: HttpRequest, patient_id: int) -> HttpResponse:
    return _programme(request, patient_id, pdf=True)


@_signed_in
def report(request: HttpRequest, patient_id: int) -> HttpResponse:
    return _report(request, patient_id, pdf=False)


@_signed_in
def report_pdf(request: HttpRequest, patient_id: int) -> HttpResponse:
    return _report(request, patient_id, pdf=True)
