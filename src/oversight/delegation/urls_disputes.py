"""Dispute URLs (namespace ``disputes``), included at /governance/disputes/."""

from django.urls import path

from oversight.delegation import views_disputes

app_name = "disputes"

urlpatterns = [
    path("", views_disputes.dispute_list, name="list"),
    path("new/", views_disputes.dispute_new, name="new"),
    path("<int:pk>/outcome/", views_disputes.dispute_outcome, name="outcome"),
]
