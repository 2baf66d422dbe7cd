from django.urls import path

from oversight.jobs import views

urlpatterns = [
    path("jobs/<uuid:pk>/", views.job_page, name="job"),
    path("jobs/<uuid:pk>/progress/", views.job_progress, name="job_progress"),
    path("jobs/<uuid:pk>/file/", views.job_file, name="job_file"),
]
