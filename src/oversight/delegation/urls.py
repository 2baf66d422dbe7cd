"""Scheme of delegation URLs (namespace ``delegation``), included at /governance/delegation/."""

from django.urls import path

from oversight.delegation import views

app_name = "delegation"

urlpatterns = [
    path("", views.scheme_page, name="scheme"),
    path("matters/<int:pk>/", views.matter_page, name="matter"),
    path(
        "meetings/<int:pk>/items/<int:item_pk>/decision/",
        views.minute_under_matter,
        name="minute",
    ),
]
