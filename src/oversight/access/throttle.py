"""Password sign-in throttling: attempts counted per username at an address and per address.

Each attempt takes a number before its password is checked, in one transaction that locks the
count's row (PostgreSQL) or the database (SQLite's immediate transactions), so concurrent
attempts get 1, 2, 3 ... and never the same number: forty parallel guesses against a limit of
five get five password checks, not six. A successful sign-in gives its number back to the
address and clears the username's count; failures stay counted until ``LOCKOUT_SECONDS`` after
the last attempt.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from oversight.access.models import SignInCount

#: Attempts allowed per username and address before the pair is locked out.
FAILURE_LIMIT = getattr(settings, "LOGIN_FAILURE_LIMIT", 5)
#: Attempts allowed from one address, whatever the usernames, before it is locked out (one
#: address trying many usernames; an office behind one NAT address gets room to spare).
ADDRESS_FAILURE_LIMIT = getattr(settings, "LOGIN_ADDRESS_FAILURE_LIMIT", 20)
#: How long a lock-out lasts after the last attempt, in seconds.
LOCKOUT_SECONDS = getattr(settings, "LOGIN_LOCKOUT_SECONDS", 15 * 60)


def _key(kind: str, text: str) -> str:
    return f"{kind}:{hashlib.sha256(text.encode()).hexdigest()}"


def username_key(request: HttpRequest, username: str) -> str:
    return _key("user", f"{username.strip().lower()}|{request.META.get('REMOTE_ADDR', '')}")


def address_key(request: HttpRequest) -> str:
    return _key("address", request.META.get("REMOTE_ADDR", ""))


def take(key: str) -> int:
    """Count one more attempt under ``key``; its number in the current window (1 for the
    first, or the first after the last window ran out)."""
    now = timezone.now()
    until = now + dt.timedelta(seconds=LOCKOUT_SECONDS)
    with transaction.atomic():
        # Windows that ran out go (the table holds the last LOCKOUT_SECONDS, however many
        # usernames are tried); this key's own is reset below, under its lock.
        SignInCount.objects.filter(until__lte=now).exclude(key=key).delete()
        SignInCount.objects.bulk_create([SignInCount(key=key, count=0, until=until)],
                                        ignore_conflicts=True)
        rows = SignInCount.objects.select_for_update().filter(key=key)
        rows.filter(until__lte=now).update(count=0)
        rows.update(count=F("count") + 1, until=until)
        return rows.values_list("count", flat=True).get()


def attempt(request: HttpRequest, username: str) -> bool:
    """Count a password attempt; False when the username at this address, or the address,
    is over its limit (the password must then not be checked)."""
    over = [take(username_key(request, username)) > FAILURE_LIMIT,
            take(address_key(request)) > ADDRESS_FAILURE_LIMIT]
    return not any(over)


def succeeded(request: HttpRequest, username: str) -> None:
    """A correct password: the username's count is cleared, the address gets its number back."""
    SignInCount.objects.filter(key=username_key(request, username)).delete()
    SignInCount.objects.filter(key=address_key(request), count__gt=0).update(
        count=F("count") - 1)
