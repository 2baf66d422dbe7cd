"""`--format ods`: NHS England's Organisation Data Service files create and update the directory
(organisations, systems, regions, successors) with the rules every import follows."""

import csv
import datetime as dt
import io

import pytest
from typer.testing import CliRunner

from oversight.cli.main import app
from oversight.metrics.importing import ImportRejected, run_import
from oversight.metrics.importing.ods import display_name, read_kinds, system_name
from oversight.metrics.models import Framework, ImportBatch
from oversight.organisations.models import Organisation, OrganisationKind, Region, System
from tests.factories import FrameworkFactory, MetricFactory, OrganisationFactory, ThemeFactory
from tests.metrics.importing.ods_files import ICBS, SUB_ICBS, SUCCESSORS, TRUSTS, ods_row

pytestmark = pytest.mark.django_db


def load(text: str, name: str = "etr.csv", **kwargs):
    return run_import(text.encode(), name, "ods", **kwargs)


def test_icb_file_creates_regions_systems_and_their_icbs():
    result = load(ICBS, "icb.csv")
    assert (result.added, result.revised, result.unchanged) == (2, 0, 0)
    que = Organisation.objects.get(ods_code="QUE")
    assert (que.name, que.kind, que.region.code, que.opened, que.host_system.code) == (
        "NHS Cambridgeshire and Peterborough Integrated Care Board", "icb", "Y61",
        dt.date(2022, 7, 1), "QUE")
    assert list(que.systems.values_list("code", flat=True)) == ["QUE"]
    system = System.objects.get(code="QHG")
    assert (system.name, system.region.name) == ("Bedfordshire, Luton and Milton Keynes",
                                                 "East of England")
    again = load(ICBS, "icb.csv")
    assert (again.added, again.revised, again.unchanged) == (0, 0, 2)


def test_trusts_are_hosted_by_their_icb_with_dates_and_unclassified_ones_are_named():
    load(ICBS, "icb.csv")
    result = load(TRUSTS)
    assert result.added == 5
    rgt = Organisation.objects.get(ods_code="RGT")
    assert (rgt.name, rgt.host_system.code, rgt.region.code, rgt.opened, rgt.closed) == (
        "Cambridge University Hospitals NHS Foundation Trust", "QUE", "Y61",
        dt.date(1992, 4, 1), None)
    assert Organisation.objects.get(ods_code="RQQ").closed == dt.date(2017, 3, 31)
    # Every ambulance trust's name says so; the others' kinds are not in the file.
    assert Organisation.objects.get(ods_code="RYC").kind == OrganisationKind.AMBULANCE
    assert Organisation.objects.get(ods_code="RYC").host_system.code == "QHG"
    unknown = {w.row: w.reason for w in result.warnings}
    assert sorted(unknown) == [1, 2, 3, 5]  # RGT, RQQ, RGN, RT1
    assert unknown[5].startswith("RT1 Cambridgeshire and Peterborough NHS Foundation Trust: ")
    assert all(w.file == "etr.csv" and w.column == "column 1 (Organisation Code)"
               for w in result.warnings)
    assert Organisation.objects.get(ods_code="RGT").kind == OrganisationKind.TRUST


def test_a_kinds_file_classifies_trusts_and_a_stored_kind_is_kept():
    OrganisationFactory(ods_code="RGN", name="North West Anglia NHS Foundation Trust",
                        kind=OrganisationKind.ACUTE)
    kinds = read_kinds(b"org_code,kind\nRGT,acute\nRT1,Mental health trust\nRQQ,acute\n",
                       "kinds.csv")
    result = load(TRUSTS, kinds=kinds)
    found = dict(Organisation.objects.values_list("ods_code", "kind"))
    assert (found["RGT"], found["RT1"], found["RQQ"], found["RGN"]) == (
        "acute", "mental_health", "acute", "acute")
    assert result.warnings == []
    assert (result.added, result.revised) == (4, 1)  # RGN: its region and dates from ODS


def test_nof_trust_types_serve_as_a_kinds_file():
    text = ("Quarter,Region,Trust_type,Trust_subtype,Trust_code,Trust_name\n"
            "Q1 2025/26,East of England,Mental health and community trust,Community,RYV,"
            "Cambridgeshire Community Services NHS Trust\n"
            "Q2 2025/26,East of England,Mental health and community trust,Community,RYV,"
            "Cambridgeshire Community Services NHS Trust\n"
            "Q3 2025/26,East of England,Acute trust,,RGT,Cambridge University Hospitals\n")
    assert read_kinds(text.encode(), "nof.csv") == {"RYV": "community", "RGT": "acute"}


def test_a_bad_kinds_file_names_every_bad_row():
    with pytest.raises(ImportRejected) as caught:
        read_kinds(b"org_code,kind\nRGT,hospital\n,acute\nRT1,acute\nRT1,ambulance\n", "k.csv")
    found = {(p.row, p.column, p.reason.split(" (")[0]) for p in caught.value.problems.items}
    assert found == {
        (2, "kind", "unknown kind 'hospital'"),
        (3, "org_code", "organisation code is empty"),
        (5, "kind", "RT1 is given as 'acute' in row 4, and 'ambulance' here"),
    }


def test_changes_are_revisions_recorded_in_history():
    load(ICBS, "icb.csv")
    load(TRUSTS)
    renamed = TRUSTS.replace("NORTH WEST ANGLIA NHS FOUNDATION TRUST",
                             "NORTH WEST ANGLIA HOSPITALS NHS FOUNDATION TRUST")
    result = load(renamed)
    assert (result.added, result.revised, result.unchanged) == (0, 1, 4)
    rgn = Organisation.objects.get(ods_code="RGN")
    assert rgn.name == "North West Anglia Hospitals NHS Foundation Trust"
    assert [h.name for h in rgn.history.order_by("history_date")] == [
        "North West Anglia NHS Foundation Trust",
        "North West Anglia Hospitals NHS Foundation Trust"]


def test_every_bad_row_is_named_and_nothing_is_written():
    load(ICBS, "icb.csv")
    before = list(Organisation.objects.values_list("ods_code", "name"))
    bad = (
        ods_row("RGT", "CAMBRIDGE UNIVERSITY HOSPITALS NHS FOUNDATION TRUST", "Y61", "QUE",
                "19920401")
        + ods_row("ZZ12", "NOT AN NHS CODE", "Y61", "QUE", "19920401")  # 2
        + ods_row("RGN", "", "Y61", "QUE", "20040401")  # 3
        + ods_row("RQQ", "HINCHINGBROOKE HEALTH CARE NHS TRUST", "Y61", "QUE", "19910401",
                  "31/03/2017")  # 4
        + ods_row("RGT", "CAMBRIDGE UNIVERSITY HOSPITALS NHS FOUNDATION TRUST", "Y61", "QUE",
                  "19920401")  # 5
        + ods_row("RT1", "CAMBRIDGESHIRE AND PETERBOROUGH NHS FOUNDATION TRUST", "Y61", "QUE",
                  "20020401", "20010101")  # 6
        + ods_row("QXX", "NHS NOWHERE INTEGRATED CARE BOARD", "Q99", "Q99", "20220701")  # 7
    )
    with pytest.raises(ImportRejected) as caught:
        load(bad)
    found = {(p.file, p.row, p.column, p.reason) for p in caught.value.problems.items}
    assert found == {
        ("etr.csv", 2, "column 1 (Organisation Code)",
         "'ZZ12' is not the code of an NHS trust, integrated care board or sub-ICB location"),
        ("etr.csv", 3, "column 2 (Name)", "name is empty"),
        ("etr.csv", 4, "column 12 (Close Date)",
         "cannot read '31/03/2017' as a date (ODS writes YYYYMMDD, e.g. 20220701)"),
        ("etr.csv", 5, "column 1 (Organisation Code)",
         "duplicate of row 1 (same organisation code)"),
        ("etr.csv", 6, "column 12 (Close Date)",
         "close date 2001-01-01 is before the open date 2002-04-01"),
        ("etr.csv", 7, "column 3 (National Grouping)",
         "'Q99' is not an NHS England region code (Y56, Y58, Y59, Y60, Y61, Y62, Y63): an "
         "integrated care board belongs to one"),
    }
    assert list(Organisation.objects.values_list("ods_code", "name")) == before
    assert ImportBatch.objects.filter(status=ImportBatch.Status.REJECTED).count() == 1


def test_a_header_row_or_another_layout_is_refused():
    header = '"Organisation Code","Name"' + ',""' * 25 + "\n"
    with pytest.raises(ImportRejected) as caught:
        load(header + TRUSTS)
    assert caught.value.problems.items[0].row == 1
    assert "published without a header row" in caught.value.problems.items[0].reason
    with pytest.raises(ImportRejected) as caught:
        load("org_code,system_code\nRGT,QUE\n")
    assert caught.value.problems.items[0].reason.startswith("has 2 columns: an ODS organisation")


def test_sub_icb_locations_and_successors():
    load(ICBS, "icb.csv")
    load(TRUSTS)
    load(SUB_ICBS, "eccg.csv")
    sub = Organisation.objects.get(ods_code="06H")
    assert (sub.kind, sub.name, sub.host_system.code) == (
        "sub_icb", "NHS Cambridgeshire and Peterborough ICB - 06H", "QUE")
    result = load(SUCCESSORS, "succ.csv")
    assert (result.revised, result.unchanged) == (1, 0)
    assert Organisation.objects.get(ods_code="RQQ").successor.ods_code == "RGN"
    assert result.notes == ["1 row about organisations not stored here skipped."]
    with pytest.raises(ImportRejected) as caught:
        load('"RGT","R9Z","R","20250401",""\n', "succ.csv")
    assert [(p.row, p.column) for p in caught.value.problems.items] == [
        (1, "column 2 (Successor Organisation Code)")]


def test_names_read_as_the_organisations_write_them():
    assert display_name("KING'S COLLEGE HOSPITAL NHS FOUNDATION TRUST") == (
        "King's College Hospital NHS Foundation Trust")
    assert display_name("NHS NORTH EAST AND NORTH CUMBRIA INTEGRATED CARE BOARD") == (
        "NHS North East and North Cumbria Integrated Care Board")
    assert display_name("The Mixed Case Trust") == "The Mixed Case Trust"
    assert system_name("NHS NORFOLK AND WAVENEY INTEGRATED CARE BOARD") == "Norfolk and Waveney"


def test_an_organisation_user_may_not_load_the_directory():
    with pytest.raises(ImportRejected) as caught:
        load(TRUSTS, scope=frozenset({1}))
    assert "only the regional and ICB oversight teams" in caught.value.problems.items[0].reason
    assert not Organisation.objects.exists()


def test_an_unknown_organisation_says_which_file_to_load_first(sof):
    with pytest.raises(ImportRejected) as caught:
        run_import(b"org_code,metric_code,period_start,period_end,value\n"
                   b"RGT,RTT,2025-06-01,2025-06-30,50\n", "t.csv", "template")
    assert "load NHS England's ODS file that lists it first" in str(caught.value)


def test_nof_file_classifies_trusts_the_ods_file_could_not():
    framework = FrameworkFactory(code="nof-2025-26", year_start=dt.date(2025, 4, 1),
                                 method=Framework.Method.SCORED)
    MetricFactory(theme=ThemeFactory(framework=framework), code="OF0082", unit="%",
                  valid_min=0, valid_max=100)
    load(ICBS, "icb.csv")
    load(TRUSTS)
    text = ("Quarter,Region,Trust_type,Trust_subtype,Trust_code,Trust_name,Metric_ID,Value\n"
            "Q1 2025/26,East,Mental health and community trust,Mental health and learning "
            "disability,RT1,Cambridgeshire and Peterborough NHS FT,OF0082,5.1\n")
    result = run_import(text.encode(), "nof.csv", "nof")
    assert Organisation.objects.get(ods_code="RT1").kind == OrganisationKind.MENTAL_HEALTH
    assert result.notes == ["1 trust whose type was not known now classified from the file's "
                            "trust types."]


def test_cli_loads_with_a_kinds_file_and_lists_the_unclassified(tmp_path):
    (tmp_path / "icb.csv").write_text(ICBS)
    (tmp_path / "etr.csv").write_text(TRUSTS)
    (tmp_path / "kinds.csv").write_text("org_code,kind\nRGT,acute\n")
    runner = CliRunner()
    first = runner.invoke(app, ["import", str(tmp_path / "icb.csv"), "--format", "ods"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, ["import", str(tmp_path / "etr.csv"), "--format", "ods",
                                 "--kinds", str(tmp_path / "kinds.csv")])
    assert second.exit_code == 0, second.output
    assert "3 trusts whose type the file does not give" in second.output
    assert Organisation.objects.get(ods_code="RGT").kind == "acute"
    bad = runner.invoke(app, ["import", str(tmp_path / "etr.csv"), "--format", "ae",
                              "--kinds", str(tmp_path / "kinds.csv")])
    assert bad.exit_code == 2


def test_real_nof_files_give_kinds_for_every_trust_they_list(shared_data):
    path = shared_data / "nof-2025-26" / "all-trust-types-league-q3-partial.csv"
    kinds = read_kinds(path.read_bytes(), path.name)
    with path.open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert len(kinds) == len({r["Trust_code"] for r in rows}) == 150
    types = {r["Trust_code"]: r["Trust_type"] for r in rows}
    assert {c for c, k in kinds.items() if k == "ambulance"} == {
        c for c, t in types.items() if t == "Ambulance trust"}


def test_real_ods_trust_file_loads(shared_data):
    """NHS England's etr.csv as downloaded, when the shared data holds it."""
    path = shared_data / "ods" / "etr.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="cp1252"))))
    result = load(path.read_text(encoding="cp1252"))
    assert result.rows_read == len(rows)
    assert Organisation.objects.filter(closed__isnull=False).count() == sum(
        1 for r in rows if r[11])
    assert Region.objects.exists()


def test_the_data_loads_page_loads_an_ods_file_and_lists_unclassified_trusts(signed_in_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    load(ICBS, "icb.csv")
    response = signed_in_client.post("/imports/", {
        "file": SimpleUploadedFile("etr.csv", TRUSTS.encode(), content_type="text/csv"),
        "format": "ods"}, follow=True)  # the upload's job page, then its result
    body = response.content.decode()
    assert response.status_code == 200
    assert "4 trusts whose type the file does not give" in body
    assert "RT1 Cambridgeshire and Peterborough NHS Foundation Trust" in body
    assert Organisation.objects.filter(host_system__code="QUE").count() == 5  # QUE + 4 trusts
