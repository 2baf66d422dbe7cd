"""In-app notifications: the list, and marking them read."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from oversight.support.models import Notification
from oversight.support.notify import mark_read
from oversight.support.views.common import render_page
from oversight.ui.pages import breadcrumbs


def notification_list(request: HttpRequest) -> HttpResponse:
    items = Notification.objects.filter(recipient=request.user).select_related("case", "action")[
        :200
    ]
    return render_page(
        request,
        "support/notifications.jinja",
        {
            "active": "support",
            "items": items,
            "breadcrumbs": breadcrumbs(("Support", "/support/"), ("Notifications", None)),
        },
    )


@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    mark_read(request.user)
    messages.success(request, "Notifications marked as read.")
    return redirect("support_notifications")
