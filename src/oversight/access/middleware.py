"""Load the signed-in user's oversight roles once per request.

Every permission check and scoped query reads ``user.oversight_roles.all()``; prefetched here,
those reads come from memory instead of one query each (a dozen on a dashboard page).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse


def roles_once(get_response: Callable[[HttpRequest], HttpResponse]):
    def middleware(request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            user = getattr(request.user, "_wrapped", request.user)  # behind the lazy proxy
            prefetch_related_objects([user], "oversight_roles")
        return get_response(request)

    return middleware
