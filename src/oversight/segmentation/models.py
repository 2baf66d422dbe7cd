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
        return f"{self.framework_id} {self.quarter}: segment {self.segment} (proposed)"


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
        return f"{self.framework_id} {self.quarter}: segment {self.segment} (decided)"

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
