"""The metric catalogue: frameworks, their themes and metric definitions."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from oversight.metrics.models import Framework
from oversight.ui.pages import breadcrumbs


def framework_list(request: HttpRequest) -> HttpResponse:
    frameworks = Framework.objects.prefetch_related("themes")
    return render(request, "metrics/framework_list.jinja",
                  {"active": "metrics", "frameworks": frameworks})


def framework_detail(request: HttpRequest, code: str) -> HttpResponse:
    framework = get_object_or_404(Framework, code=code)
    themes = framework.themes.prefetch_related("metrics")
    return render(
        request,
        "metrics/framework_detail.jinja",
        {
            "active": "metrics",
            "framework": framework,
            "themes": themes,
            "breadcrumbs": breadcrumbs(("Metric catalogue", "/metrics/"), (framework.name, None)),
        },
    )
