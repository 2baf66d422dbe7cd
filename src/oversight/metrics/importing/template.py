"""The Oversight template: one observation per row, CSV or XLSX.

    org_code, metric_code, period_start, period_end, value[, numerator, denominator, note]
"""

from __future__ import annotations

import csv
import io

import polars as pl

from oversight.exports import neutralise
from oversight.metrics.importing import checks, lookups, reading
from oversight.metrics.importing.prepared import Prepared
from oversight.metrics.importing.reading import SourceTable
from oversight.metrics.importing.store import KEY, conform
from oversight.metrics.importing.validation import Problems
from oversight.metrics.models import Framework, Observation

REQUIRED = ["org_code", "metric_code", "period_start", "period_end", "value"]
OPTIONAL = ["numerator", "denominator", "note"]
COLUMNS = REQUIRED + OPTIONAL
NOTE_LENGTH = Observation._meta.get_field("note").max_length


def prepare(table: SourceTable, context: lookups.Context) -> Prepared:
    reading.require_columns(table, REQUIRED, OPTIONAL)
    problems = Problems(table.file_name)
    frame = lookups.attach_organisations(table, "org_code", problems, context)
    frame, fw = lookups.attach_metrics(frame, table, "metric_code", problems, context)
    value, reason, bad_value = reading.number("value")
    num, _, bad_num = reading.number("numerator")
    den, _, bad_den = reading.number("denominator")
    frame = frame.with_columns(
        period_start_text=pl.col("period_start"), period_end_text=pl.col("period_end"),
    ).with_columns(
        period_start=reading.date("period_start"), period_end=reading.date("period_end"),
        value_n=value, missing_reason=reason, bad_value=bad_value,
        numerator_n=num, bad_numerator=bad_num, denominator_n=den, bad_denominator=bad_den,
    )
    for col in ("period_start", "period_end"):
        problems.add_frame(
            frame.filter(pl.col(col).is_null()), table.header(col),
            pl.when(pl.col(f"{col}_text").is_null() | (pl.col(f"{col}_text") == ""))
            .then(pl.lit("date is empty"))
            .otherwise(pl.lit("cannot read '") + pl.col(f"{col}_text")
                       + pl.lit("' as a date (use YYYY-MM-DD or DD/MM/YYYY)")),
        )
    problems.add_frame(frame.filter(pl.col("period_end") < pl.col("period_start")),
                       table.header("period_end"), "period end is before period start")
    for col, flag in (("value", "bad_value"), ("numerator", "bad_numerator"),
                      ("denominator", "bad_denominator")):
        problems.add_frame(frame.filter(pl.col(flag)), table.header(col),
                           pl.lit("cannot read '") + pl.col(col) + pl.lit("' as a number"))
    problems.add_frame(
        frame.filter(pl.col("value").is_null() | (pl.col("value") == "")),
        table.header("value"), "value is empty (write * or - for a suppressed value)",
    )
    problems.add_frame(frame.filter(pl.col("denominator_n") == 0), table.header("denominator"),
                       "denominator is zero")
    problems.add_frame(frame.filter(pl.col("numerator_n") < 0), table.header("numerator"),
                       "numerator is negative")
    problems.add_frame(frame.filter(pl.col("denominator_n") < 0), table.header("denominator"),
                       "denominator is negative")
    numbers = {"value_n": table.header("value"), "numerator_n": table.header("numerator"),
               "denominator_n": table.header("denominator")}
    checks.check_finite(frame, numbers, problems)
    checks.check_non_negative(frame, {"value_n": table.header("value")}, problems)
    checks.check_ratio(frame, table.header("value"), problems)
    checks.check_periods(frame, "period_start", "period_end", table.header("period_start"),
                         table.header("period_end"), problems)
    checks.check_length(frame, "note", table.header("note"), NOTE_LENGTH, problems)
    lookups.check_range(frame, "value_n", table.header("value"), problems)
    lookups.check_duplicates(frame, KEY, table.header("org_code"), problems)
    problems.raise_if_any()
    staged = frame.select(
        "metric_id", "organisation_id", "period_start", "period_end",
        reading.period_label().alias("period_label"),
        pl.col("value_n").alias("value"), pl.col("numerator_n").alias("numerator"),
        pl.col("denominator_n").alias("denominator"), "missing_reason",
        pl.col("note").fill_null(""), pl.col("row").alias("source_row"),
    )
    return Prepared(observations=conform(staged), framework=fw, rows_read=table.rows_read)


def blank(framework: Framework, *, xlsx: bool = False) -> bytes:
    """A blank template for a framework year: the header, then one example row per metric
    left for the user to fill in (org code, period and value empty)."""
    metrics = list(framework.metrics.order_by("theme__order", "code").values_list("code",
                                                                                  flat=True))
    rows = [["", code, "", "", "", "", "", ""] for code in metrics]
    if xlsx:
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = framework.code[:31]
        sheet.append(COLUMNS)
        for row in rows:
            sheet.append([neutralise(c) for c in row])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    out_text = io.StringIO()
    writer = csv.writer(out_text, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows([[neutralise(c) for c in row] for row in rows])
    return out_text.getvalue().encode("utf-8")
