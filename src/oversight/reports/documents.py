"""An issued version as a file: the HTML document exactly as issued, or PDF and Word made from
that same HTML by ``oversight.reports.formats``."""

from __future__ import annotations

import re

from oversight.reports import formats
from oversight.reports.issue import running_header
from oversight.reports.models import ReportVersion

#: The formats offered, in the order the pages list them.
FORMATS = formats.FORMATS


def file_name(version: ReportVersion, fmt: str) -> str:
    """E.g. ``QUE-SPB-2021-09-15-soag-overview-v1.pdf``."""
    report = version.report
    return formats.filename(
        f"{report.system.code}-{report.meeting.body.short_name}-{report.meeting.date:%Y-%m-%d}"
        f"-{report.committee.short_name.lower()}-overview-v{version.number}", fmt)


def document(version: ReportVersion, fmt: str) -> tuple[bytes, str, str]:
    """(content, content type, file name) of the version in ``fmt`` (a FORMATS entry)."""
    report = version.report
    content = formats.render(version.html, fmt, title=f"{report.title} (version "
                             f"{version.number})", running_header=running_header(report))
    return content, formats.CONTENT_TYPES[fmt], file_name(version, fmt)


_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S)


def body_of(html: str) -> str:
    """The content of an issued document, to show it inside a page exactly as issued."""
    found = _BODY.search(html)
    return found.group(1) if found else ""
