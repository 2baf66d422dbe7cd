from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path

from oversight.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "sign-in/",
        login_not_required(views.ThrottledLoginView.as_view()),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("health/", views.health, name="health"),
]
