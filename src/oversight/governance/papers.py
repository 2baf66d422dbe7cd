"""Papers: the cover sheet, files (PDF, DOCX, XLSX only; size-limited; the type read from the
content, not the name) stored through Django's storage API, issue against the papers deadline,
and urgent papers with the chair's agreement (ToR 7.3)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from oversight.governance.history import record
from oversight.governance.models import (
    AgendaItem,
    ItemPurpose,
    Paper,
    PaperVersion,
    Person,
    Position,
)

#: Largest paper file accepted (bytes); settings.GOVERNANCE_MAX_PAPER_BYTES overrides it.
MAX_PAPER_BYTES = 20 * 1024 * 1024

#: The part a Word or Excel file must hold (Office Open XML packages are zip files).
OOXML_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
ACCEPTED = ("pdf", "docx", "xlsx")


def max_paper_bytes() -> int:
    return int(getattr(settings, "GOVERNANCE_MAX_PAPER_BYTES", MAX_PAPER_BYTES))


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, round(n / 1024))} KB"


def sniff(name: str, content: bytes) -> str:
    """The file's type ('pdf', 'docx' or 'xlsx') read from its content, checked against its
    name; a ValidationError says what is wrong otherwise."""
    suffix = PurePath(name).suffix.lower().lstrip(".")
    if suffix not in ACCEPTED:
        raise ValidationError(
            f"{name}: papers must be PDF, Word (.docx) or Excel (.xlsx) files, not '.{suffix}'."
            if suffix
            else f"{name}: the file name has no extension."
        )
    if not content:
        raise ValidationError(f"{name}: the file is empty.")
    limit = max_paper_bytes()
    if len(content) > limit:
        raise ValidationError(f"{name}: {_size(len(content))} is over the {_size(limit)} limit.")
    if content.startswith(b"%PDF-"):
        found = "pdf"
    elif content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as package:
                names = set(package.namelist())
        except zipfile.BadZipFile:
            names = set()
        found = next((kind for kind, part in OOXML_PARTS.items() if part in names), "")
        if "[Content_Types].xml" not in names:
            found = ""
    else:
        found = ""
    if not found:
        raise ValidationError(
            f"{name}: the content is not a PDF, Word (.docx) or Excel (.xlsx) document."
        )
    if found != suffix:
        raise ValidationError(f"{name}: the content is a {found.upper()} file, not a .{suffix}.")
    return found


def add_paper(
    item: AgendaItem,
    *,
    title: str,
    report_purpose: str,
    lead: Person | None = None,
    author: Person | None = None,
    presented_before: list[dict] | None = None,
    purpose: str = "",
    recommendation: str = "",
    user=None,
    at: dt.datetime | None = None,
) -> Paper:
    """A paper with its cover sheet (seed 000): committees where presented before are
    ``[{"body": "FPPG", "date": "2021-08-12"}]``."""
    if report_purpose not in ItemPurpose.values:
        raise ValidationError(
            f"{report_purpose!r} is not a report purpose (approval, decision, assure, inform)."
        )
    if not title.strip():
        raise ValidationError("A paper needs a title.")
    before = []
    for n, entry in enumerate(presented_before or [], start=1):
        if not isinstance(entry, dict) or not str(entry.get("body", "")).strip():
            raise ValidationError(f"Presented before, entry {n}: name the committee or group.")
        try:
            day = dt.date.fromisoformat(str(entry.get("date")))
        except ValueError:
            raise ValidationError(
                f"Presented before, entry {n}: {entry.get('date')!r} is not a date (YYYY-MM-DD)."
            ) from None
        before.append({"body": str(entry["body"]).strip(), "date": day.isoformat()})
    paper = Paper(
        item=item,
        title=title.strip(),
        report_purpose=report_purpose,
        lead=lead,
        author=author,
        presented_before=before,
        purpose=purpose.strip(),
        recommendation=recommendation.strip(),
    )
    return record(paper, user=user, reason="Paper added", at=at)


def upload_version(
    paper: Paper,
    name: str,
    content: bytes,
    *,
    user,
    note: str = "",
    at: dt.datetime | None = None,
) -> PaperVersion:
    """Store a new version of the paper's file (earlier versions are kept)."""
    file_type = sniff(name, content)
    safe = PurePath(name).name.replace(" ", "_")[-150:]
    with transaction.atomic():
        Paper.objects.select_for_update().get(pk=paper.pk)
        number = (
            paper.versions.order_by("-number").values_list("number", flat=True).first() or 0
        ) + 1
        version = PaperVersion(
            paper=paper,
            number=number,
            original_name=PurePath(name).name[:255],
            file_type=file_type,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=user,
            uploaded_at=at or timezone.now(),
            note=note.strip()[:300],
        )
        version.file.save(safe, ContentFile(content), save=False)
        record(version, user=user, reason=f"Version {number} uploaded", at=at)
    return version


def is_chair(person: Person | None, body, on: dt.date) -> bool:
    return (
        person is not None
        and body.memberships.current(on)
        .filter(person=person, position__in=[Position.CHAIR, Position.DEPUTY_CHAIR])
        .exists()
    )


def agree_urgent(paper: Paper, chair: Person, *, user=None, at: dt.datetime | None = None) -> Paper:
    """The chair agrees a late paper as an urgent paper (ToR 7.3: at the chair's discretion)."""
    meeting = paper.item.meeting
    if not is_chair(chair, meeting.body, meeting.date):
        raise ValidationError(
            f"{chair} does not chair {meeting.body.short_name}: only the chair (or deputy chair) "
            "may agree an urgent paper."
        )
    paper.urgent, paper.urgent_agreed_by, paper.urgent_agreed_at = True, chair, at or timezone.now()
    return record(paper, user=user, reason=f"Urgent paper agreed by {chair}", at=at)


def issue_paper(paper: Paper, *, user=None, at: dt.datetime | None = None) -> Paper:
    """Send the paper to members and attendees. After the papers deadline (5 working days
    before the meeting for the SOAG) only an urgent paper the chair agreed may be issued."""
    at = at or timezone.now()
    if not paper.versions.exists():
        raise ValidationError(f"'{paper.title}' has no file to issue: upload it first.")
    meeting = paper.item.meeting
    due = meeting.papers_due
    if timezone.localdate(at) > due and not paper.urgent:
        raise ValidationError(
            f"Papers for {meeting} were due by {due.day} {due:%B %Y}: a late paper can only be "
            "issued as an urgent paper with the chair's agreement."
        )
    paper.issued_at = at
    return record(paper, user=user, reason="Paper issued", at=at)


def is_late(paper: Paper, today: dt.date | None = None) -> bool:
    """Issued after the papers deadline, or not issued and the deadline has passed."""
    due = paper.item.meeting.papers_due
    if paper.issued_at is not None:
        return timezone.localdate(paper.issued_at) > due
    return (today or timezone.localdate()) > due
