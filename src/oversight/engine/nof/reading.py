"""NHS England's NOF publications read and validated: data files (one row per trust, quarter
and metric) and league tables (one row per trust); errors name file, row, column and reason.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from oversight.engine import periods

REQUIRED_COLUMNS = ("Quarter", "Trust_type", "Trust_code", "Trust_name", "Metric_ID", "Value")
OPTIONAL_COLUMNS = ("Rank",)


# ----------------------------------------------------------------------------- input


class NofInputError(ValueError):
    """Bad input file; the message names the file, row, column and reason."""


def read_published(path: str | Path) -> pl.DataFrame:
    """Read a file in NHS England's published NOF layout into a validated long table.

    Returns columns quarter, peer_group, trust_code, trust_name, metric_id, value (Float64),
    row (the 1-based line number in the file, header = line 1).
    """
    path = Path(path)
    try:
        raw = pl.read_csv(path, infer_schema_length=0, encoding="utf8-lossy")
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise NofInputError(f"{path}: cannot read as CSV: {exc}") from exc
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        raise NofInputError(
            f"{path}: row 1: missing column(s) {', '.join(missing)} "
            f"(the published NOF layout has {', '.join(REQUIRED_COLUMNS)}, ...)"
        )
    raw = raw.with_row_index("row", offset=2)
    value_text = pl.col("Value").str.strip_chars()
    parsed = raw.with_columns(
        value=value_text.cast(pl.Float64, strict=False),
        metric_id=pl.col("Metric_ID").str.strip_chars(),
    )
    bad = parsed.filter(pl.col("value").is_null() & value_text.is_not_null() & (value_text != ""))
    if bad.height:
        first = bad.row(0, named=True)
        raise NofInputError(
            f"{path}: row {first['row']}: column Value: cannot parse {first['Value']!r} as a "
            f"number ({bad.height} such row(s))"
        )
    for col in ("Quarter", "Trust_code", "Metric_ID"):
        empty = parsed.filter(pl.col(col).is_null() | (pl.col(col).str.strip_chars() == ""))
        if empty.height:
            raise NofInputError(f"{path}: row {empty['row'][0]}: column {col}: empty")
    bad_id = parsed.filter(~pl.col("metric_id").str.contains(r"^OF\d{4}$"))
    if bad_id.height:
        r = bad_id.row(0, named=True)
        raise NofInputError(
            f"{path}: row {r['row']}: column Metric_ID: {r['Metric_ID']!r} is not an OFnnnn id"
        )
    return parsed.select(
        pl.col("row"),
        pl.col("Quarter").str.strip_chars().alias("quarter"),
        pl.col("Trust_type").fill_null("").str.strip_chars().alias("peer_group"),
        pl.col("Trust_code").str.strip_chars().alias("trust_code"),
        pl.col("Trust_name").fill_null("").str.strip_chars().alias("trust_name"),
        pl.col("metric_id"),
        pl.col("value"),
        (
            pl.col("Rank").str.strip_chars().cast(pl.Float64, strict=False)
            if "Rank" in raw.columns
            else pl.lit(None, pl.Float64)
        ).alias("rank"),
    )



#: NHS England's league table layout (one row per trust): the columns the engine needs.
LEAGUE_COLUMNS = ("Quarter", "Trust_type", "Trust_code", "Trust_name", "Average_score", "Segment")
LEAGUE_OPTIONAL = (
    "Trust_in_financial_deficit", "Rank", "Likely_range_of_average_score", "Likely_range_of_rank",
)
#: Metric rows a NOF data file feeds the engine with: metric values (OF0xxx) and scores (OF1xxx).
INPUT_METRIC = re.compile(r"^OF[01]\d{3}$")
#: The published summary rows read back only to compare with: unadjusted, adjusted, average.
PUBLISHED_SUMMARY = {"OF5003": "published_unadjusted", "OF5000": "published_adjusted",
                     "OF5002": "published_average"}
YES_NO = {"yes": 1, "no": 0, "y": 1, "n": 0, "1": 1, "0": 0, "true": 1, "false": 0}


def file_layout(path: str | Path) -> str:
    """'data' (one row per trust, quarter and metric) or 'league' (one row per trust)."""
    path = Path(path)
    try:
        header = pl.read_csv(path, n_rows=0, infer_schema_length=0).columns
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise NofInputError(f"{path}: cannot read as CSV: {exc}") from exc
    if "Metric_ID" in header:
        return "data"
    if "Average_score" in header:
        return "league"
    raise NofInputError(
        f"{path}: row 1: neither a NOF data file (columns {', '.join(REQUIRED_COLUMNS)}) nor a "
        f"league table (columns {', '.join(LEAGUE_COLUMNS)})"
    )


def read_league(path: str | Path) -> pl.DataFrame:
    """Read a league table in NHS England's layout (one row per trust and quarter).

    Returns quarter, peer_group, trust_code, trust_name, average_score, published_adjusted,
    deficit (1, 0 or null when not given), published_rank, likely_average, likely_rank, row.
    """
    path = Path(path)
    try:
        raw = pl.read_csv(path, infer_schema_length=0, encoding="utf8-lossy")
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise NofInputError(f"{path}: cannot read as CSV: {exc}") from exc
    missing = [c for c in LEAGUE_COLUMNS if c not in raw.columns]
    if missing:
        raise NofInputError(f"{path}: row 1: missing column(s) {', '.join(missing)} "
                            f"(a league table has {', '.join(LEAGUE_COLUMNS)}, ...)")
    for c in LEAGUE_OPTIONAL:
        if c not in raw.columns:
            raw = raw.with_columns(pl.lit(None, pl.String).alias(c))
    raw = raw.with_row_index("row", offset=2).with_columns(pl.col(pl.String).str.strip_chars())

    def fail(frame: pl.DataFrame, column: str, reason: str) -> None:
        if frame.height:
            first = frame.row(0, named=True)
            raise NofInputError(f"{path}: row {first['row']}: column {column}: "
                                f"{reason.format(first[column])} ({frame.height} such row(s))")

    for col in ("Quarter", "Trust_type", "Trust_code"):
        fail(raw.filter(pl.col(col).is_null() | (pl.col(col) == "")), col, "empty")
    fail(raw.filter(~pl.col("Quarter").str.contains(periods.CANONICAL_QUARTER.pattern)),
         "Quarter", "{!r} is not a quarter like 'Q3 2025/26'")
    average = pl.col("Average_score").cast(pl.Float64, strict=False)
    fail(raw.filter(average.is_null() | ~average.is_between(1, 4)), "Average_score",
         "{!r} is not an average metric score from 1 to 4")
    seg = pl.col("Segment").cast(pl.Int64, strict=False)
    fail(raw.filter(seg.is_null() | ~seg.is_between(1, 4)), "Segment",
         "{!r} is not an adjusted segment 1-4")
    deficit = pl.col("Trust_in_financial_deficit").str.to_lowercase().replace_strict(
        YES_NO, default=None, return_dtype=pl.Int64)
    given = pl.col("Trust_in_financial_deficit").is_not_null() & (
        pl.col("Trust_in_financial_deficit") != "")
    fail(raw.filter(given & deficit.is_null()), "Trust_in_financial_deficit",
         "{!r} is not Yes or No")
    rank = pl.col("Rank").cast(pl.Int64, strict=False)
    fail(raw.filter(pl.col("Rank").is_not_null() & (pl.col("Rank") != "") & rank.is_null()),
         "Rank", "{!r} is not a whole number")
    dup = raw.filter(pl.struct("Quarter", "Trust_code").is_duplicated())
    fail(dup.slice(1), "Trust_code", "{!r} appears twice in the quarter")
    return raw.select(
        quarter="Quarter", peer_group="Trust_type", trust_code="Trust_code",
        trust_name=pl.col("Trust_name").fill_null(""), average_score=average,
        published_adjusted=seg, deficit=deficit, published_rank=rank,
        likely_average=pl.col("Likely_range_of_average_score").fill_null(""),
        likely_rank=pl.col("Likely_range_of_rank").fill_null(""), row="row",
    )


def published_summary(long: pl.DataFrame) -> pl.DataFrame:
    """The published unadjusted and adjusted segments and average of a data file's trusts
    (OF5003, OF5000, OF5002), for comparison only: the method never reads them."""
    rows = long.filter(pl.col("metric_id").is_in(list(PUBLISHED_SUMMARY))).drop_nulls("value")
    schema = {"quarter": pl.String, "trust_code": pl.String,
              **{c: pl.Float64 for c in PUBLISHED_SUMMARY.values()}}
    if rows.height == 0:
        return pl.DataFrame(schema=schema)
    wide = rows.pivot(on="metric_id", index=["quarter", "trust_code"], values="value",
                      aggregate_function="first")
    for mid, name in PUBLISHED_SUMMARY.items():
        wide = wide.with_columns((pl.col(mid) if mid in wide.columns
                                  else pl.lit(None, pl.Float64)).alias(name))
    segment_ok = pl.col("published_unadjusted", "published_adjusted").is_in([1.0, 2.0, 3.0, 4.0])
    return wide.select(*schema).with_columns(  # a segment that is not 1-4 says nothing
        pl.when(segment_ok).then(pl.col("published_unadjusted", "published_adjusted")))
