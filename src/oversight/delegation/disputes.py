"""Dispute and conflict resolution (seed 003 §9.14): an issue that cannot be resolved locally
is referred to the regional Bipartite, saying how it was tried locally; the Bipartite's outcome
is recorded against it, with who and when (django-simple-history)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from oversight.governance.history import record
from oversight.governance.models import Body

from .models import BusinessCase, Dispute


def refer_dispute(
    title: str,
    issue: str,
    *,
    raised_in: Body,
    local_attempts: str,
    referred_on: dt.date,
    case: BusinessCase | None = None,
    user=None,
    at: dt.datetime | None = None,
) -> Dispute:
    """Refer an issue to the regional Bipartite: only once it was tried locally."""
    if not (title.strip() and issue.strip()):
        raise ValidationError("A referral needs a title and the issue in dispute.")
    if not local_attempts.strip():
        raise ValidationError(
            "Say how the issue was tried locally: only what cannot be resolved locally goes to "
            "the regional Bipartite."
        )
    return record(
        Dispute(
            title=title.strip(),
            issue=issue.strip(),
            raised_in=raised_in,
            local_attempts=local_attempts.strip(),
            referred_on=referred_on,
            case=case,
        ),
        user=user,
        reason=f"Referred to the regional Bipartite from {raised_in.short_name}",
        at=at,
    )


def record_outcome(
    dispute: Dispute, outcome: str, decided_on: dt.date, *, user=None, at=None
) -> Dispute:
    """The regional Bipartite's outcome, on or after the referral; recorded once."""
    if dispute.resolved:
        raise ValidationError(
            f"The Bipartite's outcome was recorded on {dispute.outcome_on:%-d %B %Y}."
        )
    if not outcome.strip():
        raise ValidationError("Record what the Bipartite decided.")
    if decided_on < dispute.referred_on:
        raise ValidationError(
            f"The outcome cannot come before the referral ({dispute.referred_on:%-d %B %Y})."
        )
    dispute.outcome, dispute.outcome_on = outcome.strip(), decided_on
    return record(dispute, user=user, reason="Outcome of the regional Bipartite", at=at)
