"""The scheme of delegation (seed 003 §9): versions of the scheme, approved by the board, each
with its holders (governance bodies and the statutory organisations' own boards) and the matters
each holds. Loaded from a scheme file (``scheme-2017.yaml``) by ``oversight.delegation.scheme``;
every change keeps who, when and why (django-simple-history)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from oversight.governance.models import Body, Meeting, Person


class Scheme(models.Model):
    """One version of the scheme of delegation. The current scheme is the latest approved."""

    version = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=200)
    source = models.CharField(max_length=300, blank=True)
    kinds = models.JSONField(default=dict, help_text="Each kind of matter and what it allows.")
    approved_by = models.ForeignKey(
        Body, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_on = models.DateField(null=True, blank=True)
    approved_at_meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-approved_on", "-version"]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"


class Holder(models.Model):
    """Who may hold matters in a scheme: a governance body or a statutory organisation's own
    board, governing body or committee (tables 1-3)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="holders")
    key = models.CharField(max_length=30)
    name = models.CharField(max_length=200)
    body = models.ForeignKey(
        Body, on_delete=models.PROTECT, null=True, blank=True, related_name="holdings"
    )
    statutory = models.BooleanField(default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["scheme", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "key"], name="delegation_holder_once")
        ]

    def __str__(self) -> str:
        return self.name


class HeldBy(models.TextChoices):
    BODY = "body", "The body"
    CHAIR = "chair", "Its chair"
    SECRETARIAT = "secretariat", "Its secretariat"


class Matter(models.Model):
    """A matter reserved to, or delegated to, a holder (one row of tables 1-12)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="matters")
    table = models.PositiveSmallIntegerField()
    table_title = models.CharField(max_length=300)
    number = models.PositiveSmallIntegerField(help_text="Position in its table, from 1.")
    text = models.TextField()
    holder = models.ForeignKey(Holder, on_delete=models.PROTECT, related_name="matters")
    held_by = models.CharField(max_length=12, choices=HeldBy.choices, default=HeldBy.BODY)
    kind = models.CharField(max_length=20)
    delegated_by = models.ForeignKey(
        Holder, on_delete=models.PROTECT, null=True, blank=True, related_name="delegated"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["scheme", "table", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "table", "number"], name="delegation_matter_once"
            )
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def reference(self) -> str:
        """E.g. "5.13": table 5, its 13th matter."""
        return f"{self.table}.{self.number}"

    @property
    def held_by_label(self) -> str:
        """Who holds it, in words: "Health and Care Executive", "Chair of ..."."""
        if self.held_by == HeldBy.BODY:
            return self.holder.name
        role = HeldBy(self.held_by).label.removeprefix("Its ").capitalize()
        return f"{role} of {self.holder.name}"


class Outcome(models.TextChoices):
    DECISION = "decision", "Decision"
    RECOMMENDATION = "recommendation", "Recommendation"


class MinutedDecision(models.Model):
    """The matter of the scheme a minuted decision is taken under: a decision of the body that
    holds the matter, or only a recommendation to the holder when another body minutes it."""

    entry = models.OneToOneField(
        "governance.MinuteEntry", on_delete=models.CASCADE, related_name="delegation"
    )
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(max_length=15, choices=Outcome.choices)
    recommended_to = models.ForeignKey(
        Holder, on_delete=models.PROTECT, null=True, blank=True, related_name="recommendations"
    )
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome="decision", recommended_to__isnull=True)
                | models.Q(outcome="recommendation", recommended_to__isnull=False),
                name="delegation_recommendation_names_holder",
            )
        ]

    def __str__(self) -> str:
        if self.outcome == Outcome.RECOMMENDATION:
            return f"Recommendation to {self.recommended_to} under {self.matter.reference}"
        return f"Decision under {self.matter.reference}"


class CaseStatus(models.TextChoices):
    """Where a project proposal is on its route (the step last completed)."""

    PROPOSED = "proposed", "Proposed"
    CLINICAL_VISION = "clinical_vision", "Clinical vision set"
    VISION = "vision", "Vision approved"
    GATEWAY = "gateway", "Gateway proposal approved"
    PROPOSALS = "proposals", "Proposals approved"
    FULL_CASE = "full_case", "Full business case developed"
    EVALUATION = "evaluation", "Evaluated by the Investment Committee"
    APPROVAL = "approval", "Approved"
    SIGNED_OFF = "signed_off", "Finally signed off"
    REFUSED = "refused", "Not funded"


class BusinessCase(models.Model):
    """A project proposal on one of the three routes (seed 003 §9.1.1), through its outline and
    full business case stages (``oversight.delegation.business_cases``)."""

    title = models.CharField(max_length=300)
    route = models.CharField(max_length=10, help_text="sif, local or none (business-cases.yaml).")
    amount_asked = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    amount_awarded = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    delivery_group = models.ForeignKey(
        Body, on_delete=models.PROTECT, null=True, blank=True, related_name="business_cases"
    )
    affected_organisations = models.ManyToManyField(
        "organisations.Organisation", blank=True, related_name="business_cases"
    )
    status = models.CharField(
        max_length=20, choices=CaseStatus.choices, default=CaseStatus.PROPOSED
    )
    outcome = models.CharField(max_length=10, blank=True, help_text="The committee's outcome.")
    history = HistoricalRecords(m2m_fields=[affected_organisations])

    def __str__(self) -> str:
        return self.title


class StepDecision(models.Model):
    """One body's decision on a step of a case, at a meeting: who, when, which meeting, why."""

    case = models.ForeignKey(BusinessCase, on_delete=models.CASCADE, related_name="decisions")
    step = models.CharField(max_length=20)
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(
        "governance.AgendaItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The agenda item it was decided under (its conflicts of interest show).",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField()
    reason = models.TextField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["decided_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "step", "body"], name="step_decided_once")
        ]

    def __str__(self) -> str:
        return f"{self.case}: {self.step} by {self.body.short_name} on {self.meeting.date}"


class SignOff(models.Model):
    """An affected organisation's formal sign-off of the full business case: before the
    Investment Committee, or (``final``) the final sign-off after the HCE's approval."""

    case = models.ForeignKey(BusinessCase, on_delete=models.CASCADE, related_name="sign_offs")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    authority = models.CharField(
        max_length=200, help_text="E.g. Board, CCG CEC or the delegated authority."
    )
    signed_on = models.DateField()
    final = models.BooleanField(default=False, help_text="The final sign-off after approval.")
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "organisation", "final"], name="sign_off_once_per_stage"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case}: signed off by {self.organisation} ({self.authority})"


class CriterionScore(models.Model):
    """The Investment Committee's score of a case against one of its criteria."""

    case = models.ForeignKey(BusinessCase, on_delete=models.CASCADE, related_name="scores")
    criterion = models.CharField(max_length=30)
    score = models.PositiveSmallIntegerField()
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "criterion"], name="criterion_scored_once")
        ]

    def __str__(self) -> str:
        return f"{self.case}: {self.criterion} {self.score}"


class UrgentDecision(models.Model):
    """An urgent decision of the chair of the Health and Care Executive (seed 003 §9.12)."""

    title = models.CharField(max_length=300)
    decision = models.TextField()
    reason = models.TextField(help_text="Why it could not wait for the next meeting.")
    partners = models.ManyToManyField("organisations.Organisation", related_name="urgent_decisions")
    taken_on = models.DateField(null=True, blank=True)
    taken_by = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords(m2m_fields=[partners])

    def __str__(self) -> str:
        return self.title


class Consultation(models.Model):
    """A partner's chair, chief executive or director of finance consulted on the decision."""

    urgent = models.ForeignKey(
        UrgentDecision, on_delete=models.CASCADE, related_name="consultations"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=30)
    person = models.CharField(max_length=200)
    consulted_on = models.DateField()
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["urgent", "organisation", "role"], name="consulted_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.role}, {self.organisation})"


class Ratification(models.Model):
    """A partner's formal ratification of an urgent decision at its next available meeting."""

    urgent = models.ForeignKey(
        UrgentDecision, on_delete=models.CASCADE, related_name="ratifications"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    meeting_on = models.DateField(help_text="The partner's next available meeting.")
    forum = models.CharField(
        max_length=200, help_text="E.g. Board, Governing Body, Cabinet (a council's constitution)."
    )
    ratified_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["urgent", "organisation"], name="ratified_once")
        ]

    def __str__(self) -> str:
        return f"{self.urgent}: {self.organisation} ({self.forum})"

    def overdue(self, today) -> bool:
        """The partner's meeting has passed without ratifying the decision."""
        return self.ratified_on is None and self.meeting_on < today


class ProjectStage(models.TextChoices):
    """The STP programme cycle (seed 003 §9.1)."""

    DESIGN = "design", "Design"
    DEVELOP = "develop", "Develop"
    DEPLOY = "deploy", "Deploy"
    DELIVER = "deliver", "Deliver"


class ImprovementProject(models.Model):
    """An improvement project, signed off by the HCE only when allocated to a delivery or
    enabling group and given an executive senior responsible officer (table 5)."""

    title = models.CharField(max_length=300)
    stage = models.CharField(
        max_length=10, choices=ProjectStage.choices, default=ProjectStage.DESIGN
    )
    group = models.ForeignKey(
        Body, on_delete=models.PROTECT, null=True, blank=True, related_name="projects"
    )
    sro = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name="senior responsible officer",
    )
    signed_off_at_meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    def __str__(self) -> str:
        return self.title


class Dispute(models.Model):
    """An issue that could not be resolved locally, referred to the regional Bipartite (seed
    003 §9.14), with the Bipartite's outcome once it has met on it."""

    title = models.CharField(max_length=300)
    issue = models.TextField(help_text="What is in dispute.")
    raised_in = models.ForeignKey(
        Body, on_delete=models.PROTECT, related_name="disputes", help_text="Where it arose."
    )
    local_attempts = models.TextField(help_text="How it was tried locally, and why it failed.")
    case = models.ForeignKey(
        BusinessCase, on_delete=models.PROTECT, null=True, blank=True, related_name="disputes"
    )
    referred_on = models.DateField()
    outcome = models.TextField(blank=True)
    outcome_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-referred_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome="", outcome_on__isnull=True)
                | (~models.Q(outcome="") & models.Q(outcome_on__isnull=False)),
                name="dispute_outcome_dated",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def resolved(self) -> bool:
        return self.outcome_on is not None
