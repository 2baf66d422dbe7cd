"""An issued version as a file: the HTML document as issued, and (through
``oversight.reports.formats``) PDF and Word made from that same HTML."""

from __future__ import annotations

import re

from oversight.reports.models import ReportVersion

#: Format -> content type, in the order the pages offer them.
FORMATS: dict[str, str] = {
    "html": "text/html; charset=utf-8",
}


def file_name(version: ReportVersion, fmt: str) -> str:
    """E.g. ``QUE-SPB-2021-09-15-soag-overview-v1.pdf``."""
    report = version.report
    return (f"{report.system.code}-{report.meeting.body.short_name}-{report.meeting.date:%Y-%m-%d}"
            f"-{report.committee.short_name.lower()}-overview-v{version.number}.{fmt}")


def document(version: ReportVersion, fmt: str) -> tuple[bytes, str, str]:
    """(content, content type, file name) of the version in ``fmt`` (a FORMATS key)."""
    if fmt not in FORMATS:
        raise KeyError(fmt)
    return version.html.encode(), FORMATS[fmt], file_name(version, fmt)


_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S)


def body_of(html: str) -> str:
    """The content of an issued document, to show it inside a page exactly as issued."""
    found = _BODY.search(html)
    return found.group(1) if found else ""
