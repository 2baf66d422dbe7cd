"""The appendices the author picks: the group's terms of reference in force and its
membership on the day of issue (Annex 1 of seed 000's terms of reference)."""

from __future__ import annotations

from typing import Any

from oversight.governance.models import MEMBER_POSITIONS
from oversight.reports.sections.scope import Scope, day


def terms_section(scope: Scope) -> dict[str, Any] | None:
    terms = (scope.committee.terms.filter(dated__lte=scope.as_at)
             .order_by("-dated", "-id").first())
    if terms is None:
        return None
    return {
        "body": scope.committee.name,
        "version": terms.version,
        "dated": day(terms.dated),
        "purpose": terms.purpose,
        "responsibilities": [str(r) for r in terms.responsibilities or []],
        "key_amendments": terms.key_amendments,
        "approved_by": terms.approved_by,
        "approved_on": day(terms.approved_on),
        "review_due": day(terms.review_due),
        "quoracy": scope.committee.quoracy.get("text", "") if scope.committee.quoracy else "",
    }


def membership_section(scope: Scope) -> list[dict[str, Any]]:
    roles = (scope.committee.memberships.current(scope.as_at)
             .select_related("person", "nominated_deputy").order_by("position", "sector", "id"))
    order = {p: i for i, p in enumerate(MEMBER_POSITIONS)}
    rows = sorted(roles, key=lambda m: (order.get(m.position, len(order)), m.pk))
    return [{
        "sector": m.sector,
        "role": m.role_title,
        "name": m.person.name,
        "position": m.get_position_display(),
        "representative": m.get_representative_display() if m.representative else "",
        "deputy": m.nominated_deputy.name if m.nominated_deputy_id else "",
    } for m in rows]
