from django.contrib.auth.decorators import login_not_required
from django.urls import path

from oversight.access import oidc
from oversight.web import dashboards, directory, views

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "sign-in/",
        login_not_required(views.ThrottledLoginView.as_view()),
        name="login",
    ),
    path("sign-in/refused/", oidc.refused, name="sign_in_refused"),
    path("sign-out/", oidc.SignOut.as_view(), name="logout"),
    # Single sign-on (docs/sign-in.md); 404 unless configured.
    path("oidc/authenticate/", oidc.authenticate_view, name="oidc_authenticate"),
    path("oidc/callback/", oidc.callback_view, name="oidc_callback"),
    path("health/", views.health, name="health"),
    # The organisation, place and system pages (were organisations/urls.py; same URLs, names).
    path("organisations/", directory.organisation_list, name="organisation_list"),
    path("organisations/<str:ods_code>/", dashboards.organisation_detail, name="organisation"),
    path("systems/", dashboards.system_list, name="system_list"),
    path("systems/<str:code>/", dashboards.system_detail, name="system"),
    path("systems/<str:code>/icons/", dashboards.system_icons, name="system_icons"),
    path("systems/<str:code>/places/<str:place_code>/", dashboards.place_detail, name="place"),
]
