"""The system risk register and board assurance framework (seeds 003 §10 and 004).

A risk belongs to a system's register and concerns the system as a whole or one or more partner
organisations. Its scores (inherent, current, target) are likelihood x consequence on the
system's scoring configuration (``oversight.risks.scoring``); each review adds an
``Assessment`` (the scores over time). Status and where the risk is held (its escalation level)
change only through ``oversight.risks.lifecycle``, which records a ``RiskEvent`` with who, when
and why; django-simple-history keeps every edit of every model.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from oversight.support.models import Action

SCALE = [MinValueValidator(1), MaxValueValidator(5)]


def _scale(label: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(label, null=True, blank=True, validators=SCALE)


class StrategicObjective(models.Model):
    """One of a system's strategic objectives: the BAF is read objective by objective."""

    system = models.ForeignKey(
        "organisations.System", on_delete=models.PROTECT, related_name="strategic_objectives"
    )
    code = models.SlugField(max_length=20, help_text="Short reference, e.g. SO1.")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["system", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["system", "code"], name="objective_code_per_system")
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"


class RiskAppetite(models.Model):
    """How much risk the board will take for an objective or a consequence domain.

    Only an approved appetite (``approved_on`` set) counts for "outside appetite"."""

    system = models.ForeignKey(
        "organisations.System", on_delete=models.PROTECT, related_name="risk_appetites"
    )
    objective = models.OneToOneField(
        StrategicObjective,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="appetite",
    )
    domain = models.SlugField(
        max_length=30, blank=True, help_text="Consequence domain code (when not an objective)."
    )
    level = models.SlugField(max_length=20, help_text="Appetite level code (scoring file).")
    statement = models.TextField(blank=True)
    approved_on = models.DateField(null=True, blank=True)
    approved_by = models.CharField(
        max_length=200, blank=True, help_text="The body that approved it (the board)."
    )
    approved_at_meeting = models.ForeignKey(
        "governance.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The board meeting that approved it.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["system", "objective__order", "domain"]
        constraints = [
            models.CheckConstraint(
                condition=Q(objective__isnull=False, domain="")
                | Q(objective__isnull=True) & ~Q(domain=""),
                name="appetite_objective_or_domain",
            ),
            models.UniqueConstraint(
                fields=["system", "domain"],
                condition=~Q(domain=""),
                name="appetite_one_per_domain",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.objective or self.domain}: {self.level}"

    @property
    def approved(self) -> bool:
        return self.approved_on is not None


class RiskStatus(models.TextChoices):
    SUGGESTED = "suggested", "Suggested"
    OPEN = "open", "Open"
    TOLERATED = "tolerated", "Tolerated"
    CLOSED = "closed", "Closed"
    DISMISSED = "dismissed", "Dismissed"


#: Statuses of risks on the register (the others are suggestions or gone).
LIVE = (RiskStatus.OPEN, RiskStatus.TOLERATED)


class ReviewFrequency(models.IntegerChoices):
    MONTHLY = 1, "Monthly"
    BIMONTHLY = 2, "Every two months"
    QUARTERLY = 3, "Quarterly"
    HALF_YEARLY = 6, "Every six months"
    YEARLY = 12, "Yearly"


class Risk(models.Model):
    reference = models.SlugField(max_length=20, unique=True, help_text="E.g. QUE-R007.")
    system = models.ForeignKey(
        "organisations.System", on_delete=models.PROTECT, related_name="risks"
    )
    organisations = models.ManyToManyField(
        "organisations.Organisation",
        blank=True,
        related_name="risks",
        help_text="Partner organisations the risk concerns; none means the system as a whole.",
    )
    title = models.CharField(max_length=300)
    cause = models.TextField(blank=True, help_text="Because of ...")
    event = models.TextField(blank=True, help_text="... there is a risk that ...")
    effect = models.TextField(blank=True, help_text="... which would result in ...")
    objective = models.ForeignKey(
        StrategicObjective, on_delete=models.PROTECT, null=True, blank=True, related_name="risks"
    )
    theme = models.SlugField(max_length=30, help_text="Theme code (scoring file).")
    consequence_domain = models.SlugField(max_length=30, help_text="Consequence domain code.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_risks",
        help_text="The executive lead.",
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_risks",
    )
    inherent_likelihood = _scale("inherent likelihood")
    inherent_consequence = _scale("inherent consequence")
    inherent_score = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    inherent_on = models.DateField(null=True, blank=True)
    current_likelihood = _scale("current likelihood")
    current_consequence = _scale("current consequence")
    current_score = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    current_on = models.DateField(null=True, blank=True)
    target_likelihood = _scale("target likelihood")
    target_consequence = _scale("target consequence")
    target_score = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    target_on = models.DateField(null=True, blank=True, help_text="When the target is reached.")
    review_months = models.PositiveSmallIntegerField(
        "review frequency", choices=ReviewFrequency.choices, default=ReviewFrequency.QUARTERLY
    )
    last_reviewed_on = models.DateField(null=True, blank=True)
    next_review = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    status_reason = models.TextField(blank=True, help_text="Why tolerated, closed or dismissed.")
    lead_committee = models.ForeignKey(
        "governance.Body",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lead_risks",
        help_text="The committee or group that keeps the risk under review.",
    )
    level = models.SlugField(
        max_length=20, default="group", help_text="Where the risk is held (escalation level)."
    )
    held_by = models.ForeignKey(
        "governance.Body",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalated_risks",
        help_text="The body it is escalated to, up the lead committee's reporting line (empty "
        "while the lead committee holds it).",
    )
    escalated_by_rule = models.BooleanField(
        default=False, help_text="Held above its lead committee by a rule, not a decision."
    )
    principal = models.BooleanField(
        default=False, help_text="A principal risk of the board assurance framework."
    )
    board_assurance = models.SlugField(
        max_length=20, blank=True, help_text="Level of assurance the board takes (BAF)."
    )
    board_assurance_on = models.DateField(null=True, blank=True)
    metrics = models.ManyToManyField("metrics.Metric", blank=True, related_name="risks")
    support_case = models.ForeignKey(
        "support.SupportCase",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="risks",
    )
    exit_criterion = models.ForeignKey(
        "support.ExitCriterion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="risks",
    )
    suggestion_key = models.CharField(
        max_length=80,
        blank=True,
        help_text="What raised a suggested risk (so it is suggested once).",
    )
    suggested_because = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords(m2m_fields=[organisations, metrics])

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["suggestion_key"],
                condition=~Q(suggestion_key=""),
                name="risk_suggested_once",
            ),
        ]
        permissions = [("manage_risk", "Can manage risks")]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def save(self, *args, **kwargs) -> None:
        for which in ("inherent", "current", "target"):
            lk = getattr(self, f"{which}_likelihood")
            c = getattr(self, f"{which}_consequence")
            setattr(self, f"{which}_score", lk * c if lk and c else None)
        if kwargs.get("update_fields"):
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "inherent_score",
                "current_score",
                "target_score",
            }
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("risk", args=[self.reference])

    @property
    def is_live(self) -> bool:
        return self.status in LIVE

    def review_overdue(self, today: dt.date | None = None) -> bool:
        return (
            self.is_live
            and self.next_review is not None
            and self.next_review < (today or timezone.localdate())
        )


class Assessment(models.Model):
    """The current score as assessed on a date (a review, or a change of scores): the chart."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="assessments")
    assessed_on = models.DateField()
    likelihood = models.PositiveSmallIntegerField(validators=SCALE)
    consequence = models.PositiveSmallIntegerField(validators=SCALE)
    score = models.PositiveSmallIntegerField(editable=False)
    note = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["risk", "assessed_on", "id"]

    def __str__(self) -> str:
        return f"{self.risk.reference} {self.assessed_on}: {self.score}"

    def save(self, *args, **kwargs) -> None:
        self.score = self.likelihood * self.consequence
        super().save(*args, **kwargs)


class Control(models.Model):
    """What is in place to control the risk."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="controls")
    description = models.TextField()
    owner = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["risk", "id"]

    def __str__(self) -> str:
        return self.description[:80]


class Assurance(models.Model):
    """Evidence that controls work, by line: management, oversight committees, independent."""

    class Outcome(models.TextChoices):
        POSITIVE = "positive", "Positive"
        NEGATIVE = "negative", "Negative"
        PENDING = "pending", "Awaited"

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="assurances")
    control = models.ForeignKey(
        Control, on_delete=models.SET_NULL, null=True, blank=True, related_name="assurances"
    )
    line = models.SlugField(max_length=20, help_text="Line of assurance code (scoring file).")
    source = models.CharField(max_length=200, help_text="E.g. internal audit, CQC, NHS England.")
    description = models.TextField()
    dated = models.DateField(null=True, blank=True)
    outcome = models.CharField(
        max_length=10, choices=Outcome.choices, default=Outcome.POSITIVE
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["risk", "line", "id"]

    def __str__(self) -> str:
        return f"{self.source}: {self.description[:60]}"


class Gap(models.Model):
    """A gap in control (something missing) or in assurance (no evidence it works)."""

    class Kind(models.TextChoices):
        CONTROL = "control", "Gap in control"
        ASSURANCE = "assurance", "Gap in assurance"

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="gaps")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    description = models.TextField()
    closed_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["risk", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description[:60]}"


class RiskAction(Action):
    """An action to close a gap in a risk's controls or assurance: an ``Action`` (owner, due
    date, status, evidence) on the risk's register; never escalated itself (the risk is)."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="actions")
    gap = models.ForeignKey(
        Gap, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="risk_actions"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["risk", "due", "id"]


class RiskEvent(models.Model):
    """One change of a risk's status or level, or a review: who, when, why."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="events")
    action = models.ForeignKey(
        RiskAction, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    event = models.CharField(max_length=30)
    source = models.CharField(max_length=20, blank=True)
    target = models.CharField(max_length=20, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when a rule made the change.",
    )
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()
    item = models.ForeignKey(
        "governance.AgendaItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="risk_events",
        help_text="The agenda item of the meeting that decided it.",
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.risk.reference} {self.event}: {self.source} -> {self.target}"

    @property
    def by_rule(self) -> bool:
        return self.by_id is None and self.item_id is None


class ReviewDecision(models.TextChoices):
    NOTED = "noted", "Reviewed, no change"
    RESCORED = "rescored", "Reviewed and re-scored"
    ESCALATE = "escalate", "Escalated"
    DE_ESCALATE = "de_escalate", "De-escalated"
    TOLERATE = "tolerate", "Tolerated"
    CLOSE = "close", "Closed"


class CommitteeReview(models.Model):
    """One risk on a committee's risk review item: listed (due for review, or escalated to the
    committee) when the item is put on the agenda; decided at the meeting, into the minutes."""

    class Listed(models.TextChoices):
        DUE = "due", "Due for review"
        ESCALATED = "escalated", "Escalated to the committee"

    item = models.ForeignKey(
        "governance.AgendaItem", on_delete=models.CASCADE, related_name="risk_reviews"
    )
    risk = models.ForeignKey(Risk, on_delete=models.PROTECT, related_name="committee_reviews")
    listed = models.CharField(max_length=10, choices=Listed.choices)
    score_before = models.PositiveSmallIntegerField(null=True, blank=True)
    level_before = models.SlugField(max_length=20, blank=True)
    decision = models.CharField(max_length=12, choices=ReviewDecision.choices, blank=True)
    note = models.TextField(blank=True)
    score_after = models.PositiveSmallIntegerField(null=True, blank=True)
    level_after = models.SlugField(max_length=20, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "listed", "risk__reference"]
        constraints = [
            models.UniqueConstraint(fields=["item", "risk"], name="risk_reviewed_once_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.risk.reference}"
