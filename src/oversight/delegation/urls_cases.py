"""Business-case URLs (namespace ``business_cases``), included at /governance/business-cases/."""

from django.urls import path

from oversight.delegation import views_cases, views_projects

app_name = "business_cases"

urlpatterns = [
    path("", views_cases.pipeline_page, name="pipeline"),
    path("new/", views_cases.case_new, name="new"),
    path("<int:pk>/", views_cases.case_page, name="case"),
    path("<int:pk>/step/", views_cases.case_step, name="step"),
    path("<int:pk>/evaluate/", views_cases.case_evaluate, name="evaluate"),
    path("<int:pk>/sign-off/", views_cases.case_sign_off, name="sign_off"),
    path("projects/new/", views_projects.project_new, name="project_new"),
    path("projects/<int:pk>/allocate/", views_projects.project_allocate, name="project_allocate"),
    path("projects/<int:pk>/sign-off/", views_projects.project_sign_off, name="project_sign_off"),
    path("projects/<int:pk>/advance/", views_projects.project_advance, name="project_advance"),
]
