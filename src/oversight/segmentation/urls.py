from django.urls import path

from oversight.segmentation import views

urlpatterns = [
    path("segmentation/", views.overview, name="segmentation"),
    path("segmentation/organisations/<str:ods_code>/", views.organisation,
         name="segmentation_organisation"),
    path("segmentation/systems/<str:code>/", views.system, name="segmentation_system"),
    path("segmentation/league/", views.league, name="segmentation_league"),
    path("segmentation/rules/<slug:code>/", views.rules_page, name="segmentation_rules"),
]
