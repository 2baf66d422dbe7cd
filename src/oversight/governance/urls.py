"""Governance URLs (namespace ``governance``), included at /governance/ (docs/pages.md)."""

from django.urls import path

from oversight.governance import views, views_meeting

app_name = "governance"

urlpatterns = [
    path("", views.body_list, name="bodies"),
    path("interests/", views.interests, name="interests"),
    path("interests/<int:pk>/<str:change>/", views.interest_change, name="interest_change"),
    path("meetings/<int:pk>/", views_meeting.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/attendance/", views_meeting.attendance, name="attendance"),
    path("meetings/<int:pk>/items/new/", views_meeting.item_new, name="item_new"),
    path(
        "meetings/<int:pk>/items/<int:item_pk>/papers/new/",
        views_meeting.paper_new,
        name="paper_new",
    ),
    path("meetings/<int:pk>/items/<int:item_pk>/ruling/", views_meeting.ruling, name="ruling"),
    path(
        "meetings/<int:pk>/items/<int:item_pk>/minute/",
        views_meeting.minute_edit,
        name="minute",
    ),
    path(
        "meetings/<int:pk>/items/<int:item_pk>/minute/action/",
        views_meeting.minute_action,
        name="minute_action",
    ),
    path(
        "meetings/<int:pk>/declarations/",
        views_meeting.declarations_asked,
        name="declarations_asked",
    ),
    path("meetings/<int:pk>/minutes/", views_meeting.minutes_draft, name="minutes_draft"),
    path("meetings/<int:pk>/minutes/<slug:step>/", views_meeting.minutes_step, name="minutes_step"),
    path("papers/<int:pk>/versions/new/", views_meeting.version_new, name="version_new"),
    path(
        "papers/<int:pk>/versions/<int:number>/",
        views_meeting.version_file,
        name="version_file",
    ),
    path("papers/<int:pk>/issue/", views_meeting.paper_issue, name="paper_issue"),
    path("papers/<int:pk>/urgent/", views_meeting.paper_urgent, name="paper_urgent"),
    path("<str:short_name>/", views.body_detail, name="body"),
    path("<str:short_name>/meetings.ics", views.meetings_ics, name="meetings_ics"),
    path(
        "<str:short_name>/terms/<str:version>/document/",
        views.terms_document,
        name="terms_document",
    ),
    path("<str:short_name>/schedule/", views.publish, name="publish_schedule"),
    path("<str:short_name>/extraordinary/", views.extraordinary, name="extraordinary"),
]
