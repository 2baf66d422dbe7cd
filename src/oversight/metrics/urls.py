from django.urls import path

from oversight.metrics import views

urlpatterns = [
    path("metrics/", views.framework_list, name="framework_list"),
    path("metrics/<slug:code>/", views.framework_detail, name="framework"),
]
