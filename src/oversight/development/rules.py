"""Who may read and assess a development plan (django-rules; autodiscovered).

Everyone whose roles reach the plan's system reads it (the regional team of its region, its ICB
team and SOAG members, users of its organisations; administrators all). Assessing delivery at a
checkpoint is for the ICB team of the system, the regional team of its region and
administrators.
"""

from __future__ import annotations

import rules
from django.db.models import QuerySet

from oversight.access.models import Role
from oversight.access.rules import holds, role_scope, scoped, visible_systems
from oversight.development.models import Plan

#: The roles that assess a plan's delivery (with administrators).
ASSESSORS = frozenset({Role.Kind.ICB, Role.Kind.REGIONAL})


def visible_plans(user, qs: QuerySet[Plan] | None = None) -> QuerySet[Plan]:
    plans = Plan.objects.all() if qs is None else qs
    return plans.filter(system__in=visible_systems(user).values("pk"))


def assessable_plans(user, qs: QuerySet[Plan] | None = None) -> QuerySet[Plan]:
    return scoped(
        Plan.objects.all() if qs is None else qs,
        role_scope(user, ASSESSORS, organisation=None, system="system"),
    )


@rules.predicate
def can_view_plan(user, plan: Plan | None = None) -> bool:
    return holds(visible_plans(user), plan)


@rules.predicate
def can_assess_plan(user, plan: Plan | None = None) -> bool:
    return holds(assessable_plans(user), plan)


rules.add_perm("development.view_plan", can_view_plan)
rules.add_perm("development.assess_plan", can_assess_plan)
