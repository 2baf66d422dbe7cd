"""Plausible synthetic metric series for the demo, in pure numpy (no Django).

Every series is drawn from a seeded `numpy.random.Generator`, so the same seed, metric and
organisations always give the same numbers. A metric's *shape* (level, spread between
organisations, decimals, valid range, seasonality) is inferred from its name, unit, polarity,
standard and valid range (`shape_for`). An organisation's value is

    slow goodness = organisation level (mostly its latent performance, shared by its metrics)
                    + occasional step shift + story path          (positive is better)
    value         = the slow goodness mapped to the metric's unit
                    x (1 + small month-to-month variation, with a mild winter dip)

The month-to-month variation is a few per cent of the value and anti-persistent (a bad month
tends to be followed by a better one), so an organisation without a story shows common-cause
variation in SPC and keeps its national quartile: the segmentation triggers then fire for the
organisations the demo means them to (weak performers, the story's organisations), which gives
a plausible national picture (most in segment 2, some in 1 and 3, few in 4). Story paths
(`story_path`) make an organisation improve, deteriorate, or slide on finance.
"""

from __future__ import annotations

import datetime as dt
import re
import zlib
from dataclasses import dataclass

import numpy as np

from oversight.engine.periods import financial_year

GENERATOR_VERSION = 2
SEED = 20250930

# The synthetic window: 42 months, April 2022 (the last quarter of the CCGs) to September 2025
# (quarter 2 of 2025/26, the latest NOF 2025/26 data NHS England had published). Fixed, not
# "up to today", so a load is the same whenever it runs.
WINDOW_END = dt.date(2025, 9, 1)
DEFAULT_MONTHS = 42


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    label: str


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _month_end(day: dt.date) -> dt.date:
    return _add_months(day, 1) - dt.timedelta(days=1)


def periods(
    frequency: str, months: int = DEFAULT_MONTHS, end: dt.date = WINDOW_END
) -> list[Period]:
    """The periods of the window for a frequency (monthly, quarterly or annual, financial
    years); [] for frequencies the demo does not generate."""
    first = _add_months(end, -(months - 1))
    month_starts = [_add_months(first, i) for i in range(months)]
    if frequency == "monthly":
        return [Period(m, _month_end(m), m.strftime("%b-%y")) for m in month_starts]
    if frequency == "quarterly":
        out = []
        for m in month_starts:
            if m.month in (4, 7, 10, 1) and _add_months(m, 2) <= end:
                quarter = {4: 1, 7: 2, 10: 3, 1: 4}[m.month]
                out.append(
                    Period(m, _month_end(_add_months(m, 2)), f"Q{quarter} {financial_year(m)}")
                )
        return out
    if frequency == "annual":
        return [
            Period(m, _month_end(_add_months(m, 11)), financial_year(m))
            for m in month_starts
            if m.month == 4 and _add_months(m, 11) <= end
        ]
    return []


@dataclass(frozen=True)
class Shape:
    """How a metric's values look across organisations and time."""

    centre: float  # typical value
    spread: float  # between-organisation standard deviation (additive) or CV (multiplicative)
    decimals: int
    lo: float | None
    hi: float | None
    good_sign: int  # +1 higher is better, -1 lower is better (neutral: +1)
    multiplicative: bool = False  # counts and money: scale with organisation size
    seasonal: float = 0.15  # winter dip, in standard deviations of the monthly variation
    volume: float | None = None  # monthly denominator per unit size (e.g. A&E attendances)
    finance: bool = False  # takes part in the finance story
    cqc: str = ""  # "overall" or "well_led": derived from CQC ratings, not generated
    year_to_date: bool = False  # monthly amounts added up from April of each financial year
    against_plan: bool = False  # finance against plan: depends little on latent performance


SKIPPED_UNITS = {"score", "segment", "flag", "rank"}


# (pattern on the metric name, unit kind, shape keywords). Unit kinds: pct, count, minutes,
# ratio, money, out_of_10, pp, any.
_PROFILES: tuple[tuple[str, str, dict], ...] = (
    (r"attendances, type 1", "count", dict(centre=9000, spread=0.35, seasonal=-0.3)),
    (r"attendances, type 2", "count", dict(centre=700, spread=0.5, seasonal=-0.3)),
    (r"attendances, other", "count", dict(centre=3500, spread=0.5, seasonal=-0.3)),
    (r"over 4 hours, type 1", "count", dict(centre=2600, spread=0.4, seasonal=0.7)),
    (r"over 4 hours, type 2", "count", dict(centre=40, spread=0.6, seasonal=0.7)),
    (r"over 4 hours, other", "count", dict(centre=150, spread=0.6, seasonal=0.7)),
    (r"admissions via a&e, type 1", "count", dict(centre=2300, spread=0.35, seasonal=-0.3)),
    (r"admissions via a&e, type 2", "count", dict(centre=10, spread=0.6, seasonal=-0.3)),
    (r"admissions via a&e, other", "count", dict(centre=60, spread=0.6, seasonal=-0.3)),
    (
        r"4[- ]?hour|four[- ]hour",
        "pct",
        dict(centre=72, spread=7, decimals=1, seasonal=0.7, volume=9000),
    ),
    (r"12[- ]?hour", "pct", dict(centre=9, spread=4, decimals=1, seasonal=0.7)),
    (r"12[- ]?hour", "count", dict(centre=350, spread=0.8, seasonal=0.7)),
    (r"104[- ]?week", "any", dict(centre=25, spread=0.8, pct_centre=0.02, pct_spread=0.01)),
    (r"78[- ]?week", "any", dict(centre=40, spread=0.9, pct_centre=0.3, pct_spread=0.3)),
    (r"65[- ]?week", "any", dict(centre=150, spread=0.6, pct_centre=0.8, pct_spread=0.6)),
    (r"52[- ]?week", "any", dict(centre=1200, spread=0.8, pct_centre=2.5, pct_spread=2.0)),
    (r"less than 18 weeks|18 weeks or less", "pct", dict(centre=59, spread=7, decimals=1)),
    (r"waiting list", "count", dict(centre=50000, spread=0.8)),
    (r"62[- ]?day", "pct", dict(centre=68, spread=8, decimals=1)),
    (r"faster diagnosis|28[- ]?day", "pct", dict(centre=76, spread=5, decimals=1)),
    (r"stage 1 or 2", "pct", dict(centre=55, spread=3, decimals=1, seasonal=0)),
    (r"diagnostic", "pct", dict(centre=22, spread=8, decimals=1)),
    (r"category 1", "minutes", dict(centre=8.3, spread=0.8, decimals=1, seasonal=0.5)),
    (r"category 2|cat\.? ?2", "minutes", dict(centre=36, spread=8, decimals=1, seasonal=0.7)),
    (r"category 2|cat\.? ?2", "seconds", dict(centre=2160, spread=480, decimals=0, seasonal=0.7)),
    (r"handover", "count", dict(centre=120, spread=0.8, seasonal=0.7)),
    (r"usual place of residence", "pct", dict(centre=93, spread=2, decimals=1)),
    (r"compared with 2019", "pct", dict(centre=104, spread=8, decimals=1)),
    (r"shmi|mortality", "ratio", dict(centre=1.0, spread=0.08, decimals=3, seasonal=0.1)),
    (r"mrsa", "count", dict(centre=0.003, spread=0.6)),  # rare events: mostly months with none
    (r"safety alerts", "count", dict(centre=0.003, spread=0.8)),
    (
        r"infection|c\.? ?diff|clostridi|mssa|e\.? ?coli|klebsiella|pseudomonas|"
        r"gram[- ]negative",
        "count",
        dict(centre=5, spread=0.5),
    ),
    (
        r"infection|c\.? ?diff|clostridi|mssa|e\.? ?coli|klebsiella|pseudomonas|"
        r"gram[- ]negative",
        "rate",
        dict(centre=16, spread=5, decimals=1),
    ),
    (
        r"learning disability and/or autism|inpatients with a learning",
        "rate",
        dict(centre=45, spread=12, decimals=1),
    ),
    (r"learning disability annual health", "pct", dict(centre=72, spread=8, decimals=1)),
    (r"out[- ]of[- ]area", "count", dict(centre=250, spread=0.8)),
    (r"psychosis", "pct", dict(centre=72, spread=12, decimals=1)),
    (r"iapt|recovery rate", "pct", dict(centre=50, spread=4, decimals=1)),
    (r"crisis", "pct", dict(centre=62, spread=15, decimals=1)),
    (r"urgent community response|2[- ]hour", "pct", dict(centre=86, spread=7, decimals=1)),
    (r"length of stay|60 day", "pct", dict(centre=23, spread=7, decimals=1, seasonal=0.05)),
    (r"children and young people", "pp", dict(centre=7, spread=12, decimals=2, seasonal=0)),
    (r"children and young people", "count", dict(centre=15000, spread=0.6, seasonal=0.05)),
    (r"dementia", "pct", dict(centre=64, spread=5, decimals=1, seasonal=0)),
    (r"eight care processes", "pct", dict(centre=50, spread=10, decimals=1, seasonal=0)),
    (r"flu", "pct", dict(centre=79, spread=3, decimals=1, seasonal=0)),
    (r"experience of gp", "pct", dict(centre=72, spread=6, decimals=1, seasonal=0)),
    (r"hypertension", "pct", dict(centre=63, spread=5, decimals=1, seasonal=0)),
    (r"bowel screening", "pct", dict(centre=71, spread=3, decimals=1, seasonal=0)),
    (r"broad-spectrum antibiotic", "pct", dict(centre=8, spread=1.5, decimals=2)),
    (r"smoking", "pct", dict(centre=8, spread=3, decimals=1, seasonal=0)),
    (
        r"black and minority ethnic|\bbme\b",
        "pct",
        dict(centre=11, spread=5, decimals=1, seasonal=0),
    ),
    (r"recommend", "pct", dict(centre=64, spread=8, decimals=1, seasonal=0)),
    (r"harassment|bullying", "pct", dict(centre=12, spread=2.5, decimals=1, seasonal=0)),
    (r"leaver", "pct", dict(centre=10, spread=2, decimals=1, seasonal=0.05)),
    (r"sickness", "pct", dict(centre=5.2, spread=0.8, decimals=2, seasonal=0.5)),
    (r"raise concerns", "pct", dict(centre=72, spread=4, decimals=1, seasonal=0)),
    (r"raising concerns", "out_of_10", dict(centre=6.8, spread=0.3, decimals=2, seasonal=0)),
    (
        r"engagement|staff survey",
        "out_of_10",
        dict(centre=7.0, spread=0.22, decimals=2, seasonal=0),
    ),
    (r"agency ceiling", "pct", dict(centre=92, spread=18, decimals=1, seasonal=0.05, finance=True)),
    (r"agency", "pct", dict(centre=3.5, spread=1.2, decimals=2, seasonal=0.05, finance=True)),
    (r"agency", "money", dict(centre=1.5, spread=0.5, decimals=2, seasonal=0.05, finance=True)),
    # Finance: most organisations deliver their plan or better (about 1 in 10 falls short).
    (
        r"variance.*plan|plan.*variance",
        "pct",
        dict(centre=0.3, spread=0.25, decimals=2, seasonal=0, finance=True, against_plan=True),
    ),
    (
        r"variance.*plan|plan.*variance",
        "money",
        dict(
            centre=0.2,
            spread=0.16,
            decimals=2,
            seasonal=0,
            finance=True,
            additive=True,
            against_plan=True,
        ),
    ),
    (
        r"planned surplus|surplus.*plan",
        "money",
        dict(
            centre=-0.1,
            spread=0.5,
            decimals=2,
            seasonal=0,
            finance=True,
            additive=True,
            against_plan=True,
        ),
    ),
    (
        r"surplus|deficit|underlying financial",
        "pct",
        dict(centre=-0.2, spread=1.0, decimals=2, seasonal=0, finance=True),
    ),
    (
        r"efficiency savings",
        "pct",
        dict(centre=92, spread=10, decimals=1, seasonal=0, finance=True),
    ),
    (
        r"relative difference in costs",
        "pct",
        dict(centre=104, spread=12, decimals=1, seasonal=0, finance=True),
    ),
)


def unit_kind(unit: str) -> str:
    u = unit.strip().lower()
    if u in ("%", "percent", "percentage", "per cent"):
        return "pct"
    if "percentage point" in u:
        return "pp"
    if "out of 10" in u:
        return "out_of_10"
    if u in ("ratio", "index") or "ratio" in u:
        return "ratio"
    if u.startswith("rate") or " per " in f" {u} " or u.startswith("per "):
        return "rate"
    if "bed day" in u:
        return "count"
    if "£" in u or "gbp" in u or "pound" in u:
        return "money"
    if "minute" in u or u == "mins":
        return "minutes"
    if "second" in u or u in ("hh:mm:ss", "secs"):
        return "seconds"
    if u.startswith("rate") or " per " in f" {u} " or u.startswith("per "):
        return "rate"
    if "day" in u:
        return "days"
    if u in SKIPPED_UNITS or "rating" in u:
        return "skip"
    return "count"  # "", number, count, patients, bed days ...


_DEFAULTS: dict[str, dict] = {
    "count": dict(centre=100, spread=0.4, decimals=0),
    "money": dict(centre=0, spread=2.0, decimals=2, additive=True),
    "ratio": dict(centre=1.0, spread=0.1, decimals=3),
    "out_of_10": dict(centre=6.8, spread=0.3, decimals=2, seasonal=0),
    "pp": dict(centre=0, spread=3, decimals=2, seasonal=0),
    "minutes": dict(centre=30, spread=8, decimals=1),
    "seconds": dict(centre=1800, spread=400, decimals=0),
    "rate": dict(centre=20, spread=6, decimals=1),
    "days": dict(centre=30, spread=8, decimals=1),
}


def shape_for(
    name: str,
    unit: str,
    polarity: str,
    standard: float | None,
    valid_min: float | None,
    valid_max: float | None,
) -> Shape | None:
    """Infer a plausible shape for a metric; None when the demo does not generate it
    (scores, segments, flags and ratings other than CQC-derived ones)."""
    kind = unit_kind(unit)
    good_sign = -1 if polarity == "lower" else 1
    lowered = name.lower()
    if (
        "cqc" in lowered
        and valid_min is not None
        and valid_max is not None
        and (valid_min, valid_max) in ((1, 4), (0, 4), (1, 5))
    ):
        return Shape(
            centre=2,
            spread=1,
            decimals=0,
            lo=valid_min,
            hi=valid_max,
            good_sign=good_sign,
            cqc="well_led" if re.search(r"well[- ]led", lowered) else "overall",
        )
    if kind == "skip":
        return None
    params: dict | None = None
    for pattern, profile_kind, profile in _PROFILES:
        if re.search(pattern, lowered) and profile_kind in (kind, "any"):
            params = dict(profile)
            break
    if params is not None and "pct_centre" in params:  # waits: counts or percentages
        if kind == "pct":
            params = dict(centre=params["pct_centre"], spread=params["pct_spread"], decimals=2)
        else:
            params = dict(centre=params["centre"], spread=params["spread"], decimals=0)
    if params is None:
        if kind == "pct":
            if standard is not None:
                centre = standard - 6 if good_sign > 0 else standard + 3
            else:
                centre = {1: 80.0, -1: 10.0}[good_sign] if polarity != "neutral" else 50.0
            params = dict(centre=centre, spread=max(2.0, min(8.0, abs(centre) * 0.1)), decimals=1)
        else:
            params = dict(_DEFAULTS.get(kind, _DEFAULTS["count"]))
    lo, hi = valid_min, valid_max
    if kind == "pct" and lo is None and hi is None and not params.get("finance"):
        lo, hi = 0.0, 100.0
    multiplicative = kind in ("count",) or (kind == "money" and not params.get("additive"))
    if multiplicative and lo is None:
        lo = 0.0
    centre = float(params["centre"])
    if lo is not None and hi is not None and not lo <= centre <= hi:
        centre = (lo + hi) / 2
    return Shape(
        centre=centre,
        spread=float(params["spread"]),
        decimals=int(params.get("decimals", 0)),
        lo=lo,
        hi=hi,
        good_sign=good_sign,
        multiplicative=multiplicative,
        seasonal=float(params.get("seasonal", 0.15)),
        volume=params.get("volume"),
        finance=bool(params.get("finance", False)),
        year_to_date="year to date" in lowered and kind == "money",
        against_plan=bool(params.get("against_plan", False)),
    )


def stable_seed(*parts: str) -> list[int]:
    """A seed sequence for numpy from the global seed and stable text keys (not hash())."""
    return [SEED, GENERATOR_VERSION, *(zlib.crc32(p.encode()) for p in parts)]


def organisation_traits(codes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per organisation: a latent performance (shared by all its metrics) and a size factor."""
    z = np.empty(len(codes))
    size = np.empty(len(codes))
    for i, code in enumerate(codes):
        rng = np.random.default_rng(stable_seed("organisation", code))
        z[i] = rng.normal()
        size[i] = float(np.exp(rng.normal(0, 0.2)))
    return z, size


# How an organisation's level is made, in goodness units: mostly its latent performance, so a
# weak organisation is weak on most metrics (and only weak organisations sit in the bottom
# quartile for long); finance depends little on it.
LATENT_WEIGHT, OWN_WEIGHT = 1.0, 0.2
# Performance is skewed, as in the NHS: most organisations are middling (close together, so
# which of them lead on a metric varies) and a tail of weak ones (latent below TAIL, about one in
# five) stands apart below them.
TAIL, MIDDLE_SPREAD, TAIL_GAP = -0.84, 0.15, 1.0
FINANCE_LATENT_WEIGHT, FINANCE_OWN_WEIGHT = 0.3, 0.95
SHIFT_RATE = 0.004  # share of organisation x metric series with a step shift
VARIATION = 0.025  # month-to-month variation, as a share of the value
ANTI_PERSISTENCE = 0.6  # MA(1): a bad month tends to be followed by a better one
STORY_OWN_WEIGHT = 0.1  # a story organisation keeps this much of its own level


def story_path(story: str, x: np.ndarray, finance_metric: bool) -> np.ndarray | None:
    """An organisation's story, in goodness units over the window (x from 0 to 1); None when
    the story does not concern this kind of metric."""
    if story == "finance_decline":
        # finance above plan at first, then a steady slide from the winter of 2022/23; the
        # organisation's other metrics slip into the national bottom quartile from autumn 2024
        if finance_metric:
            return 0.8 - 6.0 * np.clip((x - 0.2) / 0.8, 0, 1)
        return 0.2 - 2.8 * np.clip((x - 0.66) / 0.34, 0, 1)
    if story == "improving":  # poor until 2023, then recovers; finance on plan throughout
        if finance_metric:
            return np.full_like(x, 1.0)
        return -1.8 + 2.1 / (1 + np.exp(-(x - 0.42) * 12))
    if story == "deteriorating":
        return 0.1 - 2.3 * np.clip((x - 0.3) / 0.7, 0, None)
    return None


Series = tuple[np.ndarray, np.ndarray | None, np.ndarray | None]


def window_position(starts: list[dt.date]) -> np.ndarray:
    """Where each period starts in the full window, 0 (April 2022) to 1 (September 2025), so a
    story happens at the same dates whatever window is loaded."""
    first = _add_months(WINDOW_END, -(DEFAULT_MONTHS - 1))
    return np.array(
        [(d.year - first.year) * 12 + d.month - first.month for d in starts], dtype=float
    ) / (DEFAULT_MONTHS - 1)


def _year_to_date(values: np.ndarray, starts: list[dt.date]) -> np.ndarray:
    """Running totals from April of each financial year (the periods are consecutive months)."""
    out = np.cumsum(values, axis=1)
    year = np.array([d.year if d.month >= 4 else d.year - 1 for d in starts])
    for first in np.flatnonzero(np.append(True, year[1:] != year[:-1]))[1:]:
        out[:, first:] -= out[:, first - 1 : first]
    return out


def generate(
    shape: Shape,
    metric_key: str,
    starts: list[dt.date],
    latent: np.ndarray,
    size: np.ndarray,
    stories: list[frozenset[str]],
) -> Series:
    """Values (n_orgs x n_periods), and numerator and denominator where the shape has a
    volume. Rows follow `latent`/`size`/`stories` (one per organisation)."""
    n, t = len(latent), len(starts)
    rng = np.random.default_rng(stable_seed("metric", metric_key))
    x = window_position(starts)
    own = rng.normal(size=n)
    if shape.against_plan:
        level = FINANCE_LATENT_WEIGHT * latent + FINANCE_OWN_WEIGHT * own
    else:
        skewed = np.where(latent >= TAIL, MIDDLE_SPREAD * (latent - TAIL), latent - TAIL - TAIL_GAP)
        level = LATENT_WEIGHT * skewed + OWN_WEIGHT * own
    has_shift = rng.random(n) < SHIFT_RATE
    shift = np.where(has_shift, rng.choice([-1.0, 1.0], size=n) * rng.uniform(0.5, 1.0, n), 0.0)
    shift_at = rng.integers(max(1, t // 6), max(2, t - t // 6), size=n)
    goodness = level[:, None] + shift[:, None] * (np.arange(t)[None, :] >= shift_at[:, None])
    for i, story in enumerate(stories):
        paths = [
            p for p in (story_path(s, x, shape.finance) for s in sorted(story)) if p is not None
        ]
        if paths:  # the story dominates the organisation's own level
            goodness[i] = STORY_OWN_WEIGHT * level[i] + sum(paths)
    winter = np.array(
        [1.0 if d.month in (12, 1, 2) else 0.4 if d.month in (11, 3) else 0.0 for d in starts]
    )
    draws = rng.normal(size=(n, t + 1))
    variation = (draws[:, 1:] - ANTI_PERSISTENCE * draws[:, :-1]) / np.hypot(1, ANTI_PERSISTENCE)
    variation = VARIATION * (variation - shape.seasonal * winter[None, :])
    signed = shape.good_sign * goodness
    unit = 10.0**-shape.decimals  # the variation is never lost in rounding
    if shape.multiplicative:
        values = shape.centre * size[:, None] * np.exp(shape.spread * signed)
        if shape.decimals == 0 and shape.centre < 1:  # rare events: Poisson draws
            values = rng.poisson(values).astype(float)
        else:
            values = values + shape.good_sign * variation / VARIATION * np.maximum(
                VARIATION * values, unit
            )
    else:
        values = shape.centre + shape.spread * signed
        values = values + shape.good_sign * variation / VARIATION * np.maximum(
            VARIATION * np.maximum(np.abs(values), shape.spread), unit
        )
    if shape.year_to_date:
        values = _year_to_date(values, starts)
    values = np.clip(
        values,
        shape.lo if shape.lo is not None else -np.inf,
        shape.hi if shape.hi is not None else np.inf,
    )
    numerator = denominator = None
    if shape.volume:
        season = 1 + 0.06 * winter[None, :] + rng.normal(0, 0.03, size=(n, t))
        denominator = np.round(shape.volume * size[:, None] * season)
        numerator = np.round(denominator * values / 100)
        values = 100 * numerator / denominator
    return np.round(values, shape.decimals), numerator, denominator


# --- CQC ratings -----------------------------------------------------------------------------

RATINGS = ("outstanding", "good", "requires_improvement", "inadequate")
KEY_QUESTIONS = ("safe", "effective", "caring", "responsive", "well_led")


def _rating(level: float) -> str:
    """Rating from a latent level (higher is better)."""
    if level > 1.3:
        return "outstanding"
    if level > -1.1:
        return "good"
    if level > -2.3:
        return "requires_improvement"
    return "inadequate"


CqcHistory = list[tuple[dt.date, dict[str, str]]]


def cqc_history(code: str, latent: float, story: frozenset[str]) -> CqcHistory:
    """One to three published CQC ratings for a trust, oldest first."""
    if "improving" in story:  # requires improvement (well-led too) in 2022, good in 2024
        ri = {
            "overall": "requires_improvement",
            "safe": "requires_improvement",
            "effective": "good",
            "caring": "good",
            "responsive": "requires_improvement",
            "well_led": "requires_improvement",
        }
        good = {k: "good" for k in ri}
        return [(dt.date(2022, 3, 16), ri), (dt.date(2024, 6, 12), good)]
    rng = np.random.default_rng(stable_seed("cqc", code))
    first = dt.date(2018, 1, 15) + dt.timedelta(days=int(rng.integers(0, 4 * 365)))
    dates = [first]
    if rng.random() < 0.6:
        dates.append(dt.date(2022, 6, 1) + dt.timedelta(days=int(rng.integers(0, 3 * 365))))
    out = []
    level = 0.8 * latent + rng.normal(0, 0.5)  # weak performers are the ones rated poorly
    for k, published in enumerate(dates):
        if k and "deteriorating" in story:
            level -= 1.6
        elif k:
            level += rng.normal(0, 0.6)
        ratings = {
            q: _rating(level + rng.normal(0, 0.6) + (0.8 if q == "caring" else 0.0))
            for q in KEY_QUESTIONS
        }
        ratings["overall"] = _rating(level)
        out.append((published, ratings))
    return out


def rating_at(history: CqcHistory, day: dt.date, question: str) -> str | None:
    current = None
    for published, ratings in history:
        if published <= day:
            current = ratings[question]
    return current
