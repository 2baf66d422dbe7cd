from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path

from oversight.web import dashboards, directory, views

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "sign-in/",
        login_not_required(views.ThrottledLoginView.as_view()),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("health/", views.health, name="health"),
    # The organisation, place and system pages (were organisations/urls.py; same URLs, names).
    path("organisations/", directory.organisation_list, name="organisation_list"),
    path("organisations/<str:ods_code>/", dashboards.organisation_detail, name="organisation"),
    path("systems/", dashboards.system_list, name="system_list"),
    path("systems/<str:code>/", dashboards.system_detail, name="system"),
    path("systems/<str:code>/icons/", dashboards.system_icons, name="system_icons"),
    path("systems/<str:code>/places/<str:place_code>/", dashboards.place_detail, name="place"),
]
