"""Import and export of a register: every problem named by file, row and column; nothing
half-written; a round trip through the export changes nothing; the CLI's public contract."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from oversight.cli.main import app
from oversight.risks import transfer
from oversight.risks.editing import raise_risk
from oversight.risks.models import Risk

HEADER = ("reference,title,organisations,objective,theme,consequence_domain,owner,"
          "current_likelihood,current_consequence,target_likelihood,target_consequence,"
          "review_months,status,status_reason\n")


def _csv(*rows: str) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode()


def _problems(result) -> set[tuple[int, str]]:
    return {(p.row, p.column) for p in result.problems}


def test_a_good_file_adds_risks(world):
    data = _csv(
        ",Agency spend above the cap,RGT;RGN,SO3,finance,finance,icb,4,3,2,3,3,open,",
        ",Estates backlog,,,capabilities,safety,,3,3,,,6,tolerated,Accepted until 2026",
    )
    result = transfer.import_register("register.csv", data, world.system, user=world.icb)
    assert result.ok, result.problems
    assert result.added == ["QUE-R001", "QUE-R002"]
    agency = Risk.objects.get(reference="QUE-R001")
    assert agency.current_score == 12 and agency.target_score == 6
    assert {o.ods_code for o in agency.organisations.all()} == {"RGT", "RGN"}
    assert agency.objective == world.finance
    estates = Risk.objects.get(reference="QUE-R002")
    assert estates.status == "tolerated" and estates.status_reason.startswith("Accepted")
    history = agency.history.last()
    assert history.history_change_reason == "Imported from register.csv, row 2"


def test_errors_name_row_and_column_and_nothing_is_written(world):
    data = _csv(
        ",Good row,,,finance,finance,,3,3,,,3,open,",
        ",Bad theme,,,weather,finance,,3,3,,,3,open,",
        ",Bad score,,,finance,finance,,6,3,,,3,open,",
        ",Bad people,RZZ,SO9,finance,luck,nobody,3,,,,4,closed,",
        ",,,,finance,finance,,3,3,,,3,open,",
    )
    result = transfer.import_register("partner.csv", data, world.system)
    assert not result.ok
    assert _problems(result) == {
        (3, "theme"),
        (4, "current_likelihood"),
        (5, "organisations"), (5, "objective"), (5, "consequence_domain"), (5, "owner"),
        (5, "current_consequence"), (5, "review_months"), (5, "status_reason"),
        (6, "title"),
    }
    theme = next(p for p in result.problems if p.column == "theme")
    assert str(theme).startswith("partner.csv, row 3, column theme: 'weather' is not a theme")
    assert Risk.objects.count() == 0  # the good row was not written either


def test_duplicate_reference_in_the_file(world):
    data = _csv("X-1,One,,,finance,finance,,3,3,,,3,open,",
                "X-1,Two,,,finance,finance,,3,3,,,3,open,")
    result = transfer.import_register("dup.csv", data, world.system)
    assert _problems(result) == {(3, "reference")}
    assert "also on row 2" in result.problems[0].reason


def test_unknown_column_is_refused_naming_the_header(world):
    with pytest.raises(transfer.RegisterFileError, match=r"row 1: unknown column\(s\) colour"):
        transfer.import_register("x.csv", b"title,theme,consequence_domain,colour\n",
                                 world.system)


def test_dry_run_writes_nothing(world):
    data = _csv(",Agency spend,,,finance,finance,,4,3,,,3,open,")
    result = transfer.import_register("r.csv", data, world.system, dry_run=True)
    assert result.ok and result.added == ["QUE-R001"]
    assert "Dry run" in result.describe()
    assert Risk.objects.count() == 0


def test_xlsx_import_with_row_numbers(world):
    book = Workbook()
    sheet = book.active
    sheet.title = "Register"
    sheet.append(["title", "theme", "consequence_domain", "current_likelihood",
                  "current_consequence", "next_review"])
    sheet.append(["Good", "finance", "finance", 2, 3, dt.datetime(2025, 1, 31)])
    sheet.append(["Bad date", "finance", "finance", 2, 3, "next week"])
    out = io.BytesIO()
    book.save(out)
    result = transfer.import_register("partner.xlsx", out.getvalue(), world.system)
    assert _problems(result) == {(3, "next_review")}
    book2 = Workbook()
    book2.active.append(["title", "theme", "consequence_domain", "current_likelihood",
                         "current_consequence", "next_review"])
    book2.active.append(["Good", "finance", "finance", 2, 3, dt.datetime(2025, 1, 31)])
    out2 = io.BytesIO()
    book2.save(out2)
    ok = transfer.import_register("partner.xlsx", out2.getvalue(), world.system)
    assert ok.ok and Risk.objects.get().next_review == dt.date(2025, 1, 31)


def test_export_then_import_changes_nothing(world):
    raise_risk(user=world.icb, system=world.system, title="Agency spend", theme="finance",
               consequence_domain="finance", current_likelihood=4, current_consequence=3,
               organisations=[world.cuh], objective=world.finance, owner=world.icb,
               assessed_on=dt.date(2024, 6, 3))
    exported = transfer.to_csv(transfer.export_rows(list(Risk.objects.all())))
    row = next(csv.DictReader(io.StringIO(exported)))
    assert row["current_score"] == "12" and row["current_band"] == "High"
    assert row["organisations"] == "RGT"
    result = transfer.import_register("back.csv", exported.encode(), world.system)
    assert result.ok and result.unchanged == ["QUE-R001"] and not result.changed


def test_export_carries_no_formula_and_round_trips(world):
    raise_risk(user=world.icb, system=world.system, title="=HYPERLINK(\"x\")", theme="finance",
               consequence_domain="finance", current_likelihood=2, current_consequence=2,
               cause="-5% on the plan")
    exported = transfer.to_csv(transfer.export_rows(list(Risk.objects.all())))
    row = next(csv.DictReader(io.StringIO(exported)))
    assert row["title"] == "'=HYPERLINK(\"x\")" and row["cause"] == "'-5% on the plan"
    result = transfer.import_register("back.csv", exported.encode(), world.system)
    assert result.ok and result.unchanged == ["QUE-R001"]


def test_cli_export_and_import(world, tmp_path):
    raise_risk(user=world.icb, system=world.system, title="Agency spend", theme="finance",
               consequence_domain="finance", current_likelihood=4, current_consequence=3)
    runner = CliRunner()
    res = runner.invoke(app, ["risks", "export", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)[0]["reference"] == "QUE-R001"
    xlsx = tmp_path / "register.xlsx"
    res = runner.invoke(app, ["risks", "export", "--format", "xlsx", "--output", str(xlsx)])
    assert res.exit_code == 0
    sheet = load_workbook(xlsx, read_only=True)["Register"]
    assert list(sheet.iter_rows(values_only=True))[1][1] == "Agency spend"
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv(",X,,,weather,finance,,3,3,,,3,open,"))
    res = runner.invoke(app, ["risks", "import", str(bad), "--system", "QUE"])
    assert res.exit_code == 1
    assert "weather" in res.output and "row" in res.output.lower()
    good = tmp_path / "good.csv"
    good.write_bytes(_csv(",New one,,,finance,finance,,3,3,,,3,open,"))
    res = runner.invoke(app, ["risks", "import", str(good), "--system", "QUE", "--dry-run"])
    assert res.exit_code == 0 and "Dry run" in res.output
    assert Risk.objects.count() == 1
    res = runner.invoke(app, ["risks", "import", str(good), "--system", "QUE"])
    assert res.exit_code == 0 and "QUE-R002" in res.output


def test_upload_page_names_row_and_column(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.icb)
    upload = SimpleUploadedFile("partner.csv", _csv(",X,,,weather,finance,,3,3,,,3,open,"))
    response = client.post("/risks/import/?system=QUE", {"file": upload})
    assert response.status_code == 400
    body = response.content.decode()
    assert "partner.csv" in body and "<td>2</td><td>theme</td>" in body
    assert Risk.objects.count() == 0


def test_the_register_sheet_is_read_wherever_it_stands_in_the_workbook(world):
    book = Workbook()
    book.active.title = "Notes"
    book.active.append(["Read me first"])
    sheet = book.create_sheet("Register")
    sheet.append(["title", "theme", "consequence_domain", "current_likelihood",
                  "current_consequence"])
    sheet.append(["Agency spend", "finance", "finance", 2, 3])
    out = io.BytesIO()
    book.save(out)
    result = transfer.import_register("partner.xlsx", out.getvalue(), world.system)
    assert result.ok and Risk.objects.get().title == "Agency spend"


def test_a_windows_1252_register_is_read(world):
    data = ("title,theme,consequence_domain,current_likelihood,current_consequence\n"
            "Paediatric \u00a3 pressures,finance,finance,2,3\n")
    result = transfer.import_register("partner.csv", data.encode("cp1252"), world.system)
    assert result.ok and Risk.objects.get().title == "Paediatric \u00a3 pressures"


def test_a_damaged_workbook_is_refused_with_its_name(world):
    with pytest.raises(transfer.RegisterFileError, match=r"partner\.xlsx.*cannot read as XLSX"):
        transfer.import_register("partner.xlsx", b"PK\x03\x04 not really a zip", world.system)
