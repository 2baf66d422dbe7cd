from django.urls import path

from oversight.organisations import views

urlpatterns = [
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/<str:ods_code>/", views.organisation_detail, name="organisation"),
    path(
        "organisations/<str:ods_code>/metrics/<str:metric_code>/",
        views.organisation_metric,
        name="organisation_metric",
    ),
    path("systems/", views.system_list, name="system_list"),
    path("systems/<str:code>/", views.system_detail, name="system"),
    path("systems/<str:code>/icons/", views.system_icons, name="system_icons"),
    path("systems/<str:code>/places/<str:place_code>/", views.place_detail, name="place"),
]
