"""URLs of the printable handouts (backcare/exports/handout_views.py, docs/handouts.md).

Each handout is one template, served as a web page and as a PDF; ``?paper=a4|letter``.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from backcare.exports import handout_views

app_name = "handouts"

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "patients/<int:patient_id>/programme/",
        handout_views.programme,
        name="programme",
    ),
    path(
        "patients/<int:patient_id>/programme.pdf",
        handout_views.programme_pdf,
        name="programme_pdf",
    ),
    path("patients/<int:patient_id>/report/", handout_views.report, name="report"),
    path("patients/<int:patient_id>/report.pdf", handout_views.report_pdf, name="report_pdf"),
]
