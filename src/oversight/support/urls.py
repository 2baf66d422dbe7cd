from django.urls import path

from oversight.support import views

urlpatterns = [
    path("support/", views.case_list, name="support_cases"),
    path("support/cases/new/", views.targeted_new, name="support_targeted_new"),
    path("support/cases/<int:pk>/", views.case_detail, name="support_case"),
    path("support/cases/<int:pk>/<slug:step>/", views.case_step, name="support_case_step"),
    path(
        "support/cases/<int:pk>/<slug:step>/<int:item>/",
        views.case_step,
        name="support_case_item_step",
    ),
    path("support/criteria/<int:pk>/judge/", views.criterion_judge, name="support_criterion_judge"),
    path("support/actions/", views.action_list, name="support_actions"),
    path("support/actions/new/", views.action_new, name="support_action_new"),
    path("support/actions/<int:pk>/", views.action_detail, name="support_action"),
    path("support/notifications/", views.notification_list, name="support_notifications"),
    path(
        "support/notifications/read/", views.notifications_read, name="support_notifications_read"
    ),
]
