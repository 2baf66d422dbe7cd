"""URL map. Every page is keyed by ODS and metric codes (see docs/pages.md)."""

from django.contrib import admin
from django.urls import include, path

from oversight import api

urlpatterns = [
    path("", include("oversight.web.urls")),
    path("", include("oversight.metrics.urls")),
    path("", include("oversight.segmentation.urls")),
    path("", include("oversight.support.urls")),
    path("", include("oversight.development.urls")),
    path("governance/delegation/", include("oversight.delegation.urls")),
    path("governance/business-cases/", include("oversight.delegation.urls_cases")),
    path("governance/urgent-decisions/", include("oversight.delegation.urls_urgent")),
    path("governance/disputes/", include("oversight.delegation.urls_disputes")),
    path("governance/", include("oversight.governance.urls")),
    path("", include("oversight.risks.urls")),
    path("", include("oversight.jobs.urls")),
    path("reports/", include("oversight.reports.urls")),
    path("api/", api.urls()),
    path("admin/", admin.site.urls),
]

handler400 = "oversight.web.errors.bad_request"
handler500 = "oversight.web.errors.server_error"
