"""Opening a targeted support case by hand."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from oversight.metrics.models import Framework
from oversight.support import cases, forms
from oversight.support.models import CaseKind
from oversight.support.offers import support_offers
from oversight.support.views.common import render_page, subject_field, subject_for
from oversight.ui.forms import add_errors, choice_field
from oversight.ui.pages import breadcrumbs


def targeted_segments() -> list[tuple[str, str]]:
    """"framework code:segment" choices: every framework year in the database (oldest first)
    with the segment whose support is a targeted case in its support.yaml."""
    out = []
    for framework in Framework.objects.order_by("year_start"):
        offers = support_offers(framework.code)
        for level in offers.segments if offers else ():
            if level.case_kind == CaseKind.TARGETED:
                out.append((f"{framework.code}:{level.segment}",
                            f"{framework.name}: segment {level.segment}"))
    return out


def targeted_new(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("support.add_supportcase"):
        raise PermissionDenied
    form = forms.TargetedCaseForm(request.POST or None)
    form.fields["subject"] = subject_field(request.user)
    form.fields["segment"] = choice_field("Framework and segment", targeted_segments())
    if request.method == "POST" and form.is_valid():
        code, _, segment = form.cleaned_data["segment"].partition(":")
        subject = subject_for(request, form.cleaned_data["subject"], "support.add_supportcase")
        try:
            framework = Framework.objects.get(code=code)
            case = cases.open_targeted_case(
                subject, framework, int(segment), request.user, form.cleaned_data["summary"]
            )
        except Framework.DoesNotExist:
            form.add_error("segment", f"The {code} catalogue is not loaded.")
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Targeted support case opened.")
            return redirect(case)
    return render_page(
        request,
        "support/step.jinja",
        {
            "active": "support",
            "form": form,
            "title": "Open a targeted support case",
            "step": "targeted",
            "breadcrumbs": breadcrumbs(("Support", "/support/"), ("Open a targeted case", None)),
        },
        status=400 if request.method == "POST" else 200,
    )
