"""Risk scoring as data: the 5x5 matrix, bands, appetite levels and escalation rules.

Pure (PyYAML only, no Django). A scoring file (``oversight/risks/scoring/default.yaml``, the
NPSA matrix) is read into a :class:`Scoring`; every check names the file, line and key, so a
system that supplies its own file learns what is wrong with it. Score = likelihood x
consequence; every product falls in exactly one band (checked when the file is read).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from oversight.frameworks.datafile import DataFileError, DataTree

__all__ = [
    "AppetiteLevel",
    "Band",
    "EscalationRule",
    "Scoring",
    "ScoringError",
    "read_scoring",
    "trend",
]


class ScoringError(DataFileError):
    """The scoring file is invalid (file, line and reason)."""


@dataclass(frozen=True)
class Level:
    level: int
    name: str
    frequency: str = ""
    timeframe: str = ""
    probability: str = ""


@dataclass(frozen=True)
class Domain:
    code: str
    name: str
    descriptors: dict[int, str]


@dataclass(frozen=True)
class Band:
    code: str
    name: str
    min: int
    max: int
    colour: str

    def holds(self, score: int) -> bool:
        return self.min <= score <= self.max


@dataclass(frozen=True)
class AppetiteLevel:
    code: str
    name: str
    description: str
    tolerated: tuple[int, int]

    def tolerates(self, score: int) -> bool:
        """Whether a current score is within appetite (above the range is outside)."""
        return score <= self.tolerated[1]


@dataclass(frozen=True)
class EscalationLevel:
    code: str
    name: str
    body_kinds: tuple[str, ...]


@dataclass(frozen=True)
class EscalationRule:
    code: str
    label: str
    level: str
    current_score_at_least: int | None = None
    outside_appetite: bool | None = None

    def fires(self, current_score: int | None, outside_appetite: bool) -> bool:
        if current_score is None:
            return False
        if self.current_score_at_least is not None and current_score < self.current_score_at_least:
            return False
        return self.outside_appetite is None or self.outside_appetite == outside_appetite


@dataclass(frozen=True)
class Named:
    code: str
    name: str
    colour: str = ""
    meaning: str = ""
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scoring:
    """One scoring configuration: what the person scoring is shown and what the rules read."""

    name: str
    likelihood: tuple[Level, ...]
    consequence: tuple[Level, ...]
    domains: dict[str, Domain]
    bands: tuple[Band, ...]
    appetite: dict[str, AppetiteLevel]
    levels: tuple[EscalationLevel, ...]
    rules: tuple[EscalationRule, ...]
    assurance_levels: dict[str, Named]
    assurance_lines: dict[str, Named]
    themes: dict[str, Named]

    @staticmethod
    def score(likelihood: int | None, consequence: int | None) -> int | None:
        if likelihood is None or consequence is None:
            return None
        return likelihood * consequence

    def band(self, score: int | None) -> Band | None:
        if score is None:
            return None
        return next((b for b in self.bands if b.holds(score)), None)

    def level_rank(self, code: str) -> int:
        return [lv.code for lv in self.levels].index(code)

    def required_level(
        self, current_score: int | None, outside_appetite: bool
    ) -> tuple[str, list[EscalationRule]]:
        """The lowest level a risk may be held at by the rules, and the rules that fired."""
        fired = [r for r in self.rules if r.fires(current_score, outside_appetite)]
        level = self.levels[0].code
        for rule in fired:
            if self.level_rank(rule.level) > self.level_rank(level):
                level = rule.level
        return level, fired

    def level_name(self, code: str) -> str:
        return next((lv.name for lv in self.levels if lv.code == code), code)

    def matrix(self) -> list[list[int]]:
        """Rows of scores, likelihood 5 at the top, consequence 1..5 left to right."""
        return [
            [lk.level * c.level for c in self.consequence] for lk in reversed(self.likelihood)
        ]


def trend(previous: int | None, current: int | None) -> str:
    """'up', 'down', 'same' or 'new' (no earlier review to compare with)."""
    if previous is None or current is None:
        return "new"
    if current > previous:
        return "up"
    if current < previous:
        return "down"
    return "same"


# ----------------------------------------------------------------------------- reading


def read_scoring(path: Path) -> Scoring:
    """Read and check a scoring file; a problem raises :class:`ScoringError`."""
    tree = DataTree.read(path, ScoringError)
    data = tree.data
    if not isinstance(data, dict):
        raise tree.fail((), "expected a mapping of scoring settings")
    name = tree.need(data, "name", str, ())
    likelihood = _levels(tree, tree.need(data, "likelihood", list, ()), ("likelihood",), True)
    cons = tree.need(data, "consequence", dict, ())
    consequence = _levels(
        tree, tree.need(cons, "levels", list, ("consequence",)), ("consequence", "levels"), False
    )
    domains: dict[str, Domain] = {}
    raw_domains = tree.need(cons, "domains", dict, ("consequence",))
    for code, spec in raw_domains.items():
        where = ("consequence", "domains", code)
        descr = tree.need(spec, "descriptors", dict, where)
        keys = {int(k) for k in descr if str(k).isdigit()}
        if keys != {lv.level for lv in consequence}:
            raise tree.fail((*where, "descriptors"), "give one descriptor for each level 1-5")
        domains[code] = Domain(
            code, tree.need(spec, "name", str, where), {int(k): str(v) for k, v in descr.items()}
        )
    bands = tuple(
        Band(
            tree.need(b, "code", str, ("bands", str(i))),
            tree.need(b, "name", str, ("bands", str(i))),
            tree.need(b, "min", int, ("bands", str(i))),
            tree.need(b, "max", int, ("bands", str(i))),
            str(b.get("colour", "grey")),
        )
        for i, b in enumerate(tree.need(data, "bands", list, ()))
    )
    for lk in likelihood:
        for c in consequence:
            s = lk.level * c.level
            holding = [b.code for b in bands if b.holds(s)]
            if len(holding) != 1:
                raise tree.fail(
                    ("bands",),
                    f"score {s} ({lk.level} x {c.level}) is in {len(holding)} bands; "
                    "every score must be in exactly one",
                )
    appetite: dict[str, AppetiteLevel] = {}
    for i, a in enumerate(tree.need(data, "appetite", list, ())):
        where = ("appetite", str(i))
        rng = tree.need(a, "tolerated", list, where)
        if len(rng) != 2 or not all(isinstance(x, int) for x in rng) or rng[0] > rng[1]:
            raise tree.fail((*where, "tolerated"), "expected [lowest, highest] scores")
        code = tree.need(a, "code", str, where)
        appetite[code] = AppetiteLevel(
            code, tree.need(a, "name", str, where), str(a.get("description", "")), (rng[0], rng[1])
        )
    esc = tree.need(data, "escalation", dict, ())
    levels = tuple(
        EscalationLevel(
            tree.need(lv, "code", str, ("escalation", "levels", str(i))),
            tree.need(lv, "name", str, ("escalation", "levels", str(i))),
            tuple(lv.get("body_kinds", [])),
        )
        for i, lv in enumerate(tree.need(esc, "levels", list, ("escalation",)))
    )
    level_codes = {lv.code for lv in levels}
    rules = []
    for i, r in enumerate(tree.need(esc, "rules", list, ("escalation",))):
        where = ("escalation", "rules", str(i))
        level = tree.need(r, "level", str, where)
        if level not in level_codes:
            raise tree.fail((*where, "level"), f"unknown level '{level}' ({sorted(level_codes)})")
        at_least = r.get("current_score_at_least")
        outside = r.get("outside_appetite")
        if at_least is None and outside is None:
            raise tree.fail(where, "give current_score_at_least or outside_appetite")
        rules.append(
            EscalationRule(
                tree.need(r, "code", str, where),
                tree.need(r, "label", str, where),
                level,
                at_least,
                outside,
            )
        )
    return Scoring(
        name=name,
        likelihood=likelihood,
        consequence=consequence,
        domains=domains,
        bands=bands,
        appetite=appetite,
        levels=levels,
        rules=tuple(rules),
        assurance_levels=_named(tree, data, "assurance_levels"),
        assurance_lines=_named(tree, data, "assurance_lines"),
        themes=_named(tree, data, "themes"),
    )


def _levels(tree: DataTree, items: list[Any], where: tuple[str, ...], full: bool) -> tuple:
    out = []
    for i, item in enumerate(items):
        w = (*where, str(i))
        out.append(
            Level(
                tree.need(item, "level", int, w),
                tree.need(item, "name", str, w),
                str(item.get("frequency", "")) if full else "",
                str(item.get("timeframe", "")) if full else "",
                str(item.get("probability", "")) if full else "",
            )
        )
    if [lv.level for lv in out] != [1, 2, 3, 4, 5]:
        raise tree.fail(where, "expected levels 1 to 5 in order")
    return tuple(out)


def _named(tree: DataTree, data: dict, key: str) -> dict[str, Named]:
    out: dict[str, Named] = {}
    for i, item in enumerate(tree.need(data, key, list, ())):
        where = (key, str(i))
        code = tree.need(item, "code", str, where)
        out[code] = Named(
            code,
            tree.need(item, "name", str, where),
            str(item.get("colour", "")),
            str(item.get("meaning", "")),
            tuple(item.get("sources", [])),
        )
    return out
