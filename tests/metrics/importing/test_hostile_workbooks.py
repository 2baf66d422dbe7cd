"""Workbooks crafted to exhaust the importer are refused fast, with a message, within the limits
of limits.yaml: a 1.5 KB file whose sheet claims (and uses) cell XFD1048576, a zip bomb, too
many columns, rows, cells or seconds."""

from __future__ import annotations

import dataclasses
import io
import re
import time
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from oversight.metrics.importing import ImportRejected, reading, run_import
from oversight.metrics.models import ImportBatch
from tests.metrics.importing.test_corrupted_files import FAST

HEADER = ["org_code", "metric_code", "period_start", "period_end", "value"]


def workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for record in rows:
        book.active.append(record)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_sheet(data: bytes, edit) -> bytes:
    """The workbook with its first sheet's XML rewritten by ``edit``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            body = source.read(part.filename)
            if part.filename == "xl/worksheets/sheet1.xml":
                body = edit(body.decode()).encode()
            target.writestr(part.filename, body)
    return out.getvalue()


def far_corner(xml: str) -> str:
    """Claim the whole grid as used range and put a cell in its last row and column."""
    xml = re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD1048576"/>', xml)
    return xml.replace("</sheetData>",
                       '<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row></sheetData>')


def refusal(data: bytes, limits=None) -> tuple[str, float]:
    began = time.monotonic()
    with pytest.raises(ImportRejected) as exc:
        reading._read_xlsx(data, "hostile.xlsx", limits)
    return exc.value.problems.items[0].reason, time.monotonic() - began


def smaller(**changes) -> reading.WorkbookLimits:
    return dataclasses.replace(reading.workbook_limits(), **changes)


def test_a_tiny_file_claiming_the_whole_grid_is_refused_fast():
    data = with_sheet(workbook([HEADER, ["RAA", "RTT", "2025-06-01", "2025-06-30", "50"]]),
                      far_corner)
    assert len(data) < 6_000
    reason, seconds = refusal(data)
    assert "claims 1,048,576 rows and 16,384 columns" in reason
    assert seconds < 10  # the file ran over 300 s and 1.85 GB


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    """A sheet of 50 MB of padding that deflates to a few dozen KB, against a 10 MB limit: the
    declared size refuses it without decompressing anything."""
    padding = " " * 50_000_000
    data = with_sheet(workbook([HEADER]), lambda xml: xml.replace("<sheetData>",
                                                                  padding + "<sheetData>"))
    assert len(data) < 200_000
    reason, seconds = refusal(data, smaller(max_uncompressed_bytes=10_000_000))
    assert re.search(r"unpacks to 50,\d{3},\d{3} bytes; at most 10,000,000", reason)
    assert seconds < 1


def test_a_part_larger_than_it_declares_is_refused():
    """zipfile stops at the declared size and the part fails its check: damaged, not read on."""
    data = bytearray(workbook([HEADER, ["RAA", "RTT", "2025-06-01", "2025-06-30", "50"]]))
    source = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = source.getinfo("xl/worksheets/sheet1.xml")
    # Halve the uncompressed size the central directory declares for the sheet.
    for start in [m.start() for m in re.finditer(rb"PK\x01\x02", bytes(data))]:
        name_length = int.from_bytes(data[start + 28:start + 30], "little")
        if data[start + 46:start + 46 + name_length] == info.filename.encode():
            data[start + 24:start + 28] = (info.file_size // 2).to_bytes(4, "little")
    reason, _ = refusal(bytes(data))
    assert reason.startswith("cannot read as XLSX")


def no_dimension(xml: str) -> str:
    """No declared used range (some writers leave it out): the limits hold while streaming."""
    return re.sub(r'<dimension ref="[^"]*"\s*/>', "", xml)


def test_too_many_columns_are_refused():
    wide = workbook([[f"c{i}" for i in range(100)]])
    assert refusal(wide)[0] == ("the sheet claims 1 rows and 100 columns; at most 1,048,576 "
                                "rows and 64 columns are read")
    reason, _ = refusal(with_sheet(wide, no_dimension))
    assert reason == "the sheet has more than 64 columns; at most that many are read"


def test_too_many_rows_cells_or_seconds_are_refused():
    rows = [HEADER] + [["RAA", "RTT", "2025-06-01", "2025-06-30", str(i)] for i in range(10_050)]
    data = with_sheet(workbook(rows), no_dimension)
    assert "more than 1,000 rows" in refusal(data, smaller(max_rows=1_000))[0]
    assert "more than 5,000 cells" in refusal(data, smaller(max_cells=5_000))[0]
    assert "took more than 0 s" in refusal(data, smaller(max_seconds=0))[0]
    assert reading._read_xlsx(data, "ok.xlsx")[1].height == 10_050  # within the real limits


def test_a_hostile_workbook_through_the_importer_is_a_recorded_rejection(db):
    data = with_sheet(workbook([HEADER]), far_corner)
    with pytest.raises(ImportRejected) as exc:
        run_import(data, "far.xlsx", "template")
    assert "the sheet claims 1,048,576 rows" in str(exc.value)
    assert ImportBatch.objects.get().status == ImportBatch.Status.REJECTED


def test_blank_rows_between_values_keep_their_row_numbers():
    rows = [HEADER, ["RAA", "RTT", "2025-06-01", "2025-06-30", "1"], [], [],
            ["RBB", "RTT", "2025-06-01", "2025-06-30", "2"], [], []]
    frame = reading.read_table(workbook(rows), "gaps.xlsx").frame
    assert frame.select("row", "org_code").rows() == [(2, "RAA"), (5, "RBB")]


@settings(FAST, max_examples=5)
@given(row=st.integers(2, 1_048_576), column=st.integers(1, 16_384))
def test_one_cell_anywhere_in_the_grid_is_read_or_refused_quickly(row, column):
    """Property: wherever a crafted file puts a cell, reading it ends within seconds, either
    with the table or with a refusal naming a limit."""
    from openpyxl.utils import get_column_letter

    ref = f"{get_column_letter(column)}{row}"
    data = with_sheet(workbook([HEADER]), lambda xml: xml.replace(
        "</sheetData>", f'<row r="{row}"><c r="{ref}" t="n"><v>1</v></c></row></sheetData>'))
    began = time.monotonic()
    try:
        reading._read_xlsx(data, "one.xlsx")
    except ImportRejected as exc:
        assert "at most" in str(exc)
    assert time.monotonic() - began < 10


def test_a_sheet_without_a_used_range_is_not_parsed_whole_when_opened(monkeypatch):
    """openpyxl looks for a missing <dimension> by parsing the whole sheet before the first row
    is given (253 s for one row past max_rows, bench/README.md); the importer's limits count
    rows and seconds only from the first row, so the sheet must be opened without that pass."""
    from openpyxl.worksheet._reader import WorkSheetParser

    def whole_sheet_pass(self):
        raise AssertionError("the sheet was parsed to its end to find its size")

    monkeypatch.setattr(WorkSheetParser, "parse_dimensions", whole_sheet_pass)
    rows = [HEADER, *[["RGT", "OF0001", "2024-04-01", "2024-04-30", i] for i in range(50)]]
    data = with_sheet(workbook(rows), lambda x: re.sub(r'<dimension ref="[^"]*"\s*/>', "", x))
    too_few = dataclasses.replace(reading.workbook_limits(), max_rows=20)
    reason, _ = refusal(data, too_few)
    assert reason == "the sheet has more than 20 rows; at most that many are read"
    header, frame = reading._read_xlsx(workbook(rows), "ok.xlsx")
    assert header == HEADER and frame.height == 50
