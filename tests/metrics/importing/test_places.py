"""`--format places` and `oversight export places`: the template that assigns organisations to
a system and its places, exported filled with what is stored and loaded back."""

import csv
import io

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from oversight.cli.main import app
from oversight.metrics.importing import ImportRejected, run_import
from oversight.organisations.models import Organisation, Place
from tests.factories import OrganisationFactory, PlaceFactory, SystemFactory

pytestmark = pytest.mark.django_db
HEADER = "org_code,org_name,kind,system_code,place_code,place_name\n"


@pytest.fixture
def directory():
    que = SystemFactory(code="QUE", name="Cambridgeshire and Peterborough")
    SystemFactory(code="QHG", name="Bedfordshire, Luton and Milton Keynes", region=que.region)
    north = PlaceFactory(system=que, code="NORTH", name="North")
    for code, name, place in (("RGT", "Cambridge University Hospitals NHS FT", None),
                              ("RGN", "North West Anglia NHS FT", north)):
        OrganisationFactory(ods_code=code, name=name, host_system=que, place=place)\
            .systems.add(que)
    OrganisationFactory(ods_code="RYC", kind="ambulance", host_system=None, region=que.region)
    return que


def load(text: str, **kwargs):
    return run_import(text.encode(), "places.csv", "places", **kwargs)


def test_export_fill_and_load_back(directory, tmp_path):
    runner = CliRunner()
    exported = runner.invoke(app, ["export", "places", "--system", "que"])
    assert exported.exit_code == 0, exported.output
    rows = list(csv.DictReader(io.StringIO(exported.output)))
    assert [(r["org_code"], r["system_code"], r["place_code"]) for r in rows] == [
        ("RGT", "QUE", ""), ("RGN", "QUE", "NORTH")]
    rows[0].update(place_code="SOUTH", place_name="South")  # the user fills RGT's place
    rows.append({"org_code": "RYC", "org_name": "", "kind": "", "system_code": "QHG",
                 "place_code": "", "place_name": ""})
    filled = io.StringIO()
    writer = csv.DictWriter(filled, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    result = load(filled.getvalue())
    assert (result.added, result.revised, result.unchanged) == (1, 2, 1)
    rgt = Organisation.objects.get(ods_code="RGT")
    assert (rgt.place.code, rgt.place.name, rgt.place.system.code) == ("SOUTH", "South", "QUE")
    ryc = Organisation.objects.get(ods_code="RYC")
    assert (ryc.host_system.code, list(ryc.systems.values_list("code", flat=True))) == (
        "QHG", ["QHG"])
    assert load(filled.getvalue()).revised == 0  # loading it again changes nothing


def test_xlsx_export_loads_back(directory, tmp_path):
    target = tmp_path / "places.xlsx"
    result = CliRunner().invoke(app, ["export", "places", "--format", "xlsx", "--output",
                                      str(target)])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(target, read_only=True).worksheets[0]
    assert next(sheet.iter_rows(values_only=True)) == (
        "org_code", "org_name", "kind", "system_code", "place_code", "place_name")
    loaded = run_import(target.read_bytes(), "places.xlsx", "places")
    assert (loaded.revised, loaded.unchanged) == (0, 3)


def test_every_bad_row_is_named_and_nothing_is_written(directory):
    text = HEADER + (
        "RZZ,,,QUE,,\n"                     # 2 unknown organisation
        "RGT,,,QXX,,\n"                     # 3 unknown system
        "RGN,,,,NORTH,\n"                   # 4 place without system
        "RYC,,,QUE,EAST,\n"                 # 5 new place without a name
        "RGT,,,QUE,,\n"                     # 6 duplicate
    )
    before = list(Organisation.objects.values_list("ods_code", "host_system", "place"))
    with pytest.raises(ImportRejected) as caught:
        load(text)
    found = {(p.row, p.column, p.reason.split(" (")[0]) for p in caught.value.problems.items}
    assert found == {
        (2, "org_code", "unknown organisation 'RZZ'"),
        (3, "system_code", "unknown system 'QXX'"),
        (4, "system_code", "place 'NORTH' needs the system it is in"),
        (5, "place_name", "'EAST' is a new place of QUE: give its name"),
        (6, "org_code", "duplicate of row 3"),
    }
    assert "load NHS England's ODS file that lists it first" in caught.value.problems.items[0]\
        .reason
    assert list(Organisation.objects.values_list("ods_code", "host_system", "place")) == before
    assert Place.objects.count() == 1


def test_one_place_one_name(directory):
    with pytest.raises(ImportRejected) as caught:
        load(HEADER + "RGT,,,QUE,EAST,East\nRGN,,,QUE,EAST,East Cambridgeshire\n")
    assert [(p.row, p.column, p.reason) for p in caught.value.problems.items] == [
        (3, "place_name", "place 'EAST' is named 'East' in row 2")]


def test_a_renamed_place_and_a_moved_organisation_leaves_its_neighbourhood(directory):
    from oversight.organisations.models import Neighbourhood

    rgn = Organisation.objects.get(ods_code="RGN")
    rgn.neighbourhood = Neighbourhood.objects.create(place=rgn.place, code="N1", name="N1")
    rgn.save()
    result = load(HEADER + "RGN,,,QUE,NORTH,North Cambridgeshire\nRGT,,,QUE,NORTH,\n")
    assert Place.objects.get(code="NORTH").name == "North Cambridgeshire"
    assert result.notes == ["Places renamed: North Cambridgeshire."]
    assert Organisation.objects.get(ods_code="RGN").neighbourhood is not None
    load(HEADER + "RGN,,,QUE,,\n")
    moved = Organisation.objects.get(ods_code="RGN")
    assert (moved.place, moved.neighbourhood) == (None, None)


def test_export_refuses_an_unknown_system(directory):
    result = CliRunner().invoke(app, ["export", "places", "--system", "QZZ"])
    assert result.exit_code == 2
