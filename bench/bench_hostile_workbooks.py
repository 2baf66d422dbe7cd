"""Time and peak memory of refusing the worst workbooks (bench/README.md, "Refusing hostile
workbooks"): the issue's 1.5 KB file claiming XFD1048576, the same with the claim removed and a
cell really at XFD1048576, a zip bomb (a sheet of 1 GB of padding, about 1 MB compressed), and
the slowest to refuse: a sheet that claims nothing and holds one row more than the row limit
(every row streamed before the limit is reached).

    PYTHONPATH=src python bench/bench_hostile_workbooks.py     (one case per process)
"""

from __future__ import annotations

import io
import re
import resource
import subprocess
import sys
import time
import zipfile

CASES = ("far-corner", "far-corner-unclaimed", "zip-bomb", "too-many-rows")
#: Rows of the too-many-rows sheet: one more than limits.yaml's max_rows, after the header.
TOO_MANY_ROWS = 1_048_576 + 1


def _workbook() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["org_code", "metric_code", "period_start", "period_end", "value"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _with_sheet(data: bytes, edit) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            body = source.read(part.filename)
            if part.filename == "xl/worksheets/sheet1.xml":
                body = edit(body)
            target.writestr(part.filename, body)
    return out.getvalue()


def make(case: str) -> bytes:
    corner = b'<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row></sheetData>'
    if case == "far-corner":
        return _with_sheet(_workbook(), lambda x: re.sub(
            rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', x)
            .replace(b"</sheetData>", corner))
    if case == "far-corner-unclaimed":
        return _with_sheet(_workbook(), lambda x: re.sub(rb'<dimension ref="[^"]*"\s*/>', b"", x)
                           .replace(b"</sheetData>", corner))
    if case == "too-many-rows":
        rows = b"".join(
            b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>RGT</t></is></c>'
            b'<c r="B%d" t="inlineStr"><is><t>OF0001</t></is></c><c r="E%d"><v>%d</v></c></row>'
            % (i, i, i, i, i) for i in range(2, TOO_MANY_ROWS + 2))
        return _with_sheet(_workbook(), lambda x: re.sub(rb'<dimension ref="[^"]*"\s*/>', b"", x)
                           .replace(b"</sheetData>", rows + b"</sheetData>"))
    return _with_sheet(_workbook(), lambda x: x.replace(b"<sheetData>",
                                                        b" " * 1_000_000_000 + b"<sheetData>"))


def run(case: str) -> None:
    import django

    django.setup()
    from oversight.metrics.importing import ImportRejected, reading

    data = make(case)
    began, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        reading._read_xlsx(data, f"{case}.xlsx")
        outcome = "read"
    except ImportRejected as exc:
        outcome = exc.problems.items[0].reason
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"| {case} | {len(data):,} B | {seconds:.3f} s | {peak / 1024:.0f} MB "
          f"(+{(peak - before) / 1024:.0f}) | {outcome} |")


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oversight.settings")
    if len(sys.argv) > 1:
        run(sys.argv[1])
    else:
        print("| file | size | time to refuse | peak RSS (growth while reading) | outcome |")
        print("|---|---|---|---|---|")
        for name in CASES:
            subprocess.run([sys.executable, __file__, name], check=True)
