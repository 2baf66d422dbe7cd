"""Business-case URLs (namespace ``business_cases``), included at /governance/business-cases/."""

from django.urls import path

from oversight.delegation import views_cases

app_name = "business_cases"

urlpatterns = [
    path("", views_cases.pipeline_page, name="pipeline"),
    path("<int:pk>/", views_cases.case_page, name="case"),
]
