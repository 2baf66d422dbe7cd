"""An issued version as a file: the HTML document exactly as issued, and the PDF and Word made
from that same HTML by ``oversight.reports.formats`` once, when the version is issued, and kept
with it (``ReportFile``). Downloads serve the stored bytes; nothing is rendered in a request.

A version issued before the files were kept has none: the first request for it starts
``render_version_job`` (the job's page shows the progress, then links to the download) and
every later request is served from storage."""

from __future__ import annotations

import hashlib
import re

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from oversight.reports import formats
from oversight.reports.models import Report, ReportFile, ReportVersion

#: The formats offered, in the order the pages list them.
FORMATS = formats.FORMATS
#: The formats rendered from the HTML and stored with each version.
RENDERED = tuple(ReportFile.Format.values)
#: What a progress bar says while each is rendered.
WRITING = {"pdf": "Writing the PDF", "docx": "Writing the Word file"}


class NotRendered(LookupError):
    """The version has no stored file in this format yet (issued before files were kept)."""


def running_header(report: Report) -> str:
    """The meeting and item, for the header of every printed page."""
    item = f": item {report.agenda_item}" if report.agenda_item else ""
    return f"{report.meeting.body.name}, {report.meeting.date:%-d %B %Y}{item}"


def file_name(version: ReportVersion, fmt: str) -> str:
    """E.g. ``QUE-SPB-2021-09-15-soag-overview-v1.pdf``."""
    report = version.report
    return formats.filename(
        f"{report.system.code}-{report.meeting.body.short_name}-{report.meeting.date:%Y-%m-%d}"
        f"-{report.committee.short_name.lower()}-overview-v{version.number}", fmt)


def render(version: ReportVersion, html: str, fmt: str) -> bytes:
    """The version's HTML as ``fmt`` (pdf or docx): the slow step, done once per version."""
    report = version.report
    return formats.render(html, fmt, title=f"{report.title} (version {version.number})",
                          running_header=running_header(report))


def store(version: ReportVersion, fmt: str, content: bytes) -> ReportFile:
    """Keep the rendered bytes with the version, with their SHA-256."""
    stored = ReportFile(version=version, format=fmt, size=len(content),
                        sha256=hashlib.sha256(content).hexdigest(), rendered_at=timezone.now())
    stored.file.save(file_name(version, fmt), ContentFile(content), save=False)
    try:
        stored.save()
    except Exception:  # the row was refused: the file must not outlive it
        stored.file.storage.delete(stored.file.name)
        raise
    return stored


def document(version: ReportVersion, fmt: str) -> tuple[bytes, str, str]:
    """(content, content type, file name) of the version in ``fmt`` (a FORMATS entry), as
    stored; ``NotRendered`` when a PDF or Word file was never made for it."""
    if fmt == "html":
        content = version.html.encode("utf-8")
    else:
        stored = version.stored(fmt)
        if stored is None:
            raise NotRendered(f"{version} has no stored {fmt} file")
        with stored.file.open("rb") as f:
            content = f.read()
    return content, formats.CONTENT_TYPES[fmt], file_name(version, fmt)


def render_missing(version: ReportVersion, progress=None) -> list[ReportFile]:
    """Render and store the formats a version lacks (one issued before files were kept)."""
    missing = [fmt for fmt in RENDERED if version.stored(fmt) is None]
    made = []
    for done, fmt in enumerate(missing, start=1):
        content = render(version, version.html, fmt)
        try:
            with transaction.atomic():
                made.append(store(version, fmt, content))
        except IntegrityError:  # another request stored it meanwhile: theirs stands
            pass
        if progress is not None:
            progress(done, len(missing), WRITING[fmt])
    return made


_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S)


def body_of(html: str) -> str:
    """The content of an issued document, to show it inside a page exactly as issued."""
    found = _BODY.search(html)
    return found.group(1) if found else ""
