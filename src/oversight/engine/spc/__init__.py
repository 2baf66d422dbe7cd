"""Making Data Count statistical process control, identical to NHSRplotthedots 0.2.2.

Vectorised over many series: pass a long table (series, date, value) to :func:`compute`, then
:func:`summarise` for each series' variation and assurance icons. See ``docs/spc.md``.
"""

from oversight.engine.spc.chart import render_svg, series_svg
from oversight.engine.spc.core import (
    DIRECTIONS,
    LIMIT,
    LIMIT_CLOSE,
    POINT_TYPES,
    SHORT_GROUP_WARNING,
    SpcInputError,
    SpcResult,
    classify_points,
    compute,
    compute_one,
)
from oversight.engine.spc.rules import special_cause_labels
from oversight.engine.spc.summary import (
    ASSURANCE_ICON_FILES,
    ASSURANCES,
    VARIATIONS,
    SpcSummary,
    assurance_icons,
    summarise,
    summarise_groups,
    variation_icons,
)

__all__ = [
    "ASSURANCES",
    "ASSURANCE_ICON_FILES",
    "DIRECTIONS",
    "LIMIT",
    "LIMIT_CLOSE",
    "POINT_TYPES",
    "SHORT_GROUP_WARNING",
    "VARIATIONS",
    "SpcInputError",
    "SpcResult",
    "SpcSummary",
    "assurance_icons",
    "classify_points",
    "compute",
    "compute_one",
    "render_svg",
    "series_svg",
    "special_cause_labels",
    "summarise",
    "summarise_groups",
    "variation_icons",
]
