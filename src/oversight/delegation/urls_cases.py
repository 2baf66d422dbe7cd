"""Business-case URLs (namespace ``business_cases``), included at /governance/business-cases/."""

from django.urls import path

from oversight.delegation import views_cases

app_name = "business_cases"

urlpatterns = [
    path("", views_cases.pipeline_page, name="pipeline"),
    path("new/", views_cases.case_new, name="new"),
    path("<int:pk>/", views_cases.case_page, name="case"),
    path("<int:pk>/step/", views_cases.case_step, name="step"),
    path("<int:pk>/evaluate/", views_cases.case_evaluate, name="evaluate"),
    path("<int:pk>/sign-off/", views_cases.case_sign_off, name="sign_off"),
]
