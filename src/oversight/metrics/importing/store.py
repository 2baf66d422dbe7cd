"""Write staged observations in bulk: add new keys, revise changed values, leave the rest.

The existing (metric, organisation, period) keys of the affected metrics are loaded into memory
once and compared with the file in polars, never row by row. New observations go in with
PostgreSQL COPY or SQLite executemany; a changed value first copies the value it replaces into
`ObservationRevision` (with the batch it came from, superseded by the new batch), then updates
the observation. The caller holds the transaction, so a failure or a kill leaves nothing behind.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import polars as pl
from django.db import connection

from oversight.metrics.models import Observation, ObservationRevision

KEY = ["metric_id", "organisation_id", "period_start", "period_end"]
FLOATS = ["value", "numerator", "denominator", "rank", "peer_median", "peer_lower_quartile",
          "peer_upper_quartile"]
TEXTS = ["missing_reason", "note", "reporting_period"]
COMPARED = FLOATS + TEXTS
# The staged frame every observation format produces.
STAGED_SCHEMA: dict[str, pl.DataType] = {
    "metric_id": pl.Int64(), "organisation_id": pl.Int64(), "period_start": pl.Date(),
    "period_end": pl.Date(), "period_label": pl.String(),
    **{c: pl.Float64() for c in FLOATS}, **{c: pl.String() for c in TEXTS},
    "source_row": pl.Int64(),
}
CHUNK = 100_000
# SQLite's default 2 MB page cache makes index inserts thrash on large loads.
SQLITE_CACHE_KIB = 256 * 1024
# From this many new rows, PostgreSQL checks foreign keys once per load, not once per row.
PG_BULK_ROWS = 50_000  # from this many new rows, bulk-loading measures pay off (both databases)

Progress = Callable[[str, int, int], None]


@dataclass
class Diff:
    added: pl.DataFrame
    revised: pl.DataFrame  # staged columns plus id and the old values (suffix _old)
    unchanged: int


def conform(frame: pl.DataFrame) -> pl.DataFrame:
    """Give a format's output exactly the staged columns and types (absent ones empty)."""
    cols = []
    for name, dtype in STAGED_SCHEMA.items():
        if name in frame.columns:
            cols.append(pl.col(name).cast(dtype))
        elif name in TEXTS:
            cols.append(pl.lit("", dtype=pl.String).alias(name))
        else:
            cols.append(pl.lit(None, dtype=dtype).alias(name))
    out = frame.select(cols)
    return out.with_columns(pl.col(TEXTS).fill_null(""))


def _table(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def existing(staged: pl.DataFrame) -> pl.DataFrame:
    """Stored observations that share a metric and period range with the staged rows."""
    cols = ["id", *KEY, *COMPARED, "batch_id", "source_row"]
    schema = {"id": pl.Int64, **{k: STAGED_SCHEMA[k] for k in KEY},
              **{c: STAGED_SCHEMA[c] for c in COMPARED}, "batch_id": pl.Int64,
              "source_row": pl.Int64}
    if staged.height == 0:
        return pl.DataFrame(schema=schema)
    metric_ids = staged["metric_id"].unique().to_list()
    lo, hi = staged["period_start"].min(), staged["period_start"].max()
    marks = ", ".join(["%s"] * len(metric_ids))
    if connection.vendor == "sqlite":
        # Dates as text: Django's per-value date converters cost seconds on a million rows.
        select = [f"CAST({c} AS TEXT)" if c in ("period_start", "period_end") else c
                  for c in cols]
    else:
        select = cols
    sql = (f"SELECT {', '.join(select)} FROM {_table(Observation)} "
           f"WHERE metric_id IN ({marks}) AND period_start BETWEEN %s AND %s")
    if connection.vendor == "postgresql":
        return _existing_by_copy(select, metric_ids, lo, hi, schema)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*metric_ids, lo, hi])
        rows = cursor.fetchall()
    if connection.vendor == "sqlite":
        text = {**schema, "period_start": pl.String, "period_end": pl.String}
        frame = pl.DataFrame(rows, schema=text, orient="row").with_columns(
            pl.col("period_start", "period_end").str.to_date("%Y-%m-%d")
        )
    else:
        frame = pl.DataFrame(rows, schema=schema, orient="row")
    return frame.with_columns(pl.col(TEXTS).fill_null(""))


def _existing_by_copy(select: list[str], metric_ids: list[int], lo, hi,
                      schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """PostgreSQL: stream the stored rows out as CSV (COPY TO), far faster than fetchall."""
    buffer = io.BytesIO()
    query = (f"COPY (SELECT {', '.join(select)} FROM {_table(Observation)} "
             f"WHERE metric_id = ANY(%s) AND period_start BETWEEN %s AND %s) "
             f"TO STDOUT (FORMAT CSV)")
    with connection.cursor() as cursor, cursor.cursor.copy(query, [metric_ids, lo, hi]) as copy:
        for data in copy:
            buffer.write(data)
    if buffer.tell() == 0:
        return pl.DataFrame(schema=schema)
    buffer.seek(0)
    frame = pl.read_csv(buffer, has_header=False, new_columns=list(schema),
                        schema_overrides=schema)
    return frame.with_columns(pl.col(TEXTS).fill_null(""))


def diff(staged: pl.DataFrame, stored: pl.DataFrame) -> Diff:
    joined = staged.join(stored, on=KEY, how="left", suffix="_old")
    is_new = pl.col("id").is_null()
    same = pl.all_horizontal([pl.col(c).eq_missing(pl.col(f"{c}_old")) for c in COMPARED])
    added = joined.filter(is_new).select(staged.columns)
    revised = joined.filter(~is_new & ~same)
    unchanged = joined.filter(~is_new & same).height
    return Diff(added, revised, unchanged)


def write(diff_: Diff, batch_id: int, progress: Progress | None = None) -> None:
    """Insert the added rows and apply the revisions, inside the caller's transaction."""
    total = diff_.added.height + diff_.revised.height
    done = 0
    obs_cols = [*STAGED_SCHEMA, "batch_id"]
    # In key order, so the key index grows at its end rather than at random pages.
    added = diff_.added.sort(KEY).with_columns(
        pl.lit(batch_id, dtype=pl.Int64).alias("batch_id")
    )
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    with _foreign_keys_checked_once(added.height), _indexes_rebuilt_after(added.height):
        for start in range(0, added.height, CHUNK):
            chunk = _without_defaults(added.slice(start, CHUNK).select(obs_cols))
            _insert(_table(Observation), chunk)
            done += chunk.height
            if progress:
                progress("writing", done, total)
    if diff_.revised.height:
        old = diff_.revised.select(
            pl.col("id").alias("observation_id"),
            *[pl.col(f"{c}_old").alias(c) for c in COMPARED],
            pl.col("batch_id"), pl.col("source_row_old").alias("source_row"),
            pl.lit(batch_id, dtype=pl.Int64).alias("superseded_by_id"),
        )
        _insert(_table(ObservationRevision), old)
        sets = [*COMPARED, "period_label", "source_row", "batch_id"]
        new = diff_.revised.with_columns(pl.lit(batch_id, dtype=pl.Int64).alias("batch_id_new"))
        params = new.select([*[c for c in sets if c != "batch_id"], "batch_id_new", "id"])
        sql = (f"UPDATE {_table(Observation)} SET "
               + ", ".join(f"{c} = %s" for c in sets) + " WHERE id = %s")
        with connection.cursor() as cursor:
            for start in range(0, params.height, CHUNK):
                chunk = params.slice(start, CHUNK)
                cursor.executemany(sql, _rows(chunk))
                done += chunk.height
                if progress:
                    progress("writing", done, total)


@contextmanager
def _foreign_keys_checked_once(rows: int) -> Iterator[None]:
    """PostgreSQL, large loads: check the observation foreign keys with one query each instead
    of one trigger per row per key (PostgreSQL's documented bulk-loading advice).

    The constraints are dropped and re-added with the same definitions inside the caller's
    transaction, so a failure or kill restores them; re-adding validates every row. The table is
    locked against other writers and readers until the load commits.
    """
    if connection.vendor != "postgresql" or rows < PG_BULK_ROWS:
        yield
        return
    table = _table(Observation)
    with connection.cursor() as cursor:
        # ALTER TABLE refuses while deferred checks (the new batch row's) are pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'", [Observation._meta.db_table]
        )
        keys = cursor.fetchall()
        for name, _ in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        for name, definition in keys:
            cursor.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}"
            )
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@contextmanager
def _indexes_rebuilt_after(rows: int) -> Iterator[None]:
    """SQLite, a load at least as large as what is stored: drop the observation table's
    secondary indexes, insert, then build them again (SQLite's bulk-loading advice; building
    an index from sorted rows is cheaper than a million scattered inserts into it).

    Schema changes are transactional in SQLite, so a failure or kill leaves the indexes as they
    were. The unique key stays in place throughout: it is what rejects duplicates.
    """
    if connection.vendor != "sqlite" or rows < PG_BULK_ROWS:
        yield
        return
    table = Observation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {_table(Observation)}")
        if cursor.fetchone()[0] > rows:
            indexes: list[tuple[str, str]] = []
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL", [table]
            )
            indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        for _, definition in indexes:
            cursor.execute(definition)


def _without_defaults(frame: pl.DataFrame) -> pl.DataFrame:
    """Drop columns that hold only their database default (NULL, or '' for text): fewer
    parameters to bind per row."""
    keep = []
    for name in frame.columns:
        column = frame[name]
        if name in TEXTS:
            if (column != "").any():
                keep.append(name)
        elif name in FLOATS or name == "source_row":
            if column.null_count() < column.len():
                keep.append(name)
        else:
            keep.append(name)
    return frame.select(keep)


def _rows(frame: pl.DataFrame) -> list[tuple]:
    """Rows as tuples with dates as ISO text (the sqlite3 date adapter is deprecated)."""
    dates = [c for c, t in frame.schema.items() if t == pl.Date]
    if dates:
        frame = frame.with_columns(pl.col(dates).dt.strftime("%Y-%m-%d"))
    return frame.rows()


def _insert(table: str, frame: pl.DataFrame) -> None:
    if frame.height == 0:
        return
    columns = ", ".join(connection.ops.quote_name(c) for c in frame.columns)
    if connection.vendor == "postgresql":
        texts = [c for c, t in frame.schema.items() if t == pl.String]
        buffer = io.BytesIO()
        frame.write_csv(buffer, include_header=False)
        force = f", FORCE_NOT_NULL ({', '.join(texts)})" if texts else ""
        with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {table} ({columns}) FROM STDIN (FORMAT CSV{force})"
        ) as copy:
            copy.write(buffer.getvalue())
        return
    marks = ", ".join(["%s"] * frame.width)
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", _rows(frame))
