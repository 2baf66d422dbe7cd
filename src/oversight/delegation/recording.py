"""The delegation pages' recording forms, one way: permission through django-rules (403 for
anyone else), the form page in the page kit (error summary, fields, breadcrumbs), and a
domain refusal put back on the form as its error (400), never a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from oversight.ui.forms import add_errors
from oversight.ui.pages import breadcrumbs, page

ACTIVE = "governance"


def require(request: HttpRequest, perm: str, obj: Any = None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def record_with(
    request: HttpRequest,
    form,
    save: Callable[[dict[str, Any]], tuple[str, str]],
    *,
    back: str,
    title: str,
    caption: str,
    trail: tuple[tuple[str, str | None], ...],
    button: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """Answer a recording form: on a valid POST ``save(cleaned_data)`` does the work and
    returns what to say and the page to say it on; a refusal becomes the form's error."""
    if request.method == "POST" and form.is_valid():
        try:
            said, where = save(form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, said)
            return redirect(where)
    return page(
        request,
        "delegation/form.jinja",
        {
            "active": ACTIVE,
            "form": form,
            "title": title,
            "caption": caption,
            "submit": button,
            "back": back,
            "breadcrumbs": breadcrumbs(*trail, (title, None)),
        }
        | (extra or {}),
        status=400 if request.method == "POST" else 200,
    )
