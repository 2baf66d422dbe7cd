"""Error pages in the NHS layout, with navigation and a next step.

Django's own 404 and 403 views render ``404.html`` and ``403.html`` with the request, so they
use our templates as they are. Its 400 and 500 views render without the request, which the
layout needs; these handlers pass it. A 500 page must not fail itself: when even the layout
cannot render (the database is down, say), a plain page says the same in fewer words.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseServerError
from django.template.loader import render_to_string

log = logging.getLogger(__name__)

PLAIN_500 = (
    "<!DOCTYPE html><html lang='en'><head><title>Sorry, there is a problem with the service"
    " – Oversight</title></head><body><h1>Sorry, there is a problem with the service</h1>"
    "<p>Oversight could not show this page. Try again later; if the problem continues, tell"
    " your Oversight administrator.</p><p><a href='/'>Go to the home page</a></p></body></html>"
)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    reason = str(exception) if exception and str(exception) else ""
    try:
        body = render_to_string("400.html", {"reason": reason}, request=request)
    except Exception:  # the layout itself failed: still answer 400, not 500
        log.exception("the 400 page could not be rendered")
        body = "<h1>Sorry, Oversight could not read that request</h1>"
    return HttpResponseBadRequest(body)


def server_error(request: HttpRequest) -> HttpResponse:
    try:
        body = render_to_string("500.html", {}, request=request)
    except Exception:
        log.exception("the 500 page could not be rendered")
        body = PLAIN_500
    return HttpResponseServerError(body)
