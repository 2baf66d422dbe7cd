"""The JSON API: one NinjaAPI assembling each app's router (OpenAPI at /api/openapi.json).

Session authentication with CSRF (``django_auth``): the API serves signed-in users of the web
app and scripts using their session. Only assembly lives here; endpoints live in each app.
"""

from django.contrib.auth.decorators import login_not_required
from ninja import NinjaAPI
from ninja.security import django_auth

from oversight.delegation.api import router as delegation_router
from oversight.development.api import router as development_router
from oversight.governance.api import router as governance_router
from oversight.reports.api import router as reports_router
from oversight.risks.api import router as risks_router
from oversight.support.api import router as support_router

api = NinjaAPI(title="Oversight API", version="1", urls_namespace="api", auth=django_auth)
api.add_router("/support/", support_router)
api.add_router("/development/", development_router)
api.add_router("/governance/", governance_router)
api.add_router("/delegation/", delegation_router)
api.add_router("/risks/", risks_router)
api.add_router("/reports/", reports_router)


def urls() -> tuple[list, str, str]:
    """``api.urls`` with sign-in left to the API (401 as JSON, not a redirect to sign-in)."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback = login_not_required(pattern.callback)
    return patterns, app_name, namespace
