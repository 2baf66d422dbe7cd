"""Home page, sign-in (with throttling) and health check: thin views over the domain apps."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from oversight.access import oidc, throttle
from oversight.access.rules import role_scope, scoped, visible_organisations, visible_systems
from oversight.health import checks
from oversight.metrics import charts
from oversight.metrics.insight import data_version, insights, visibility
from oversight.metrics.rules import visible_batches
from oversight.organisations.models import Organisation
from oversight.segmentation.changes import recent_decisions, segment_changes
from oversight.support.models import ACTION_DONE
from oversight.support.rules import visible_actions

#: Home page concerns are computed for at most this many organisations (the user's scope).
HOME_ORGANISATION_LIMIT = 300
#: Open SOAG actions listed on the home page (the soonest due; the action list has them all).
HOME_ACTION_LIMIT = 20


class ThrottledLoginView(auth_views.LoginView):
    """Django's sign-in, locked for a while after too many failures for a username + address,
    or from one address whatever the usernames tried (``access.throttle``).

    Each attempt is counted before its password is checked, in the database every server
    process and host shares; one over a limit gets status 429 without the password being
    checked, so guessing cannot continue during the lock.
    """

    template_name = "web/login.jinja"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**kwargs) | {
            "sso": oidc.configured(), "provider_name": settings.OIDC_PROVIDER_NAME}

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not throttle.attempt(request, request.POST.get("username", "")):
            form = self.get_form()
            minutes = throttle.LOCKOUT_SECONDS // 60
            form.add_error(None, f"Too many failed sign-in attempts. Try again in {minutes} "
                                 "minutes.")
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 429
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        throttle.succeeded(self.request, self.request.POST.get("username", ""))
        return super().form_valid(form)


def _home_organisations(user: Any) -> list[Organisation]:
    """The organisations in the user's role scope, for the home page's concerns.

    Administrators (who cover everything) get none here; they pick a system instead.
    """
    q = role_scope(user, organisation="", system=None)
    if q is None:
        return []
    return list(scoped(Organisation.objects.all(), q).order_by("name")[:HOME_ORGANISATION_LIMIT])


def home(request: HttpRequest) -> HttpResponse:
    systems = visible_systems(request.user).select_related("region")
    roles = list(request.user.oversight_roles.select_related("region", "system", "organisation"))
    mine = _home_organisations(request.user)
    concerns: list[Any] = []
    if mine:
        viewer = visibility(request.user)
        key = "oversight:home-concerns:{}:{}:{}".format(
            data_version(), viewer.token,
            hashlib.sha256(",".join(str(o.pk) for o in mine).encode()).hexdigest(),
        )
        concerns = cache.get(key)
        if concerns is None:
            found = insights(mine, rank=False, viewer=viewer)
            names = {o.ods_code: o for o in mine}
            concerns = [
                {"organisation": names[c.subject], "metric": c.metric, "cell": c}
                for c in found.new_concerns()
            ]
            concerns.sort(key=lambda x: (x["organisation"].name, x["metric"].code))
            cache.set(key, concerns, 600)
    own = [r.organisation for r in roles if r.organisation_id]
    scope = Organisation.objects.filter(pk__in=[o.pk for o in mine])
    scope_systems = systems if mine else systems.none()
    framework, changes = segment_changes(scope, scope_systems)
    actions = (visible_actions(request.user).exclude(status__in=ACTION_DONE)
               .select_related("organisation", "system", "owner")
               .order_by("due", "id")[:HOME_ACTION_LIMIT])
    return render(
        request,
        "web/home.jinja",
        {
            "active": "home",
            "roles": roles,
            "own_organisations": own,
            "systems": systems[:50],
            "system_count": systems.count(),
            "organisation_count": visible_organisations(request.user).count(),
            "loads_data": request.user.has_perm("metrics.load_data"),
            "batches": visible_batches(request.user)[:5],
            "concerns": concerns,
            "scope_count": len(mine),
            "segment_framework": framework,
            "segment_changes": changes[:25],
            "segment_change_count": len(changes),
            "decisions": (recent_decisions(scope, scope_systems, limit=5, user=request.user)
                          if mine else []),
            "actions": actions,
            "charts": charts,
        },
    )


@login_not_required
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and the smoke test: database, migrations and caches, each with what
    is wrong; 503 when any is unhealthy."""
    found = checks()
    healthy = all(c.ok for c in found)
    body = {"status": "ok" if healthy else "unhealthy",
            **{c.name: {"ok": c.ok, "detail": c.detail} for c in found}}
    return JsonResponse(body, status=200 if healthy else 503,
                        headers={"Cache-Control": "no-store"})
