"""Scheme of delegation URLs (namespace ``delegation``), included at /governance/delegation/."""

from django.urls import path

from oversight.delegation import views

app_name = "delegation"

urlpatterns = [
    path("", views.scheme_page, name="scheme"),
    path("matters/<int:pk>/", views.matter_page, name="matter"),
]
