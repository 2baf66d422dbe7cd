"""Governance bodies and their business: terms of reference, membership, meetings, attendance,
agendas, papers, declarations of interest, conflict rulings and minutes (seed 000 Appendix A,
the SOAG terms of reference v1.7; seed 003 §8-9, the governance framework).

Rules that vary by body (quoracy, the working days for papers, minutes and notice) are data on
the body (``Body.quoracy``, ``Body.deadlines``), read by ``oversight.governance.quoracy`` and
``oversight.governance.deadlines``; defaults come from ``governance/bodies.yaml``. Every model
keeps its history (who, when, why) with django-simple-history.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

# ----------------------------------------------------------------------------- people and bodies


class Person(models.Model):
    """Someone who sits on, attends or serves a body. People need not be users of Oversight."""

    name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=300, blank=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="governance_people",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="governance_person",
        help_text="The person's Oversight account, if they have one.",
    )
    email = models.EmailField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.name

    @property
    def contact_email(self) -> str:
        return self.email or (self.user.email if self.user_id else "")


class BodyKind(models.TextChoices):
    BOARD = "board", "Board"
    COMMITTEE = "committee", "Committee of the board"
    EXECUTIVE = "executive", "Executive"
    ADVISORY_GROUP = "advisory_group", "Advisory group"
    DELIVERY_BOARD = "delivery_board", "Delivery board"
    FINANCE_GROUP = "finance_group", "Finance group"
    INVESTMENT_COMMITTEE = "investment_committee", "Investment committee"
    CLINICAL_COMMUNITY = "clinical_community", "Clinical community"
    DELIVERY_GROUP = "delivery_group", "Delivery group"
    ENABLING_GROUP = "enabling_group", "Enabling group"
    PERFORMANCE_GROUP = "performance_group", "Activity and performance group"
    AE_DELIVERY_BOARD = "ae_delivery_board", "A&E delivery board"


class DecisionMethod(models.TextChoices):
    CONSENSUS = "consensus", "By consensus (no votes)"
    VOTE = "vote", "Formal vote as the chair determines"


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    BIMONTHLY = "bimonthly", "Every two months"
    QUARTERLY = "quarterly", "Quarterly"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"


class WeekOfMonth(models.IntegerChoices):
    FIRST = 1, "First"
    SECOND = 2, "Second"
    THIRD = 3, "Third"
    FOURTH = 4, "Fourth"
    LAST = -1, "Last"


class IfHoliday(models.TextChoices):
    NEXT = "next", "Meet on the next working day"
    PREVIOUS = "previous", "Meet on the previous working day"
    SKIP = "skip", "No meeting that month"


class Body(models.Model):
    """A board, committee or group with its reporting line, quoracy rule and meeting pattern."""

    short_name = models.SlugField(
        max_length=20, unique=True, allow_unicode=False, help_text="E.g. SOAG, HCE, FPPG."
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=BodyKind.choices)
    system = models.ForeignKey(
        "organisations.System",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="governance_bodies",
    )
    reports_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reporting_bodies",
    )
    recommends_to = models.CharField(
        max_length=300,
        blank=True,
        help_text="Others the body makes recommendations to (e.g. the region's support group).",
    )
    role = models.TextField(blank=True, help_text="What the body is for (seed 003 §8).")
    decision_method = models.CharField(
        max_length=10, choices=DecisionMethod.choices, default=DecisionMethod.VOTE
    )
    quoracy = models.JSONField(
        default=dict,
        blank=True,
        help_text="The quoracy rule as data (see governance/bodies.yaml and docs/governance.md).",
    )
    deadlines = models.JSONField(
        default=dict,
        blank=True,
        help_text="Working days: papers_before, minutes_after, extraordinary_notice.",
    )
    frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, null=True, blank=True)
    week_of_month = models.SmallIntegerField(choices=WeekOfMonth.choices, null=True, blank=True)
    start_time = models.TimeField(null=True, blank=True)
    first_month = models.PositiveSmallIntegerField(
        default=1, help_text="For bi-monthly and quarterly patterns: a month the body meets in."
    )
    if_holiday = models.CharField(
        max_length=10,
        choices=IfHoliday.choices,
        default=IfHoliday.NEXT,
        help_text="When the pattern's date is a bank holiday in England.",
    )
    location = models.CharField(max_length=300, blank=True, help_text="Usual place of meeting.")
    secretariat_team = models.CharField(
        max_length=300, blank=True, help_text="Who provides the secretariat (ToR 7.8)."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "bodies"

    def __str__(self) -> str:
        return f"{self.name} ({self.short_name})"

    def get_absolute_url(self) -> str:
        return reverse("governance:body", args=[self.short_name])

    def clean(self) -> None:
        """Refuse a quoracy or deadline rule that cannot be applied (admin and forms)."""
        from oversight.governance.data import RuleError, read_deadlines, read_quoracy

        errors = {}
        for name, read in (("quoracy", read_quoracy), ("deadlines", read_deadlines)):
            try:
                read(getattr(self, name), name)
            except RuleError as exc:
                errors[name] = str(exc)
        if errors:
            raise ValidationError(errors)

    @property
    def current_terms(self) -> TermsOfReference | None:
        return self.terms.order_by("-dated", "-id").first()


class TermsOfReference(models.Model):
    """One version of a body's terms of reference; reviewed at least annually (ToR 8.1)."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="terms")
    version = models.CharField(max_length=20, help_text="E.g. 1.7")
    dated = models.DateField(help_text="The date the version carries (e.g. August 2021).")
    purpose = models.TextField(blank=True)
    responsibilities = models.JSONField(
        default=list, blank=True, help_text="The responsibilities, in order (ToR §3.1 I-VI)."
    )
    key_amendments = models.TextField(blank=True)
    approved_by = models.CharField(max_length=200, blank=True)
    approved_on = models.DateField(null=True, blank=True)
    review_due = models.DateField(null=True, blank=True)
    document = models.FileField(upload_to="governance/terms/%Y/", blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["body", "-dated", "-id"]
        verbose_name = "terms of reference"
        verbose_name_plural = "terms of reference"
        constraints = [
            models.UniqueConstraint(fields=["body", "version"], name="terms_one_version")
        ]

    def __str__(self) -> str:
        return f"{self.body.short_name} terms of reference v{self.version}"

    def save(self, *args, **kwargs) -> None:
        # "Reviewed at least annually": a year from approval (or from the version's date).
        if self.review_due is None:
            start = self.approved_on or self.dated
            if start is not None:
                self.review_due = _a_year_after(start)
        super().save(*args, **kwargs)

    def review_overdue(self, today: dt.date | None = None) -> bool:
        return self.review_due is not None and self.review_due < (today or timezone.localdate())


def _a_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


class Position(models.TextChoices):
    CHAIR = "chair", "Chair"
    DEPUTY_CHAIR = "deputy_chair", "Deputy chair"
    MEMBER = "member", "Member"
    CO_OPTED = "co_opted", "Co-opted member"
    ROUTINE_ATTENDEE = "routine_attendee", "Routine attendee"
    INVITED_ATTENDEE = "invited_attendee", "Attendee at the chair's invitation"
    SECRETARIAT = "secretariat", "Secretariat"


#: Positions that make someone a member of the body (the rest attend or serve it).
MEMBER_POSITIONS = (
    Position.CHAIR,
    Position.DEPUTY_CHAIR,
    Position.MEMBER,
    Position.CO_OPTED,
)


class Representative(models.IntegerChoices):
    FIRST = 1, "First representative"
    SECOND = 2, "Second representative"


class MembershipQuerySet(models.QuerySet):
    def current(self, on: dt.date | None = None) -> MembershipQuerySet:
        on = on or timezone.localdate()
        return self.filter(Q(start__isnull=True) | Q(start__lte=on)).filter(
            Q(end__isnull=True) | Q(end__gte=on)
        )

    def members(self) -> MembershipQuerySet:
        return self.filter(position__in=MEMBER_POSITIONS)


class Membership(models.Model):
    """One role a person holds on a body (a person may hold several)."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    sector = models.CharField(max_length=200, blank=True, help_text="As Annex 1 names it.")
    role_title = models.CharField(max_length=300, blank=True)
    position = models.CharField(max_length=20, choices=Position.choices, default=Position.MEMBER)
    representative = models.PositiveSmallIntegerField(
        choices=Representative.choices, null=True, blank=True
    )
    quoracy_group = models.SlugField(
        max_length=40,
        blank=True,
        help_text="The group the member counts in for quoracy (e.g. icb_member, nhse_director).",
    )
    nominated_deputy = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deputy_for",
    )
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["body", "position", "sector", "representative", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True)
                | Q(start__isnull=True)
                | Q(end__gte=models.F("start")),
                name="membership_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        what = self.sector or self.role_title or self.get_position_display()
        return f"{self.person}: {what} ({self.body.short_name})"

    @property
    def is_member(self) -> bool:
        return self.position in MEMBER_POSITIONS

    def clean(self) -> None:
        if self.nominated_deputy_id and self.nominated_deputy_id == self.person_id:
            raise ValidationError({"nominated_deputy": "A member cannot be their own deputy."})

    def current_on(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


# ----------------------------------------------------------------------------- meetings


class MeetingKind(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    EXTRAORDINARY = "extraordinary", "Extraordinary"


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", "In the draft schedule"
    PUBLISHED = "published", "Published"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class Meeting(models.Model):
    """One meeting of a body. Its deadlines are counted in England working days from its date
    by the body's ``deadlines`` (``oversight.governance.deadlines``)."""

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="meetings")
    date = models.DateField()
    start_time = models.TimeField(null=True, blank=True)
    kind = models.CharField(
        max_length=15, choices=MeetingKind.choices, default=MeetingKind.SCHEDULED
    )
    status = models.CharField(
        max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.DRAFT
    )
    called_on = models.DateField(
        null=True, blank=True, help_text="When an extraordinary meeting was called."
    )
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True, help_text="The specific purpose (extraordinary).")
    location = models.CharField(max_length=300, blank=True)
    remote = models.CharField(
        max_length=300, blank=True, help_text="How to join remotely (blank: in person only)."
    )
    published_at = models.DateTimeField(null=True, blank=True)
    chaired_by = models.ForeignKey(
        "Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings_chaired",
        help_text="Who chaired the meeting (the chair, or the deputy chair in their absence).",
    )
    declarations_asked_at = models.DateTimeField(
        null=True, blank=True, help_text="When the chair asked for declarations of interest."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["body", "date", "start_time", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "date"],
                condition=~Q(status="cancelled"),
                name="meeting_one_per_body_and_day",
            ),
            models.CheckConstraint(
                condition=Q(kind="scheduled") | Q(called_on__isnull=False),
                name="meeting_extraordinary_called_on",
            ),
        ]

    def __str__(self) -> str:
        extra = " (extraordinary)" if self.kind == MeetingKind.EXTRAORDINARY else ""
        return f"{self.body.short_name} {self.date:%d %B %Y}{extra}"

    def get_absolute_url(self) -> str:
        return reverse("governance:meeting", args=[self.pk])

    @property
    def is_extraordinary(self) -> bool:
        return self.kind == MeetingKind.EXTRAORDINARY

    @property
    def papers_due(self) -> dt.date:
        from oversight.governance.deadlines import deadlines_for

        return deadlines_for(self).papers_due

    @property
    def minutes_due(self) -> dt.date:
        from oversight.governance.deadlines import deadlines_for

        return deadlines_for(self).minutes_due

    @property
    def notice_due(self) -> dt.date | None:
        from oversight.governance.deadlines import deadlines_for

        return deadlines_for(self).notice_due


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Present"
    APOLOGIES = "apologies", "Apologies"
    ABSENT = "absent", "Absent"


class AttendanceMode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    REMOTE = "remote", "Remote"


class Attendance(models.Model):
    """Who was at a meeting, for whom, for which items, and how."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="attendances")
    status = models.CharField(
        max_length=10, choices=AttendanceStatus.choices, default=AttendanceStatus.PRESENT
    )
    deputising_for = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deputised_at",
        help_text="The membership this person attends in place of.",
    )
    mode = models.CharField(
        max_length=10, choices=AttendanceMode.choices, default=AttendanceMode.IN_PERSON
    )
    for_items = models.ManyToManyField(
        "AgendaItem",
        blank=True,
        related_name="item_attendees",
        help_text="Attending for these items only (none: the whole meeting).",
    )
    history = HistoricalRecords(m2m_fields=[for_items])

    class Meta:
        ordering = ["meeting", "person__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.person} at {self.meeting}: {self.get_status_display()}"


class ItemPurpose(models.TextChoices):
    """The report purposes of the cover sheet (seed 000)."""

    APPROVAL = "approval", "Approval"
    DECISION = "decision", "Decision"
    ASSURE = "assure", "Assure"
    INFORM = "inform", "Inform"


#: Purposes that call for the body to decide something (an inquorate meeting may not).
DECIDING_PURPOSES = (ItemPurpose.APPROVAL, ItemPurpose.DECISION)


class ItemPart(models.TextChoices):
    A = "A", "Part A"
    B = "B", "Part B (confidential)"


class ItemKind(models.TextChoices):
    STANDARD = "standard", "Item"
    COMMITTEE_REPORT = "committee_report", "Report from a committee"
    PROGRAMME_UPDATE = "programme_update", "Collaborative programme update"
    EXCEPTION_REPORT = "exception_report", "Exception report"


class AgendaItem(models.Model):
    """An item of a meeting's agenda. Part B items are visible only to their audience
    (``oversight.governance.visibility``)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    number = models.CharField(max_length=10, help_text="E.g. 2.4")
    title = models.CharField(max_length=300)
    lead = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="items_led"
    )
    presenter = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="items_presented"
    )
    minutes_allotted = models.PositiveSmallIntegerField(null=True, blank=True)
    purpose = models.CharField(max_length=10, choices=ItemPurpose.choices)
    part = models.CharField(max_length=1, choices=ItemPart.choices, default=ItemPart.A)
    kind = models.CharField(max_length=20, choices=ItemKind.choices, default=ItemKind.STANDARD)
    reporting_body = models.ForeignKey(
        Body,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="For a report from a committee: the committee.",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The provider the item is about (Part B regulatory matters), if one.",
    )
    order = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "part", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="agenda_item_number_once")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_part_b(self) -> bool:
        return self.part == ItemPart.B

    @property
    def needs_decision(self) -> bool:
        return self.purpose in DECIDING_PURPOSES


# ----------------------------------------------------------------------------- papers


class Paper(models.Model):
    """A paper for an agenda item with the cover sheet of seed 000."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="papers")
    title = models.CharField(max_length=300)
    lead = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="papers_led"
    )
    author = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="papers_written"
    )
    report_purpose = models.CharField(max_length=10, choices=ItemPurpose.choices)
    presented_before = models.JSONField(
        default=list,
        blank=True,
        help_text="Committees or groups where presented before: [{'body': ..., 'date': ...}].",
    )
    purpose = models.TextField("purpose of the paper", blank=True)
    recommendation = models.TextField(blank=True)
    urgent = models.BooleanField(
        default=False, help_text="Issued late as an urgent paper with the chair's agreement."
    )
    urgent_agreed_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    urgent_agreed_at = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(urgent=False) | Q(urgent_agreed_by__isnull=False),
                name="paper_urgent_agreed_by_chair",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def meeting(self) -> Meeting:
        return self.item.meeting

    @property
    def latest_version(self) -> PaperVersion | None:
        return self.versions.order_by("-number").first()


def _paper_path(instance: PaperVersion, filename: str) -> str:
    meeting = instance.paper.item.meeting
    return (
        f"governance/papers/{meeting.body.short_name}/{meeting.date:%Y-%m-%d}/"
        f"{instance.paper_id}-v{instance.number}-{filename}"
    )


class PaperVersion(models.Model):
    """One uploaded file of a paper; earlier versions are kept."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    file = models.FileField(upload_to=_paper_path, max_length=300)
    original_name = models.CharField(max_length=255)
    file_type = models.CharField(max_length=4, help_text="pdf, docx or xlsx (sniffed).")
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["paper", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "number"], name="paper_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.paper} v{self.number}"


# ----------------------------------------------------------------------------- interests


class InterestKind(models.TextChoices):
    PERSONAL = "personal", "Personal"
    PROFESSIONAL = "professional", "Professional"
    ORGANISATIONAL = "organisational", "Organisational"


class Declaration(models.Model):
    """An entry in the register of interests (seed 003 §9.13)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="declarations")
    kind = models.CharField(max_length=15, choices=InterestKind.choices)
    financial = models.BooleanField(default=False)
    description = models.TextField()
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The organisation the interest concerns, where there is one.",
    )
    declared_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    reviewed_on = models.DateField(null=True, blank=True)
    declared_at = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="declarations",
        help_text="The meeting at which it was declared, if at one.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["person__name", "-declared_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("declared_on")),
                name="declaration_ends_after_declared",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_kind_display()} interest"

    def is_current(self, on: dt.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.declared_on <= on and (self.ended_on is None or on <= self.ended_on)

    @property
    def review_due(self) -> dt.date:
        """Reviewed annually: a year after the last review (or the declaration)."""
        return _a_year_after(self.reviewed_on or self.declared_on)

    def review_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.is_current(today) and self.review_due < today


class Ruling(models.TextChoices):
    """The chair's decision on a conflicted member (seed 003 §9.13; ToR 7.6-7.7)."""

    PARTICIPATES = "participates", "Participates"
    DISCUSSION_ONLY = "discussion_only", "Joins the discussion but not the decision"
    EXCLUDED = "excluded", "Excluded from the item"


class ConflictRuling(models.Model):
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="rulings")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="rulings")
    declaration = models.ForeignKey(
        Declaration, on_delete=models.PROTECT, null=True, blank=True, related_name="rulings"
    )
    ruling = models.CharField(max_length=20, choices=Ruling.choices)
    deputy = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deputised_rulings",
        help_text="Who attends the item in the excluded member's place (ToR 7.7).",
    )
    reason = models.TextField(blank=True)
    ruled_by = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ruled_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["item", "person"], name="conflict_ruling_once"),
            models.CheckConstraint(
                condition=Q(deputy__isnull=True) | Q(ruling="excluded"),
                name="conflict_deputy_only_when_excluded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} on {self.item}: {self.get_ruling_display()}"

    @property
    def takes_part_in_decision(self) -> bool:
        return self.ruling == Ruling.PARTICIPATES


# ----------------------------------------------------------------------------- minutes


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"


class Minutes(models.Model):
    """One version of a meeting's minutes: draft, approved at a later meeting, published. A
    change after approval is a new version with who and why."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="minutes")
    version = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(
        max_length=10, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT
    )
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(
        null=True, blank=True, help_text="When the draft was issued to members."
    )
    approved_at_meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="minutes_approved"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    change_reason = models.TextField(blank=True, help_text="Why a later version was made.")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "-version"]
        verbose_name_plural = "minutes"
        constraints = [
            models.UniqueConstraint(fields=["meeting", "version"], name="minutes_version_once"),
            models.CheckConstraint(
                condition=Q(version=1) | (Q(supersedes__isnull=False) & ~Q(change_reason="")),
                name="minutes_later_version_says_why",
            ),
        ]

    def __str__(self) -> str:
        return f"Minutes of {self.meeting} v{self.version} ({self.get_status_display()})"


class AssuranceLevel(models.TextChoices):
    SUBSTANTIAL = "substantial", "Substantial"
    REASONABLE = "reasonable", "Reasonable"
    PARTIAL = "partial", "Partial"
    LIMITED = "limited", "Limited"
    NONE = "none", "No assurance"


class Finding(models.TextChoices):
    """What the body concluded about the area an item covers (reported to the board, seed 000
    §3.3): an area requiring intervention, or one of good performance."""

    INTERVENTION = "intervention", "Requires intervention"
    GOOD = "good", "Good performance"


class Decided(models.TextChoices):
    CONSENSUS = "consensus", "By consensus"
    VOTE = "vote", "By vote"


class MinuteEntry(models.Model):
    """The minute of one agenda item in one version of the minutes."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="minute_entries")
    discussion = models.TextField(blank=True)
    decision = models.TextField(blank=True)
    decided = models.CharField(max_length=10, choices=Decided.choices, blank=True)
    votes_for = models.PositiveSmallIntegerField(null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(null=True, blank=True)
    abstentions = models.PositiveSmallIntegerField(null=True, blank=True)
    assurance = models.CharField(
        "level of assurance", max_length=12, choices=AssuranceLevel.choices, blank=True
    )
    finding = models.CharField(
        max_length=12,
        choices=Finding.choices,
        blank=True,
        help_text="The area requires intervention, or is one of good performance.",
    )
    escalate_to_board = models.BooleanField(default=False)
    escalation = models.TextField(blank=True, help_text="What is escalated to the board.")
    difference_of_view = models.TextField(
        blank=True, help_text="A substantive difference of views, reported to the board."
    )
    actions = models.ManyToManyField("support.SoagAction", blank=True, related_name="minutes")
    history = HistoricalRecords(m2m_fields=[actions])

    class Meta:
        ordering = ["minutes", "item__part", "item__order", "item__id"]
        verbose_name_plural = "minute entries"
        constraints = [
            models.UniqueConstraint(fields=["minutes", "item"], name="minute_entry_once"),
            models.CheckConstraint(
                condition=Q(decision="") | ~Q(decided=""),
                name="minute_decision_says_how",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.minutes}: {self.item}"
