"""Dashboard insight: what the stored observations say about each organisation x metric.

For a set of organisations (and optionally metrics) this loads every observation in one query,
runs Making Data Count SPC over all series at once (``oversight.engine.spc``) and ranks the latest
value of each organisation nationally within its peer group (``oversight.engine.ranking``).
It returns, per organisation (or place / system aggregate) x metric: the latest value and
period, national quartile, rank in peer group, variation and assurance icons, and the points of
a sparkline.

Peer group: organisations of the same kind (acute trusts with acute trusts, ICBs with ICBs),
which is the "trust type" grouping NHS England ranks by.

Aggregation of organisations into a place or system (see docs/pages.md): per metric and
period, where every contributing organisation reports a numerator and a positive denominator,
the aggregate is sum(numerators) / sum(denominators), scaled as the organisations' own values
are (x100 for percentages, inferred from value / (numerator / denominator)); otherwise it is the
unweighted mean of the organisations' values. Neutral-polarity metrics are not ranked.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from django.core.cache import cache
from django.db.models import Max

from oversight.access.visibility import unpublished_batches
from oversight.engine import ranking, spc
from oversight.engine.accumulation import monthly_movement
from oversight.engine.spc.core import CONCERN
from oversight.engine.spc.vocabulary import CONCERN_VARIATIONS, assurance_label, variation_label
from oversight.metrics.models import (
    ImportBatch,
    Metric,
    Observation,
    Polarity,
    Rebase,
    Theme,
)
from oversight.metrics.rebases import dates_for, rebase_dates, rebase_version, series_rebases
from oversight.metrics.visible import PUBLISHED, Visibility, visible_rows
from oversight.metrics.visible import published_values as published_values  # re-exported
from oversight.metrics.visible import visibility as visibility  # re-exported

#: Catalogue accumulation of a cumulative measure restarting each April.
YEAR_TO_DATE = "year_to_date"
#: Points shown in a sparkline.
SPARKLINE_POINTS = 24
#: How long a national peer ranking stays cached (it is also keyed by the data version).
RANKING_CACHE_SECONDS = 600

class IconTexts:
    """Readable text of a Making Data Count icon pair, for cells and whole series alike."""

    __slots__ = ()
    variation: str
    assurance: str | None

    @property
    def variation_text(self) -> str:
        return variation_label(self.variation)

    @property
    def assurance_text(self) -> str:
        return assurance_label(self.assurance)


@dataclass(frozen=True, slots=True)
class Rank:
    """Where a value sits among its national peers for one metric and period."""

    rank: int
    peers: int
    quartile: int  # 1 best .. 4 worst
    median: float
    lower_quartile: float
    upper_quartile: float
    peer_group: str


@dataclass(frozen=True, slots=True)
class Insight(IconTexts):
    """The dashboard cell for one subject (organisation, place or system) and metric."""

    subject: str
    metric: Metric
    period_label: str
    period_start: dt.date
    value: float
    variation: str
    assurance: str | None
    new_concern: bool
    n_points: int
    sparkline: tuple[float, ...]
    rank: Rank | None = None
    organisations: int = 1



@dataclass(frozen=True)
class ThemeBlock:
    theme: Theme
    metrics: list[Metric]


@dataclass
class Insights:
    """Insight cells keyed by (subject, metric id), plus the metrics in theme order."""

    cells: dict[tuple[str, int], Insight] = field(default_factory=dict)
    metrics: list[Metric] = field(default_factory=list)
    #: Series the SPC engine refused (a stored value it cannot use), with the reason: shown in
    #: their own cell while the rest of the page renders.
    problems: dict[tuple[str, int], str] = field(default_factory=dict)

    def get(self, subject: str, metric_id: int) -> Insight | None:
        return self.cells.get((subject, metric_id))

    def problem(self, subject: str, metric_id: int) -> str | None:
        return self.problems.get((subject, metric_id))

    def by_theme(self) -> list[ThemeBlock]:
        blocks: dict[int, ThemeBlock] = {}
        for metric in self.metrics:
            block = blocks.get(metric.theme_id)
            if block is None:
                block = blocks[metric.theme_id] = ThemeBlock(metric.theme, [])
            block.metrics.append(metric)
        return list(blocks.values())

    def _recent(self, recent_days: int) -> list[Insight]:
        """Cells whose latest point is within ``recent_days`` of the newest point among the
        cells: a series that stopped years ago has nothing current to say."""
        if not self.cells:
            return []
        newest = max(c.period_start for c in self.cells.values())
        cutoff = newest - dt.timedelta(days=recent_days)
        return [c for c in self.cells.values() if c.period_start >= cutoff]

    def concern_counts(self, recent_days: int = 92) -> Counter[str]:
        """Per subject: how many of its (recent) series show special-cause concern now."""
        return Counter(c.subject for c in self._recent(recent_days)
                       if c.variation in CONCERN_VARIATIONS)

    def new_concerns(self, recent_days: int = 92) -> list[Insight]:
        """Cells whose latest point newly became a special-cause concern.

        Only series whose latest point is recent (within `recent_days` of the newest point
        among the cells) count: a series that stopped years ago has nothing new to say. A
        measure catalogued in several framework years is reported once, from the newest.
        """
        latest_framework: dict[tuple[str, str], Insight] = {}
        for cell in self._recent(recent_days):
            if not cell.new_concern:
                continue
            key = (cell.subject, cell.metric.code)
            kept = latest_framework.get(key)
            if kept is None or (cell.metric.theme.framework.year_start
                                > kept.metric.theme.framework.year_start):
                latest_framework[key] = cell
        return list(latest_framework.values())


def data_version() -> str:
    """Changes whenever data is loaded or published, or a rebase is recorded or removed:
    every load (import or demo) creates a batch, publishing one stamps it, and every change
    to a rebase adds a row to its history (SPC limits depend on the rebases).

    The newest batch's time is part of it so that a reused id (a rolled-back load) never
    matches.
    """
    latest = ImportBatch.objects.aggregate(
        id=Max("id"), created=Max("created_at"), published=Max("published_at"))
    if latest["id"] is None:
        return f"0:{rebase_version()}"
    published = latest["published"].timestamp() if latest["published"] else 0
    return f"{latest['id']}@{latest['created'].timestamp()}@{published}:{rebase_version()}"


_COLUMNS = ["organisation_id", "metric_id", "period_start", "period_label", "value",
            "numerator", "denominator"]
_SCHEMA = {"organisation_id": pl.Int64, "metric_id": pl.Int64, "period_start": pl.Date,
           "period_label": pl.String, "value": pl.Float64, "numerator": pl.Float64,
           "denominator": pl.Float64}


def load_observations(
    organisation_ids: Iterable[int], metric_ids: Iterable[int] | None = None,
    viewer: Visibility = PUBLISHED,
) -> pl.DataFrame:
    """Every non-missing observation of the organisations (and metrics) the viewer may see."""
    qs = Observation.objects.filter(organisation_id__in=list(organisation_ids))
    if metric_ids is not None:
        qs = qs.filter(metric_id__in=list(metric_ids))
    rows = visible_rows(qs, _COLUMNS, viewer, value_required=True)
    return pl.DataFrame(rows, schema=_SCHEMA, orient="row")


def aggregate(df: pl.DataFrame, groups: Mapping[str, Sequence[int]]) -> pl.DataFrame:
    """Place / system series from organisation series (rule in the module docstring).

    Returns subject, metric_id, period_start, period_label, value, organisations.
    """
    frames = []
    if df.height == 0 or not groups:
        return pl.DataFrame(schema={"subject": pl.String, "metric_id": pl.Int64,
                                    "period_start": pl.Date, "period_label": pl.String,
                                    "value": pl.Float64, "organisations": pl.UInt32})
    complete = (
        pl.col("numerator").is_not_null() & pl.col("denominator").is_not_null()
        & (pl.col("denominator") > 0)
    )
    # Scale (1, 100, 1000 ...) between value and numerator/denominator, per metric.
    scales = (
        df.filter(complete & (pl.col("numerator") != 0))
        .group_by("metric_id")
        .agg((pl.col("value") * pl.col("denominator") / pl.col("numerator")).median()
             .alias("raw_scale"))
    )
    scale_of = {
        m: 10.0 ** round(math.log10(s)) if s and s > 0 else 1.0
        for m, s in scales.iter_rows()
    }
    for subject, ids in groups.items():
        part = df.filter(pl.col("organisation_id").is_in(list(ids)))
        if part.height == 0:
            continue
        agg = part.group_by("metric_id", "period_start").agg(
            pl.col("period_label").first(),
            pl.len().alias("organisations"),
            complete.all().alias("complete"),
            pl.col("numerator").sum().alias("num"),
            pl.col("denominator").sum().alias("den"),
            pl.col("value").mean().alias("mean"),
        )
        scale = pl.col("metric_id").replace_strict(scale_of, default=1.0, return_dtype=pl.Float64)
        frames.append(
            agg.with_columns(
                pl.lit(subject).alias("subject"),
                pl.when(pl.col("complete"))
                .then(pl.col("num") / pl.col("den") * scale)
                .otherwise(pl.col("mean"))
                .alias("value"),
            ).select("subject", "metric_id", "period_start", "period_label", "value",
                     "organisations")
        )
    return pl.concat(frames) if frames else aggregate(df.clear(), {})


def _series_table(
    df: pl.DataFrame, codes: Mapping[int, str], aggregates: pl.DataFrame
) -> pl.DataFrame:
    """One long table of every series: subject, metric_id, period_start, label, value, n."""
    orgs = df.select(
        pl.col("organisation_id").replace_strict(codes, return_dtype=pl.String).alias("subject"),
        "metric_id", "period_start", "period_label", "value",
        pl.lit(1, pl.UInt32).alias("organisations"),
    )
    table = pl.concat([orgs, aggregates]) if aggregates.height else orgs
    return table.sort("subject", "metric_id", "period_start")


def _charted(table: pl.DataFrame, metrics: Mapping[int, Metric]) -> pl.DataFrame:
    """``table`` with the value each control chart plots: the value itself, or the monthly
    movement of a year-to-date measure (whose first month is left out when its movement
    cannot be known)."""
    ytd = [pk for pk, m in metrics.items() if m.accumulation == YEAR_TO_DATE]
    if not ytd:
        return table.with_columns(pl.col("value").alias("charted"))
    is_ytd = pl.col("metric_id").is_in(ytd)
    return table.with_columns(
        pl.when(is_ytd).then(monthly_movement(by=("subject", "metric_id")))
        .otherwise(pl.col("value")).alias("charted")
    ).filter(~is_ytd | pl.col("charted").is_not_null())


def _screen(table: pl.DataFrame) -> tuple[pl.DataFrame, dict[tuple[str, int], str]]:
    """``table`` without the series holding a value the engine refuses (not finite: an
    aggregate of an absurd numerator and denominator, say), and why each was left out."""
    bad = (table.filter(~pl.col("value").is_finite().fill_null(False))
           .group_by("subject", "metric_id", maintain_order=True)
           .agg(pl.col("period_label").first()))
    if bad.height == 0:
        return table, {}
    problems = {(s, m): f"a stored value for {label} is not a finite number"
                for s, m, label in bad.iter_rows()}
    return table.join(bad.select("subject", "metric_id"), on=["subject", "metric_id"],
                      how="anti", maintain_order="left"), problems


def _spc(table: pl.DataFrame, metrics: Mapping[int, Metric],
         subject_ids: Mapping[str, int] | None = None,
         problems: dict[tuple[str, int], str] | None = None
         ) -> tuple[Any, Any, np.ndarray, pl.DataFrame]:
    """SPC of every series in ``table`` at once; returns (result, summary, series keys, the
    table computed).

    A series the engine refuses is left out and its reason added to ``problems`` (the
    engine names the first offending row; the rest are computed again without it).
    """
    problems = {} if problems is None else problems
    table, screened = _screen(table)
    problems.update(screened)
    while True:
        if table.height == 0:
            return None, None, None, table
        try:
            return (*_spc_once(table, metrics, subject_ids), table)
        except spc.SpcInputError as exc:
            if exc.row is None:
                raise
            subject, metric_id = table.row(exc.row)[:2]
            problems[(subject, metric_id)] = f"the control chart cannot use it: {exc.reason}"
            table = table.filter((pl.col("subject") != subject)
                                 | (pl.col("metric_id") != metric_id))


def _spc_once(table: pl.DataFrame, metrics: Mapping[int, Metric],
              subject_ids: Mapping[str, int] | None = None) -> tuple[Any, Any, np.ndarray]:
    """One call of the engine over every series in ``table``.

    Stored rebases apply: an organisation's series (its subject in ``subject_ids``, ODS code
    to organisation id) honours its own and the metric-wide ones, any other (aggregate) series
    the metric-wide ones only.
    """
    subject_ids = subject_ids or {}
    keys = table.select("subject", "metric_id").unique(maintain_order=True)
    key_index = keys.with_row_index("series")
    labelled = table.join(key_index, on=["subject", "metric_id"], how="left",
                          maintain_order="left")
    series = labelled.get_column("series").to_numpy()
    metric_of = keys.get_column("metric_id").to_list()
    direction = {i: metrics[m].spc_direction for i, m in enumerate(metric_of)}
    target = {i: metrics[m].standard for i, m in enumerate(metric_of)
              if metrics[m].standard is not None and metrics[m].accumulation != YEAR_TO_DATE}
    metric_wide, own = rebase_dates(set(metric_of), subject_ids.values())
    rebase = {}
    if metric_wide or own:
        for i, (subject, m) in enumerate(keys.iter_rows()):
            dates = dates_for(metric_wide, own, m, subject_ids.get(subject))
            if dates:
                rebase[i] = dates
    result = spc.compute(
        series, labelled.get_column("period_start").to_numpy(),
        labelled.get_column("charted").to_numpy(), direction=direction, target=target or None,
        rebase=rebase or None,
    )
    return result, spc.summarise(result), keys


@dataclass(frozen=True, eq=False)
class PeerTable:
    """National ranks of one metric and period, as arrays (cheap to cache and unpickle)."""

    organisation_ids: np.ndarray  # sorted
    kind: np.ndarray  # index into kinds
    kinds: tuple[str, ...]
    rank: np.ndarray
    peers: np.ndarray
    quartile: np.ndarray
    median: np.ndarray
    lower_quartile: np.ndarray
    upper_quartile: np.ndarray

    def get(self, organisation_id: int) -> Rank | None:
        i = int(np.searchsorted(self.organisation_ids, organisation_id))
        if i >= self.organisation_ids.size or self.organisation_ids[i] != organisation_id:
            return None
        return Rank(
            rank=int(self.rank[i]), peers=int(self.peers[i]), quartile=int(self.quartile[i]),
            median=float(self.median[i]), lower_quartile=float(self.lower_quartile[i]),
            upper_quartile=float(self.upper_quartile[i]), peer_group=self.kinds[self.kind[i]],
        )


_EMPTY_PEERS = PeerTable(*(np.empty(0, np.int64),) * 2, (), *(np.empty(0),) * 6)


def _rank_key(metric_id: int, period_start: dt.date, version: str) -> str:
    return f"oversight:rank:{metric_id}:{period_start.isoformat()}:{version}"


def peer_tables(
    pairs: Iterable[tuple[Metric, dt.date]], version: str | None = None
) -> dict[tuple[int, dt.date], PeerTable]:
    """National peer ranking of each (metric, period): cached per data version; the missing
    ones computed together from one query and one vectorised ranking call.

    Ranks are national comparisons shown to everyone, so they use published values only.
    """
    version = data_version() if version is None else version
    wanted = {(m.pk, p): m for m, p in pairs if m.polarity != Polarity.NEUTRAL}
    keys = {k: _rank_key(k[0], k[1], version) for k in wanted}
    cached = cache.get_many(list(keys.values())) if keys else {}
    out = {k: cached[key] for k, key in keys.items() if key in cached}
    missing = [k for k in wanted if k not in out]
    if not missing:
        return out
    metric_ids = sorted({m for m, _ in missing})
    periods = sorted({p for _, p in missing})
    rows = visible_rows(
        Observation.objects.filter(metric_id__in=metric_ids, period_start__in=periods),
        ["metric_id", "period_start", "organisation_id", "organisation__kind", "value",
         "numerator", "denominator"], published_now(), value_required=True)
    rows = [r[:5] for r in rows]
    df = pl.DataFrame(rows, schema={"metric_id": pl.Int64, "period_start": pl.Date,
                                    "organisation_id": pl.Int64, "kind": pl.String,
                                    "value": pl.Float64}, orient="row")
    need = pl.DataFrame({"metric_id": [m for m, _ in missing],
                         "period_start": [p for _, p in missing]},
                        schema={"metric_id": pl.Int64, "period_start": pl.Date})
    # A value the ranking cannot order (not finite) takes no place among the peers.
    df = df.join(need, on=["metric_id", "period_start"], how="semi").filter(
        pl.col("value").is_finite()).sort("metric_id", "period_start", "organisation_id")
    fresh: dict[tuple[int, dt.date], PeerTable] = {k: _EMPTY_PEERS for k in missing}
    if df.height:
        gid = df.select(pl.struct("metric_id", "period_start", "kind").rank("dense")
                        .cast(pl.Int64) - 1).to_series().to_numpy()
        hib = np.array([wanted[(m, p)].polarity == Polarity.HIGHER_IS_BETTER
                        for m, p in df.select("metric_id", "period_start").iter_rows()])
        res = ranking.rank_arrays(gid, df.get_column("value").to_numpy(), hib)
        kinds = tuple(sorted(set(df.get_column("kind").to_list())))
        kind_idx = np.searchsorted(np.array(kinds), df.get_column("kind").to_numpy())
        bounds = df.select("metric_id", "period_start").with_row_index().group_by(
            "metric_id", "period_start", maintain_order=True).agg(
            pl.col("index").first().alias("a"), pl.col("index").last().alias("b"))
        org_ids = df.get_column("organisation_id").to_numpy()
        for m, p, a, b in bounds.iter_rows():
            sl = slice(a, b + 1)
            fresh[(m, p)] = PeerTable(
                org_ids[sl], kind_idx[sl], kinds, res.rank[sl], res.n[sl], res.quartile[sl],
                res.median[sl], res.lower_quartile[sl], res.upper_quartile[sl],
            )
    cache.set_many({keys[k]: t for k, t in fresh.items()}, RANKING_CACHE_SECONDS)
    return out | fresh


def published_now() -> Visibility:
    """Published values only, whoever asks."""
    return Visibility(frozenset(), unpublished_batches())


def national_ranks(
    metric: Metric, period_start: dt.date, version: str | None = None
) -> PeerTable:
    """Rank of every organisation with a value for the metric and period, in its peer group
    (``.get(organisation_id)``); empty for neutral metrics."""
    return peer_tables([(metric, period_start)], version).get(
        (metric.pk, period_start), _EMPTY_PEERS)


def peer_values(metric: Metric, period_start: dt.date, kind: str) -> list[tuple[int, float]]:
    """(organisation id, published value) of every peer of ``kind`` for the metric and
    period."""
    rows = visible_rows(
        Observation.objects.filter(metric=metric, period_start=period_start,
                                   organisation__kind=kind),
        ["organisation_id", "value", "numerator", "denominator"], published_now(),
        value_required=True)
    return sorted(((r[0], r[1]) for r in rows), key=lambda r: r[1])


_MEMO: OrderedDict[tuple[Any, ...], Insights] = OrderedDict()
_MEMO_SIZE = 64
_MEMO_LOCK = threading.Lock()


def insights(
    organisations: Sequence[Any],
    metrics: Sequence[Metric] | None = None,
    *,
    groups: Mapping[str, Sequence[int]] | None = None,
    rank: bool = True,
    version: str | None = None,
    viewer: Visibility = PUBLISHED,
) -> Insights:
    """Dashboard cells for the organisations (keyed by ODS code) and the ``groups`` aggregates
    (keyed by the group's name, e.g. a place or system code), as ``viewer`` may see them.

    Results are kept per process for the current data version (every load creates a batch,
    which changes the version) and the viewer's visibility, so a dashboard is computed once
    per data load and visibility, not per view.
    """
    key = (
        data_version() if version is None else version,
        viewer.token,
        tuple(sorted((o.pk, o.ods_code, o.kind) for o in organisations)),
        None if metrics is None else tuple(sorted(m.pk for m in metrics)),
        tuple(sorted((g, tuple(sorted(ids))) for g, ids in (groups or {}).items())),
        rank,
    )
    with _MEMO_LOCK:
        if key in _MEMO:
            _MEMO.move_to_end(key)
            return _MEMO[key]
    found = _compute_insights(organisations, metrics, groups=groups, rank=rank, viewer=viewer)
    with _MEMO_LOCK:
        _MEMO[key] = found
        while len(_MEMO) > _MEMO_SIZE:
            _MEMO.popitem(last=False)
    return found


def _compute_insights(
    organisations: Sequence[Any],
    metrics: Sequence[Metric] | None,
    *,
    groups: Mapping[str, Sequence[int]] | None,
    rank: bool,
    viewer: Visibility,
) -> Insights:
    codes = {o.pk: o.ods_code for o in organisations}
    kinds = {o.ods_code: o.kind for o in organisations}
    df = load_observations(codes, None if metrics is None else [m.pk for m in metrics], viewer)
    if df.height == 0:
        return Insights()
    present = set(df.get_column("metric_id").unique().to_list())
    metric_objs = {
        m.pk: m
        for m in (metrics if metrics is not None else Metric.objects.filter(pk__in=present)
                  .select_related("theme__framework"))
        if m.pk in present
    }
    table = _charted(_series_table(df, codes, aggregate(df, groups or {})), metric_objs)
    problems: dict[tuple[str, int], str] = {}
    result, summary, keys, table = _spc(table, metric_objs, {c: pk for pk, c in codes.items()},
                                        problems)
    if table.height == 0:
        return Insights(metrics=_in_order(metric_objs.values()), problems=problems)
    counts = table.group_by("subject", "metric_id", maintain_order=True).agg(
        pl.col("organisations").last()
    )
    org_count = {(s, m): n for s, m, n in counts.iter_rows()}
    labels = table.get_column("period_label").to_list()
    shown = table.get_column("value").to_numpy()  # year-to-date figures as they are
    order = result.order
    offsets = result.series_offsets
    pk_of = {code: pk for pk, code in codes.items()}
    last_rows = offsets[1:] - 1
    tables: dict[tuple[int, dt.date], PeerTable] = {}
    if rank:
        pairs = {
            (metric_objs[m], result.date[last_rows[i]].astype(dt.date))
            for i, (subject, m) in enumerate(keys.iter_rows()) if subject in kinds
        }
        tables = peer_tables(pairs)
    variations, assurances = summary.variation_names, summary.assurance_names
    out = Insights(problems=problems)
    for i, (subject, metric_id) in enumerate(keys.iter_rows()):
        a, b = int(offsets[i]), int(offsets[i + 1])
        last = b - 1
        metric = metric_objs[metric_id]
        period = result.date[last].astype(dt.date)
        pt = result.point_type
        new_concern = bool(pt[last] == CONCERN and (b - a < 2 or pt[last - 1] != CONCERN))
        cell_rank = None
        if (metric_id, period) in tables and subject in kinds:
            cell_rank = tables[(metric_id, period)].get(pk_of[subject])
        out.cells[(subject, metric_id)] = Insight(
            subject=subject,
            metric=metric,
            period_label=labels[int(order[last])],
            period_start=period,
            value=float(shown[order[last]]),
            variation=variations[i],
            assurance=assurances[i],
            new_concern=new_concern,
            n_points=b - a,
            sparkline=tuple(shown[order[max(a, b - SPARKLINE_POINTS):b]].tolist()),
            rank=cell_rank,
            organisations=int(org_count.get((subject, metric_id), 1)),
        )
    out.metrics = _in_order(metric_objs.values())
    return out


def _in_order(metrics: Iterable[Metric]) -> list[Metric]:
    """Newest framework year first, then theme order and code."""
    return sorted(metrics, key=lambda m: (-m.theme.framework.year_start.toordinal(),
                                          m.theme.order, m.code))


@dataclass(frozen=True)
class SeriesPoint:
    period_start: dt.date
    period_end: dt.date
    period_label: str
    value: float
    numerator: float | None
    denominator: float | None
    batch_id: int
    batch_name: str
    mean: float
    lpl: float
    upl: float
    point_type: str
    special_cause: str
    rebase_group: int
    #: What the control chart plots: the value, or for a year-to-date measure its monthly
    #: movement (engine.accumulation).
    charted: float = math.nan


@dataclass(frozen=True)
class MetricSeries(IconTexts):
    """One organisation's series for the metric page: every point with SPC and provenance."""

    metric: Metric
    points: list[SeriesPoint]
    variation: str
    assurance: str | None
    missing: list[tuple[str, str]]  # (period label, reason) of periods without a value
    #: Rebases applying to the series (its own and metric-wide), oldest first.
    rebases: tuple[Rebase, ...] = ()

    @property
    def latest(self) -> SeriesPoint | None:
        return self.points[-1] if self.points else None

    def chart_svg(self, title: str, width: int = 800, height: int = 400,
                  id_prefix: str = "") -> str:
        """The Making Data Count chart of the series (the engine's renderer)."""
        if not self.points:
            return ""
        p = self.points
        return spc.render_svg(
            [x.period_start for x in p], [x.charted for x in p], [x.mean for x in p],
            [x.lpl for x in p], [x.upl for x in p],
            [spc.POINT_TYPES.index(x.point_type) for x in p],
            title=title, rebase_group=[x.rebase_group for x in p],
            target=self.metric.standard, variation=self.variation, assurance=self.assurance,
            unit=self.metric.unit, markers=[(r.date, f"Rebase from {x.period_label}: {r.reason}")
                     for r in self.rebases for x in p if x.period_start == r.date],
            width=width, height=height, id_prefix=id_prefix,
        )


def _movements(rows: list[tuple]) -> tuple[list[float | None], list[tuple]]:
    """Monthly movements of year-to-date rows (period_start, _, _, value, ...), and the rows
    whose movement is unknown."""
    frame = pl.DataFrame({"period_start": [r[0] for r in rows], "value": [r[3] for r in rows]},
                         schema={"period_start": pl.Date, "value": pl.Float64})
    moved = frame.select(monthly_movement()).to_series().to_list()
    return moved, [r for r, m in zip(rows, moved, strict=True) if m is None]


def metric_series(organisation: Any, metric: Metric,
                  viewer: Visibility = PUBLISHED) -> MetricSeries:
    rows = sorted(visible_rows(
        Observation.objects.filter(organisation=organisation, metric=metric),
        ["period_start", "period_end", "period_label", "value", "numerator",
         "denominator", "batch_id", "batch__file_name", "missing_reason"], viewer,
        value_required=False))
    present = [r for r in rows if r[3] is not None and math.isfinite(r[3])]
    # A stored value the engine refuses is listed with the missing ones, saying why.
    missing = [(r[2], r[8] or "missing") if r[3] is None
               else (r[2], f"stored value {r[3]} is not a finite number: not charted")
               for r in rows if r[3] is None or not math.isfinite(r[3])]
    charted = [r[3] for r in present]
    if metric.accumulation == YEAR_TO_DATE and present:
        charted, unknown = _movements(present)
        missing += [(r[2], "the first month of the series after April: its monthly movement "
                           "is unknown, not charted") for r in unknown]
        present = [r for r in present if r not in unknown]
        charted = [c for c in charted if c is not None]
    rebases = tuple(series_rebases(metric, organisation))
    if not present:
        return MetricSeries(metric, [], "common_cause", None, missing, rebases)
    result = spc.compute_one(
        [r[0] for r in present], charted,
        direction=metric.spc_direction,
        target=None if metric.accumulation == YEAR_TO_DATE else metric.standard,
        rebase=sorted({r.date for r in rebases}) or None,
    )
    summary = spc.summarise(result)
    reasons = result.special_cause_type_names
    names = result.point_type_names
    points = []
    for i in range(len(result)):
        r = present[int(result.order[i])]
        points.append(SeriesPoint(
            charted=float(result.value[i]),
            period_start=r[0], period_end=r[1], period_label=r[2], value=float(r[3]),
            numerator=r[4], denominator=r[5], batch_id=r[6], batch_name=r[7],
            mean=float(result.mean[i]), lpl=float(result.lpl[i]), upl=float(result.upl[i]),
            point_type=str(names[i]), special_cause=str(reasons[i]),
            rebase_group=int(result.rebase_group[i]),
        ))
    return MetricSeries(metric, points, summary.variation_names[0],
                        summary.assurance_names[0], missing, rebases)
