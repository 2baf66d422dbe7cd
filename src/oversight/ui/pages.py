"""Rendering a page: flash messages in the context, breadcrumbs from (text, link) pairs."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def breadcrumbs(*trail: tuple[str, str | None]) -> list[dict[str, str]]:
    """The NHS.UK breadcrumb items of a page: Home, then each (text, link) of ``trail``; the
    last one (the page itself) has no link."""
    out = [{"href": "/", "text": "Home"}]
    out += [{"href": href, "text": text} if href else {"text": text} for text, href in trail]
    return out


def page(request: HttpRequest, template: str, context: dict[str, Any],
         status: int = 200) -> HttpResponse:
    """Render a page with the request's flash messages (``flash``, for the kit's macro)."""
    return render(request, template, {"flash": list(messages.get_messages(request))} | context,
                  status=status)
