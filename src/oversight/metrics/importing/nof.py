"""NHS England's published NHS Oversight Framework data (one row per trust, quarter and metric).

Columns as published: Quarter, Region, Trust_type, Trust_subtype, Trust_code, Trust_name,
Domain, Sub-domain, Metric_ID, Metric_description, Reporting_date, Units, Value, Median_value,
Lower_quartile, Upper_quartile, Rank. Every Metric_ID (metric values OF00xx, scores OF10xx,
domain scores and segments OF40xx/OF41xx, summary rows OF50xx) is stored as an observation of
that code in the framework year's catalogue, for the quarter, with the published quartiles and
rank. Trusts not yet known are created from Trust_code, Trust_name, Trust_type and Region.

NHS England's league tables (acute, non-acute, ambulance: one row per trust, columns Quarter,
Region, Trust_type, Trust_subtype, Trust_code, Trust_name, Average_score,
Likely_range_of_average_score, Segment, Trust_in_financial_deficit, Rank, Likely_range_of_rank)
load through the same format: each row becomes the trust's OF5002 average metric score (the
likely range as its note), OF5000 adjusted segment (with the rank and the likely range of rank)
and, where the deficit column says Yes or No, OF5004 financial override.
"""

from __future__ import annotations

import polars as pl

from oversight.metrics.importing import checks, lookups, reading
from oversight.metrics.importing.prepared import NewOrganisation, Prepared
from oversight.metrics.importing.reading import SourceTable
from oversight.metrics.importing.store import KEY, conform
from oversight.metrics.importing.validation import Problems
from oversight.metrics.models import Observation
from oversight.organisations.models import Organisation, OrganisationKind

REQUIRED = ["quarter", "trust_type", "trust_code", "trust_name", "metric_id", "value"]
OPTIONAL = [
    "region",
    "trust_subtype",
    "domain",
    "sub_domain",
    "metric_description",
    "reporting_date",
    "units",
    "median_value",
    "lower_quartile",
    "upper_quartile",
    "rank",
    "note",
]

# NHS England region names as published -> region ODS codes.
REGION_CODES = {
    "london": "Y56",
    "south west": "Y58",
    "south east": "Y59",
    "midlands": "Y60",
    "east": "Y61",
    "east of england": "Y61",
    "north west": "Y62",
    "north east and yorkshire": "Y63",
}
TRUST_TYPES = {
    "acute trust": OrganisationKind.ACUTE,
    "ambulance trust": OrganisationKind.AMBULANCE,
    "mental health and community trust": OrganisationKind.MENTAL_HEALTH_COMMUNITY,
}
# Within "Mental health and community trust", the published subtype says which it is.
SUBTYPES = {
    "community": OrganisationKind.COMMUNITY,
    "mental health and learning disability": OrganisationKind.MENTAL_HEALTH,
    "care trust": OrganisationKind.MENTAL_HEALTH_COMMUNITY,
}
NUMBERS = {
    "value": "value_n",
    "median_value": "peer_median",
    "lower_quartile": "peer_lower_quartile",
    "upper_quartile": "peer_upper_quartile",
    "rank": "rank",
}


def organisation_kind(trust_type: str, subtype: str) -> str | None:
    kind = TRUST_TYPES.get(trust_type.strip().lower())
    if kind == OrganisationKind.MENTAL_HEALTH_COMMUNITY:
        return SUBTYPES.get(subtype.strip().lower(), kind)
    return kind


LEAGUE_REQUIRED = ["quarter", "trust_type", "trust_code", "trust_name", "average_score",
                   "segment"]
LEAGUE_OPTIONAL = ["region", "trust_subtype", "likely_range_of_average_score",
                   "trust_in_financial_deficit", "rank", "likely_range_of_rank"]
DEFICIT = {"yes": "1", "no": "0"}


def is_league_table(table: SourceTable) -> bool:
    return "metric_id" not in table.frame.columns and "average_score" in table.frame.columns


def league_as_rows(table: SourceTable, problems: Problems) -> SourceTable:
    """A league table as rows of the published data layout (three metrics per trust), after
    checking the columns only a league table has; problems name the league table's columns."""
    reading.require_columns(table, LEAGUE_REQUIRED, LEAGUE_OPTIONAL)
    frame = table.frame
    for column in LEAGUE_OPTIONAL:
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias(column))
    frame = frame.with_columns(pl.col(pl.String).str.strip_chars())
    average = pl.col("average_score").cast(pl.Float64, strict=False)
    problems.add_frame(frame.filter(average.is_null() | ~average.is_between(1, 4)),
                       table.header("average_score"),
                       pl.lit("cannot read '") + pl.col("average_score").fill_null("")
                       + pl.lit("' as an average metric score from 1 to 4"))
    segment = pl.col("segment").cast(pl.Int64, strict=False)
    problems.add_frame(frame.filter(segment.is_null() | ~segment.is_between(1, 4)),
                       table.header("segment"),
                       pl.lit("cannot read '") + pl.col("segment").fill_null("")
                       + pl.lit("' as an adjusted segment 1-4"))
    deficit = pl.col("trust_in_financial_deficit")
    problems.add_frame(
        frame.filter(deficit.is_not_null() & (deficit != "")
                     & ~deficit.str.to_lowercase().is_in(list(DEFICIT))),
        table.header("trust_in_financial_deficit"),
        pl.lit("expected Yes, No or blank, not '") + deficit.fill_null("") + pl.lit("'"))
    rank = pl.col("rank").cast(pl.Int64, strict=False)
    problems.add_frame(
        frame.filter(pl.col("rank").is_not_null() & (pl.col("rank") != "")
                     & (rank.is_null() | (rank < 1))),
        table.header("rank"),
        pl.lit("cannot read '") + pl.col("rank") + pl.lit("' as a rank (a whole number from 1)"))
    problems.raise_if_any()
    keep = ["row", "quarter", "region", "trust_type", "trust_subtype", "trust_code", "trust_name"]
    parts = [
        frame.select(*keep, metric_id=pl.lit("OF5002"), value="average_score",
                     rank=pl.lit(None, pl.String), note="likely_range_of_average_score"),
        frame.select(*keep, metric_id=pl.lit("OF5000"), value="segment", rank="rank",
                     note="likely_range_of_rank"),
        frame.filter(deficit.is_not_null() & (deficit != "")).select(
            *keep, metric_id=pl.lit("OF5004"),
            value=deficit.str.to_lowercase().replace_strict(DEFICIT, default=None),
            rank=pl.lit(None, pl.String), note=pl.lit(None, pl.String)),
    ]
    long = pl.concat(parts).with_columns(pl.col("note").fill_null("")).sort("row", "metric_id")
    headers = {**table.headers, "metric_id": "Segment", "value": "Average_score or Segment"}
    return SourceTable(table.file_name, long, headers, table.encoding)


def prepare(table: SourceTable, context: lookups.Context) -> Prepared:
    league = is_league_table(table)
    if league:
        table = league_as_rows(table, Problems(table.file_name))
    reading.require_columns(table, REQUIRED, OPTIONAL)
    problems = Problems(table.file_name)
    frame = lookups.attach_organisations(table, "trust_code", problems, context, unknown_ok=True)
    frame = frame.with_columns(
        period_start=reading.quarter_start("quarter"),
        metric_id_text=pl.col("metric_id"),
    ).drop("metric_id")
    problems.add_frame(
        frame.filter(pl.col("period_start").is_null()),
        table.header("quarter"),
        pl.lit("cannot read '")
        + pl.col("quarter").fill_null("")
        + pl.lit("' as a quarter (expected e.g. 'Q1 2025/26')"),
    )
    framework_code = context.framework_code or _framework_for(frame)
    # Problems with the metric code name the file's column (Metric_ID), not the staged name.
    table.headers["metric_code"] = table.header("metric_id")
    frame, fw = lookups.attach_metrics(
        frame.rename({"metric_id_text": "metric_code"}),
        table,
        "metric_code",
        problems,
        lookups.Context(context.file_name, framework_code, context.scope, context.dry_run),
    )
    for column, target in NUMBERS.items():
        value, reason, bad = reading.number(column)
        # Report from the text before it is replaced: "rank" is both the column and target.
        problems.add_frame(
            frame.filter(bad),
            table.header(column),
            pl.lit("cannot read '") + pl.col(column) + pl.lit("' as a number"),
        )
        frame = frame.with_columns(
            value.alias(target), *([reason.alias("missing_reason")] if column == "value" else [])
        )
    checks.check_finite(frame, {t: table.header(c) for c, t in NUMBERS.items()}, problems)
    checks.check_non_negative(frame, {"value_n": table.header("value")}, problems)
    if not league:  # a league table's rank is among every trust of the type, partial or not
        checks.check_rank(frame, ["quarter", "trust_type", "metric_code"], table.header("rank"),
                          problems)
    checks.check_length(frame, "reporting_date", table.header("reporting_date"),
                        Observation._meta.get_field("reporting_period").max_length, problems)
    lookups.check_range(frame, "value_n", table.header("value"), problems)
    new_orgs = _new_organisations(frame, table, problems, context)
    frame = frame.with_columns(
        pl.when(pl.col("value_n").is_null() & (pl.col("missing_reason") == ""))
        .then(pl.lit("not published"))
        .otherwise(pl.col("missing_reason"))
        .alias("missing_reason"),
        pl.coalesce(
            pl.col("organisation_id"),
            pl.col("trust_code").replace_strict(
                {o.ods_code: o.placeholder_id for o in new_orgs},
                default=None,
                return_dtype=pl.Int64,
            ),
        ).alias("organisation_id"),
        pl.col("period_start").dt.offset_by("2mo").dt.month_end().alias("period_end"),
    )
    checks.check_periods(frame, "period_start", "period_end", table.header("quarter"),
                         table.header("quarter"), problems)
    lookups.check_duplicates(frame, KEY, table.header("metric_id"), problems)
    problems.raise_if_any()
    staged = frame.select(
        "metric_id",
        "organisation_id",
        "period_start",
        "period_end",
        pl.col("quarter").alias("period_label"),
        pl.col("value_n").alias("value"),
        *[c for c in NUMBERS.values() if c != "value_n"],
        "missing_reason",
        pl.col("reporting_date").fill_null("").alias("reporting_period"),
        pl.col("note").fill_null(""),
        pl.col("row").alias("source_row"),
    )
    return Prepared(
        observations=conform(staged),
        framework=fw,
        rows_read=table.rows_read,
        new_organisations=new_orgs,
        classified=_classified(frame),
    )


def _classified(frame: pl.DataFrame) -> dict[int, str]:
    """Stored trusts whose kind was not known (loaded from NHS England's ODS file, which does
    not say) and which the publication's Trust_type classifies: organisation id -> kind."""
    unknown = set(Organisation.objects.filter(kind=OrganisationKind.TRUST)
                  .values_list("id", flat=True))
    if not unknown:
        return {}
    rows = (frame.filter(pl.col("organisation_id").is_in(list(unknown)))
            .group_by("organisation_id").agg(pl.col("trust_type", "trust_subtype").first()))
    found = {oid: organisation_kind(t or "", sub or "") for oid, t, sub in rows.iter_rows()}
    return {oid: kind for oid, kind in found.items() if kind}


def _framework_for(frame: pl.DataFrame) -> str | None:
    """nof-2025-26 for quarters of 2025/26 (the framework year the publication belongs to)."""
    years = frame["quarter"].drop_nulls().str.extract(r"(\d{4})/(\d{2})$", 0).drop_nulls()
    if years.len() == 0:
        return None
    first = years.mode().sort()[0]
    return "nof-" + first.replace("/", "-")


def _new_organisations(
    frame: pl.DataFrame, table: SourceTable, problems: Problems, context: lookups.Context
) -> list[NewOrganisation]:
    unknown = (
        frame.filter(
            pl.col("organisation_id").is_null()
            & pl.col("trust_code").is_not_null()
            & (pl.col("trust_code") != "")
        )
        .group_by("trust_code")
        .agg(pl.all().first())
        .sort("row")
    )
    new: list[NewOrganisation] = []
    for n, row in enumerate(unknown.iter_rows(named=True), start=1):
        kind = organisation_kind(row["trust_type"] or "", row.get("trust_subtype") or "")
        if kind is None:
            problems.add(
                row["row"],
                table.header("trust_type"),
                f"unknown trust type '{row['trust_type']}' for new organisation "
                f"'{row['trust_code']}' (expected one of "
                f"{', '.join(t.capitalize() for t in TRUST_TYPES)})",
            )
            continue
        region = row.get("region") or ""
        if region and region.lower() not in REGION_CODES:
            problems.add(
                row["row"],
                table.header("region"),
                f"unknown NHS England region '{region}' for new organisation '{row['trust_code']}'",
            )
            continue
        if not row["trust_name"]:
            problems.add(
                row["row"],
                table.header("trust_name"),
                f"new organisation '{row['trust_code']}' needs a name",
            )
            continue
        new.append(NewOrganisation(-n, row["trust_code"], row["trust_name"], kind, region))
    return new
