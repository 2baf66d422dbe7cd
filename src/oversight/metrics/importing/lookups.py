"""Resolve organisation and metric codes in a file against the database, in bulk."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from oversight.metrics.importing.reading import SourceTable
from oversight.metrics.importing.validation import ImportRejected, Problems
from oversight.metrics.models import Framework, Metric
from oversight.organisations.models import Organisation

#: What to do about an organisation the database does not hold.
LOAD_DIRECTORY_FIRST = ("(load NHS England's ODS file that lists it first: etr.csv for NHS "
                        "trusts, the ICB or sub-ICB location file; format ods)")


@dataclass
class Context:
    """What an import is asked to do, beyond the file itself."""

    file_name: str
    framework_code: str | None = None
    scope: frozenset[int] | None = None  # organisation ids the uploader may load; None = any
    dry_run: bool = False
    kinds: dict[str, str] | None = None  # ODS code -> organisation kind (format ods)


def organisations() -> pl.DataFrame:
    rows = list(Organisation.objects.values_list("ods_code", "id"))
    return pl.DataFrame(rows, schema={"ods_code": pl.String, "organisation_id": pl.Int64},
                        orient="row")


def attach_organisations(table: SourceTable, column: str, problems: Problems,
                         context: Context, *, unknown_ok: bool = False) -> pl.DataFrame:
    """Add `organisation_id` for the ODS codes in `column`; report unknown and out-of-scope."""
    frame = table.frame.with_columns(pl.col(column).str.to_uppercase())
    frame = frame.join(organisations().rename({"ods_code": column}), on=column, how="left")
    header = table.header(column)
    problems.add_frame(frame.filter(pl.col(column).is_null() | (pl.col(column) == "")), header,
                       "organisation code is empty")
    if not unknown_ok:
        unknown = frame.filter(pl.col("organisation_id").is_null() & pl.col(column).is_not_null()
                               & (pl.col(column) != ""))
        problems.add_frame(unknown, header,
                           pl.lit("unknown organisation '") + pl.col(column) + pl.lit(
                               f"' {LOAD_DIRECTORY_FIRST}"))
    if context.scope is not None:
        allowed = pl.col("organisation_id").is_in(list(context.scope)).fill_null(False)
        outside = frame.filter(pl.col(column).is_not_null() & (pl.col(column) != "") & ~allowed)
        problems.add_frame(outside, header, pl.lit("you may load data only for your own "
                                                   "organisation, not '") + pl.col(column)
                           + pl.lit("'"))
    return frame


def framework(code: str, file_name: str) -> Framework:
    try:
        return Framework.objects.get(code=code)
    except Framework.DoesNotExist:
        known = ", ".join(Framework.objects.values_list("code", flat=True)) or "none loaded"
        raise ImportRejected.single(file_name, None, "--framework",
                                    f"unknown framework '{code}' (known: {known})") from None


def metrics(codes: list[str], framework_code: str | None, file_name: str
            ) -> tuple[pl.DataFrame, Framework | None]:
    """Metric id and valid range for each code: in the given framework, else in the latest
    criteria-based framework that has the code. Returns the frame and the single framework
    used (None when codes came from several)."""
    schema = {"metric_code": pl.String, "metric_id": pl.Int64, "valid_min": pl.Float64,
              "valid_max": pl.Float64, "framework_id": pl.Int64, "unit": pl.String}
    if framework_code:
        fw = framework(framework_code, file_name)
        query = Metric.objects.filter(framework=fw, code__in=codes)
    else:
        query = Metric.objects.filter(framework__method=Framework.Method.CRITERIA,
                                      code__in=codes).order_by("framework__year_start")
    latest: dict[str, tuple] = {}
    for row in query.values_list("code", "id", "valid_min", "valid_max", "framework_id",
                                 "unit"):
        latest[row[0]] = row  # later framework years overwrite earlier ones
    frame = pl.DataFrame(list(latest.values()), schema=schema, orient="row")
    used = set(frame["framework_id"].to_list())
    fw_used = Framework.objects.get(pk=used.pop()) if len(used) == 1 else None
    return frame, fw_used


def attach_metrics(frame: pl.DataFrame, table: SourceTable, column: str, problems: Problems,
                   context: Context) -> tuple[pl.DataFrame, Framework | None]:
    codes = frame[column].drop_nulls().unique().to_list()
    found, fw = metrics(codes, context.framework_code, table.file_name)
    frame = frame.join(found.rename({"metric_code": column}), on=column, how="left")
    where = (f"framework {context.framework_code}" if context.framework_code
             else "any criteria-based framework")
    unknown = frame.filter(pl.col("metric_id").is_null())
    problems.add_frame(
        unknown, table.header(column),
        pl.when(pl.col(column).is_null()).then(pl.lit("metric code is empty"))
        .otherwise(pl.lit("unknown metric '") + pl.col(column) + pl.lit(f"' in {where}")),
    )
    return frame, fw


def check_range(frame: pl.DataFrame, column: str, header: str, problems: Problems) -> None:
    """Values outside the metric's valid range, e.g. a percentage over 100."""
    v = pl.col(column)
    low = pl.col("valid_min").is_not_null() & (v < pl.col("valid_min"))
    high = pl.col("valid_max").is_not_null() & (v > pl.col("valid_max"))
    bad = frame.filter((low | high).fill_null(False))
    problems.add_frame(
        bad, header,
        pl.format("{} is outside the metric's valid range {} to {}", v,
                  pl.col("valid_min").fill_null(float("-inf")),
                  pl.col("valid_max").fill_null(float("inf"))),
    )


def check_duplicates(frame: pl.DataFrame, key: list[str], header: str, problems: Problems,
                     what: str = "metric, organisation and period") -> None:
    """Every repeat of a key already seen earlier in the file, naming the first row."""
    valid = frame.drop_nulls(key)
    firsts = valid.group_by(key).agg(pl.col("row").min().alias("first_row"))
    repeats = valid.join(firsts, on=key).filter(pl.col("row") != pl.col("first_row"))
    problems.add_frame(repeats.sort("row"), header,
                       pl.format(f"duplicate of row {{}} (same {what})", pl.col("first_row")))
