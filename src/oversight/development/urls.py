from django.urls import path

from oversight.development import views

urlpatterns = [
    path("development/", views.plan_list, name="development_plans"),
    path("development/<int:pk>/", views.plan_detail, name="development_plan"),
    path(
        "development/<int:pk>/workstreams/<int:ws>/",
        views.workstream_detail,
        name="development_workstream",
    ),
    path("development/<int:pk>/timeline/", views.timeline, name="development_timeline"),
    path("development/<int:pk>/maturity/", views.maturity, name="development_maturity"),
    path(
        "development/<int:pk>/arrangements/",
        views.arrangements,
        name="development_arrangements",
    ),
    path("development/<int:pk>/priorities/", views.coverage, name="development_coverage"),
    path("development/<int:pk>/asks-and-risks/", views.asks_and_risks, name="development_asks"),
    path(
        "development/<int:pk>/checkpoints/", views.checkpoint_list, name="development_checkpoints"
    ),
    path(
        "development/<int:pk>/checkpoints/<int:cp>/",
        views.checkpoint_report,
        name="development_checkpoint",
    ),
    path(
        "development/<int:pk>/checkpoints/<int:cp>/assess/<int:ws>/",
        views.assess_workstream,
        name="development_assess",
    ),
]
