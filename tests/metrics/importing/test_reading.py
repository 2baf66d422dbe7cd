"""Decoding, dialects and cells as real NHS files write them."""

import datetime as dt

import polars as pl
import pytest

from oversight.metrics.importing import reading
from oversight.metrics.importing.validation import ImportRejected


def test_utf8_bom_is_stripped_from_the_first_header():
    table = reading.read_table("\ufefforg_code,value\nRAA,1\n".encode(), "f.csv")
    assert table.frame.columns == ["row", "org_code", "value"]
    assert table.encoding == "utf-8-sig"


def test_windows_1252_falls_back_and_keeps_characters():
    data = "org_code,note\nRAA,Ysbyty Gwynedd – Bangor £5\n".encode("cp1252")
    table = reading.read_table(data, "f.csv")
    assert table.encoding == "cp1252"
    assert table.frame["note"][0] == "Ysbyty Gwynedd – Bangor £5"


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_separator_is_sniffed(sep):
    data = sep.join(["org_code", "value"]) + "\n" + sep.join(["RAA", "1.5"]) + "\n"
    table = reading.read_table(data.encode(), "f.csv")
    assert table.frame["value"].to_list() == ["1.5"]


def test_blank_trailing_rows_are_dropped_and_rows_keep_their_line_numbers():
    table = reading.read_table(b"a,b\n1,2\n3,4\n,\n\n,,\n", "f.csv")
    assert table.frame["row"].to_list() == [2, 3]


def test_ragged_row_is_reported_with_its_row():
    with pytest.raises(ImportRejected) as exc:
        reading.read_table(b"a,b\n1,2\n3,4,5\n6,7\n", "f.csv")
    [problem] = exc.value.problems.items
    assert (problem.row, problem.reason) == (3, "has 3 fields; the header has 2")


def test_duplicate_header_is_reported():
    with pytest.raises(ImportRejected) as exc:
        reading.read_table(b"value,Value\n1,2\n", "f.csv")
    assert exc.value.problems.items[0].reason == "column appears twice"


def test_numbers_quoted_with_thousands_separators_and_suppression():
    frame = pl.DataFrame({"v": ['1,234', "1,234.5", "-2.5", "*", "-", "", None, "1,23",
                                "12a", "1e3", ".5"]})
    value, reason, bad = reading.number("v")
    out = frame.select(value.alias("value"), reason.alias("reason"), bad.alias("bad"))
    assert out["value"].to_list() == [1234.0, 1234.5, -2.5, None, None, None, None, None, None,
                                      1000.0, 0.5]
    assert out["reason"].to_list()[3:5] == ["suppressed (*)", "suppressed (-)"]
    assert out["bad"].to_list() == [False] * 7 + [True, True, False, False]


def test_quoted_number_in_csv_is_read():
    table = reading.read_table(b'org_code,value\n"RAA","12,345"\n', "f.csv")
    value, _, _ = reading.number("value")
    assert table.frame.select(value)["value"][0] == 12345.0


def test_dates_iso_and_british():
    frame = pl.DataFrame({"d": ["2025-06-30", "30/06/2025", "2025-02-30", "June"]})
    assert frame.select(reading.date("d"))["d"].to_list() == [
        dt.date(2025, 6, 30), dt.date(2025, 6, 30), None, None]


def test_period_labels():
    frame = pl.DataFrame({
        "period_start": [dt.date(2025, 6, 1), dt.date(2025, 4, 1), dt.date(2026, 1, 1),
                         dt.date(2025, 4, 1), dt.date(2025, 6, 3)],
        "period_end": [dt.date(2025, 6, 30), dt.date(2025, 6, 30), dt.date(2026, 3, 31),
                       dt.date(2026, 3, 31), dt.date(2025, 6, 9)],
    })
    assert frame.select(reading.period_label())["period_start"].to_list() == [
        "Jun-25", "Q1 2025/26", "Q4 2025/26", "2025/26", "2025-06-03 to 2025-06-09"]


def test_quarter_labels_to_dates():
    frame = pl.DataFrame({"q": ["Q1 2025/26", "Q2 2025/26", "Q4 2025/26", "Q5 2025/26"]})
    assert frame.select(reading.quarter_start("q").alias("d"))["d"].to_list() == [
        dt.date(2025, 4, 1), dt.date(2025, 7, 1), dt.date(2026, 1, 1), None]


def test_shift_jis_is_refused_naming_the_encodings_expected():
    data = "org_code,note\nRAA,東京都立病院の報告\n".encode("shift_jis")
    with pytest.raises(ImportRejected) as exc:
        reading.read_table(data, "jp.csv")
    [problem] = exc.value.problems.items
    assert problem.row == 2
    assert "neither UTF-8 nor Windows-1252" in problem.reason
    assert "save it as CSV UTF-8" in problem.reason


def test_utf16_with_its_mark_is_read():
    data = "org_code,note\nRAA,Ysbyty – £5\n".encode("utf-16")
    table = reading.read_table(data, "u16.csv")
    assert table.encoding == "utf-16"
    assert table.frame["note"].to_list() == ["Ysbyty – £5"]


def test_windows_1252_accents_and_symbols_side_by_side_are_still_read():
    data = "org_code,note\nRAA,Café – £5 “quoted” née\n".encode("cp1252")
    assert reading.read_table(data, "w.csv").frame["note"].to_list() == ["Café – £5 “quoted” née"]


def test_classic_mac_line_endings_are_read_as_lines() -> None:
    """A CSV saved with lone carriage returns (classic Mac OS, some Excel exports) was read as
    one line and rejected for an 'empty column header'."""
    data = b"org_code,metric_code,value\rRGT,AE4HR,77.5\rRGN,AE4HR,80.1\r"
    table = reading.read_table(data, "mac.csv")
    assert table.frame.get_column("org_code").to_list() == ["RGT", "RGN"]
    assert table.frame.get_column("value").to_list() == ["77.5", "80.1"]


def test_counts_agree_with_their_nouns() -> None:
    from oversight.engine.units import plural

    assert [plural(n, "row") for n in (0, 1, 2, 1204)] == ["0 rows", "1 row", "2 rows",
                                                            "1,204 rows"]
