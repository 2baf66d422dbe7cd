"""A plan's workstreams and actions to and from a spreadsheet (CSV or XLSX).

One row per action: ``theme, workstream, owner, action, deadline_text, status`` (``deadline``
is accepted for ``deadline_text``; ``due_date``, which export writes, is worked out from the
deadline and ignored on import). Files are read as the metric importer reads them
(``oversight.metrics.importing.reading``: encodings, separators, XLSX read-only) and every
problem is named by file, row and column; one problem rejects the file and nothing is written.
Export writes the same columns through ``oversight.exports.table_bytes`` (no formula reaches a
spreadsheet; the apostrophe it adds is dropped on import), so an exported file imports back
unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from oversight.development import key, plans
from oversight.development.models import Action, Plan, Theme, ThemeGroup, Workstream
from oversight.engine.deadlines import DeadlineError, parse_deadline
from oversight.exports import as_written, table_bytes
from oversight.metrics.importing.reading import read_table
from oversight.metrics.importing.validation import ImportRejected, Problems

#: The export's columns (public contract: docs/development.md).
COLUMNS = ["theme", "workstream", "owner", "action", "deadline_text", "due_date", "status"]
REQUIRED = ["theme", "workstream", "owner", "action", "deadline_text", "status"]
ALIASES = {"deadline": "deadline_text", "deadline_as_written": "deadline_text", "owners": "owner"}


@dataclass
class ImportResult:
    plan: Plan
    rows: int = 0
    workstreams_created: int = 0
    actions_created: int = 0
    actions_updated: int = 0
    actions_unchanged: int = 0
    owners_created: list[str] = field(default_factory=list)
    dry_run: bool = False

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "workstreams created": self.workstreams_created,
            "actions created": self.actions_created,
            "actions updated": self.actions_updated,
            "actions unchanged": self.actions_unchanged,
        }


@dataclass
class Row:
    number: int
    theme: Theme | None
    group: ThemeGroup | None
    workstream: str
    owners: list[str]
    action: str
    deadline_text: str
    status: str


def _clean(text: Any) -> str:
    return " ".join(as_written(str(text or "").strip()).split())


def theme_lookup(plan: Plan) -> dict[str, Theme | ThemeGroup]:
    """Every way a row may name a theme: its number ('4', 'Theme 4'), its name, 'Theme 4: name'
    or 'Theme 4 - name'; or one of the plan's groups by name."""
    found: dict[str, Theme | ThemeGroup] = {}
    for theme in plan.themes.all():
        for name in (
            str(theme.number),
            f"theme {theme.number}",
            theme.name,
            f"theme {theme.number}: {theme.name}",
            f"theme {theme.number} - {theme.name}",
            f"{theme.number} - {theme.name}",
        ):
            found[name.lower()] = theme
    for group in plan.groups.all():
        found[group.name.lower()] = group
    return found


def _theme_key(text: str) -> str:
    return re.sub(r"\s*[\u2010-\u2015-]\s*", " - ", _clean(text).lower())


def read_rows(data: bytes, file_name: str, plan: Plan) -> list[Row]:
    """Every row checked; ImportRejected with every problem (file, row, column, reason)."""
    table = read_table(data, file_name)
    frame = table.frame.rename({k: v for k, v in ALIASES.items() if k in table.frame.columns})
    headers = {ALIASES.get(k, k): v for k, v in table.headers.items()}
    problems = Problems(file_name)
    missing = [c for c in REQUIRED if c not in frame.columns]
    for column in missing:
        problems.add(1, column, f"missing column (the columns are {', '.join(REQUIRED)})")
    problems.raise_if_any()
    themes = theme_lookup(plan)
    choices = "; ".join(
        [f"{t.number} {t.name}" for t in plan.themes.order_by("number")]
        + [g.name for g in plan.groups.all()]
    )
    rows: list[Row] = []
    seen: dict[tuple, int] = {}
    for record in frame.iter_rows(named=True):
        n = int(record["row"])
        cells = {c: _clean(record.get(c)) for c in REQUIRED}

        def bad(column: str, reason: str, n: int = n) -> None:
            problems.add(n, headers.get(column, column), reason)

        target = themes.get(_theme_key(cells["theme"])) if cells["theme"] else None
        if not cells["theme"]:
            bad("theme", "empty: name one of the plan's themes or groups")
        elif target is None:
            bad("theme", f"'{cells['theme']}' is not a theme of the plan: write one of {choices}")
        if not cells["workstream"]:
            bad("workstream", "empty: name the workstream")
        owners = plans.owner_codes(cells["owner"])
        if not owners:
            bad("owner", "empty: give the owners' initials or groups, several separated by /")
        if not cells["action"]:
            bad("action", "empty: write the action")
        try:
            deadline = parse_deadline(cells["deadline_text"]).text
        except DeadlineError as exc:
            bad("deadline_text", str(exc))
            deadline = ""
        status = ""
        if cells["status"]:
            point = key.read_status(cells["status"])
            if point is None:
                codes = ", ".join(f"{p.code} ({p.label})" for p in key.delivery())
                bad("status", f"'{cells['status']}' is not on the plan's key: write {codes}")
            else:
                status = point.code
        identity = (_theme_key(cells["theme"]), cells["workstream"].lower(), cells["action"])
        if cells["action"] and identity in seen:
            bad("action", f"the same action of the same workstream is on row {seen[identity]}")
        seen.setdefault(identity, n)
        rows.append(
            Row(
                number=n,
                theme=target if isinstance(target, Theme) else None,
                group=target if isinstance(target, ThemeGroup) else None,
                workstream=cells["workstream"],
                owners=owners,
                action=cells["action"],
                deadline_text=deadline,
                status=status,
            )
        )
    if not rows:
        problems.add(None, "", "the file has no rows of actions")
    problems.raise_if_any()
    return rows


def import_plan(data: bytes, file_name: str, plan: Plan, *, dry_run: bool = False) -> ImportResult:
    """Check every row, then write them in one transaction (rolled back for a dry run):
    workstreams are matched by theme and name, actions by workstream and wording; a matched
    action takes the row's owners, deadline and status."""
    rows = read_rows(data, file_name, plan)
    result = ImportResult(plan=plan, rows=len(rows), dry_run=dry_run)
    reason = f"imported from {file_name}"[:100]
    known_owners = set(plan.owners.values_list("code", flat=True))
    with transaction.atomic():
        order = max(plan.workstreams.values_list("order", flat=True), default=0)
        for row in rows:
            ws = Workstream.objects.filter(
                plan=plan, theme=row.theme, group=row.group, name__iexact=row.workstream
            ).first()
            if ws is None:
                order += 1
                ws = Workstream(
                    plan=plan, theme=row.theme, group=row.group, name=row.workstream, order=order
                )
                ws._change_reason = reason
                ws.save()
                result.workstreams_created += 1
            owners = plans.owners_for(plan, "/".join(row.owners))
            result.owners_created += [o.code for o in owners if o.code not in known_owners]
            known_owners.update(o.code for o in owners)
            action = Action.objects.filter(workstream=ws, text=row.action).first()
            if action is None:
                action = Action(
                    workstream=ws,
                    text=row.action,
                    order=ws.actions.count() + 1,
                    status=row.status,
                )
                plans.set_deadline(action, row.deadline_text)
                action._change_reason = reason
                action.save()
                plans.set_owners(action, owners)
                result.actions_created += 1
                continue
            before = (action.deadline_text, action.status, [o.pk for o in action.owner_list])
            after = (row.deadline_text, row.status or action.status, [o.pk for o in owners])
            if before == after:
                result.actions_unchanged += 1
                continue
            plans.set_deadline(action, row.deadline_text)
            action.status = after[1]
            action._change_reason = reason
            action.save()
            if before[2] != after[2]:
                plans.set_owners(action, owners)
            result.actions_updated += 1
        if dry_run:
            transaction.set_rollback(True)
    return result


# ----------------------------------------------------------------------------- export


def export_rows(plan: Plan) -> Iterator[dict[str, str]]:
    for action in plans.plan_actions(plan):
        ws = action.workstream
        yield {
            "theme": ws.theme.name if ws.theme_id else ws.group.name,
            "workstream": ws.name,
            "owner": "/".join(o.code for o in action.owner_list),
            "action": action.text,
            "deadline_text": action.deadline_text,
            "due_date": action.due.isoformat() if action.due else "",
            "status": action.status,
        }


def export_bytes(plan: Plan, fmt: str) -> bytes:
    """The plan's actions as CSV, XLSX or JSON, in the export's columns."""
    return table_bytes(export_rows(plan), COLUMNS, fmt, sheet="Development plan")


__all__ = ["COLUMNS", "ImportRejected", "ImportResult", "export_bytes", "import_plan", "read_rows"]
