"""Urgent decisions URLs (namespace ``urgent``), included at /governance/urgent-decisions/."""

from django.urls import path

from oversight.delegation import views_urgent

app_name = "urgent"

urlpatterns = [
    path("", views_urgent.urgent_page, name="list"),
    path("new/", views_urgent.urgent_new, name="new"),
    path("<int:pk>/consult/", views_urgent.urgent_consult, name="consult"),
    path("<int:pk>/take/", views_urgent.urgent_take, name="take"),
    path("<int:pk>/report/", views_urgent.urgent_report, name="report"),
    path("<int:pk>/ratify/", views_urgent.urgent_ratify, name="ratify"),
]
