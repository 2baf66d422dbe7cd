"""Conflicts of interest on the decisions of the scheme (seed 003 §9.13): the chair's rulings
are governance's (``ConflictRuling`` on an agenda item); a decision taken under an item shows
the members excluded from it or not taking part in the decision."""

from __future__ import annotations

from oversight.governance.interests import conflict_minute
from oversight.governance.models import AgendaItem, ConflictRuling, Ruling


def not_deciding(item: AgendaItem | None) -> list[ConflictRuling]:
    """The rulings on the item that kept a member out of its decision (excluded, or in the
    discussion only)."""
    if item is None:
        return []
    return list(
        item.rulings.exclude(ruling=Ruling.PARTICIPATES).select_related(
            "person", "deputy", "declaration", "ruled_by"
        )
    )


def conflict_lines(item: AgendaItem | None) -> list[str]:
    """The same, in the minutes' words."""
    return [conflict_minute(r) for r in not_deciding(item)]
