"""Criteria segmentation rules: the framework year's ``rules.yaml`` read and validated.

Every number the triggers use lives in the rules file; :func:`load_criteria_rules` turns it into
a :class:`CriteriaRules` and :meth:`CriteriaRules.describe` lists it for the rules page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from oversight.engine.nof import RulesError
from oversight.frameworks import FRAMEWORKS_DIR, rules_path
from oversight.frameworks.datafile import DataTree

TRIGGERS = ("bottom_quartile", "dramatic_drop", "sustained_poor", "financial_plan", "cqc")
#: Segment 4's severities (``segment_4.any_of``).
SEVERITIES = ("critical_quality", "critical_finance")
#: Kind-specific criteria a person records as a flag with its evidence (the segmentation app's
#: RecordedFlag); a rules file's ``recorded`` section says which it uses, for which kinds.
RECORDED = ("licence_breach", "commissioning_plan", "capability_gap", "local_priority")
SPC_CONFIRMATION = ("concern", "outside_limits")
#: Who a judgement list is for, by the subject's kind ("systems" are segmented as "icb").
AUDIENCES = {"systems": ("icb",), "ccgs": ("ccg",),
             "trusts": ("acute", "mental_health", "community", "mental_health_community",
                        "ambulance")}
CQC_CODES = {"outstanding": 1, "good": 2, "requires_improvement": 3, "inadequate": 4}
CQC_NAMES = {v: k.replace("_", " ").capitalize() for k, v in CQC_CODES.items()}


# ----------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class Recorded:
    """A recorded criterion: the flag's label, the kinds it applies to, the framework's words
    and Oversight's reading."""

    code: str
    label: str
    kinds: tuple[str, ...]
    framework: str
    reading: str


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
    size_dependent_units: tuple[str, ...]
    max_age_months: int
    bottom_share: float
    bottom_min_metrics: int
    drop_window_months: int
    drop_baseline_months: int
    drop_baseline_min: int
    drop_relative: float
    drop_absolute_iqr: float
    drop_spc: str
    sustained_months: int
    sustained_min_periods: int
    sustained_spc: bool
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
    s4_any: tuple[str, ...]
    critical_cqc_overall: tuple[int, ...]
    critical_sustained_share: float
    critical_below_plan_months: int
    critical_worsening: float
    warning_periods: int
    labels: dict[str, str] = field(default_factory=dict)
    themes: dict[str, str] = field(default_factory=dict)
    #: rule (trigger, severity, recorded flag, segment_N) -> (the framework's words, reading)
    readings: dict[str, tuple[str, str]] = field(default_factory=dict)
    recorded: dict[str, Recorded] = field(default_factory=dict)
    #: "segment_1" / "mandated_support" / "segment_4" -> audience ("all", "systems", "ccgs",
    #: "trusts") -> what only the regional team's judgement can assess
    judgement: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)

    @property
    def trigger_names(self) -> tuple[str, ...]:
        """Every trigger, measured then recorded, in a fixed order."""
        return TRIGGERS + tuple(self.recorded)

    def judgement_for(self, section: str, kind: str) -> list[str]:
        """What the regional team judges for ``section`` about a subject of ``kind``."""
        lists = self.judgement.get(section, {})
        return [item for audience, items in lists.items()
                if audience == "all" or kind in AUDIENCES.get(audience, ())
                for item in items]

    def describe(self, kind_names: Mapping[str, str] | None = None) -> list[tuple[str, str, str]]:
        """(rule, setting, value) rows for the rules page: every threshold the engine uses;
        ``kind_names`` names the organisation kinds (their codes otherwise)."""
        names = kind_names or {}

        def kinds(codes: Sequence[str]) -> str:
            return ", ".join(names.get(k, k) for k in codes)

        def cqc(codes: Sequence[int]) -> str:
            return ", ".join(CQC_NAMES[c] for c in codes)

        lab = self.labels
        rows = [
            ("Who", "Organisation kinds segmented",
             kinds(self.organisation_kinds)),
            ("Who", "Systems segmented (on their ICB's metrics)", "yes" if self.systems else "no"),
            ("Default", "Segment unless criteria for another are met", str(self.default_segment)),
            ("Metrics", "Local strategic priorities counted",
             "yes" if self.include_local else "no"),
            ("Metrics", "Scored metrics only", "yes" if self.scored_only else "no"),
            ("Metrics", "Excluded codes", ", ".join(self.exclude) or "none"),
            ("Metrics", "Size-dependent units: not ranked into quartile shares or sustained "
             "performance", ", ".join(self.size_dependent_units) or "none"),
            ("Metrics", "A value is current for (months)", str(self.max_age_months)),
            (lab["bottom_quartile"], "Share of applicable metrics in the bottom quartile",
             f"at least {self.bottom_share:.0%}"),
            (lab["bottom_quartile"], "Minimum metrics with a current value",
             str(self.bottom_min_metrics)),
            (lab["dramatic_drop"], "Reported within (months before the quarter end)",
             str(self.drop_window_months)),
            (lab["dramatic_drop"], "Baseline: mean of the values reported in the months before",
             f"{self.drop_baseline_months} months, at least {self.drop_baseline_min} values"),
            (lab["dramatic_drop"], "Relative floor: worse than the baseline mean by",
             f"at least {self.drop_relative:.0%}"),
            (lab["dramatic_drop"], "Absolute floor, in the metric's unit: the national "
             "interquartile range times", f"{self.drop_absolute_iqr:g}"),
            (lab["dramatic_drop"], "Confirmed by SPC",
             {"concern": "special-cause concern",
              "outside_limits": "special-cause concern outside the process limits"}
             [self.drop_spc]),
            (lab["sustained_poor"], "Level: national bottom quartile at every report for",
             f"at least {self.sustained_months} months and {self.sustained_min_periods} reports"),
            (lab["sustained_poor"], "An SPC special-cause concern counts as a poor level",
             "yes" if self.sustained_spc else "no"),
            (lab["financial_plan"], "Metrics", ", ".join(self.finance_metrics)),
            (lab["financial_plan"], "Fires when the latest value is below",
             f"{self.finance_below:g}"),
            (lab["cqc"], "Applies to", kinds(self.cqc_kinds)),
            (lab["cqc"], "Overall rating", cqc(self.cqc_overall)),
            (lab["cqc"], "And well-led rating", cqc(self.cqc_well_led)),
        ]
        for code, flag in self.recorded.items():
            rows.append((flag.label, "Recorded with its evidence for", kinds(flag.kinds)))
            rows.append((flag.label, "Fires for segment 3",
                         "yes" if code in self.s3_any else "no: shown to the decider"))
        rows += [
            (lab["segment_1"], "Share of applicable metrics in the top quartile",
             f"at least {self.top_share:.0%}"),
            (lab["segment_1"], "Minimum metrics with a current value",
             str(self.top_min_metrics)),
            (lab["segment_1"], "Financial plan met",
             "required" if self.s1_finance_met else "no"),
            (lab["segment_1"], "Trusts: CQC overall and well-led", cqc(self.s1_cqc)),
            (lab["segment_1"], "No trigger fired", "required" if self.s1_no_triggers else "no"),
            (lab["segment_3"], "Any of these triggers", ", ".join(lab[t] for t in self.s3_any)),
            (lab["segment_4"], "Any of these (and/or)", " or ".join(lab[t] for t in self.s4_any)),
            (lab["critical_quality"], "Trusts rated overall", cqc(self.critical_cqc_overall)),
            (lab["critical_quality"], "Or, with no CQC rating (systems, CCGs), sustained very "
             "poor performance on a share of the ranked metrics of",
             f"at least {self.critical_sustained_share:.0%}"),
            (lab["critical_finance"], "Below plan at every report for at least (months)",
             str(self.critical_below_plan_months)),
            (lab["critical_finance"], "And the shortfall larger than 12 months before by",
             f"at least {self.critical_worsening:.0%} (or on plan then)"),
            ("Early warning", "SPC concern within the latest periods", str(self.warning_periods)),
        ]
        for section, lists in self.judgement.items():
            for audience, items in lists.items():
                rows.append((f"Judgement: {JUDGEMENT_SECTIONS[section]}",
                             f"For {audience}" if audience != "all" else "For everyone",
                             "; ".join(items)))
        return rows


JUDGEMENT_SECTIONS = {
    "segment_1": "segment 1",
    "mandated_support": "mandated support (segments 3 and 4)",
    "segment_4": "segment 4",
}


#: Where a framework year's criteria rules are: the frameworks package's one answer.
criteria_rules_path = rules_path


def load_criteria_rules(path: str | Path) -> CriteriaRules:
    """Read and validate a criteria rules file; errors name the file, line and reason."""
    path = Path(path)
    tree = DataTree.read(path, RulesError)
    data, fail, need = tree.data, tree.fail, tree.need

    def number(obj: dict, key: str, where: tuple[str, ...], low: float = 0) -> float:
        value = float(need(obj, key, (int, float), where))
        if value < low:
            raise fail((*where, key), f"must be at least {low:g}, got {value:g}")
        return value

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

    def names(values: Any, where: tuple[str, ...], known: Sequence[str],
              noun: str) -> tuple[str, ...]:
        if not isinstance(values, list) or not values:
            raise fail(where, f"expected a non-empty list of {noun} names")
        for i, v in enumerate(values):
            if v not in known:
                raise fail((*where, str(i)), f"unknown {noun} {v!r} (one of {', '.join(known)})")
        return tuple(values)

    def strings(obj: dict, key: str, where: tuple[str, ...]) -> tuple[str, ...]:
        values = need(obj, key, list, where)
        if not all(isinstance(v, str) and v.strip() for v in values):
            raise fail((*where, key), "expected a list of non-empty texts")
        return tuple(values)

    def words(spec: dict, where: tuple[str, ...], rule: str) -> None:
        labels[rule] = need(spec, "label", str, where)
        readings[rule] = (need(spec, "framework", str, where), need(spec, "reading", str, where))

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
    readings: dict[str, tuple[str, str]] = {}
    for name in trig:
        if name not in TRIGGERS:
            raise fail(("triggers", name), f"unknown trigger (one of {', '.join(TRIGGERS)})")
    for name in TRIGGERS:
        spec = need(trig, name, dict, ("triggers",))
        words(spec, ("triggers", name), name)
        themes[name] = need(spec, "theme", str, ("triggers", name))
    bq, dd, sp, fp, cq = (trig[n] for n in TRIGGERS)
    where_dd = ("triggers", "dramatic_drop")
    spc_rule = need(dd, "spc", str, where_dd)
    if spc_rule not in SPC_CONFIRMATION:
        raise fail((*where_dd, "spc"), f"one of {', '.join(SPC_CONFIRMATION)}, got {spc_rule!r}")
    finance = need(fp, "metrics", list, ("triggers", "financial_plan"))
    if not finance or not all(isinstance(m, str) for m in finance):
        raise fail(("triggers", "financial_plan", "metrics"), "expected a list of metric codes")
    cqc_metrics = cq.get("metrics", {})
    if not isinstance(cqc_metrics, dict) or set(cqc_metrics) - {"overall", "well_led"}:
        raise fail(("triggers", "cqc", "metrics"), "expected {overall: CODE, well_led: CODE}")

    recorded: dict[str, Recorded] = {}
    for code, spec in (data.get("recorded") or {}).items():
        where = ("recorded", str(code))
        if code not in RECORDED:
            raise fail(where, f"unknown recorded criterion (one of {', '.join(RECORDED)})")
        if not isinstance(spec, dict):
            raise fail(where, "expected a mapping")
        words(spec, where, code)
        themes[code] = need(spec, "theme", str, where)
        recorded[code] = Recorded(code, labels[code], strings(spec, "kinds", where),
                                  *readings[code])
    triggers = TRIGGERS + tuple(recorded)

    sections = {}
    for key in ("segment_1", "segment_3", "segment_4", *SEVERITIES):
        sections[key] = need(data, key, dict, ())
        words(sections[key], (key,), key)
    s1, s3, s4 = sections["segment_1"], sections["segment_3"], sections["segment_4"]
    crit_q, crit_f = sections["critical_quality"], sections["critical_finance"]

    judgement: dict[str, dict[str, tuple[str, ...]]] = {}
    for section, lists in (data.get("judgement") or {}).items():
        where = ("judgement", str(section))
        if section not in JUDGEMENT_SECTIONS:
            raise fail(where, f"unknown section (one of {', '.join(JUDGEMENT_SECTIONS)})")
        if not isinstance(lists, dict):
            raise fail(where, "expected a mapping of audience to a list of texts")
        for audience in lists:
            if audience != "all" and audience not in AUDIENCES:
                raise fail((*where, str(audience)),
                           f"unknown audience (all, {', '.join(AUDIENCES)})")
        judgement[section] = {str(a): strings(lists, a, where) for a in lists}

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
        size_dependent_units=strings(metrics, "size_dependent_units", ("metrics",)),
        max_age_months=positive(evaluation, "max_age_months", ("evaluation",)),
        bottom_share=share(bq, "share", ("triggers", "bottom_quartile")),
        bottom_min_metrics=positive(bq, "min_metrics", ("triggers", "bottom_quartile")),
        drop_window_months=positive(dd, "window_months", where_dd),
        drop_baseline_months=positive(dd, "baseline_months", where_dd),
        drop_baseline_min=positive(dd, "baseline_min_periods", where_dd),
        drop_relative=number(dd, "relative", where_dd),
        drop_absolute_iqr=number(dd, "absolute_iqr", where_dd),
        drop_spc=spc_rule,
        sustained_months=positive(sp, "months", ("triggers", "sustained_poor")),
        sustained_min_periods=positive(sp, "min_periods", ("triggers", "sustained_poor")),
        sustained_spc=need(sp, "spc_concern_counts", bool, ("triggers", "sustained_poor")),
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
        s3_any=names(need(s3, "any_of", list, ("segment_3",)), ("segment_3", "any_of"),
                     triggers, "trigger"),
        s4_any=names(need(s4, "any_of", list, ("segment_4",)), ("segment_4", "any_of"),
                     SEVERITIES, "severity"),
        critical_cqc_overall=codes(crit_q, "cqc_overall", ("critical_quality",)),
        critical_sustained_share=share(crit_q, "sustained_share_without_cqc",
                                       ("critical_quality",)),
        critical_below_plan_months=positive(crit_f, "below_plan_months", ("critical_finance",)),
        critical_worsening=number(crit_f, "worsening", ("critical_finance",)),
        warning_periods=positive(ew, "latest_periods", ("early_warning",)),
        labels=labels,
        themes=themes,
        readings=readings,
        recorded=recorded,
        judgement=judgement,
    )
