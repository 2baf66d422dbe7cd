"""Turn the bytes of a CSV or XLSX file into a table of text cells, the way NHS files come.

Real files arrive as UTF-8 with or without a byte-order mark or as Windows-1252, comma,
semicolon or tab separated, with quoted numbers, thousands separators, blank trailing rows and
"*" or "-" for suppressed values. Everything here is vectorised with polars so a million-row
file reads in well under a second.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import time
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl
import yaml

from oversight.engine.periods import CANONICAL_QUARTER
from oversight.metrics.importing.validation import ImportRejected, Problems

SUPPRESSED = {"*": "suppressed (*)", "-": "suppressed (-)"}
XLSX_MAGIC = b"PK\x03\x04"
LIMITS_FILE = Path(__file__).with_name("limits.yaml")
_NUMBER = r"^[+-]?(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d*)?(?:[eE][+-]?\d+)?$|^[+-]?\.\d+$"


@dataclass
class SourceTable:
    """A file's cells as text. Columns are the normalised header names plus `row`."""

    file_name: str
    frame: pl.DataFrame
    headers: dict[str, str]  # normalised name -> the header as written in the file
    encoding: str

    @property
    def rows_read(self) -> int:
        return self.frame.height

    def header(self, name: str) -> str:
        return self.headers.get(name, name)


def normalise_header(name: str) -> str:
    """'Provider ODS Code ' -> 'provider_ods_code'."""
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


# Three or more non-ASCII characters in a row: what a multi-byte encoding (Shift-JIS, GBK,
# UTF-16 without its mark) looks like read as Windows-1252, and what English text, where
# accented letters, £, € and dashes stand alone, almost never holds.
_FOREIGN_RUN = re.compile(r"[^\x00-\x7f\s]{3,}")
EXPECTED = "save it as CSV UTF-8 (or Windows-1252, Excel's plain CSV)"


def decode(data: bytes, file_name: str = "") -> tuple[str, str]:
    """Text and encoding name: UTF-8 (BOM stripped), UTF-16 with its mark, else Windows-1252
    when it reads as such with confidence (isolated undefined bytes fall back to Latin-1, to
    be reported at their cell). Raises ImportRejected, naming the row and the encodings
    expected, for text in another encoding."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise ImportRejected.single(file_name, None, "", "the file starts as UTF-16 but "
                                        f"is not valid UTF-16: {EXPECTED}") from None
    try:
        return data.decode("utf-8-sig"), "utf-8-sig"
    except UnicodeDecodeError:
        pass
    try:
        text, encoding = data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        text, encoding = data.decode("latin-1"), "latin-1"
    foreign = _FOREIGN_RUN.search(text)
    if foreign:
        row = text.count("\n", 0, foreign.start()) + 1
        raise ImportRejected.single(
            file_name, row, "",
            f"the text is neither UTF-8 nor Windows-1252 ('{foreign.group()[:12]}' is what "
            f"another encoding, such as Shift-JIS, looks like read as Windows-1252): {EXPECTED}")
    return text, encoding


def sniff_separator(text: str) -> str:
    sample = "\n".join(text[:20_000].splitlines()[:20])
    try:
        sep = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","
    first = sample.splitlines()[0] if sample else ""
    return sep if sep in first else ","


def read_table(
    data: bytes, file_name: str, *, headerless: bool = False, sheet: str | None = None
) -> SourceTable:
    """Read CSV or XLSX bytes into text cells; raise ImportRejected naming what is wrong.

    `headerless` (NHS England's ODS files): every line is a row, row 1 included; the columns
    are named `column_1`, `column_2` ... (the format module names them). `sheet`: the
    workbook's sheet of that name where there is one, else its first."""
    if not data.strip():
        raise ImportRejected.single(file_name, None, "", "the file is empty")
    if data.startswith(XLSX_MAGIC) or file_name.lower().endswith(".xlsx"):
        if headerless:
            raise ImportRejected.single(file_name, None, "", "this layout is read from CSV "
                                        "files as published, not workbooks")
        header, frame = _read_xlsx(data, file_name, sheet=sheet)
        encoding = "xlsx"
    else:
        text, encoding = decode(data, file_name)
        if "\r" in text and "\n" not in text:  # classic Mac line endings: one line otherwise
            text = text.replace("\r", "\n")
        if headerless:
            text = _numbered_header(text)
        header, frame = _read_csv(text, file_name, 1 if headerless else 0)
    names = [normalise_header(h) for h in header]
    problems = Problems(file_name)
    seen: set[str] = set()
    for raw, name in zip(header, names, strict=True):
        if not name:
            problems.add(1, raw, "empty column header")
        elif name in seen:
            problems.add(1, raw, "column appears twice")
        seen.add(name)
    problems.raise_if_any()
    frame.columns = names
    frame = frame.with_columns(pl.all().str.strip_chars())
    first_row = 1 if headerless else 2
    _reject_nul_bytes(frame, header, file_name, first_row)
    blank = pl.all_horizontal(pl.all().is_null() | (pl.all() == ""))
    frame = frame.with_columns(blank.alias("__blank")).with_row_index("row", offset=first_row)
    frame = frame.filter(~pl.col("__blank")).drop("__blank")
    frame = frame.with_columns(pl.col("row").cast(pl.Int64))
    return SourceTable(file_name, frame, dict(zip(names, header, strict=True)), encoding)


def _numbered_header(text: str) -> str:
    """A headerless file with a header line naming its columns column_1 .. column_N (N the
    widest line), so it reads like any other; row numbers then count the file's own lines."""
    sep = sniff_separator(text)
    width = max(
        (len(r) for r in csv.reader(io.StringIO(text), delimiter=sep)), default=1
    )
    return sep.join(f"column_{i}" for i in range(1, width + 1)) + "\n" + text


def _read_csv(text: str, file_name: str, added_lines: int = 0) -> tuple[list[str], pl.DataFrame]:
    """`added_lines`: lines put before the file's own (a numbered header), left out of the row
    numbers reported."""
    sep = sniff_separator(text)
    payload = text.encode("utf-8")
    try:
        frame = pl.read_csv(
            io.BytesIO(payload),
            separator=sep,
            infer_schema=False,
            has_header=True,
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError:
        pass  # fall back to the csv module, which can say which rows are malformed
    else:
        _reject_short_rows(text, sep, frame.columns, file_name, added_lines)
        return frame.columns, frame
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportRejected.single(file_name, None, "", "the file is empty") from None
    problems = Problems(file_name)
    rows: list[list[str]] = []
    try:
        for line, record in enumerate(reader, start=2 - added_lines):
            if record and len(record) != len(header) and any(c.strip() for c in record):
                problems.add(line, "", f"has {len(record)} fields; the header has {len(header)}")
            rows.append((record + [""] * len(header))[: len(header)])
    except csv.Error as exc:
        problems.add(reader.line_num - added_lines, "", f"cannot read as CSV: {exc}")
    problems.raise_if_any()
    frame = pl.DataFrame(
        {h or f"column_{i}": [r[i] or None for r in rows] for i, h in enumerate(header)},
        schema={h or f"column_{i}": pl.String for i, h in enumerate(header)},
    )
    return header, frame


def _reject_nul_bytes(frame: pl.DataFrame, header: list[str], file_name: str,
                      first_row: int = 2) -> None:
    """A NUL byte is never text in a CSV or XLSX cell: the file is damaged or not what it
    claims (and PostgreSQL cannot store it). Report each such cell."""
    problems = Problems(file_name)
    numbered = frame.with_row_index("row", offset=first_row)
    for name, raw in zip(frame.columns, header, strict=True):
        problems.add_frame(
            numbered.filter(pl.col(name).str.contains("\x00", literal=True)),
            raw,
            "contains a NUL byte: the file is damaged or not text",
        )
    problems.raise_if_any()


def _reject_short_rows(text: str, sep: str, header: list[str], file_name: str,
                       added_lines: int = 0) -> None:
    """Polars pads a row with too few cells with empty ones, which would let a truncated or
    ragged row through when its missing cells are optional: report every such row, naming the
    first column it lacks.

    Without quotes a line is a row and its cells are its separators + 1 (vectorised); with
    quotes (a cell may hold the separator or a line break) the csv module counts them.
    """
    width = len(header)
    problems = Problems(file_name)
    if '"' not in text:
        # Split in polars, not Python: a million lines as Python strings cost twice as long.
        lines = pl.DataFrame({"line": pl.Series([text]).str.split("\n").explode()}).with_row_index(
            "row", offset=1 - added_lines
        )
        lines = lines.with_columns(cells=pl.col("line").str.count_matches(sep, literal=True) + 1)
        short = lines.filter((pl.col("cells") < width) & (pl.col("line").str.strip_chars() != ""))
        for (cells,), rows in short.group_by(["cells"]):
            problems.add_frame(rows, header[cells], f"has {cells} fields; the header has {width}")
    else:
        reader = csv.reader(io.StringIO(text), delimiter=sep)
        for row, record in enumerate(reader, start=1 - added_lines):
            if len(record) < width and any(c.strip() for c in record):
                problems.add(
                    row, header[len(record)], f"has {len(record)} fields; the header has {width}"
                )
    problems.raise_if_any()


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _size_from_the_head(sheet) -> None:
    """openpyxl's read-only sheet looks for its <dimension> when it is opened, with `end`
    events: when a sheet has none it parses the whole of <sheetData> first (a 14 MB sheet of
    1M rows took 253 s, before any limit could apply). The dimension stands before the data,
    so `start` events find it, or find the data begin and stop, within the first bytes."""
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
    from openpyxl.xml.functions import iterparse

    source = sheet._get_source()
    try:
        for _event, element in iterparse(source, events=("start",)):
            if element.tag == DIMENSION_TAG and element.get("ref"):
                bounds = range_boundaries(element.get("ref"))
                sheet._min_column, sheet._min_row, sheet._max_column, sheet._max_row = bounds
                return
            if element.tag == DATA_TAG:
                return
    finally:
        source.close()


def _open_workbook(data: bytes):
    """The workbook, read-only, its sheets sized from their heads (``_size_from_the_head``)."""
    from openpyxl import load_workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    ReadOnlyWorksheet._get_size = _size_from_the_head
    return load_workbook(io.BytesIO(data), read_only=True, data_only=True)


@dataclass(frozen=True)
class WorkbookLimits:
    """How much of a workbook is read before it is refused (limits.yaml)."""

    max_rows: int
    max_columns: int
    max_cells: int
    max_uncompressed_bytes: int
    max_parts: int
    max_seconds: float


@cache
def workbook_limits() -> WorkbookLimits:
    data = yaml.safe_load(LIMITS_FILE.read_text())["workbook"]
    return WorkbookLimits(**data)


def _check_zip(data: bytes, file_name: str, limits: WorkbookLimits) -> None:
    """Refuse a workbook by what its zip declares, before any part is decompressed: too many
    parts, or more uncompressed bytes than the limit (a zip bomb). A part that inflates beyond
    its declared size fails its check when read (zipfile stops at the declared size)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ImportRejected.single(file_name, None, "", f"cannot read as XLSX: {exc}") from exc
    if len(parts) > limits.max_parts:
        raise ImportRejected.single(file_name, None, "", f"the workbook has {len(parts):,} "
                                    f"parts; at most {limits.max_parts:,} are read")
    declared = sum(p.file_size for p in parts)
    if declared > limits.max_uncompressed_bytes:
        raise ImportRejected.single(
            file_name, None, "",
            f"the workbook unpacks to {declared:,} bytes; at most "
            f"{limits.max_uncompressed_bytes:,} are read (save large data as CSV)")


def _read_xlsx(data: bytes, file_name: str, limits: WorkbookLimits | None = None,
               sheet: str | None = None) -> tuple[list[str], pl.DataFrame]:
    """The cells of the sheet named `sheet` (else the first), streamed (openpyxl read-only)
    within the workbook limits.

    The sheet's declared used range is ignored (a 1.5 KB file may claim XFD1048576): rows and
    columns are read as they occur, never beyond the limits, and reading stops with a message
    at the first limit passed."""
    limits = limits or workbook_limits()
    _check_zip(data, file_name, limits)
    try:
        book = _open_workbook(data)
        chosen = book[sheet] if sheet in book.sheetnames else book.worksheets[0]
        claimed = (chosen.max_row or 0, chosen.max_column or 0)  # the declared used range
        chosen.reset_dimensions()
        # One column past the limit, so a header wider than it is seen and refused.
        rows = chosen.iter_rows(values_only=True, max_col=limits.max_columns + 1)
        header_cells = next(rows, None)
    except ImportRejected:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise ImportRejected.single(file_name, None, "", f"cannot read as XLSX: {exc}") from exc
    if claimed[0] > limits.max_rows or claimed[1] > limits.max_columns:
        book.close()
        raise ImportRejected.single(
            file_name, None, "",
            f"the sheet claims {claimed[0]:,} rows and {claimed[1]:,} columns; at most "
            f"{limits.max_rows:,} rows and {limits.max_columns} columns are read")
    if not header_cells:
        raise ImportRejected.single(file_name, None, "", "the first sheet is empty")
    width = max((i + 1 for i, c in enumerate(header_cells) if c not in (None, "")), default=0)
    if width > limits.max_columns:
        raise ImportRejected.single(file_name, 1, "", f"the sheet has more than "
                                    f"{limits.max_columns} columns; at most that many are read")
    header = [_cell_text(c) or "" for c in header_cells[:width]]
    columns: list[list[str | None]] = [[] for _ in header]
    started = time.monotonic()
    blanks = 0
    try:
        for count, record in enumerate(rows, start=1):
            if count >= limits.max_rows:
                raise _limit(file_name, count + 1, f"the sheet has more than "
                             f"{limits.max_rows:,} rows; at most that many are read")
            if count * max(width, 1) > limits.max_cells:
                raise _limit(file_name, count + 1, f"the sheet has more than "
                             f"{limits.max_cells:,} cells; at most that many are read")
            if count % 10_000 == 0 and time.monotonic() - started > limits.max_seconds:
                raise _limit(file_name, count + 1, f"reading the sheet took more than "
                             f"{limits.max_seconds:g} s (save large data as CSV)")
            cells = [_cell_text(c) for c in record[:width]]
            if not any(cells):
                blanks += 1  # kept only if a row with values follows (row numbers hold)
                continue
            cells += [None] * (width - len(cells))
            for i, cell in enumerate(cells):
                if blanks:
                    columns[i].extend([None] * blanks)
                columns[i].append(cell)
            blanks = 0
    except ImportRejected:
        raise
    except Exception as exc:  # a part that fails its check, damaged XML ...
        raise ImportRejected.single(file_name, None, "", f"cannot read as XLSX: {exc}") from exc
    finally:
        book.close()
    names = [h or f"column_{i}" for i, h in enumerate(header)]
    frame = pl.DataFrame(
        dict(zip(names, columns, strict=True)), schema={n: pl.String for n in names}
    )
    return header, frame


def _limit(file_name: str, row: int, reason: str) -> ImportRejected:
    return ImportRejected.single(file_name, row, "", reason)


# ----------------------------------------------------------------------------- cells


def number(name: str) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(value, missing reason, is unparsable) for a text column holding numbers.

    Accepts "1234", "1,234.5" (well-formed thousands separators only), "-2.5", "1e3"; "*" and
    "-" are suppressed values (missing, with the reason); blank is missing with no reason.
    """
    text = pl.col(name)
    valid = text.str.contains(_NUMBER)
    value = pl.when(valid).then(
        text.str.replace_all(",", "", literal=True).cast(pl.Float64, strict=False)
    )
    reason = (
        pl.when(text.is_in(list(SUPPRESSED)))
        .then(text.replace_strict(SUPPRESSED, default=""))
        .otherwise(pl.lit(""))
    )
    bad = text.is_not_null() & (text != "") & ~valid & ~text.is_in(list(SUPPRESSED))
    return value, reason, bad.fill_null(False)


_ISO_DATE_TIME = r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"


def date(name: str) -> pl.Expr:
    """A date written as 2025-06-30, 30/06/2025 or an Excel date-time (2025-06-30 00:00:00);
    null when unparsable, including a date followed by anything else (damaged bytes)."""
    iso = pl.when(pl.col(name).str.contains(_ISO_DATE_TIME)).then(pl.col(name).str.slice(0, 10))
    return pl.coalesce(
        iso.str.to_date("%Y-%m-%d", strict=False),
        pl.col(name).str.to_date("%d/%m/%Y", strict=False),
    )


def require_columns(
    table: SourceTable,
    required: list[str],
    optional: list[str],
    aliases: dict[str, str] | None = None,
) -> None:
    """Rename known aliases, then reject missing required or unexpected columns (row 1)."""
    aliases = aliases or {}
    rename = {
        c: aliases[c]
        for c in table.frame.columns
        if c in aliases and aliases[c] not in table.frame.columns
    }
    if rename:
        table.frame = table.frame.rename(rename)
        table.headers.update({new: table.headers.get(old, old) for old, new in rename.items()})
    problems = Problems(table.file_name)
    present = set(table.frame.columns) - {"row"}
    for name in required:
        if name not in present:
            problems.add(1, name, f"required column is missing (expected {', '.join(required)})")
    for name in sorted(present - set(required) - set(optional)):
        problems.add(1, table.header(name), "unexpected column")
    problems.raise_if_any()
    for name in optional:
        if name not in table.frame.columns:
            table.frame = table.frame.with_columns(pl.lit(None, dtype=pl.String).alias(name))


# ----------------------------------------------------------------------------- periods

_QUARTER = CANONICAL_QUARTER.pattern


def quarter_start(label: str) -> pl.Expr:
    """'Q1 2025/26' (financial year quarters) -> 2025-04-01; null when not such a label."""
    q = pl.col(label).str.extract(_QUARTER, 1).cast(pl.Int32, strict=False)
    year = pl.col(label).str.extract(_QUARTER, 2).cast(pl.Int32, strict=False)
    month = (q - 1) * 3 + 4
    return pl.date(year + (month > 12).cast(pl.Int32), (month - 1) % 12 + 1, 1)


def period_label(start: str = "period_start", end: str = "period_end") -> pl.Expr:
    """'Jun-25' for a calendar month, 'Q1 2025/26' for a financial quarter, '2025/26' for a
    financial year, else 'start to end'."""
    s, e = pl.col(start), pl.col(end)
    first = s.dt.day() == 1
    month_end = s.dt.month_end()
    fy = s.dt.year() - (s.dt.month() < 4).cast(pl.Int32)
    fy_text = fy.cast(pl.String) + "/" + ((fy + 1) % 100).cast(pl.String).str.zfill(2)
    quarter = ((s.dt.month() + 8) % 12) // 3 + 1
    return (
        pl.when(first & (e == month_end))
        .then(s.dt.strftime("%b-%y"))
        .when(
            first & s.dt.month().is_in([1, 4, 7, 10]) & (e == s.dt.offset_by("2mo").dt.month_end())
        )
        .then(pl.lit("Q") + quarter.cast(pl.String) + " " + fy_text)
        .when(first & (s.dt.month() == 4) & (e == s.dt.offset_by("11mo").dt.month_end()))
        .then(fy_text)
        .otherwise(s.dt.strftime("%Y-%m-%d") + " to " + e.dt.strftime("%Y-%m-%d"))
    )
