"""Report URLs (namespace ``reports``), included at /reports/ (docs/reports.md)."""

from django.urls import path

from oversight.reports import views_meeting_pack, views_segmentation

app_name = "reports"

urlpatterns = [
    path("segmentation/", views_segmentation.summary_page, name="segmentation_summary"),
    path("meetings/<int:pk>/pack/", views_meeting_pack.pack_page, name="meeting_pack"),
    path("meetings/<int:pk>/pack/part-b/", views_meeting_pack.pack_page, {"part": "B"},
         name="meeting_pack_part_b"),
]
