"""Import and export of a plan's actions: every problem named by file, row and column, nothing
half-written, and an exported file imports back unchanged."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from oversight.development import plans
from oversight.development.models import Action, Workstream
from oversight.development.spreadsheet import (
    COLUMNS,
    ImportRejected,
    export_bytes,
    import_plan,
)

HEADER = "theme,workstream,owner,action,deadline,status\n"


@pytest.fixture
def plan(world):
    return plans.create_plan(world.system, "Development plan", dt.date(2021, 3, 31))


def problems(exc: ImportRejected) -> list[tuple[int | None, str, str]]:
    return [(p.row, p.column, p.reason) for p in exc.value.problems.sorted()]


def test_a_good_file_is_stored(plan) -> None:
    data = (
        HEADER + "Direction and engagement,Engagement,KC/LH,Develop robust ongoing engagement "
        "mechanisms,June 2021,A\n"
        + "4,Transitional arrangements,KC/JT,Agree winding down process for CCGs,Q2 21/22,\n"
        + '"Theme 5 - Financial framework and use of resources",Allocation approach,KC/EL,'
        '"ICPs take responsibility for additional cohorts","Phase 2 (Q1-Q2 22/23)",Plan agreed '
        "and on track\n"
    ).encode()
    result = import_plan(data, "plan.csv", plan)
    assert (result.rows, result.workstreams_created, result.actions_created) == (3, 3, 3)
    assert sorted(result.owners_created) == ["EL", "JT", "KC", "LH"]
    engagement = Action.objects.get(workstream__name="Engagement")
    assert engagement.due == dt.date(2021, 6, 30) and engagement.status == "A"
    assert engagement.workstream.group.name == "Direction and engagement"
    ccg = Action.objects.get(text="Agree winding down process for CCGs")
    assert ccg.workstream.theme.number == 4 and ccg.status == "" and ccg.due == dt.date(2021, 9, 30)
    phase = Action.objects.get(workstream__name="Allocation approach")
    assert (phase.starts, phase.due, phase.status) == (
        dt.date(2022, 4, 1),
        dt.date(2022, 9, 30),
        "A",
    )
    assert {o.code for o in phase.owners.all()} == {"KC", "EL"}
    assert phase.history.first().history_change_reason == "imported from plan.csv"


def test_every_problem_is_named_by_row_and_column_and_nothing_is_written(plan) -> None:
    data = (
        HEADER
        + "4,Functions and services,KC/JT,Confirm delegated functions at each level,June 2021,G\n"
        + "Theme 9,Nowhere,KC,Something,Q1 21/22,A\n"
        + "4,Functions and services,,Complete Strategic Commissioning Framework,soon,Purple\n"
        + "4,,KC,,Q2 2021/23,\n"
        + "4,Functions and services,KC/JT,Confirm delegated functions at each level,Q3 21/22,\n"
    ).encode()
    with pytest.raises(ImportRejected) as exc:
        import_plan(data, "bad.csv", plan)
    found = problems(exc)
    columns = {(row, column) for row, column, _ in found}
    assert columns == {
        (3, "theme"),
        (4, "owner"),
        (4, "deadline"),
        (4, "status"),
        (5, "workstream"),
        (5, "action"),
        (5, "deadline"),
        (6, "action"),
    }
    reasons = dict(((row, column), reason) for row, column, reason in found)
    assert "'Theme 9' is not a theme of the plan" in reasons[(3, "theme")]
    assert "cannot read the deadline 'soon'" in reasons[(4, "deadline")]
    assert "'Purple' is not on the plan's key" in reasons[(4, "status")]
    assert "the second year must follow the first" in reasons[(5, "deadline")]
    assert "is on row 2" in reasons[(6, "action")]
    assert all(p.file == "bad.csv" for p in exc.value.problems.items)
    assert not Workstream.objects.filter(plan=plan).exists()  # the good row was not written


def test_a_missing_column_is_named(plan) -> None:
    with pytest.raises(ImportRejected) as exc:
        import_plan(b"theme,workstream,action\n4,X,Y\n", "short.csv", plan)
    assert {(r, c) for r, c, _ in problems(exc)} == {
        (1, "owner"),
        (1, "deadline_text"),
        (1, "status"),
    }


def test_xlsx_reads_like_csv(plan) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Theme", "Workstream", "Owner", "Action", "Deadline text", "Status"])
    sheet.append(["6", "OD", "TD/KC", "Continue OD development of SL", "Q2 21/22", "GA"])
    sheet.append(["6", "OD", "TD/KC", "Widen rollout", "whenever", "GA"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ImportRejected) as exc:
        import_plan(out.getvalue(), "plan.xlsx", plan)
    assert [(r, c) for r, c, _ in problems(exc)] == [(3, "Deadline text")]


def test_a_dry_run_writes_nothing(plan) -> None:
    data = (HEADER + "1,Digital,SP/AR,Refresh digital strategy,Q2 2021/22,A\n").encode()
    result = import_plan(data, "plan.csv", plan, dry_run=True)
    assert result.actions_created == 1 and result.dry_run
    assert not Action.objects.exists() and not plan.owners.exists()


def test_export_has_the_contract_columns_and_imports_back_unchanged(demo_plan) -> None:
    data = export_bytes(demo_plan, "csv")
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    assert (
        list(rows[0])
        == COLUMNS
        == [
            "theme",
            "workstream",
            "owner",
            "action",
            "deadline_text",
            "due_date",
            "status",
        ]
    )
    assert len(rows) == 101
    june = next(r for r in rows if r["deadline_text"] == "June 2021/22")
    assert june["due_date"] == "2021-06-30" and june["theme"] == "System roles and capabilities"
    assert next(r for r in rows if r["workstream"] == "Data and information")["owner"] == (
        "SG/REGION/LK/KC"
    )
    result = import_plan(data, "export.csv", demo_plan)
    assert (result.actions_unchanged, result.actions_created, result.actions_updated) == (101, 0, 0)
    xlsx = import_plan(export_bytes(demo_plan, "xlsx"), "export.xlsx", demo_plan, dry_run=True)
    assert xlsx.actions_unchanged == 101
    as_json = json.loads(export_bytes(demo_plan, "json"))
    assert len(as_json) == 101 and set(as_json[0]) == set(COLUMNS)


def test_export_carries_no_formula_and_imports_back_unchanged(plan) -> None:
    data = (HEADER + '4,"=Transition",KC,"-5% running costs: agree the plan",Q2 21/22,A\n').encode()
    import_plan(data, "plan.csv", plan)
    exported = export_bytes(plan, "csv")
    row = next(csv.DictReader(io.StringIO(exported.decode())))
    assert row["workstream"] == "'=Transition"
    assert row["action"] == "'-5% running costs: agree the plan"
    again = import_plan(exported, "export.csv", plan)
    assert (again.actions_unchanged, again.actions_created, again.workstreams_created) == (1, 0, 0)


def test_a_changed_row_updates_its_action_and_keeps_why(demo_plan) -> None:
    data = (
        HEADER + "System leadership governance and accountability,OD,TD/KC,"
        '"Continue OD development of SL, and widen rollout to other system leadership roles",'
        "Q3 21/22,GA\n"
    ).encode()
    with pytest.raises(ImportRejected):  # the theme must be named as the plan names it
        import_plan(data, "od.csv", demo_plan)
    data = data.replace(b"leadership governance", b"leadership, governance").replace(
        b"System leadership, governance and accountability",
        b'"System leadership, governance and accountability"',
    )
    result = import_plan(data, "od.csv", demo_plan)
    assert result.actions_updated == 1
    action = Action.objects.get(workstream__name="OD")
    assert (action.deadline_text, action.due, action.status) == (
        "Q3 21/22",
        dt.date(2021, 12, 31),
        "GA",
    )
    assert action.history.first().history_change_reason == "imported from od.csv"
