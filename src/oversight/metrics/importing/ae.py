"""NHS England A&E attendances and emergency admissions, monthly, by department type.

Columns: period (first day of the month), org_code, type (1, 2 or other), attendances, breaches
(over 4 hours), admissions. Each count is stored as an observation of a count metric per
department type (e.g. AE_ATT_T1), and the 4-hour performance is derived per organisation and
month, all types (AE4HR) and type 1 (AE4HR_T1): numerator attendances within 4 hours
(attendances - breaches), denominator attendances, value the percentage. The derived figure's
note names the source rows it was computed from.
"""

from __future__ import annotations

import polars as pl

from oversight.metrics.importing import checks, lookups, reading
from oversight.metrics.importing.prepared import Prepared
from oversight.metrics.importing.reading import SourceTable
from oversight.metrics.importing.store import KEY, conform
from oversight.metrics.importing.validation import Problems

REQUIRED = ["period", "org_code", "type", "attendances", "breaches", "admissions"]
TYPES = {"1": "T1", "2": "T2", "3": "OTHER", "other": "OTHER", "type 1": "T1", "type 2": "T2"}
COUNTS = {"attendances": "ATT", "breaches": "BREACH", "admissions": "ADM"}
COUNT_METRICS = [f"AE_{c}_{t}" for c in COUNTS.values() for t in ("T1", "T2", "OTHER")]
PERFORMANCE_METRICS = ["AE4HR", "AE4HR_T1"]
METRIC_CODES = COUNT_METRICS + PERFORMANCE_METRICS


def prepare(table: SourceTable, context: lookups.Context) -> Prepared:
    reading.require_columns(table, REQUIRED, [])
    problems = Problems(table.file_name)
    found, fw = lookups.metrics(METRIC_CODES, context.framework_code, table.file_name)
    for code in sorted(set(METRIC_CODES) - set(found["metric_code"].to_list())):
        where = context.framework_code or "any criteria-based framework"
        problems.add(None, "", f"metric {code} is not in the catalogue ({where}); A&E files "
                               f"need {', '.join(METRIC_CODES)}")
    problems.raise_if_any()
    frame = lookups.attach_organisations(table, "org_code", problems, context)
    frame = frame.with_columns(
        period_start=reading.date("period"),
        dept=pl.col("type").str.to_lowercase().replace_strict(TYPES, default=None),
    )
    problems.add_frame(
        frame.filter(pl.col("period_start").is_null()), table.header("period"),
        pl.lit("cannot read '") + pl.col("period").fill_null("") + pl.lit("' as a date"),
    )
    problems.add_frame(
        frame.filter(pl.col("period_start").dt.day() != 1), table.header("period"),
        pl.lit("'") + pl.col("period") + pl.lit("' is not the first day of a month"),
    )
    problems.add_frame(
        frame.filter(pl.col("dept").is_null()), table.header("type"),
        pl.lit("unknown department type '") + pl.col("type").fill_null("")
        + pl.lit("' (expected 1, 2 or other)"),
    )
    for column in COUNTS:
        value, reason, bad = reading.number(column)
        frame = frame.with_columns(value.alias(f"{column}_n"), reason.alias(f"{column}_reason"))
        problems.add_frame(frame.filter(bad), table.header(column),
                           pl.lit("cannot read '") + pl.col(column) + pl.lit("' as a number"))
        problems.add_frame(frame.filter(pl.col(f"{column}_n").is_null() & ~bad
                                        & (pl.col(f"{column}_reason") == "")),
                           table.header(column), "count is empty (write * for suppressed)")
        n = pl.col(f"{column}_n")
        problems.add_frame(frame.filter((n < 0) | (n != n.round(0))), table.header(column),
                           pl.lit("'") + pl.col(column) + pl.lit("' is not a whole number ≥ 0"))
    checks.check_finite(frame, {f"{c}_n": table.header(c) for c in COUNTS}, problems)
    checks.check_periods(frame.with_columns(period_end=pl.col("period_start").dt.month_end()),
                         "period_start", "period_end", table.header("period"),
                         table.header("period"), problems)
    problems.add_frame(frame.filter(pl.col("breaches_n") > pl.col("attendances_n")),
                       table.header("breaches"), "more breaches than attendances")
    lookups.check_duplicates(frame.with_columns(pl.col("period_start").alias("period_end"),
                                                pl.col("dept").alias("metric_id")),
                             KEY, table.header("type"), problems,
                             what="organisation, month and department type")
    problems.raise_if_any()
    frame = frame.with_columns(period_end=pl.col("period_start").dt.month_end())
    ids = dict(found.select("metric_code", "metric_id").iter_rows())
    counts = pl.concat([
        frame.select(
            (pl.lit(f"AE_{short}_") + pl.col("dept")).replace_strict(ids, return_dtype=pl.Int64)
            .alias("metric_id"),
            "organisation_id", "period_start", "period_end",
            pl.col(f"{column}_n").alias("value"),
            pl.col(f"{column}_reason").alias("missing_reason"),
            pl.col("row").alias("source_row"),
        )
        for column, short in COUNTS.items()
    ])
    all_types = _performance(frame, ids["AE4HR"], "all types")
    type1 = _performance(frame.filter(pl.col("dept") == "T1"), ids["AE4HR_T1"], "type 1")
    staged = pl.concat([counts, all_types, type1], how="diagonal_relaxed").with_columns(
        reading.period_label().alias("period_label")
    )
    return Prepared(observations=conform(staged), framework=fw, rows_read=table.rows_read)


def _performance(frame: pl.DataFrame, metric_id: int, what: str) -> pl.DataFrame:
    """Percentage seen within 4 hours per organisation and month, from the rows given."""
    grouped = frame.group_by("organisation_id", "period_start", "period_end").agg(
        pl.col("attendances_n").sum().alias("denominator"),
        (pl.col("attendances_n") - pl.col("breaches_n")).sum().alias("numerator"),
        (pl.col("attendances_n").is_null() | pl.col("breaches_n").is_null()).any()
        .alias("suppressed"),
        pl.col("row").sort().alias("rows"),
    )
    return grouped.select(
        pl.lit(metric_id, dtype=pl.Int64).alias("metric_id"),
        "organisation_id", "period_start", "period_end",
        pl.when(~pl.col("suppressed") & (pl.col("denominator") > 0))
        .then(100 * pl.col("numerator") / pl.col("denominator")).alias("value"),
        pl.when(~pl.col("suppressed")).then(pl.col("numerator")).alias("numerator"),
        pl.when(~pl.col("suppressed")).then(pl.col("denominator")).alias("denominator"),
        pl.when(pl.col("suppressed")).then(pl.lit("a count was suppressed in the source"))
        .when(pl.col("denominator") == 0).then(pl.lit("no attendances"))
        .otherwise(pl.lit("")).alias("missing_reason"),
        (pl.lit(f"derived ({what}) from row(s) ")
         + pl.col("rows").cast(pl.List(pl.String)).list.join(", ")
         + pl.lit(": (attendances - breaches) / attendances")).alias("note"),
        pl.col("rows").list.first().alias("source_row"),
    )
