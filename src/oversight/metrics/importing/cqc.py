"""CQC ratings: one row per provider (or location) and publication date.

Columns (header names as CQC and trusts write them are accepted): provider ODS code, publication
date, overall, safe, effective, caring, responsive, well-led. Stored as CqcRating rows with the
batch and source row; a rating already stored for the same organisation and date with the same
ratings is unchanged. With different ratings it is revised: the ratings it held, with their
batch and source row, are kept as a CqcRatingRevision superseded by the new batch, as
observations keep theirs.
"""

from __future__ import annotations

import polars as pl

from oversight.metrics.importing import checks, lookups, reading
from oversight.metrics.importing.prepared import Prepared
from oversight.metrics.importing.reading import SourceTable
from oversight.metrics.importing.store import Diff
from oversight.metrics.importing.validation import Problems
from oversight.organisations.models import CqcRating, CqcRatingRevision

QUESTIONS = list(CqcRating.KEY_QUESTIONS)
RATING_COLUMNS = ["overall", *QUESTIONS]
REQUIRED = ["ods_code", "published", "overall"]
OPTIONAL = QUESTIONS + ["provider_name", "location_name", "name"]
ALIASES = {
    "provider_ods_code": "ods_code",
    "location_ods_code": "ods_code",
    "org_code": "ods_code",
    "publication_date": "published",
    "date_published": "published",
    "date": "published",
    "overall_rating": "overall",
    "latest_rating": "overall",
}
RATINGS = {label.lower(): value for value, label in CqcRating.Rating.choices}
RATINGS.update(
    {
        "requires improvement": CqcRating.Rating.REQUIRES_IMPROVEMENT,
        "not yet rated": CqcRating.Rating.NOT_RATED,
        "insufficient evidence to rate": CqcRating.Rating.NOT_RATED,
    }
)


def prepare(table: SourceTable, context: lookups.Context) -> Prepared:
    reading.require_columns(table, REQUIRED, OPTIONAL, ALIASES)
    problems = Problems(table.file_name)
    frame = lookups.attach_organisations(table, "ods_code", problems, context)
    frame = frame.with_columns(published_date=reading.date("published"))
    problems.add_frame(
        frame.filter(pl.col("published_date").is_null()),
        table.header("published"),
        pl.lit("cannot read '")
        + pl.col("published").fill_null("")
        + pl.lit("' as a date (use YYYY-MM-DD or DD/MM/YYYY)"),
    )
    checks.check_published(frame, "published_date", table.header("published"), problems)
    for column in RATING_COLUMNS:
        text = pl.col(column).fill_null("").str.to_lowercase()
        code = text.replace_strict(RATINGS, default=None)
        if column != "overall":
            code = (
                pl.when(text == "").then(pl.lit(CqcRating.Rating.NOT_RATED.value)).otherwise(code)
            )
        frame = frame.with_columns(code.alias(f"{column}_code"))
        problems.add_frame(
            frame.filter(pl.col(f"{column}_code").is_null()),
            table.header(column),
            pl.lit("unknown rating '")
            + pl.col(column).fill_null("")
            + pl.lit(
                "' (expected Outstanding, Good, Requires improvement, Inadequate or Not rated)"
            ),
        )
    lookups.check_duplicates(
        frame,
        ["organisation_id", "published_date"],
        table.header("ods_code"),
        problems,
        what="organisation and publication date",
    )
    problems.raise_if_any()
    ratings = frame.select(
        "organisation_id",
        pl.col("published_date").alias("published"),
        *[pl.col(f"{c}_code").alias(c) for c in RATING_COLUMNS],
        pl.col("row").alias("source_row"),
    )
    return Prepared(cqc=ratings, rows_read=table.rows_read)


def diff(ratings: pl.DataFrame) -> Diff:
    stored = list(
        CqcRating.objects.filter(
            organisation_id__in=ratings["organisation_id"].unique().to_list()
        ).values_list(
            "id", "organisation_id", "published", *RATING_COLUMNS, "batch_id", "source_row"
        )
    )
    schema = {
        "id": pl.Int64,
        "organisation_id": pl.Int64,
        "published": pl.Date,
        **{c: pl.String for c in RATING_COLUMNS},
        "batch_id": pl.Int64,
        "source_row": pl.Int64,
    }
    old = pl.DataFrame(stored, schema=schema, orient="row")
    joined = ratings.join(old, on=["organisation_id", "published"], how="left", suffix="_old")
    is_new = pl.col("id").is_null()
    same = pl.all_horizontal([pl.col(c) == pl.col(f"{c}_old") for c in RATING_COLUMNS])
    return Diff(
        added=joined.filter(is_new).select(ratings.columns),
        revised=joined.filter(~is_new & ~same),
        unchanged=joined.filter(~is_new & same).height,
    )


def write(changes: Diff, batch_id: int) -> None:
    """Add new ratings; for revised ones keep what they held (a CqcRatingRevision with its
    batch and source row), then store the new ratings, batch and source row. In bulk, inside
    the caller's transaction."""
    CqcRating.objects.bulk_create(
        [
            CqcRating(
                organisation_id=r["organisation_id"],
                published=r["published"],
                batch_id=batch_id,
                source_row=r["source_row"],
                **{c: r[c] for c in RATING_COLUMNS},
            )
            for r in changes.added.iter_rows(named=True)
        ],
        batch_size=5_000,
    )
    rows = list(changes.revised.iter_rows(named=True))
    CqcRatingRevision.objects.bulk_create(
        [
            CqcRatingRevision(
                rating_id=r["id"],
                batch_id=r["batch_id"],
                source_row=r["source_row_old"],
                superseded_by_id=batch_id,
                **{c: r[f"{c}_old"] for c in RATING_COLUMNS},
            )
            for r in rows
        ],
        batch_size=5_000,
    )
    CqcRating.objects.bulk_update(
        [
            CqcRating(
                pk=r["id"],
                batch_id=batch_id,
                source_row=r["source_row"],
                **{c: r[c] for c in RATING_COLUMNS},
            )
            for r in rows
        ],
        [*RATING_COLUMNS, "batch", "source_row"],
        batch_size=1_000,
    )
