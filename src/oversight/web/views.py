"""Home page and health check: thin views over the domain apps."""

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from oversight.access.rules import visible_organisations, visible_systems
from oversight.metrics.models import ImportBatch


def home(request: HttpRequest) -> HttpResponse:
    systems = visible_systems(request.user).select_related("region")
    return render(
        request,
        "web/home.jinja",
        {
            "active": "home",
            "roles": request.user.oversight_roles.select_related(
                "region", "system", "organisation"
            ),
            "systems": systems[:50],
            "system_count": systems.count(),
            "organisation_count": visible_organisations(request.user).count(),
            "batches": ImportBatch.objects.select_related("created_by")[:5],
        },
    )


@login_not_required
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and the smoke test: the app is up and the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})
