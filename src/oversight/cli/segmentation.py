"""`oversight segmentation`: recompute proposed segments and show an organisation's."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from oversight.cli.django_setup import setup
from oversight.cli.files import AsOption, viewer_named

app = typer.Typer(help="Segmentation: proposed segments, reasons and decisions.",
                  no_args_is_help=True)
console = Console()
errors = Console(stderr=True)


@app.command("recompute")
def recompute(
    framework: Annotated[
        list[str] | None,
        typer.Option("--framework", help="Framework code (repeatable); default: every framework "
                                          "with a rules file and loaded metrics."),
    ] = None,
    quarter: Annotated[
        list[str] | None, typer.Option("--quarter", help='Only this quarter, e.g. "Q2 2025/26".')
    ] = None,
) -> None:
    """Recompute proposals from the stored observations; writes only what changed."""
    setup()
    from oversight.engine.nof import RulesError
    from oversight.frameworks import rules_path
    from oversight.metrics.models import Framework
    from oversight.segmentation.proposals import SegmentationError, recompute_proposals

    codes = framework or [f.code for f in Framework.objects.order_by("year_start")
                          if rules_path(f.code).is_file()]
    if not codes:
        errors.print("error: no framework with segmentation rules is loaded "
                      "(run oversight migrate)")
        raise typer.Exit(1)
    for code in codes:
        try:
            result = recompute_proposals(code, quarter or None)
        except (SegmentationError, RulesError, ValueError) as exc:
            errors.print(f"error: {exc}")
            raise typer.Exit(1) from exc
        console.print(result.describe())


@app.command("show")
def show(
    ods: Annotated[str, typer.Argument(help="ODS code of an organisation or system (ICB).")],
    framework: Annotated[str | None, typer.Option("--framework", help="Framework code.")] = None,
    viewer: AsOption = None,
) -> None:
    """Proposed and decided segments of an organisation or system, quarter by quarter.
    --as USER: as that user sees them (decisions not yet published only if their role sees
    them; refused if they may not see the subject)."""
    setup()
    from oversight.access.visibility import visible_decisions_filter
    from oversight.organisations.models import Organisation, System
    from oversight.segmentation.models import Decision, Proposal

    code = ods.strip().upper()
    system = System.objects.filter(code=code).first()
    org = Organisation.objects.filter(ods_code=code).first()
    if system is None and org is None:
        errors.print(f"error: no organisation or system with ODS code '{code}'")
        raise typer.Exit(1)
    lookup = {"system": system} if system is not None else {"organisation": org}
    proposals = Proposal.objects.filter(current=True, **lookup).select_related("framework")
    decisions = Decision.objects.current().filter(**lookup)
    reader = viewer_named(viewer)
    if reader is not None:
        subject = ("organisations.view_system", system) if system is not None else (
            "organisations.view_organisation", org)
        if not reader.has_perm(*subject):
            errors.print(f"error: --as: {reader.username} may not see {code}")
            raise typer.Exit(1)
        decisions = decisions.filter(visible_decisions_filter(reader))
    if framework:
        proposals = proposals.filter(framework__code=framework)
        decisions = decisions.filter(framework__code=framework)
    decided = {(d.framework_id, d.quarter): d for d in decisions}
    name = system.name if system is not None else org.name
    table = Table(title=f"{name} ({code})")
    for column in ("Framework", "Quarter", "Proposed", "Decided", "Reasons"):
        table.add_column(column)
    rows = sorted(proposals, key=lambda p: (p.framework.year_start, p.quarter_end))
    for p in rows:
        d = decided.get((p.framework_id, p.quarter))
        reasons = "; ".join(
            f"{r.get('label') or r['rule']}" + (f" {r['metric']}" if r.get("metric") else "")
            + (f" {r['period']}" if r.get("period") else "")
            + (f": {r['signal']}" if r.get("signal") else "")
            for r in p.reasons if r["rule"] not in ("metric_score",)
        )
        table.add_row(p.framework.code, p.quarter, str(p.segment),
                      str(d.segment) if d else "", reasons or "default segment")
    if not rows:
        errors.print(f"{name} ({code}): no proposals (run oversight segmentation recompute)")
        raise typer.Exit(0)
    console.print(table)
