"""An ICS development plan (seed 004) and the checkpoints it is held to, quarter by quarter.

A plan belongs to a system. Its workstreams sit under one of NHS England's six development
themes (or, like "Direction & Purpose", under one of the plan's own groups of themes); each
workstream's actions carry their deadline as written and the due date read from it
(``oversight.engine.deadlines``), their owners (initials or groups, not necessarily users) and
their current delivery status on the plan's five-point key (``key.yaml``). A quarterly
checkpoint records an assessment per action and per workstream: who, when, commentary and
evidence; the current status is the latest one. The rest is the plan's context: the maturity
matrix, the consistent operating arrangements, the gap analysis, the region's recommendations,
the priorities and which workstreams cover them, the asks of the region and risk statements.

django-simple-history records every change with who and when (and why, where given).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from oversight.development import key


class Plan(models.Model):
    system = models.ForeignKey(
        "organisations.System", on_delete=models.PROTECT, related_name="development_plans"
    )
    title = models.CharField(max_length=200)
    published_on = models.DateField(help_text="The date the plan bears.")
    executive_leads = models.CharField(max_length=300, blank=True)
    regional_lead = models.CharField("NHS England lead", max_length=200, blank=True)
    summary = models.TextField(blank=True)
    ambition = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["system__name", "-published_on"]
        constraints = [
            models.UniqueConstraint(fields=["system", "published_on"], name="plan_one_per_date")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.published_on:%-d %B %Y})"

    def get_absolute_url(self) -> str:
        return reverse("development_plan", args=[self.pk])


class ThemeGroup(models.Model):
    """The plan's own grouping of themes: "Direction and engagement", "Implementation"."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=100)
    order = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="theme_group_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Theme(models.Model):
    """One of NHS England's six development themes, numbered as the plan numbers them."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="themes")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    group = models.ForeignKey(ThemeGroup, on_delete=models.PROTECT, related_name="themes")
    order = models.PositiveSmallIntegerField(default=0, help_text="Place in the plan's order.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "order", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="theme_unique_number")
        ]

    def __str__(self) -> str:
        return f"Theme {self.number}: {self.name}"


class Owner(models.Model):
    """Who owns a workstream's actions as the plan writes it: initials ("KC") or a group
    ("System Leaders", "REGION"). Not necessarily a user of Oversight."""

    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        GROUP = "group", "Group"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="owners")
    code = models.CharField(max_length=60, help_text="As the plan writes it: KC, System Leaders.")
    name = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PERSON)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "code"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="owner_unique_code")]

    def __str__(self) -> str:
        return self.code


class Workstream(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="workstreams")
    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, null=True, blank=True, related_name="workstreams"
    )
    group = models.ForeignKey(
        ThemeGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="workstreams",
        help_text="For a workstream of the plan's grouping rather than of one theme.",
    )
    name = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(
        max_length=2,
        choices=key.delivery_choices(),
        blank=True,
        help_text="The latest assessment's status; empty until assessed.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(theme__isnull=False, group__isnull=True)
                | Q(theme__isnull=True, group__isnull=False),
                name="workstream_theme_or_group",
            ),
            models.UniqueConstraint(
                fields=["plan", "theme", "name"], name="workstream_unique_in_theme"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("development_workstream", args=[self.plan_id, self.pk])

    @property
    def heading(self) -> str:
        """The theme (or group) the workstream sits under, as the plan names it."""
        return self.theme.name if self.theme_id else self.group.name


class Action(models.Model):
    """An action with its deadline as written: a milestone the plan is held to."""

    workstream = models.ForeignKey(Workstream, on_delete=models.CASCADE, related_name="actions")
    strand = models.CharField(
        max_length=200,
        blank=True,
        help_text="The heading it sits under, e.g. 'Provider collaboratives'.",
    )
    text = models.TextField()
    owners = models.ManyToManyField(
        Owner, related_name="actions", blank=True, through="ActionOwner"
    )
    deadline_text = models.CharField(
        "deadline as written", max_length=200, help_text="E.g. 'by end of Q2 2021/22', 'Ongoing'."
    )
    due = models.DateField(null=True, blank=True, help_text="Read from the deadline.")
    starts = models.DateField(null=True, blank=True, help_text="For a phase: when it starts.")
    ongoing = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(
        max_length=2,
        choices=key.delivery_choices(),
        blank=True,
        help_text="The latest assessment's status; empty until assessed.",
    )
    signed_off_by = models.ForeignKey(
        "governance.Body",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="development_actions",
        help_text="The body that signs the milestone off.",
    )
    reported_at = models.ForeignKey(
        "governance.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="development_actions",
        help_text="The meeting where its delivery was reported.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["workstream", "order", "id"]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def owner_list(self) -> list[Owner]:
        """Owners in the order the plan writes them ('SG/REGION/LK/KC')."""
        links = sorted(self.owner_links.all(), key=lambda link: (link.position, link.pk))
        return [link.owner for link in links]

    @property
    def achieved(self) -> bool:
        return self.status in key.achieved_codes()

    def is_late(self, today: dt.date | None = None) -> bool:
        """Due before today and not achieved; an ongoing action is never late."""
        return (
            not self.achieved
            and self.due is not None
            and self.due < (today or timezone.localdate())
        )


class ActionOwner(models.Model):
    """An owner of an action, in the place the plan writes it."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="owner_links")
    owner = models.ForeignKey(Owner, on_delete=models.PROTECT, related_name="action_links")
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["action", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["action", "owner"], name="action_owner_once")
        ]

    def __str__(self) -> str:
        return f"{self.owner} owns {self.action}"


class Checkpoint(models.Model):
    """A quarterly checkpoint: the plan's delivery assessed for one financial quarter."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="checkpoints")
    quarter = models.CharField(max_length=12, help_text="E.g. 'Q2 2021/22'.")
    held_on = models.DateField()
    summary = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "held_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "quarter"], name="checkpoint_one_per_quarter")
        ]

    def __str__(self) -> str:
        return f"{self.quarter} checkpoint"

    def get_absolute_url(self) -> str:
        return reverse("development_checkpoint", args=[self.plan_id, self.pk])


class Assessment(models.Model):
    """One action's or one workstream's delivery status at a checkpoint: who, when, why."""

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.CASCADE, related_name="assessments")
    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, null=True, blank=True, related_name="assessments"
    )
    workstream = models.ForeignKey(
        Workstream, on_delete=models.CASCADE, null=True, blank=True, related_name="assessments"
    )
    status = models.CharField(max_length=2, choices=key.delivery_choices())
    commentary = models.TextField(blank=True)
    evidence = models.TextField(blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assessed_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["checkpoint__held_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__isnull=False, workstream__isnull=True)
                | Q(action__isnull=True, workstream__isnull=False),
                name="assessment_action_or_workstream",
            ),
            models.UniqueConstraint(
                fields=["checkpoint", "action"], name="assessment_one_per_action"
            ),
            models.UniqueConstraint(
                fields=["checkpoint", "workstream"], name="assessment_one_per_workstream"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.checkpoint}: {self.action or self.workstream} {self.status}"


class MaturityDomain(models.Model):
    """A domain of the maturity matrix self-assessment and the group responsible for it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="maturity_domains")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    response_level = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="maturity_domain_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class MaturityScore(models.Model):
    """A domain's level at one self-assessment (e.g. Aug 2019, Nov 2020)."""

    domain = models.ForeignKey(MaturityDomain, on_delete=models.CASCADE, related_name="scores")
    assessed_on = models.DateField()
    level = models.CharField(max_length=12, choices=key.maturity_choices())
    history = HistoricalRecords()

    class Meta:
        ordering = ["domain", "assessed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["domain", "assessed_on"], name="maturity_score_one_per_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.domain}: {self.get_level_display()} ({self.assessed_on:%b %Y})"


class OperatingArrangement(models.Model):
    """One of the seven consistent ICS operating arrangements and its delivery progress."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="arrangements")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    progress = models.CharField(max_length=2, choices=key.delivery_choices())
    written_as = models.CharField(max_length=40, blank=True, help_text="E.g. 'Orange'.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="arrangement_unique_number")
        ]

    def __str__(self) -> str:
        return self.name


class GapArea(models.Model):
    """A row of the gap analysis: an arrangement, what is in place, what is to develop, and
    the development themes that address it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="gap_areas")
    section = models.CharField(
        max_length=100, help_text="E.g. 'Consistent Operating Arrangements'."
    )
    heading = models.CharField(max_length=200, help_text="E.g. 'System Functions'.")
    arrangement = models.TextField()
    current_arrangements = models.JSONField(default=list)
    development_areas = models.JSONField(default=list)
    themes = models.ManyToManyField(Theme, related_name="gap_areas", blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords(m2m_fields=[themes])

    class Meta:
        ordering = ["plan", "order", "id"]

    def __str__(self) -> str:
        return f"{self.heading}: {self.arrangement[:60]}"


class Recommendation(models.Model):
    """One of the region's recommendations on designation, and how the plan addresses it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="recommendations")
    number = models.PositiveSmallIntegerField()
    area = models.CharField(max_length=100)
    text = models.TextField()
    response = models.JSONField(default=list, help_text="How the plan addresses it.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "number"]

    def __str__(self) -> str:
        return self.area


class Priority(models.Model):
    """A priority the plan must cover, by who identified it (the system, the region, both)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="priorities")
    name = models.CharField(max_length=200)
    identified_by = models.CharField(max_length=100, help_text="E.g. 'C&P identified priorities'.")
    order = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "order", "id"]
        verbose_name_plural = "priorities"

    def __str__(self) -> str:
        return self.name


class CoverageRow(models.Model):
    """A row of the plan's tick table: the workstream(s) it names and the priorities ticked."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="coverage")
    label = models.CharField(max_length=200)
    workstreams = models.ManyToManyField(Workstream, related_name="coverage_rows")
    priorities = models.ManyToManyField(Priority, related_name="coverage_rows", blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords(m2m_fields=[workstreams, priorities])

    class Meta:
        ordering = ["plan", "order", "id"]

    def __str__(self) -> str:
        return self.label


class Ask(models.Model):
    """An area where the system asks the region for support, with its particulars."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="asks")
    area = models.CharField(max_length=200)
    items = models.JSONField(default=list)
    order = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "order", "id"]

    def __str__(self) -> str:
        return self.area


class RiskStatement(models.Model):
    """A development risk under one of the plan's risk themes: a plain statement, linked to
    the risk register's entry where there is one."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="risk_statements")
    theme = models.CharField(max_length=200, help_text="E.g. 'Effective Governance'.")
    statement = models.TextField()
    risk = models.ForeignKey(
        "risks.Risk",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="development_statements",
        help_text="The risk on the system's risk register that holds its detail.",
    )
    order = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "order", "id"]

    def __str__(self) -> str:
        return self.statement[:80]
