"""The site's URLs.

Patients' pages live under /me/, clinicians' under /clinic/, the clinic administrator's under
/clinic/admin/, sign-in and invitations under /account/. Public: /, /check/ and /library/.
The REST API is under /api/ (v1), printable handouts under /handouts/, calendar feeds under
/calendar/.
"""

from __future__ import annotations

from django.urls import include, path

from backcare import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("check/", include("backcare.portal.urls")),
    path("library/", include("backcare.portal.library_urls")),
    path("account/", include("backcare.accounts.urls")),
    path("me/intake/", include("backcare.portal.intake_urls")),
    path("me/", include("backcare.portal.me_urls")),
    path("me/", include("backcare.portal.progress_urls")),
    path("clinic/admin/", include("backcare.clinic.admin_urls")),
    path("clinic/", include("backcare.clinic.urls")),
    path("clinic/", include("backcare.clinic.care_urls")),
    path("api/", include("backcare.api.urls")),
    path("handouts/", include("backcare.exports.handout_urls")),
    path("calendar/", include("backcare.exports.calendar_urls")),
]
