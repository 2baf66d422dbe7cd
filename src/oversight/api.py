"""The JSON API: one NinjaAPI assembling each app's router (OpenAPI at /api/openapi.json).

Session authentication with CSRF (``django_auth``): the API serves signed-in users of the web
app and scripts using their session. Only assembly lives here, with the refusals every
operation can give whatever its app (documented in the schema, docs/api.md); endpoints live in
each app and document their own refusals (``oversight.ui.api``).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from ninja import NinjaAPI
from ninja.security import django_auth

from oversight.delegation.api import router as delegation_router
from oversight.development.api import router as development_router
from oversight.governance.api import router as governance_router
from oversight.reports.api import router as reports_router
from oversight.risks.api import router as risks_router
from oversight.support.api import router as support_router
from oversight.ui.api import Problem

#: What the framework answers before an endpoint runs, and when each operation can get it.
FRAMEWORK_REFUSALS = {
    400: ("A NUL character in the path, query or body (oversight.web.middleware).",
          lambda method, op: True),
    401: ("Not signed in.", lambda method, op: True),
    403: ("The CSRF token is missing or wrong (a write with the session).",
          lambda method, op: method not in {"get", "head", "options"}),
    422: ("Parameters or a body that do not match this schema.",
          lambda method, op: bool(op.get("parameters") or op.get("requestBody"))),
}


class OversightApi(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """The schema with the framework's refusals on every operation that can give them
        (an endpoint's own description of a status is kept)."""
        schema = super().get_openapi_schema(*args, **kwargs)
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in {**problem.pop("$defs", {}), "Problem": problem}.items():
            schemas.setdefault(name, definition)
        body = {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for operations in schema["paths"].values():
            for method, op in operations.items():
                for status, (description, applies) in FRAMEWORK_REFUSALS.items():
                    if applies(method, op):
                        op["responses"].setdefault(status, {"description": description,
                                                            "content": body})
        return schema


api = OversightApi(title="Oversight API", version="1", urls_namespace="api", auth=django_auth)
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
