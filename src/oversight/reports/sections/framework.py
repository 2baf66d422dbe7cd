"""The framework year's segment table: what each segment means for an ICS, a CCG (ICB) and a
trust, and the support it brings, from the framework's data files."""

from __future__ import annotations

from typing import Any

from oversight.frameworks.segments import segment_table
from oversight.reports.sections.scope import Scope
from oversight.support.offers import support_offers


def framework_section(scope: Scope) -> dict[str, Any] | None:
    framework = scope.framework
    if framework is None:
        return None
    table = segment_table(framework.code)
    offers = support_offers(framework.code)
    numbers = sorted({s.segment for s in (table.segments if table else ())}
                     | {s.segment for s in (offers.segments if offers else ())})
    rows = []
    for number in numbers:
        meaning = next((s for s in table.segments if s.segment == number), None) if table else None
        support = offers.for_segment(number) if offers else None
        rows.append({
            "segment": number,
            "descriptions": {k: list(v) for k, v in meaning.descriptions.items()}
            if meaning else {},
            "support": support.summary if support else "",
            "delivered_by": support.delivered_by if support else "",
            "offers": [o.name for o in support.offers] if support else [],
        })
    return {
        "code": framework.code,
        "name": framework.name,
        "source": table.source if table else (offers.source if offers else framework.source),
        "note": table.note if table else "",
        "subjects": [{"code": s.code, "name": s.name} for s in table.subjects] if table else [],
        "segments": rows,
    }
