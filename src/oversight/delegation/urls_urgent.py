"""Urgent decisions URL (namespace ``urgent``), included at /governance/urgent-decisions/."""

from django.urls import path

from oversight.delegation import views_urgent

app_name = "urgent"

urlpatterns = [path("", views_urgent.urgent_page, name="list")]
