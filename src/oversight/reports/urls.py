"""Report URLs (namespace ``reports``), included at /reports/ (docs/reports.md)."""

from django.urls import path

from oversight.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("new/", views.report_new, name="new"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/edit/", views.report_edit, name="edit"),
    path("<int:pk>/preview/", views.report_preview, name="preview"),
    path("<int:pk>/issue/", views.report_issue, name="issue"),
    path("<int:pk>/versions/<int:number>/", views.version_detail, name="version"),
    path("<int:pk>/versions/<int:number>/report.<str:fmt>", views.version_download,
         name="download"),
]
