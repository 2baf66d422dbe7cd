"""NHS Oversight Framework 2025/26 scored segmentation (pure: numpy and polars only).

Pipeline, each step driven by the framework's ``rules.yaml`` (see :func:`load_rules`):

1. metric scores 1-4: the published OF1xxx score where present (a rank-scaled score unrounded
   from its 2 dp publication, see :func:`unround_rank_scaled`), otherwise computed from the
   OF0xxx value (rank-scaled within the peer group, discrete bands, or a lookup of other scores);
2. domain scores: mean of the domain's counted metric scores; average metric score: unweighted
   mean of all counted metric scores (both from unrounded scores, published rounded to 2 dp);
3. unadjusted segment: the average against the quarter's cut points, by the rules file's
   cut-point rule (2025/26: quartiles over every trust of every type; see :class:`CutPointRule`);
4. financial override (OF5004): held at segment 3 or worse -> adjusted segment;
5. Recovery Support Programme (OF5007): final segment 5;
6. league rank: adjusted segment, then the 2 dp average; ties share the lowest rank.

Modules: :mod:`.rules` (the rules file), :mod:`.reading` (NHS England's data files and league
tables), :mod:`.scoring` (metric scores), :mod:`.segments` (averages, cut points, segments,
league rank, the published check), :mod:`.files` (files to segments, notes for the reader).
"""

from __future__ import annotations

from oversight.engine.nof.files import (
    population_notes,
    segment_file,
    segment_files,
)
from oversight.engine.nof.reading import (
    INPUT_METRIC,
    LEAGUE_COLUMNS,
    PUBLISHED_SUMMARY,
    REQUIRED_COLUMNS,
    NofInputError,
    file_layout,
    published_summary,
    read_league,
    read_published,
)
from oversight.engine.nof.rules import (
    CUT_METHODS,
    DEFAULT_RULES,
    QUANTILE_METHODS,
    SCORING_METHODS,
    SCORING_POPULATIONS,
    CutPointRule,
    MetricRule,
    NofRules,
    RulesError,
    load_rules,
)
from oversight.engine.nof.scoring import (
    compute_scores,
    round_half_up,
    unround_rank_scaled,
)
from oversight.engine.nof.segments import (
    CUT_NAMES,
    allowed_unadjusted,
    bounded_cut,
    cut_point_bounds,
    league_rank,
    segment,
    segments_from_cuts,
)

__all__ = [
    "CUT_METHODS",
    "CUT_NAMES",
    "CutPointRule",
    "DEFAULT_RULES",
    "INPUT_METRIC",
    "LEAGUE_COLUMNS",
    "MetricRule",
    "NofInputError",
    "NofRules",
    "PUBLISHED_SUMMARY",
    "QUANTILE_METHODS",
    "REQUIRED_COLUMNS",
    "SCORING_METHODS",
    "SCORING_POPULATIONS",
    "RulesError",
    "allowed_unadjusted",
    "bounded_cut",
    "compute_scores",
    "cut_point_bounds",
    "file_layout",
    "league_rank",
    "load_rules",
    "population_notes",
    "published_summary",
    "read_league",
    "read_published",
    "round_half_up",
    "segment",
    "segment_file",
    "segment_files",
    "segments_from_cuts",
    "unround_rank_scaled",
]
