"""Proposals (computed) and decisions (made by the regional team), per organisation or system.

Neither is ever edited in place. A recompute that changes a proposal adds a new row and marks
the old one not current; a new decision supersedes the previous one (``supersedes``). The
database refuses updates to decisions (trigger, migration 0002) and a decision that differs from
its proposal without a rationale (check constraint).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from oversight.organisations.subjects import OneSubject, one_subject


class Subject(OneSubject):
    """Who a proposal or decision is about (an organisation or a system), and when."""

    framework = models.ForeignKey("metrics.Framework", on_delete=models.PROTECT, related_name="+")
    quarter = models.CharField(max_length=12, help_text='Financial quarter, e.g. "Q2 2025/26".')
    quarter_end = models.DateField()

    class Meta:
        abstract = True


class Proposal(Subject):
    """A computed segment with its reasons; one current proposal per subject and quarter."""

    segment = models.PositiveSmallIntegerField()
    reasons = models.JSONField(default=list, help_text="Rules fired, with their evidence.")
    warnings = models.JSONField(default=list, help_text="Early warnings (not yet triggered).")
    facts = models.JSONField(default=dict, help_text="Counts, scores and positions (what-if).")
    digest = models.CharField(max_length=40, help_text="Hash of segment, reasons and facts.")
    inputs_version = models.CharField(max_length=80)
    computed_at = models.DateTimeField()
    current = models.BooleanField(default=True)

    #: The large JSON fields: defer them where only segments are shown.
    EVIDENCE = ("reasons", "warnings", "facts")

    class Meta:
        ordering = ["-quarter_end", "-computed_at"]
        constraints = [
            one_subject("proposal_one_subject"),
            models.UniqueConstraint(
                fields=["framework", "organisation", "quarter"], condition=Q(current=True),
                name="proposal_current_per_organisation",
            ),
            models.UniqueConstraint(
                fields=["framework", "system", "quarter"], condition=Q(current=True),
                name="proposal_current_per_system",
            ),
        ]
        indexes = [models.Index(fields=["framework", "current", "quarter_end"])]

    def __str__(self) -> str:
        return f"Segment {self.segment} proposed for {self.quarter} ({self.framework.name})"


class DecisionQuerySet(models.QuerySet):
    def current(self) -> DecisionQuerySet:
        """Decisions no later decision has superseded."""
        return self.filter(superseded_by__isnull=True)


class Decision(Subject):
    """A segment chosen by a person with the regional role, for a subject and quarter."""

    segment = models.PositiveSmallIntegerField()
    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions",
        help_text="The proposal the decision considered.",
    )
    proposed_segment = models.PositiveSmallIntegerField(null=True, blank=True)
    rationale = models.TextField(blank=True)
    system_leader_views = models.TextField(blank=True)
    effective_from = models.DateField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            one_subject("decision_one_subject"),
            models.CheckConstraint(
                condition=Q(proposed_segment__isnull=True) | Q(segment=F("proposed_segment"))
                | ~Q(rationale=""),
                name="decision_rationale_when_different",
            ),
            # only one first decision per subject and quarter; later ones supersede it
            models.UniqueConstraint(
                fields=["framework", "organisation", "quarter"],
                condition=Q(supersedes__isnull=True), name="decision_first_per_organisation",
            ),
            models.UniqueConstraint(
                fields=["framework", "system", "quarter"],
                condition=Q(supersedes__isnull=True), name="decision_first_per_system",
            ),
        ]

    def __str__(self) -> str:
        return f"Segment {self.segment} decided for {self.quarter} ({self.framework.name})"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValidationError(
                "Decisions are never edited: record a new decision, which supersedes this one."
            )
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.proposed_segment is not None and self.segment != self.proposed_segment and not (
            self.rationale or ""
        ).strip():
            raise ValidationError(
                {"rationale": "Give a rationale: the segment differs from the proposal "
                              f"(segment {self.proposed_segment})."}
            )

    @property
    def is_published(self) -> bool:
        return hasattr(self, "publication")


class DecisionPublication(models.Model):
    """When a decision was published: until then only the regional team, the ICB team of the
    subject's system and administrators see it. A separate row, so decisions stay immutable."""

    decision = models.OneToOneField(
        Decision, on_delete=models.PROTECT, related_name="publication"
    )
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )

    def __str__(self) -> str:
        return f"decision {self.decision_id} published {self.published_at:%Y-%m-%d %H:%M}"


class RecordedFlag(OneSubject):
    """A kind-specific criterion of the segment descriptions, recorded with its evidence.

    Seed 000 section 1.2: a trust's actual or suspected licence breach, a CCG without an agreed
    plan for streamlined commissioning, a system's capability gap against the ICS's four
    purposes, and (the sixth theme) an agreed local strategic priority off track. The rules
    file's ``recorded`` section says which feed the proposals, for which kinds; a flag in force
    at a quarter's end fires as a trigger with its evidence as the reason. Changes are kept
    (who, when) in its history.
    """

    class Code(models.TextChoices):
        LICENCE_BREACH = "licence_breach", "In actual or suspected breach of the licence"
        COMMISSIONING_PLAN = "commissioning_plan", (
            "No agreed plan to achieve streamlined commissioning arrangements")
        CAPABILITY_GAP = "capability_gap", (
            "Significant gap in the capability for the ICS's four fundamental purposes")
        LOCAL_PRIORITY = "local_priority", "An agreed local strategic priority off track"

    class Status(models.TextChoices):
        ACTUAL = "actual", "Actual"
        SUSPECTED = "suspected", "Suspected"

    code = models.CharField(max_length=30, choices=Code.choices)
    status = models.CharField(
        max_length=10, choices=Status.choices, blank=True,
        help_text="Licence breaches: actual or suspected.",
    )
    reference = models.CharField(
        max_length=200, blank=True,
        help_text="The licence condition, commissioning plan status, purpose or priority metric.",
    )
    evidence = models.TextField(help_text="What the flag rests on: shown as the reason.")
    in_force_from = models.DateField()
    withdrawn_on = models.DateField(
        null=True, blank=True, help_text="Empty while in force; set when withdrawn."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-in_force_from", "id"]
        constraints = [
            one_subject("recorded_flag_one_subject"),
            models.CheckConstraint(condition=~Q(evidence=""), name="recorded_flag_evidence"),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=F("in_force_from")),
                name="recorded_flag_withdrawn_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()}: {self.subject} from {self.in_force_from:%Y-%m-%d}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if (self.organisation_id is None) == (self.system_id is None):
            errors["organisation"] = "Give an organisation or a system, not both."
        if not (self.evidence or "").strip():
            errors["evidence"] = "Give the evidence the flag rests on."
        if self.code == self.Code.LICENCE_BREACH and not self.status:
            errors["status"] = "Say whether the licence breach is actual or suspected."
        if self.withdrawn_on and self.in_force_from and self.withdrawn_on < self.in_force_from:
            errors["withdrawn_on"] = "The flag cannot be withdrawn before it came into force."
        if errors:
            raise ValidationError(errors)

    @property
    def evidence_text(self) -> str:
        """What a proposal's reason shows: status, reference and evidence."""
        return "; ".join(t for t in (self.get_status_display() if self.status else "",
                                     self.reference, self.evidence.strip()) if t)
