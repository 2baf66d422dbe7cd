"""Metric catalogue (versioned by framework year) and the observations made against it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class Framework(models.Model):
    """A framework year: SOF 2021/22, NOF 2022/23, NOF 2025/26 ..."""

    class Method(models.TextChoices):
        CRITERIA = "criteria", "Criteria and judgement"
        SCORED = "scored", "Scored"

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=100)
    year_start = models.DateField(help_text="First day of the first financial year it applies to.")
    method = models.CharField(max_length=20, choices=Method.choices)
    source = models.TextField(blank=True)

    class Meta:
        ordering = ["-year_start"]

    def __str__(self) -> str:
        return self.name


class Theme(models.Model):
    """A theme (SOF) or domain (NOF); local strategic priorities are themes too."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="themes")
    code = models.SlugField(max_length=50)
    name = models.CharField(max_length=150)
    order = models.PositiveSmallIntegerField(default=0)
    is_local = models.BooleanField(default=False, help_text="A local strategic priority.")

    class Meta:
        ordering = ["framework", "order"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="theme_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Polarity(models.TextChoices):
    HIGHER_IS_BETTER = "higher", "Higher is better"
    LOWER_IS_BETTER = "lower", "Lower is better"
    NEUTRAL = "neutral", "Neutral"


class Metric(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="metrics")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="metrics")
    code = models.CharField(max_length=30)
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    unit = models.CharField(max_length=50, blank=True)
    polarity = models.CharField(max_length=10, choices=Polarity.choices)
    org_kinds = models.JSONField(default=list, help_text="Organisation kinds it applies to.")
    peer_grouping = models.CharField(max_length=50, blank=True)
    frequency = models.CharField(max_length=20)
    source = models.CharField(max_length=200, blank=True)
    standard = models.FloatField(null=True, blank=True, help_text="National standard or target.")
    scored = models.BooleanField(default=True, help_text="Scored (not contextual only).")
    accumulation = models.CharField(
        max_length=20, blank=True, choices=[("", "Value of its period"),
                                            ("year_to_date", "Year to date")],
        help_text="Year to date: cumulative from April, so its control chart is of the "
        "monthly movement.",
    )
    valid_min = models.FloatField(null=True, blank=True)
    valid_max = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["framework", "theme__order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="metric_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @classmethod
    def by_code(cls, code: str, framework: str | None = None,
                organisation: Any | None = None) -> Metric | None:
        """The metric a code names: in ``framework`` (a framework code, as ``?framework=``
        or ``--framework`` give it) or else the newest framework year that has it; among
        those, one with figures for ``organisation`` first when one is given."""
        candidates = cls.objects.filter(code=code).select_related("theme", "framework")
        if framework:
            candidates = candidates.filter(framework__code=framework)
        found = list(candidates.order_by("-framework__year_start"))
        if organisation is not None:
            for metric in found:
                if metric.observations.filter(organisation=organisation).exists():
                    return metric
        return found[0] if found else None

    @property
    def spc_direction(self) -> str:
        """Improvement direction in Making Data Count terms."""
        return {"higher": "increase", "lower": "decrease"}.get(self.polarity, "neutral")


class ImportBatch(models.Model):
    """One load of a file (or the demo generator): who, when, what, and what it changed."""

    class Status(models.TextChoices):
        APPLIED = "applied", "Applied"
        REJECTED = "rejected", "Rejected"

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    file_name = models.CharField(max_length=255)
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the file.")
    format = models.CharField(max_length=20)
    framework = models.ForeignKey(
        Framework, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="The catalogue year the file's metric codes were read against.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.APPLIED)
    rows_read = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    revised = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(
        default=0, help_text="Rows with at least one problem (a rejected file)."
    )
    # A rejected file's report: [[row, column, reason], ...] as shown on the upload page (at most
    # validation.MAX_LISTED), and how many problems there were in all.
    problems = models.JSONField(default=list, blank=True)
    problem_count = models.PositiveIntegerField(default=0)
    # Null until published: an unpublished batch's observations are seen only by the
    # organisation's own users and the teams overseeing it (oversight.access.visibility).
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "import batches"

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Observation(models.Model):
    """The current value of a metric for an organisation over a period.

    A later value for the same key is a revision: the value it replaces is kept in
    `ObservationRevision`, so nothing is overwritten silently.
    """

    # No single-column indexes on metric and organisation: the key constraint and the
    # (organisation, metric, period_start) index lead with them, and every extra index slows
    # bulk loads.
    metric = models.ForeignKey(
        Metric, on_delete=models.CASCADE, related_name="observations", db_index=False
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="observations",
        db_index=False,
    )
    period_start = models.DateField()
    period_end = models.DateField()
    period_label = models.CharField(max_length=30, help_text='e.g. "Jun-25" or "Q2 2025/26"')
    value = models.FloatField(null=True, blank=True)
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    missing_reason = models.CharField(
        max_length=100, blank=True, db_default="",
        help_text='Why the value is missing, e.g. "suppressed (*)".',
    )
    note = models.CharField(max_length=300, blank=True, db_default="")
    reporting_period = models.CharField(
        max_length=60, blank=True, db_default="",
        help_text='The published reporting date, e.g. "Month 3 2025".',
    )
    rank = models.FloatField(null=True, blank=True, help_text="Published rank within peers.")
    peer_median = models.FloatField(null=True, blank=True)
    peer_lower_quartile = models.FloatField(null=True, blank=True)
    peer_upper_quartile = models.FloatField(null=True, blank=True)
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="observations")
    source_row = models.PositiveIntegerField(
        null=True, blank=True, help_text="Line in the batch's file (header = line 1)."
    )

    class Meta:
        ordering = ["metric", "organisation", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "organisation", "period_start", "period_end"],
                name="observation_key_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="observation_period_ordered",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "metric", "period_start"])]

    def __str__(self) -> str:
        return f"{self.metric.code} {self.organisation.ods_code} {self.period_label}: {self.value}"


class ObservationRevision(models.Model):
    """A value an observation held before a later batch revised it."""

    observation = models.ForeignKey(
        Observation, on_delete=models.CASCADE, related_name="revisions"
    )
    value = models.FloatField(null=True, blank=True)
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    missing_reason = models.CharField(max_length=100, blank=True)
    note = models.CharField(max_length=300, blank=True)
    reporting_period = models.CharField(max_length=60, blank=True)
    rank = models.FloatField(null=True, blank=True)
    peer_median = models.FloatField(null=True, blank=True)
    peer_lower_quartile = models.FloatField(null=True, blank=True)
    peer_upper_quartile = models.FloatField(null=True, blank=True)
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="+")
    source_row = models.PositiveIntegerField(null=True, blank=True)
    superseded_by = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["observation", "id"]

    def __str__(self) -> str:
        return f"{self.observation_id}: {self.value} (batch {self.batch_id})"


class Rebase(models.Model):
    """A process change from which a metric's SPC limits are recalculated (Making Data Count's
    "rebase"): the mean and limits of the series start again at ``date``.

    ``organisation`` null means every organisation's series of the metric (a national
    definition change); aggregated place and system series honour only those.
    """

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="rebases")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, null=True, blank=True,
        related_name="rebases", help_text="Empty: every organisation's series of the metric.",
    )
    date = models.DateField(help_text="First period (period start) of the new process.")
    reason = models.TextField(help_text="What changed in the process.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["metric", "organisation", "date"]
        constraints = [
            models.UniqueConstraint(fields=["metric", "organisation", "date"],
                                    name="rebase_unique"),
            # NULLs are distinct in a unique constraint: metric-wide rebases need their own.
            models.UniqueConstraint(fields=["metric", "date"],
                                    condition=models.Q(organisation__isnull=True),
                                    name="rebase_metric_wide_unique"),
            models.CheckConstraint(condition=~models.Q(reason=""), name="rebase_reason_given"),
        ]

    def __str__(self) -> str:
        where = self.organisation.ods_code if self.organisation_id else "all organisations"
        return f"{self.metric.code} {where} from {self.date.isoformat()}"

    @property
    def applies_to(self) -> str:
        return self.organisation.name if self.organisation_id else "Every organisation"
