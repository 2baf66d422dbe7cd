"""Progress on the system's development plan as its checkpoints assessed it by the day of
issue: each theme's delivery status (the least advanced of its assessed actions, on the plan's
own five-point key), how many actions are achieved, and the milestones that are late."""

from __future__ import annotations

from typing import Any

from oversight.development import key
from oversight.development.models import Action, Assessment, Plan
from oversight.development.plans import workstreams_of
from oversight.reports.sections.scope import Scope, day


def _late(action: Action, status: str, scope: Scope) -> bool:
    """Due before the day and not achieved by then (an ongoing action is never late)."""
    return (not action.ongoing and action.due is not None and action.due < scope.as_at
            and status not in key.achieved_codes())


def development_section(scope: Scope) -> dict[str, Any] | None:
    plan = (Plan.objects.filter(system=scope.system, published_on__lte=scope.as_at)
            .order_by("-published_on").first())
    if plan is None:
        return None
    checkpoint = (plan.checkpoints.filter(held_on__lte=scope.as_at)
                  .order_by("-held_on", "-id").first())
    status: dict[int, str] = dict(
        Assessment.objects.filter(checkpoint__plan=plan, checkpoint__held_on__lte=scope.as_at,
                                  action__isnull=False)
        .order_by("checkpoint__held_on", "id").values_list("action_id", "status"))
    themes: dict[str, dict[str, Any]] = {}
    late = []
    for ws in workstreams_of(plan):
        theme = themes.setdefault(ws.heading, {"heading": ws.heading, "statuses": [],
                                               "achieved": 0, "total": 0, "late": 0})
        for action in ws.actions.all():
            now = status.get(action.pk, "")
            theme["total"] += 1
            theme["achieved"] += now in key.achieved_codes()
            if now:
                theme["statuses"].append(now)
            if _late(action, now, scope):
                theme["late"] += 1
                point = key.point(now)
                late.append({
                    "theme": ws.heading, "workstream": ws.name, "action": action.text,
                    "deadline": action.deadline_text, "due": day(action.due),
                    "status": point.label if point else "Not yet assessed",
                    "owners": "/".join(o.code for o in action.owner_list),
                })
    rows = []
    for theme in themes.values():
        worst = key.point(key.worst(theme.pop("statuses")))
        rows.append({**theme, "status": worst.code if worst else "",
                     "status_label": worst.label if worst else "Not yet assessed"})
    return {
        "title": plan.title,
        "published_on": day(plan.published_on),
        "checkpoint": ({"quarter": checkpoint.quarter, "held_on": day(checkpoint.held_on)}
                       if checkpoint else None),
        "themes": rows,
        "late": late,
    }
