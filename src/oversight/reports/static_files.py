"""Our own static files and data: URIs, the only resources a report may load (no network)."""

from __future__ import annotations

import base64
import urllib.parse
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation

#: The origin relative URLs in a report resolve against. `.invalid` never resolves (RFC 2606):
#: the fetcher maps its /static/ paths to files and refuses everything else.
BASE_URL = "http://oversight.invalid/"


class ResourceRefused(ValueError):
    """A report asked for something other than our static files or a data: URI."""


def static_path(url: str) -> Path:
    """The file behind a /static/ URL (absolute on BASE_URL or relative to the site root)."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme and not url.startswith(BASE_URL):
        raise ResourceRefused(f"{url}: reports load only our static files and data: URIs")
    path = urllib.parse.unquote(parsed.path)
    prefix = settings.STATIC_URL
    if not path.startswith(prefix):
        raise ResourceRefused(f"{url}: not one of our static files (they start {prefix})")
    try:
        found = finders.find(path.removeprefix(prefix))
    except SuspiciousFileOperation as exc:  # ../ out of the static folders
        raise ResourceRefused(f"{url}: outside our static files") from exc
    if not found:
        raise ResourceRefused(f"{url}: no such static file")
    return Path(found)


def data_uri(url: str) -> tuple[str, bytes]:
    """The media type and bytes of a data: URI."""
    header, _, payload = url.removeprefix("data:").partition(",")
    media_type = header.split(";")[0] or "text/plain"
    if header.endswith(";base64"):
        return media_type, base64.b64decode(payload)
    return media_type, urllib.parse.unquote_to_bytes(payload)


def resource(url: str) -> tuple[str, bytes]:
    """The media type and bytes of a resource a report links to, or ResourceRefused."""
    if url.startswith("data:"):
        return data_uri(url)
    path = static_path(url)
    media_type = {
        ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png",
        ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
        ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf",
    }.get(path.suffix.lower(), "application/octet-stream")
    return media_type, path.read_bytes()
