"""The Making Data Count vocabulary: icon names, what each says, and the colours.

The one owner: the engine's icons, summaries and charts, the pages' cells, legends and the RSP
progress table read it, so an icon is named, worded and coloured the same everywhere. Names and
colours are NHSRplotthedots' (``ptd_spc_colours()``); the wording follows NHS England's Making
Data Count guidance.
"""

from __future__ import annotations

#: NHSRplotthedots' ``ptd_spc_colours()`` defaults, shared by charts and icons.
COLOURS: dict[str, str] = {
    "common_cause": "#a6a6a6",
    "special_cause_improvement": "#00b0f0",
    "special_cause_concern": "#e46c0a",
    "special_cause_neutral": "#490092",
    "value_line": "#a6a6a6",
    "mean_line": "#000000",
    "limits": "#a6a6a6",
    "target": "#de1b1b",
}

#: Variation icon codes (index = code); the reference's icon file is ``variation/<name>.svg``.
VARIATIONS: tuple[str, ...] = (
    "common_cause",
    "improvement_high",
    "improvement_low",
    "concern_high",
    "concern_low",
    "neutral_high",
    "neutral_low",
)
#: Assurance codes (index = code); -1 means no assurance icon (no target, or neutral direction).
ASSURANCES: tuple[str, ...] = ("consistent_pass", "consistent_fail", "inconsistent")
ASSURANCE_ICON_FILES: dict[str, str] = {
    "consistent_pass": "assurance/pass.svg",
    "consistent_fail": "assurance/fail.svg",
    "inconsistent": "assurance/inconsistent.svg",
}

#: What each variation icon says.
VARIATION_LABELS: dict[str, str] = {
    "common_cause": "Common cause variation",
    "improvement_high": "Special cause improvement (high)",
    "improvement_low": "Special cause improvement (low)",
    "concern_high": "Special cause concern (high)",
    "concern_low": "Special cause concern (low)",
    "neutral_high": "Special cause neutral (high)",
    "neutral_low": "Special cause neutral (low)",
}
#: What each assurance icon says.
ASSURANCE_LABELS: dict[str, str] = {
    "consistent_pass": "Consistently passes the target",
    "consistent_fail": "Consistently fails the target",
    "inconsistent": "Hit and miss against the target",
}
#: What the absence of an assurance icon says (no target, or a neutral direction).
NO_ASSURANCE = "No target"

#: Variation icons that show special-cause concern.
CONCERN_VARIATIONS = frozenset({"concern_high", "concern_low"})

#: An icon key's entries (one per kind: high and low share the H icon's entry).
VARIATION_LEGEND: tuple[tuple[str, str], ...] = (
    ("common_cause", "Common cause variation: no significant change"),
    ("improvement_high", "Special cause improvement: high (H) or low (L) values"),
    ("concern_high", "Special cause concern: high (H) or low (L) values"),
    ("neutral_high", "Special cause variation where neither direction is better"),
)
ASSURANCE_LEGEND: tuple[tuple[str | None, str], ...] = (
    *((name, ASSURANCE_LABELS[name]) for name in ASSURANCES),
    (None, NO_ASSURANCE),
)


def variation_label(name: str) -> str:
    """What the variation icon ``name`` says (``KeyError`` for an unknown name)."""
    return VARIATION_LABELS[name]


def assurance_label(name: str | None) -> str:
    """What the assurance icon ``name`` says; ``None``: no assurance icon."""
    return ASSURANCE_LABELS[name] if name else NO_ASSURANCE
