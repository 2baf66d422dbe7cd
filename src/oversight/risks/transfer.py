"""A register as a file: export (CSV, XLSX, JSON), a blank template, and import (CSV, XLSX).

Import reads every row first and checks it (codes against the system's scoring file, people,
committees, objectives, organisations, metrics, scores, dates); every problem is reported by
file, row and column with the reason, and nothing is written unless every row is good. Then
all rows are written in one transaction: a row whose reference is on the register changes
that risk, any other row adds one. Computed columns (scores, band, level, appetite, overdue)
are exported for reading and ignored on import. Text cells leave through ``oversight.exports``
(no formula reaches a spreadsheet) and the apostrophe it adds is dropped again on import.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from oversight.exports import as_written, table_bytes
from oversight.governance.models import Body
from oversight.metrics.importing.reading import read_table
from oversight.metrics.importing.validation import ImportRejected
from oversight.metrics.models import Metric
from oversight.organisations.models import Organisation, System
from oversight.risks import editing
from oversight.risks.lifecycle import fire
from oversight.risks.models import Risk, RiskStatus, StrategicObjective
from oversight.risks.register import assess, with_related
from oversight.risks.scoring import scoring_for

#: The columns a person fills in, in order (the template's header).
COLUMNS = (
    "reference", "title", "organisations", "cause", "event", "effect", "objective", "theme",
    "consequence_domain", "owner", "manager", "lead_committee",
    "inherent_likelihood", "inherent_consequence", "current_likelihood", "current_consequence",
    "target_likelihood", "target_consequence", "target_on", "review_months", "next_review",
    "status", "status_reason", "principal", "metrics",
)
#: Columns the export adds for reading; import ignores them.
COMPUTED = (
    "inherent_score", "current_score", "current_band", "target_score", "level", "held_by",
    "appetite", "outside_appetite", "review_overdue",
)
REQUIRED = ("title", "theme", "consequence_domain")
SCORES = COLUMNS[12:18]
IMPORT_STATUSES = (RiskStatus.OPEN, RiskStatus.TOLERATED, RiskStatus.CLOSED)


class RegisterFileError(ValueError):
    """The file cannot be read at all (not a CSV or XLSX, no header, unknown columns)."""


@dataclass(frozen=True)
class Problem:
    file: str
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}, row {self.row}, column {self.column}: {self.reason}"


@dataclass
class ImportResult:
    file: str
    rows: int = 0
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def describe(self) -> str:
        if self.problems:
            return f"{self.file}: {len(self.problems)} problem(s); nothing was written."
        verb = "would add" if self.dry_run else "added"
        return (
            f"{self.file}: {self.rows} rows read; {verb} {len(self.added)}, "
            f"{'would change' if self.dry_run else 'changed'} {len(self.changed)}, "
            f"{len(self.unchanged)} unchanged."
            + (" Dry run: nothing was written." if self.dry_run else "")
        )


# ----------------------------------------------------------------------------- export


def export_rows(risks: list[Risk], today: dt.date | None = None) -> list[dict[str, Any]]:
    rows = []
    for a in assess(with_related(Risk.objects.filter(pk__in=[r.pk for r in risks])
                                 .select_related("lead_committee", "held_by")
                                 .prefetch_related("metrics")), today):
        r = a.risk
        rows.append({
            "reference": r.reference,
            "title": r.title,
            "organisations": ";".join(sorted(o.ods_code for o in r.organisations.all())),
            "cause": r.cause,
            "event": r.event,
            "effect": r.effect,
            "objective": r.objective.code if r.objective_id else "",
            "theme": r.theme,
            "consequence_domain": r.consequence_domain,
            "owner": r.owner.get_username() if r.owner_id else "",
            "manager": r.manager.get_username() if r.manager_id else "",
            "lead_committee": r.lead_committee.short_name if r.lead_committee_id else "",
            **{c: getattr(r, c) for c in SCORES},
            "target_on": r.target_on.isoformat() if r.target_on else "",
            "review_months": r.review_months,
            "next_review": r.next_review.isoformat() if r.next_review else "",
            "status": r.status,
            "status_reason": r.status_reason,
            "principal": "yes" if r.principal else "no",
            "metrics": ";".join(sorted({m.code for m in r.metrics.all()})),
            "inherent_score": r.inherent_score,
            "current_score": r.current_score,
            "current_band": a.current_band.name if a.current_band else "",
            "target_score": r.target_score,
            "level": r.level,
            "held_by": r.held_by.short_name if r.held_by_id else "",
            "appetite": a.appetite_level.code if a.appetite_level else "",
            "outside_appetite": "yes" if a.outside_appetite else "no",
            "review_overdue": "yes" if a.review_overdue else "no",
        })
    rows.sort(key=lambda row: row["reference"])
    return rows


def export_bytes(rows: list[dict[str, Any]], fmt: str, system: System | None = None) -> bytes:
    """The exported rows as CSV, JSON or XLSX (the Register sheet, then the codes it takes)."""

    def dress(book) -> None:
        book["Register"].freeze_panes = "C2"
        _codes_sheet(book, system)

    return table_bytes(rows, [*COLUMNS, *COMPUTED], fmt, sheet="Register", dress=dress)


def to_csv(rows: list[dict[str, Any]]) -> str:
    """The exported rows as CSV text."""
    return export_bytes(rows, "csv").decode("utf-8")


def _codes_sheet(book, system: System | None) -> None:
    """A second sheet naming the codes each coded column takes."""
    scoring = scoring_for(system.code if system else None)
    sheet = book.create_sheet("Codes")
    sheet.append(["column", "code", "meaning"])
    for t in scoring.themes.values():
        sheet.append(["theme", t.code, t.name])
    for d in scoring.domains.values():
        sheet.append(["consequence_domain", d.code, d.name])
    for lv in scoring.likelihood:
        sheet.append(["*_likelihood", lv.level, f"{lv.name}: {lv.frequency} ({lv.probability})"])
    for lv in scoring.consequence:
        sheet.append(["*_consequence", lv.level, lv.name])
    for status in IMPORT_STATUSES:
        sheet.append(["status", status.value, status.label])
    sheet.append(["review_months", "1, 2, 3, 6 or 12", "months between reviews"])
    if system is not None:
        for o in StrategicObjective.objects.filter(system=system):
            sheet.append(["objective", o.code, o.title])


def template_bytes(fmt: str, system: System | None = None) -> bytes:
    """A blank register: the header (the XLSX with its sheet of codes)."""
    return table_bytes(
        [], COLUMNS, fmt, sheet="Register", dress=lambda book: _codes_sheet(book, system)
    )


# ----------------------------------------------------------------------------- import


def read_rows(name: str, data: bytes) -> list[tuple[int, dict[str, Any]]]:
    """(row number, {column: value}) for every data row with a value in a column a person
    fills in; the header is row 1. The file is read as every import reads one
    (``metrics.importing.reading.read_table``: CSV in UTF-8 or Windows-1252, or the workbook's
    Register sheet within the workbook limits)."""
    try:
        table = read_table(data, name, sheet="Register")
    except ImportRejected as exc:
        raise RegisterFileError(str(exc)) from exc
    header = list(table.headers)
    unknown = [table.header(h) for h in header if h not in COLUMNS and h not in COMPUTED]
    if unknown:
        raise RegisterFileError(
            f"{name}, row 1: unknown column(s) {', '.join(unknown)} (the template's columns: "
            f"{', '.join(COLUMNS)})"
        )
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise RegisterFileError(f"{name}, row 1: missing column(s) {', '.join(missing)}")
    filled = [c for c in header if c in COLUMNS]
    out = []
    for record in table.frame.iter_rows(named=True):
        row = {c: record[c] for c in filled}
        if any(v for v in row.values()):
            out.append((int(record["row"]), row))
    return out


@dataclass
class _Context:
    system: System
    file: str
    problems: list[Problem]
    risks: dict[str, Risk]
    users: dict[str, Any]
    bodies: dict[str, Body]
    objectives: dict[str, StrategicObjective]
    organisations: dict[str, Organisation]
    metrics: dict[str, Metric]

    def fail(self, row: int, column: str, reason: str) -> None:
        self.problems.append(Problem(self.file, row, column, reason))


def _text(v: Any) -> str:
    """A cell as text; the apostrophe our exports put before a formula character is dropped."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return as_written(str(v).strip())


def _parse(ctx: _Context, number: int, row: dict[str, Any]) -> dict[str, Any] | None:
    """The row as field values, or None after recording its problems."""
    scoring = scoring_for(ctx.system.code)
    before = len(ctx.problems)
    out: dict[str, Any] = {}
    for column in REQUIRED:
        if not _text(row.get(column)):
            ctx.fail(number, column, "required")
    ref = _text(row.get("reference"))
    if ref and ref in ctx.risks and ctx.risks[ref].system_id != ctx.system.pk:
        ctx.fail(number, "reference", f"{ref} is on another system's register")
    out["reference"] = ref
    for column in ("title", "cause", "event", "effect", "status_reason"):
        out[column] = _text(row.get(column))
    if len(out["title"]) > 300:
        ctx.fail(number, "title", "longer than 300 characters")
    theme = _text(row.get("theme"))
    if theme and theme not in scoring.themes:
        ctx.fail(number, "theme", f"'{theme}' is not a theme ({', '.join(scoring.themes)})")
    out["theme"] = theme
    domain = _text(row.get("consequence_domain"))
    if domain and domain not in scoring.domains:
        ctx.fail(number, "consequence_domain",
                 f"'{domain}' is not a consequence domain ({', '.join(scoring.domains)})")
    out["consequence_domain"] = domain
    for column, table, what in (
        ("objective", ctx.objectives, "strategic objective of this system"),
        ("lead_committee", ctx.bodies, "committee (short name)"),
        ("owner", ctx.users, "user name"),
        ("manager", ctx.users, "user name"),
    ):
        code = _text(row.get(column))
        if code and code not in table:
            ctx.fail(number, column, f"'{code}' is not a known {what}")
        out[column] = table.get(code) if code else None
    for column in SCORES:
        v = _text(row.get(column))
        if not v:
            out[column] = None
        elif v.isdigit() and 1 <= int(v) <= 5:
            out[column] = int(v)
        else:
            ctx.fail(number, column, f"'{v}' is not a score from 1 to 5")
    for which in ("inherent", "current", "target"):
        pair = (out.get(f"{which}_likelihood"), out.get(f"{which}_consequence"))
        if (pair[0] is None) != (pair[1] is None) and all(
            _text(row.get(f"{which}_{p}")).isdigit() or not _text(row.get(f"{which}_{p}"))
            for p in ("likelihood", "consequence")
        ):
            missing = "likelihood" if pair[0] is None else "consequence"
            ctx.fail(number, f"{which}_{missing}", f"give the {which} {missing} too")
    for column in ("target_on", "next_review"):
        out[column] = _date(ctx, number, column, row.get(column))
    months = _text(row.get("review_months")) or "3"
    if months not in {"1", "2", "3", "6", "12"}:
        ctx.fail(number, "review_months", f"'{months}' is not 1, 2, 3, 6 or 12")
    else:
        out["review_months"] = int(months)
    status = _text(row.get("status")).lower() or RiskStatus.OPEN
    if status not in IMPORT_STATUSES:
        ctx.fail(number, "status", f"'{status}' is not open, tolerated or closed")
    elif status != RiskStatus.OPEN and not out["status_reason"]:
        ctx.fail(number, "status_reason", f"a {status} risk needs its reason")
    out["status"] = status
    principal = _text(row.get("principal")).lower()
    if principal not in {"", "yes", "no", "true", "false", "1", "0"}:
        ctx.fail(number, "principal", f"'{principal}' is not yes or no")
    out["principal"] = principal in {"yes", "true", "1"}
    out["organisations"] = _codes(ctx, number, "organisations", row, ctx.organisations,
                                  "organisation (ODS code) of this system")
    out["metrics"] = _codes(ctx, number, "metrics", row, ctx.metrics, "metric code")
    if out.get("current_likelihood") is None and status != RiskStatus.CLOSED:
        for column in ("current_likelihood", "current_consequence"):
            if not _text(row.get(column)):
                ctx.fail(number, column, "required for an open or tolerated risk")
    return out if len(ctx.problems) == before else None


def _codes(ctx, number, column, row, table, what) -> list:
    found = []
    for code in (c.strip() for c in _text(row.get(column)).replace(",", ";").split(";")):
        if not code:
            continue
        if code not in table:
            ctx.fail(number, column, f"'{code}' is not a known {what}")
        else:
            found.append(table[code])
    return found


def _date(ctx: _Context, number: int, column: str, v: Any) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    text = _text(v)
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    ctx.fail(number, column, f"'{text}' is not a date (YYYY-MM-DD or DD/MM/YYYY)")
    return None


def _context(system: System, name: str) -> _Context:
    newest: dict[str, Metric] = {}
    for m in Metric.objects.select_related("framework").order_by("framework__year_start"):
        newest[m.code] = m
    return _Context(
        system=system,
        file=name,
        problems=[],
        risks={r.reference: r for r in Risk.objects.all()},
        users={u.get_username(): u for u in get_user_model().objects.filter(is_active=True)},
        bodies={b.short_name: b for b in Body.objects.all()},
        objectives={o.code: o for o in StrategicObjective.objects.filter(system=system)},
        organisations={
            o.ods_code: o
            for o in Organisation.objects.filter(Q(host_system=system) | Q(systems=system))
            .distinct()
        },
        metrics=newest,
    )


def import_register(
    name: str, data: bytes, system: System, *, user=None, dry_run: bool = False,
    today: dt.date | None = None,
) -> ImportResult:
    """Check every row of a register file, then (all good) write it in one transaction."""
    result = ImportResult(file=Path(name).name, dry_run=dry_run)
    rows = read_rows(result.file, data)
    result.rows = len(rows)
    ctx = _context(system, result.file)
    parsed: list[tuple[int, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for number, row in rows:
        values = _parse(ctx, number, row)
        ref = values and values["reference"]
        if ref:
            if ref in seen:
                ctx.fail(number, "reference", f"{ref} is also on row {seen[ref]}")
                continue
            seen[ref] = number
        if values is not None:
            parsed.append((number, values))
    result.problems = ctx.problems
    if result.problems:
        return result
    day = today or timezone.localdate()
    with transaction.atomic():
        for number, values in parsed:
            try:
                _write(result, ctx, number, values, user, day)
            except ValidationError as exc:
                for column, reasons in _by_column(exc):
                    result.problems.append(Problem(result.file, number, column, reasons))
        if result.problems or dry_run:
            transaction.set_rollback(True)
            if result.problems:
                result.added, result.changed, result.unchanged = [], [], []
    return result


def _by_column(exc: ValidationError) -> list[tuple[str, str]]:
    if hasattr(exc, "error_dict"):
        return [(k if k != "__all__" else "-", " ".join(v)) for k, v in exc.message_dict.items()]
    return [("-", " ".join(exc.messages))]


def _write(result: ImportResult, ctx: _Context, number: int, values: dict[str, Any], user,
           day: dt.date) -> None:
    why = f"Imported from {result.file}, row {number}"
    status = values.pop("status")
    status_reason = values.pop("status_reason")
    organisations = values.pop("organisations")
    metrics = values.pop("metrics")
    ref = values.pop("reference")
    risk = ctx.risks.get(ref) if ref else None
    fields = {k: v for k, v in values.items() if k in editing.EDITABLE}
    if risk is None:
        if not fields.get("next_review"):
            fields.pop("next_review", None)
        risk = editing.raise_risk(
            user=user, system=ctx.system, organisations=organisations, metrics=metrics,
            reason=why, assessed_on=day, reference=ref or None,
            **{k: v for k, v in fields.items() if k != "title"}, title=fields["title"],
        )
        ctx.risks[risk.reference] = risk
        result.added.append(risk.reference)
    else:
        changed = editing.change_risk(risk, user, why, organisations=organisations,
                                      metrics=metrics, **fields)
        (result.changed if changed else result.unchanged).append(risk.reference)
    if status != risk.status:
        event = {RiskStatus.TOLERATED: "tolerate", RiskStatus.CLOSED: "close",
                 RiskStatus.OPEN: "reopen"}[status]
        fire(risk, event, user, f"{status_reason} ({why})")
        if risk.reference not in result.changed and risk.reference not in result.added:
            result.changed.append(risk.reference)
            if risk.reference in result.unchanged:
                result.unchanged.remove(risk.reference)
