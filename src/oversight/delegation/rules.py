"""Who may record what under the scheme of delegation (django-rules; autodiscovered). Reading
the scheme, the cases and urgent decisions is for anyone signed in (the STP's published
framework); recording is for the secretariats the scheme gives the work to, through
governance's predicates (``oversight.governance.rules``), and administrators.

- A **business case** is run by the secretariat of the Health and Care Executive (which holds
  the programme) or of the case's delivery group ("Delivery Groups must ensure sign off"):
  they propose it and record the organisations' sign-offs.
- A **step** is recorded by the secretariat of a body that decides it, at that body's meeting
  (``governance.manage_minutes`` of the meeting).
- **Urgent decisions** are the HCE chair's (seed 003 §9.12): its chair or secretariat records
  them, their consultations and ratifications.
- **Disputes** go from the HCE to the regional Bipartite (table 5): the HCE's secretariat or
  the regional team records the referral and the outcome.
"""

from __future__ import annotations

import rules

from oversight.access.models import Role
from oversight.governance.models import Body, BodyKind
from oversight.governance.rules import is_administrator, is_chair, is_secretariat

EXECUTIVE = "HCE"
GROUP_KINDS = (BodyKind.DELIVERY_GROUP, BodyKind.ENABLING_GROUP)


def _executive() -> Body | None:
    return Body.objects.filter(short_name=EXECUTIVE).first()


def _secretariat_of_executive(user) -> bool:
    hce = _executive()
    return hce is not None and is_secretariat(user, hce)


@rules.predicate
def runs_case(user, case=None) -> bool:
    """Administrators, the HCE's secretariat, the case's delivery group's secretariat (any
    delivery or enabling group's, for a new case)."""
    if not user.is_authenticated:
        return False
    if is_administrator(user) or _secretariat_of_executive(user):
        return True
    groups = (
        [case.delivery_group]
        if case is not None and case.delivery_group_id
        else Body.objects.filter(kind__in=GROUP_KINDS)
    )
    return any(is_secretariat(user, g) for g in groups if g is not None)


@rules.predicate
def records_urgent(user, obj=None) -> bool:
    if not user.is_authenticated:
        return False
    hce = _executive()
    return is_administrator(user) or (
        hce is not None and (is_secretariat(user, hce) or is_chair(user, hce))
    )


@rules.predicate
def refers_disputes(user, obj=None) -> bool:
    if not user.is_authenticated:
        return False
    return (
        is_administrator(user)
        or _secretariat_of_executive(user)
        or user.oversight_roles.filter(kind=Role.Kind.REGIONAL).exists()
    )


rules.add_perm("delegation.run_case", runs_case)
rules.add_perm("delegation.record_urgent", records_urgent)
rules.add_perm("delegation.refer_dispute", refers_disputes)
