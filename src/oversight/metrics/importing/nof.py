"""NHS England's published NHS Oversight Framework data (one row per trust, quarter and metric).

Columns as published: Quarter, Region, Trust_type, Trust_subtype, Trust_code, Trust_name,
Domain, Sub-domain, Metric_ID, Metric_description, Reporting_date, Units, Value, Median_value,
Lower_quartile, Upper_quartile, Rank. Every Metric_ID (metric values OF00xx, scores OF10xx,
domain scores and segments OF40xx/OF41xx, summary rows OF50xx) is stored as an observation of
that code in the framework year's catalogue, for the quarter, with the published quartiles and
rank. Trusts not yet known are created from Trust_code, Trust_name, Trust_type and Region.
"""

from __future__ import annotations

import polars as pl

from oversight.metrics.importing import checks, lookups, reading
from oversight.metrics.importing.prepared import NewOrganisation, Prepared
from oversight.metrics.importing.reading import SourceTable
from oversight.metrics.importing.store import KEY, conform
from oversight.metrics.importing.validation import Problems
from oversight.metrics.models import Observation
from oversight.organisations.models import OrganisationKind

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


def prepare(table: SourceTable, context: lookups.Context) -> Prepared:
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
        pl.col("row").alias("source_row"),
    )
    return Prepared(
        observations=conform(staged),
        framework=fw,
        rows_read=table.rows_read,
        new_organisations=new_orgs,
    )


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
