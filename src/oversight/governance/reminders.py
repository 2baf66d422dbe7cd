"""What is due or late for a body's meetings, and reminders to the secretariat and paper leads
(an in-app notification and an e-mail each, through ``oversight.support.notify.tell``).

Papers are due the body's working days before the meeting (the SOAG: 5), draft minutes the
body's working days after it (10); terms of reference and declarations of interest are reviewed
annually. ``oversight governance remind`` runs :func:`send_reminders` daily; it tells nobody the
same thing twice on one day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from oversight.engine.periods import working_days_between
from oversight.governance.interests import reviews_due
from oversight.governance.models import (
    Body,
    Meeting,
    MeetingStatus,
    Membership,
    Paper,
    Position,
    TermsOfReference,
)
from oversight.support.models import Notification
from oversight.support.notify import tell

#: Remind this many working days before a deadline (and on every working day after it).
DEFAULT_WITHIN = 3


def _day(d: dt.date) -> str:
    return f"{d.day} {d:%B %Y}"


@dataclass(frozen=True)
class Due:
    """Something due for a meeting: a paper or the draft minutes."""

    meeting: Meeting
    what: str  # "paper" or "minutes"
    due: dt.date
    late: bool
    paper: Paper | None = None

    def describe(self) -> str:
        if self.what == "paper":
            subject, verbs = f"Paper '{self.paper.title}' for {self.meeting}", ("is", "was")
        else:
            subject, verbs = f"Draft minutes of {self.meeting}", ("are", "were")
        if self.late:
            return f"{subject} {verbs[1]} due by {_day(self.due)} and {verbs[0]} late"
        return f"{subject} {verbs[0]} due by {_day(self.due)}"


def secretariat_users(meeting: Meeting) -> list:
    return secretaries(meeting.body, meeting.date)


def secretaries(body: Body, on: dt.date) -> list:
    people = body.memberships.current(on).filter(
        position=Position.SECRETARIAT, person__user__isnull=False, person__user__is_active=True
    )
    return [m.person.user for m in people.select_related("person__user")]


def outstanding(meeting: Meeting, today: dt.date) -> list[Due]:
    """Papers not issued and draft minutes not issued, with their deadlines."""
    if meeting.status == MeetingStatus.CANCELLED:
        return []
    out = []
    papers_due = meeting.papers_due
    if meeting.date >= today:
        for paper in Paper.objects.filter(item__meeting=meeting, issued_at__isnull=True):
            out.append(Due(meeting, "paper", papers_due, today > papers_due, paper))
    else:
        first = meeting.minutes.order_by("version").first()
        if first is None or first.issued_at is None:
            due = meeting.minutes_due
            out.append(Due(meeting, "minutes", due, today > due))
    return out


def due_soon(due: Due, today: dt.date, within: int) -> bool:
    return due.late or working_days_between(today, due.due) <= within


def send_reminders(
    today: dt.date | None = None, within: int = DEFAULT_WITHIN
) -> list[tuple[Due | Review, list]]:
    """Remind the secretariat (and a paper's lead) of everything due within ``within`` working
    days or late, for meetings from a month back onwards. Returns what was sent, to whom."""
    today = today or timezone.localdate()
    sent = []
    meetings = Meeting.objects.exclude(status=MeetingStatus.CANCELLED).filter(
        date__gte=today - dt.timedelta(days=31)
    )
    for meeting in meetings.select_related("body"):
        for due in outstanding(meeting, today):
            if not due_soon(due, today, within):
                continue
            people = secretariat_users(meeting)
            if due.paper is not None and due.paper.lead and due.paper.lead.user_id:
                people.append(due.paper.lead.user)
            subject = due.describe()
            if _tell(
                people,
                subject,
                f"{subject}. The {meeting.body.short_name} terms of "
                "reference ask for papers before the meeting and draft minutes after it "
                "within set working days.",
                meeting.get_absolute_url(),
            ):
                sent.append((due, people))
    sent += _reviews(today)
    return sent


@dataclass(frozen=True)
class Review:
    """A review due once a year: a body's terms of reference or a declaration of interest."""

    subject: str

    def describe(self) -> str:
        return self.subject


def _reviews(today: dt.date) -> list[tuple[Review, list]]:
    """Terms of reference past their review date, and declarations past their annual review,
    to the secretariat of the body (of every body the person sits on)."""
    sent = []
    latest = {}
    for terms in TermsOfReference.objects.select_related("body").order_by("dated", "id"):
        latest[terms.body_id] = terms
    for terms in latest.values():
        if terms.review_overdue(today):
            review = Review(
                f"The {terms.body.short_name} terms of reference v{terms.version} were due for "
                f"review by {_day(terms.review_due)}"
            )
            people = secretaries(terms.body, today)
            if _tell(
                people,
                review.subject,
                f"{review.subject} (reviewed at least annually).",
                terms.body.get_absolute_url(),
            ):
                sent.append((review, people))
    for declaration in reviews_due(today):
        review = Review(
            f"{declaration.person}'s declaration of interest ({declaration.description[:80]}) "
            f"was due for its annual review by {_day(declaration.review_due)}"
        )
        bodies = Body.objects.filter(
            pk__in=Membership.objects.filter(person=declaration.person)
            .current(today)
            .values("body_id")
        )
        people = [u for b in bodies for u in secretaries(b, today)]
        if _tell(people, review.subject, f"{review.subject}.", ""):
            sent.append((review, people))
    return sent


def _tell(people: list, subject: str, body: str, link: str) -> list:
    """Tell each of ``people`` not yet told ``subject`` today; who was told."""
    already = set(
        Notification.objects.filter(
            subject=subject[:300], created_at__date=timezone.localdate()
        ).values_list("recipient_id", flat=True)
    )
    fresh = [p for p in dict.fromkeys(people) if p.pk not in already]
    if fresh:
        tell(fresh, subject, body, link=link)
    people[:] = fresh
    return fresh
