from django.urls import path

from oversight.support.views import actions, cases, notifications, steps, targeted

urlpatterns = [
    path("support/", cases.case_list, name="support_cases"),
    path("support/cases/new/", targeted.targeted_new, name="support_targeted_new"),
    path("support/cases/<int:pk>/", cases.case_detail, name="support_case"),
    path("support/cases/<int:pk>/<slug:step>/", steps.case_step, name="support_case_step"),
    path(
        "support/cases/<int:pk>/<slug:step>/<int:item>/",
        steps.case_step,
        name="support_case_item_step",
    ),
    path("support/criteria/<int:pk>/judge/", steps.criterion_judge, name="support_criterion_judge"),
    path("support/actions/", actions.action_list, name="support_actions"),
    path("support/actions/new/", actions.action_new, name="support_action_new"),
    path("support/actions/<int:pk>/", actions.action_detail, name="support_action"),
    path("support/notifications/", notifications.notification_list, name="support_notifications"),
    path("support/notifications/read/", notifications.notifications_read,
         name="support_notifications_read"),
]
