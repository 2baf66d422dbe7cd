"""Support cases (targeted, mandated, RSP), the RSP's appointment, stocktake, exit criteria and
plan, SOAG actions, the transitions of every life-cycle, and in-app notifications.

Status fields are changed only through the state machines in ``oversight.support.lifecycle``,
which record a ``Transition`` (who, when, why) for every change; django-simple-history keeps
every edit of the other fields.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from oversight.organisations.subjects import OneSubject, one_subject


class CaseKind(models.TextChoices):
    TARGETED = "targeted", "Targeted support"
    MANDATED = "mandated", "Mandated support"
    RSP = "rsp", "Recovery Support Programme"


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACTIVE = "active", "Support under way"
    CLOSED = "closed", "Closed"


class SupportCase(OneSubject):
    """Support for one organisation or system, opened by a segment decision (or by hand)."""

    framework = models.ForeignKey("metrics.Framework", on_delete=models.PROTECT, related_name="+")
    segment = models.PositiveSmallIntegerField()
    decision = models.ForeignKey(
        "segmentation.Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="support_cases",
        help_text="The segment decision that opened the case.",
    )
    kind = models.CharField(max_length=10, choices=CaseKind.choices)
    status = models.CharField(max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    summary = models.TextField(blank=True, help_text="Why support is needed.")
    delivered_by = models.CharField(max_length=200, blank=True)
    enhanced_monitoring = models.TextField(blank=True)
    extra_reporting = models.TextField(blank=True, help_text="Extra reporting requirements.")
    financial_controls = models.TextField(blank=True)
    capital_approval_limit = models.DecimalField(
        "capital approval limit (£)",
        max_digits=14,
        decimal_places=0,
        null=True,
        blank=True,
        help_text="The lower limit above which capital spending needs approval.",
    )
    advisory_senior_appointments = models.BooleanField(
        default=False, help_text="NHS England has an advisory role in senior appointments."
    )
    follows = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followed_by",
        help_text="The earlier case this one continues (e.g. transitional support after RSP).",
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            one_subject("support_case_one_subject"),
            # No duplicate open case: one case that is not closed per subject.
            models.UniqueConstraint(
                fields=["organisation"],
                condition=~Q(status="closed"),
                name="support_case_one_open_per_organisation",
            ),
            models.UniqueConstraint(
                fields=["system"],
                condition=~Q(status="closed"),
                name="support_case_one_open_per_system",
            ),
        ]
        permissions = [("manage_supportcase", "Can manage support cases")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject_name} (segment {self.segment})"

    def get_absolute_url(self) -> str:
        return reverse("support_case", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status != CaseStatus.CLOSED


class PackageItem(models.Model):
    """One element of a support package (e.g. GIRFT, a regional improvement hub package)."""

    case = models.ForeignKey(SupportCase, on_delete=models.CASCADE, related_name="package")
    code = models.SlugField(max_length=60, blank=True, help_text="Offer code in support.yaml.")
    name = models.CharField(max_length=300)
    provider = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "id"]

    def __str__(self) -> str:
        return self.name


class RecoverySupport(models.Model):
    """The Recovery Support Programme part of an RSP case."""

    class ReviewCycle(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"

    case = models.OneToOneField(SupportCase, on_delete=models.CASCADE, related_name="rsp")
    # System improvement director: appointed jointly by system, region and national team.
    sid_name = models.CharField("system improvement director", max_length=200, blank=True)
    system_agreed_by = models.CharField(max_length=200, blank=True)
    system_agreed_on = models.DateField(null=True, blank=True)
    region_agreed_by = models.CharField(max_length=200, blank=True)
    region_agreed_on = models.DateField(null=True, blank=True)
    national_agreed_by = models.CharField(max_length=200, blank=True)
    national_agreed_on = models.DateField(null=True, blank=True)
    # Diagnostic stocktake.
    root_causes = models.TextField(blank=True)
    partners_involved = models.TextField(blank=True)
    stocktake_on = models.DateField(null=True, blank=True)
    # Improvement plan and review.
    plan_summary = models.TextField(blank=True)
    indicative_exit = models.DateField(null=True, blank=True)
    review_cycle = models.CharField(
        max_length=10, choices=ReviewCycle.choices, default=ReviewCycle.MONTHLY
    )
    next_review = models.DateField(null=True, blank=True)
    # CQC: where entry followed CQC's recommendation, exit needs CQC's recommendation too.
    # Set once, by ``cases.record_cqc_entry`` (a recorded change), and never unset.
    entry_on_cqc_recommendation = models.BooleanField(
        default=False,
        editable=False,
        help_text="Entry followed CQC's recommendation: exit needs CQC's recommendation too.",
    )
    cqc_entry_recommended_on = models.DateField(null=True, blank=True, editable=False)
    cqc_entry_reference = models.CharField(max_length=300, blank=True, editable=False)
    cqc_exit_recommended_on = models.DateField(null=True, blank=True)
    cqc_exit_reference = models.CharField(max_length=300, blank=True)
    exit_decision = models.ForeignKey(
        "segmentation.Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The decision that moved the subject out of the RSP.",
    )
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"RSP: {self.case.subject_name}"

    @property
    def sid_appointed(self) -> bool:
        return bool(
            self.sid_name
            and self.system_agreed_on
            and self.region_agreed_on
            and self.national_agreed_on
        )

    @property
    def sid_appointed_on(self) -> dt.date | None:
        """The date the last of the three parties agreed."""
        if not self.sid_appointed:
            return None
        return max(self.system_agreed_on, self.region_agreed_on, self.national_agreed_on)

    @property
    def stocktake_done(self) -> bool:
        return bool(self.stocktake_on and self.root_causes)


class Milestone(models.Model):
    rsp = models.ForeignKey(RecoverySupport, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=300)
    due = models.DateField()
    achieved_on = models.DateField(null=True, blank=True)
    evidence = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["rsp", "due", "id"]

    def __str__(self) -> str:
        return self.title


class CqcLevel(models.TextChoices):
    """CQC overall ratings an exit criterion may require, best first."""

    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"


CQC_ORDER = ["outstanding", "good", "requires_improvement", "inadequate"]


class ExitCriterion(models.Model):
    """A condition for leaving the RSP: measurable where possible (a metric threshold or a CQC
    rating), with evidence and a met / not met judgement recorded with who and when."""

    class Direction(models.TextChoices):
        AT_LEAST = "at_least", "At least"
        AT_MOST = "at_most", "At most"

    rsp = models.ForeignKey(RecoverySupport, on_delete=models.CASCADE, related_name="criteria")
    description = models.CharField(max_length=500)
    metric = models.ForeignKey(
        "metrics.Metric", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    threshold = models.FloatField(null=True, blank=True)
    direction = models.CharField(max_length=10, choices=Direction.choices, blank=True)
    cqc_rating = models.CharField(
        "CQC overall rating at least", max_length=30, choices=CqcLevel.choices, blank=True
    )
    evidence = models.TextField(blank=True)
    met = models.BooleanField(null=True, blank=True, help_text="Unknown until judged.")
    judged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    judged_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["rsp", "id"]
        verbose_name_plural = "exit criteria"
        constraints = [
            models.CheckConstraint(
                condition=Q(metric__isnull=True)
                | Q(threshold__isnull=False, direction__in=["at_least", "at_most"]),
                name="exit_criterion_metric_has_threshold",
            ),
        ]

    def __str__(self) -> str:
        return self.description

    def threshold_reached(self, value: float | None) -> bool | None:
        if value is None or self.threshold is None:
            return None
        if self.direction == self.Direction.AT_MOST:
            return value <= self.threshold
        return value >= self.threshold

    def cqc_reached(self, overall: str | None) -> bool | None:
        if not self.cqc_rating or overall not in CQC_ORDER:
            return None
        return CQC_ORDER.index(overall) <= CQC_ORDER.index(self.cqc_rating)


class ActionKind(models.TextChoices):
    """What SOAG can require (seed 000, terms of reference 3.1 V a-e)."""

    PLAN = "plan", "Agreement of an improvement or recovery plan"
    PEER_REVIEW = "peer_review", "More detailed peer review of specific plans"
    EXTERNAL_REVIEW = "external_review", "Commissioning expert external review"
    INTERVENTION = "intervention", "Co-ordination of formal intervention and improvement support"
    FUNDING_RESTRICTION = (
        "funding_restriction",
        ("Restrictions on access to discretionary funding and financial incentives"),
    )


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    ESCALATED = "escalated", "Escalated to the board"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


ACTION_DONE = (ActionStatus.COMPLETED, ActionStatus.CANCELLED)


class Action(models.Model):
    """Something an owner must do by a date, done on evidence: a SOAG action, or an action
    closing a gap in a risk's controls (``risks.RiskAction``). Its status changes only through
    ``support.lifecycle.ActionLifecycle``; only actions that escalate to the board (SOAG's)
    are escalated when overdue."""

    #: Whether an overdue action of this kind is escalated to the board.
    escalates_to_board: bool = False

    title = models.CharField(max_length=300)
    due = models.DateField()
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    evidence = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.status in ACTION_DONE

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return not self.is_done and self.due < (today or timezone.localdate())


class SoagAction(OneSubject, Action):
    """An action or intervention SOAG requires of a delivery partner."""

    escalates_to_board = True

    case = models.ForeignKey(
        SupportCase, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    kind = models.CharField(max_length=30, choices=ActionKind.choices)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="soag_actions"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due", "id"]
        constraints = [one_subject("soag_action_one_subject")]

    def get_absolute_url(self) -> str:
        return reverse("support_action", args=[self.pk])


class Transition(models.Model):
    """One status change of a case or an action: who, when, why."""

    case = models.ForeignKey(
        SupportCase, on_delete=models.CASCADE, null=True, blank=True, related_name="transitions"
    )
    action = models.ForeignKey(
        SoagAction, on_delete=models.CASCADE, null=True, blank=True, related_name="transitions"
    )
    event = models.CharField(max_length=30)
    source = models.CharField(max_length=12)
    target = models.CharField(max_length=12)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the system made the change (e.g. a command).",
    )
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=False, action__isnull=True)
                | Q(case__isnull=True, action__isnull=False),
                name="transition_one_object",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event}: {self.source} -> {self.target}"

    def describe(self) -> str:
        """The change in words: 'raise: open', 'start: open → in progress'; the event alone
        when the status did not change (a step recorded on an active case)."""
        labels = dict((CaseStatus if self.case_id else ActionStatus).choices)
        event = self.event.replace("_", " ")
        if self.source == self.target:
            return event
        target = str(labels.get(self.target, self.target)).lower()
        if not self.source:
            return f"{event}: {target}"
        return f"{event}: {str(labels.get(self.source, self.source)).lower()} → {target}"


class Notification(models.Model):
    """A message shown in the app (and also sent by email)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="support_notifications"
    )
    case = models.ForeignKey(
        SupportCase, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    action = models.ForeignKey(
        SoagAction, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    subject = models.CharField(max_length=300)
    body = models.TextField()
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.subject
