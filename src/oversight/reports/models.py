"""Board reports: the SOAG overview to the board (seed 000) and its issued versions.

A :class:`Report` is what the author edits: the system, the board meeting it goes to, the period
since the last report, the cover sheet and the narrative. Issuing draws every data part from the
domains at that moment and freezes it, with the rendered document, in a :class:`ReportVersion`:
a later data load never changes an issued version, and a reissue is a new version.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from oversight.governance.models import ItemPurpose

DEFAULT_TITLE = "System Oversight and Assurance Group – Overview Report"


class Report(models.Model):
    """The SOAG overview report to a board meeting, as its author prepares it."""

    system = models.ForeignKey(
        "organisations.System", on_delete=models.PROTECT, related_name="board_reports"
    )
    meeting = models.ForeignKey(
        "governance.Meeting",
        on_delete=models.PROTECT,
        related_name="board_reports",
        help_text="The board meeting the report goes to.",
    )
    committee = models.ForeignKey(
        "governance.Body",
        on_delete=models.PROTECT,
        related_name="overview_reports",
        help_text="The oversight group whose work the report covers (the SOAG).",
    )
    since = models.DateField(
        help_text="The start of the period covered: the day after the last report."
    )
    # The cover sheet (seed 000).
    agenda_item = models.CharField(max_length=10, blank=True, help_text="E.g. 2.4")
    title = models.CharField(max_length=300, default=DEFAULT_TITLE)
    lead = models.CharField(
        max_length=300, blank=True, help_text="E.g. Jan Thomas, Joint Accountable Officer"
    )
    author = models.CharField(
        max_length=300, blank=True, help_text="E.g. Sharon Fox, Director of Governance"
    )
    purpose = models.CharField(
        "report purpose", max_length=10, choices=ItemPurpose.choices, default=ItemPurpose.INFORM
    )
    presented_before = models.JSONField(
        default=list,
        blank=True,
        help_text='Committees or groups where it was presented before: [{"body", "date"}].',
    )
    paper_purpose = models.TextField("purpose of the paper", blank=True)
    recommendation = models.TextField(
        blank=True, help_text="The Board is asked to note ... (one paragraph a line)."
    )
    #: Commentary per area of the report: section key (``reports.sections.AREAS``) -> text.
    commentary = models.JSONField(default=dict, blank=True)
    # What the author puts in.
    include_data = models.BooleanField(
        "data appendix", default=True, help_text="Key metrics by theme for the system, places "
        "and organisations."
    )
    include_terms = models.BooleanField(
        "terms of reference", default=True, help_text="The group's terms of reference in force."
    )
    include_membership = models.BooleanField("membership", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    paper = models.ForeignKey(
        "governance.Paper", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
        help_text="The paper on the board meeting's agenda that carries the issued versions.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-meeting__date", "system__code", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "committee"],
                                    name="report_once_per_meeting_and_group"),
        ]

    def __str__(self) -> str:
        return f"{self.title}: {self.meeting.body.short_name} {self.meeting.date:%-d %B %Y}"

    def get_absolute_url(self) -> str:
        return reverse("reports:detail", args=[self.pk])

    @property
    def latest(self) -> ReportVersion | None:
        return self.versions.order_by("-number").first()


class ReportVersion(models.Model):
    """An issued version: the frozen snapshot of every part and the document rendered from it."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField()
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    as_at = models.DateField(help_text="The day the data was drawn.")
    snapshot = models.JSONField(help_text="Cover, narrative and every data part as issued.")
    html = models.TextField(help_text="The document rendered from the snapshot.")
    sha256 = models.CharField(max_length=64, help_text="Of the HTML, to show it never changed.")
    paper_version = models.ForeignKey(
        "governance.PaperVersion", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
        help_text="This version as the file of the board meeting's paper.",
    )

    class Meta:
        ordering = ["report", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="report_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.report} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("reports:version", args=[self.report_id, self.number])

    def stored(self, fmt: str) -> ReportFile | None:
        """The version's stored document in ``fmt`` (pdf or docx), if it has been rendered."""
        return next((f for f in self.files.all() if f.format == fmt), None)


def _file_path(instance: ReportFile, filename: str) -> str:
    return f"reports/{instance.version.report_id}/v{instance.version.number}/{filename}"


class ReportFile(models.Model):
    """An issued version as PDF or Word, rendered once from its HTML and kept: downloads serve
    these bytes, so a version reads the same in every format whatever changes later."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "Word"

    version = models.ForeignKey(ReportVersion, on_delete=models.CASCADE, related_name="files")
    format = models.CharField(max_length=4, choices=Format.choices)
    file = models.FileField(upload_to=_file_path, max_length=300)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, help_text="Of the stored bytes.")
    rendered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["version", "format"]
        constraints = [
            models.UniqueConstraint(fields=["version", "format"], name="report_file_once"),
        ]

    def __str__(self) -> str:
        return f"{self.version} ({self.format})"
