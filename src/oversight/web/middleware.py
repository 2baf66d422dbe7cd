"""Refuse requests carrying a NUL character before any view or database sees them.

A NUL (``\\x00``) is never text: PostgreSQL refuses it in any string (a 500 from wherever it
reaches a query) and SQLite truncates at it. It may arrive raw or percent-encoded in the path,
the query string or a form, or as ``\\u0000`` in a JSON body. File uploads (multipart) are
binary and are checked by the importer; their other form fields are checked here.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

MESSAGE = "The request contains a NUL character (\\0), which is never valid text."
_ENCODED_NUL = re.compile(rb"%00|\\u0000|\x00", re.IGNORECASE)


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path or _ENCODED_NUL.search(request.META.get("QUERY_STRING", "")
                                                     .encode("latin-1", "replace")):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    if request.content_type == "multipart/form-data":
        return any("\x00" in text for key, values in request.POST.lists()
                   for text in (key, *values))
    return bool(_ENCODED_NUL.search(request.body))


def refuse_nul(get_response: Callable[[HttpRequest], HttpResponse]):
    def middleware(request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": MESSAGE}, status=400)
            return HttpResponseBadRequest(MESSAGE, content_type="text/plain; charset=utf-8")
        return get_response(request)

    return middleware
