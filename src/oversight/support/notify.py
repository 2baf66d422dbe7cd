"""Telling people: an in-app notification for each recipient and an email (Django's email
framework; the console backend in development), sent once the transaction commits."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from oversight.access.models import Role
from oversight.support.models import Notification, SoagAction, SupportCase


def case_owners(case: SupportCase) -> list:
    """The case lead, the regional team of the subject's region and the ICB team of its system."""
    region = case.region
    system = case.system if case.system_id else case.organisation.host_system
    q = Q(pk=case.lead_id) if case.lead_id else Q(pk__in=[])
    if region is not None:
        q |= Q(oversight_roles__kind=Role.Kind.REGIONAL, oversight_roles__region=region)
    if system is not None:
        q |= Q(oversight_roles__kind=Role.Kind.ICB, oversight_roles__system=system)
    return list(get_user_model().objects.filter(q, is_active=True).distinct().order_by("pk"))


def tell(
    users: Iterable,
    subject: str,
    body: str,
    *,
    link: str = "",
    case: SupportCase | None = None,
    action: SoagAction | None = None,
) -> list[Notification]:
    """Record a notification for each user and email those with an address after commit."""
    users = list(dict.fromkeys(users))
    made = Notification.objects.bulk_create(
        Notification(
            recipient=u, subject=subject[:300], body=body, link=link, case=case, action=action
        )
        for u in users
    )
    addresses = [u.email for u in users if u.email]
    if addresses:
        base = getattr(settings, "OVERSIGHT_BASE_URL", "http://localhost:8000").rstrip("/")
        text = f"{body}\n\n{base}{link}" if link else body
        sender = getattr(settings, "DEFAULT_FROM_EMAIL", None)
        transaction.on_commit(
            lambda: send_mail(subject, text, sender, addresses, fail_silently=False)
        )
    return made


def mark_read(user, **which) -> int:
    """Mark the user's unread notifications (those about ``which``: ``action=``, ``case=``, or
    all of them) as read now; how many."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True, **which)
    return unread.update(read_at=timezone.now())
