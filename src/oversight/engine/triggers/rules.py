"""Criteria segmentation rules: the framework year's ``rules.yaml`` read and validated.

Every number the triggers use lives in the rules file; :func:`load_criteria_rules` turns it into
a :class:`CriteriaRules` and :meth:`CriteriaRules.describe` lists it for the rules page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from oversight.engine.nof import RulesError
from oversight.frameworks.datafile import DataTree

FRAMEWORKS_DIR = Path(__file__).resolve().parents[2] / "frameworks"
TRIGGERS = ("bottom_quartile", "dramatic_drop", "sustained_poor", "financial_plan", "cqc")
CQC_CODES = {"outstanding": 1, "good": 2, "requires_improvement": 3, "inadequate": 4}
CQC_NAMES = {v: k.replace("_", " ").capitalize() for k, v in CQC_CODES.items()}


# ----------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class CriteriaRules:
    """A criteria framework year's segmentation rules (see ``frameworks/*/rules.yaml``)."""

    framework: str
    name: str
    path: Path
    organisation_kinds: tuple[str, ...]
    systems: bool
    default_segment: int
    include_local: bool
    scored_only: bool
    exclude: tuple[str, ...]
    max_age_months: int
    bottom_share: float
    bottom_min_metrics: int
    drop_periods: int
    drop_spc: bool
    drop_step: float | None
    drop_baseline: int
    sustained_periods: int
    finance_metrics: tuple[str, ...]
    finance_below: float
    cqc_kinds: tuple[str, ...]
    cqc_overall: tuple[int, ...]
    cqc_well_led: tuple[int, ...]
    cqc_metrics: dict[str, str]
    top_share: float
    top_min_metrics: int
    s1_finance_met: bool
    s1_cqc: tuple[int, ...]
    s1_no_triggers: bool
    s3_any: tuple[str, ...]
    s4_all: tuple[tuple[str, ...], ...]
    warning_periods: int
    labels: dict[str, str] = field(default_factory=dict)
    themes: dict[str, str] = field(default_factory=dict)

    def describe(self) -> list[tuple[str, str, str]]:
        """(rule, setting, value) rows for the rules page: every threshold the engine uses."""

        def cqc(codes: Sequence[int]) -> str:
            return ", ".join(CQC_NAMES[c] for c in codes)

        lab = self.labels
        return [
            ("Who", "Organisation kinds segmented", ", ".join(self.organisation_kinds)),
            ("Who", "Systems segmented (on their ICB's metrics)", "yes" if self.systems else "no"),
            ("Default", "Segment unless criteria for another are met", str(self.default_segment)),
            ("Metrics", "Local strategic priorities counted",
             "yes" if self.include_local else "no"),
            ("Metrics", "Scored metrics only", "yes" if self.scored_only else "no"),
            ("Metrics", "Excluded codes", ", ".join(self.exclude) or "none"),
            ("Metrics", "A value is current for (months)", str(self.max_age_months)),
            (lab["bottom_quartile"], "Share of applicable metrics in the bottom quartile",
             f"at least {self.bottom_share:.0%}"),
            (lab["bottom_quartile"], "Minimum metrics with a current value",
             str(self.bottom_min_metrics)),
            (lab["dramatic_drop"], "Latest periods examined", str(self.drop_periods)),
            (lab["dramatic_drop"], "SPC special-cause concern outside the limits",
             "fires" if self.drop_spc else "ignored"),
            (lab["dramatic_drop"], "Step change (worsening against the baseline mean)",
             f"at least {self.drop_step:.0%}" if self.drop_step is not None else "not used"),
            (lab["dramatic_drop"], "Baseline periods", str(self.drop_baseline)),
            (lab["sustained_poor"], "Consecutive periods in the bottom quartile or SPC concern",
             str(self.sustained_periods)),
            (lab["financial_plan"], "Metrics", ", ".join(self.finance_metrics)),
            (lab["financial_plan"], "Fires when the latest value is below",
             f"{self.finance_below:g}"),
            (lab["cqc"], "Applies to", ", ".join(self.cqc_kinds)),
            (lab["cqc"], "Overall rating", cqc(self.cqc_overall)),
            (lab["cqc"], "And well-led rating", cqc(self.cqc_well_led)),
            ("Segment 1", "Share of applicable metrics in the top quartile",
             f"at least {self.top_share:.0%}"),
            ("Segment 1", "Minimum metrics with a current value", str(self.top_min_metrics)),
            ("Segment 1", "Financial plan met", "required" if self.s1_finance_met else "no"),
            ("Segment 1", "Trusts: CQC overall and well-led", cqc(self.s1_cqc)),
            ("Segment 1", "No trigger fired", "required" if self.s1_no_triggers else "no"),
            ("Segment 3", "Any of these triggers", ", ".join(lab[t] for t in self.s3_any)),
            ("Segment 4", "One trigger from each group",
             " and ".join("(" + " or ".join(lab[t] for t in g) + ")" for g in self.s4_all)),
            ("Early warning", "SPC concern within the latest periods", str(self.warning_periods)),
        ]


def criteria_rules_path(framework: str) -> Path:
    return FRAMEWORKS_DIR / framework / "rules.yaml"


def load_criteria_rules(path: str | Path) -> CriteriaRules:
    """Read and validate a criteria rules file; errors name the file, line and reason."""
    path = Path(path)
    tree = DataTree.read(path, RulesError)
    data, fail, need = tree.data, tree.fail, tree.need

    def share(obj: dict, key: str, where: tuple[str, ...]) -> float:
        value = float(need(obj, key, (int, float), where))
        if not 0 < value <= 1:
            raise fail((*where, key), f"a share must be in (0, 1], got {value}")
        return value

    def positive(obj: dict, key: str, where: tuple[str, ...]) -> int:
        value = need(obj, key, int, where)
        if value < 1:
            raise fail((*where, key), f"must be at least 1, got {value}")
        return value

    def codes(obj: dict, key: str, where: tuple[str, ...]) -> tuple[int, ...]:
        values = need(obj, key, list, where)
        for i, v in enumerate(values):
            if v not in CQC_CODES:
                raise fail((*where, key, str(i)),
                           f"unknown CQC rating {v!r} (one of {', '.join(CQC_CODES)})")
        return tuple(CQC_CODES[v] for v in values)

    def trigger_list(values: Any, where: tuple[str, ...]) -> tuple[str, ...]:
        if not isinstance(values, list) or not values:
            raise fail(where, "expected a non-empty list of trigger names")
        for i, v in enumerate(values):
            if v not in TRIGGERS:
                raise fail((*where, str(i)),
                           f"unknown trigger {v!r} (one of {', '.join(TRIGGERS)})")
        return tuple(values)

    if not isinstance(data, dict):
        raise fail((), "expected a mapping at the top level")
    framework = need(data, "framework", str, ())
    if path.parent.name != framework and path.parent.parent == FRAMEWORKS_DIR:
        raise fail(("framework",), f"'{framework}' does not match its folder '{path.parent.name}'")
    if need(data, "method", str, ()) != "criteria":
        raise fail(("method",), "a criteria rules file must say method: criteria")
    subjects = need(data, "subjects", dict, ())
    kinds = need(subjects, "organisation_kinds", list, ("subjects",))
    segments = need(data, "segments", list, ())
    if segments != [1, 2, 3, 4]:
        raise fail(("segments",), "criteria frameworks have segments [1, 2, 3, 4]")
    default = need(data, "default_segment", int, ())
    if default not in segments:
        raise fail(("default_segment",), f"{default} is not one of the segments")
    metrics = need(data, "metrics", dict, ())
    evaluation = need(data, "evaluation", dict, ())
    trig = need(data, "triggers", dict, ())
    labels: dict[str, str] = {}
    themes: dict[str, str] = {}
    for name in trig:
        if name not in TRIGGERS:
            raise fail(("triggers", name), f"unknown trigger (one of {', '.join(TRIGGERS)})")
    for name in TRIGGERS:
        spec = need(trig, name, dict, ("triggers",))
        labels[name] = need(spec, "label", str, ("triggers", name))
        themes[name] = need(spec, "theme", str, ("triggers", name))
    bq, dd, sp, fp, cq = (trig[n] for n in TRIGGERS)
    step = dd.get("step_change")
    if step is not None and (isinstance(step, bool) or not isinstance(step, (int, float))
                             or step <= 0):
        raise fail(("triggers", "dramatic_drop", "step_change"), "must be a positive number")
    finance = need(fp, "metrics", list, ("triggers", "financial_plan"))
    if not finance or not all(isinstance(m, str) for m in finance):
        raise fail(("triggers", "financial_plan", "metrics"), "expected a list of metric codes")
    cqc_metrics = cq.get("metrics", {})
    if not isinstance(cqc_metrics, dict) or set(cqc_metrics) - {"overall", "well_led"}:
        raise fail(("triggers", "cqc", "metrics"), "expected {overall: CODE, well_led: CODE}")
    s1 = need(data, "segment_1", dict, ())
    s3 = need(data, "segment_3", dict, ())
    s4 = need(data, "segment_4", dict, ())
    groups = need(s4, "all_of", list, ("segment_4",))
    if not groups:
        raise fail(("segment_4", "all_of"), "expected at least one group of triggers")
    ew = need(data, "early_warning", dict, ())
    return CriteriaRules(
        framework=framework,
        name=need(data, "name", str, ()),
        path=path,
        organisation_kinds=tuple(str(k) for k in kinds),
        systems=bool(need(subjects, "systems", bool, ("subjects",))),
        default_segment=default,
        include_local=need(metrics, "include_local", bool, ("metrics",)),
        scored_only=need(metrics, "scored_only", bool, ("metrics",)),
        exclude=tuple(str(c) for c in need(metrics, "exclude", list, ("metrics",))),
        max_age_months=positive(evaluation, "max_age_months", ("evaluation",)),
        bottom_share=share(bq, "share", ("triggers", "bottom_quartile")),
        bottom_min_metrics=positive(bq, "min_metrics", ("triggers", "bottom_quartile")),
        drop_periods=positive(dd, "latest_periods", ("triggers", "dramatic_drop")),
        drop_spc=need(dd, "spc_outside_limits", bool, ("triggers", "dramatic_drop")),
        drop_step=None if step is None else float(step),
        drop_baseline=positive(dd, "baseline_periods", ("triggers", "dramatic_drop")),
        sustained_periods=positive(sp, "consecutive_periods", ("triggers", "sustained_poor")),
        finance_metrics=tuple(finance),
        finance_below=float(need(fp, "below", (int, float), ("triggers", "financial_plan"))),
        cqc_kinds=tuple(str(k) for k in need(cq, "kinds", list, ("triggers", "cqc"))),
        cqc_overall=codes(cq, "overall", ("triggers", "cqc")),
        cqc_well_led=codes(cq, "well_led", ("triggers", "cqc")),
        cqc_metrics={str(k): str(v) for k, v in cqc_metrics.items()},
        top_share=share(s1, "top_quartile_share", ("segment_1",)),
        top_min_metrics=positive(s1, "min_metrics", ("segment_1",)),
        s1_finance_met=need(s1, "financial_plan_met", bool, ("segment_1",)),
        s1_cqc=codes(s1, "cqc", ("segment_1",)),
        s1_no_triggers=need(s1, "no_triggers", bool, ("segment_1",)),
        s3_any=trigger_list(need(s3, "any_of", list, ("segment_3",)), ("segment_3", "any_of")),
        s4_all=tuple(
            trigger_list(g, ("segment_4", "all_of", str(i))) for i, g in enumerate(groups)
        ),
        warning_periods=positive(ew, "latest_periods", ("early_warning",)),
        labels=labels,
        themes=themes,
    )

