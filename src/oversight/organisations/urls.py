from django.urls import path

from oversight.organisations import views

urlpatterns = [
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/<str:ods_code>/", views.organisation_detail, name="organisation"),
    path("systems/", views.system_list, name="system_list"),
    path("systems/<str:code>/", views.system_detail, name="system"),
]
