"""NOF segmentation of published files: any number of data files and league tables pooled
into one population per quarter, and the notes a reader of the result must see.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from oversight.engine.nof.reading import (
    INPUT_METRIC,
    NofInputError,
    file_layout,
    published_summary,
    read_league,
    read_published,
)
from oversight.engine.nof.rules import NofRules, load_rules
from oversight.engine.nof.scoring import KEYS, compute_scores
from oversight.engine.nof.segments import CUT_NAMES, segment
from oversight.engine.units import plural


def segment_files(
    files: list[str | Path],
    population: list[str | Path] | tuple[()] = (),
    quarter: str | None = None,
    rules: NofRules | None = None,
    use_bounds: bool = False,
) -> pl.DataFrame:
    """Segment every trust and quarter in NHS England NOF data files and league tables.

    ``files`` may be data files (acute, mental health and community, ambulance: the published
    layout) or league tables; ``population`` holds league tables whose trusts join the
    population with their published average. A trust in a data file is scored from its metric
    value and score rows (OF0xxx, OF1xxx) and the override and recovery flags; published domain
    and summary rows only bound the cut points and check the result (see :func:`segment`).
    """
    rules = rules or load_rules()
    longs, leagues = [], []
    for path in [*files, *population]:
        if file_layout(path) == "data":
            longs.append(read_published(path).with_columns(file=pl.lit(str(path))))
        else:
            leagues.append(read_league(path).with_columns(file=pl.lit(str(path))))
    long = pl.concat(longs) if longs else None
    league = pl.concat(leagues) if leagues else None
    if quarter is not None:
        known = sorted({q for f in (long, league) if f is not None for q in f["quarter"]})
        long = None if long is None else long.filter(pl.col("quarter") == quarter)
        league = None if league is None else league.filter(pl.col("quarter") == quarter)
        if not any(f is not None and f.height for f in (long, league)):
            raise NofInputError(f"{', '.join(map(str, [*files, *population]))}: no rows for "
                                f"quarter {quarter!r} (the files have {known})")
    for frame in (long, league):
        if frame is not None and frame.height:
            _one_file_per_trust(frame)
    scores = pl.DataFrame(schema={k: pl.String for k in [*KEYS, "metric_id"]})
    flags = names = published = None
    if long is not None:
        published = published_summary(long)
        ignored = pl.any_horizontal(
            *(pl.col("metric_id").str.starts_with(p) for p in rules.ignored_prefixes)
        )
        long = long.filter(~ignored)
        inputs = long.filter(pl.col("metric_id").str.contains(INPUT_METRIC.pattern)
                             | pl.col("metric_id").is_in(list(rules.inputs)))
        _known_scores_only(inputs, rules)
        flags = long.filter(pl.col("metric_id").is_in([rules.override_flag, rules.recovery_flag]))
        scores = compute_scores(inputs, rules)
        names = long.select("quarter", "trust_code", "trust_name")
        if scores.height == 0 and league is None:
            raise NofInputError(f"{', '.join(map(str, files))}: no metric value or score rows "
                                "(OF0xxx/OF1xxx) to segment")
    return segment(scores, rules, flags=flags, names=names, league=league,
                   published=published, use_bounds=use_bounds)


def _known_scores_only(inputs: pl.DataFrame, rules: NofRules) -> None:
    """A metric score the rules file does not know would silently drop out of the average
    (an acute or ambulance metric, say): refuse it, naming the first row."""
    unknown = inputs.filter(pl.col("metric_id").str.starts_with("OF1")
                            & ~pl.col("metric_id").is_in(list(rules.metrics)))
    if unknown.height:
        r = unknown.row(0, named=True)
        ids = ", ".join(sorted(set(unknown["metric_id"])))
        raise NofInputError(
            f"{r['file']}: row {r['row']}: column Metric_ID: metric score {r['metric_id']!r} is "
            f"not in {rules.path} (its domain and scoring are needed to count it; unknown: {ids})")


def _one_file_per_trust(frame: pl.DataFrame) -> None:
    """A trust's quarter comes from one file: the same trust in two files is ambiguous.
    The file given later is the one named as the problem, whatever the paths sort as."""
    both = (frame.group_by("quarter", "trust_code")
            .agg(pl.col("file").unique(maintain_order=True))
            .filter(pl.col("file").list.len() > 1).sort("quarter", "trust_code"))
    if both.height:
        r = both.row(0, named=True)
        raise NofInputError(f"{r['file'][1]}: trust {r['trust_code']} in {r['quarter']} is also "
                            f"in {r['file'][0]} ({plural(both.height, 'such trust-quarter')})")


def segment_file(
    path: str | Path, quarter: str | None = None, rules: NofRules | None = None
) -> pl.DataFrame:
    """Segment every trust and quarter in one published-layout NOF file."""
    return segment_files([path], quarter=quarter, rules=rules)


def population_notes(table: pl.DataFrame, rules: NofRules) -> list[str]:
    """What a reader of the segments must know: each quarter whose cut points were taken over
    fewer trusts than the national population (per trust type, with the bounds the published
    segments put on the cut points), and each trust whose segment disagrees with the published
    ones."""
    notes: list[str] = []
    group_cols = ["quarter"] if rules.cut_rule.pooled else ["quarter", "peer_group"]
    for g in table.partition_by(group_cols, maintain_order=True):
        q, first = g["quarter"][0], g.row(0, named=True)
        whole = first["national_population"]
        if not rules.cut_rule.uses_population or (whole is not None and g.height >= whole):
            continue
        types = ", ".join(
            f"{t} {n}" + (f" of {rules.cut_rule.national(q, t)}"
                          if rules.cut_rule.national(q, t) else "")
            for t, n in g.group_by("peer_group").len().sort("peer_group").iter_rows()
        )
        scope = q if rules.cut_rule.pooled else f"{q} {first['peer_group']}"
        b = first["cut_point_bounds"]
        bounds = "; ".join(
            f"cut {name} in [{_f(b[2 * k])}, {_f(b[2 * k + 1])})"
            for k, name in enumerate(CUT_NAMES)
        )
        notes.append(
            f"{scope}: population incomplete: cut points from {g.height} of "
            f"{whole if whole is not None else 'an unknown number of'} trusts ({types}); "
            f"quartiles {_cuts(first['quartile_cut_points'])}; the published segments put "
            f"{bounds}" + (f"; used {_cuts(first['cut_points'])}" if first["bounded"] else "")
        )
    for r in table.filter(pl.col("published_check").is_not_null()).iter_rows(named=True):
        notes.append(f"{r['quarter']} {r['trust_code']} ({r['trust_name']}): "
                     f"{r['published_check']}")
    return notes


def _f(x: float | None) -> str:
    return "?" if x is None else f"{x:.4f}"


def _cuts(cuts: list[float]) -> str:
    return " | ".join(f"{c:.4f}" for c in cuts)
