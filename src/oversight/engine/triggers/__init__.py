"""Criteria segmentation (SOF 2021/22, NOF 2022/23): triggers, proposed segments, reasons.

Pure numpy: no Django. The caller hands over long arrays of observations (subject, metric,
period end, value); :func:`annotate` adds each point's national quartile
(``oversight.engine.ranking``, within metric x period x peer group) and its Making Data Count
point type (``oversight.engine.spc``, per subject x metric series); :func:`evaluate` then fires
every trigger for every subject x quarter at once and proposes a segment:

* default segment 2;
* segment 1 when the top-quartile share, financial plan and (trusts) CQC criteria are met and no
  trigger fired;
* segment 3 when any trigger fired (measured, or a recorded criterion with its evidence);
  segment 4 when a critical quality and/or critical finance concern is met
  (``segment_4.any_of``).

Each proposal carries its reasons (rule, metric, period, value, quartile, SPC signal), a
what-if (:func:`what_if`) and early warnings. Every number comes from the framework's
``rules.yaml`` (:func:`load_criteria_rules`).

Modules: ``rules`` (the rules file), ``annotation`` (quartiles and SPC), ``evaluation``
(triggers, segments, evidence), ``digest`` (proposal digests), ``whatif``, ``wording`` (reason
texts shared by evidence and digests). Callers import from the package.
"""

from oversight.engine.triggers.annotation import Annotated, Flag, Points, annotate
from oversight.engine.triggers.evaluation import Details, Evaluation, evaluate
from oversight.engine.triggers.rules import (
    CQC_CODES,
    CQC_NAMES,
    FRAMEWORKS_DIR,
    RECORDED,
    SEVERITIES,
    TRIGGERS,
    CriteriaRules,
    RulesError,
    criteria_rules_path,
    load_criteria_rules,
)
from oversight.engine.triggers.whatif import what_if

__all__ = [
    "CQC_CODES",
    "CQC_NAMES",
    "FRAMEWORKS_DIR",
    "RECORDED",
    "SEVERITIES",
    "TRIGGERS",
    "Annotated",
    "CriteriaRules",
    "Details",
    "Evaluation",
    "Flag",
    "Points",
    "RulesError",
    "annotate",
    "criteria_rules_path",
    "evaluate",
    "load_criteria_rules",
    "what_if",
]
