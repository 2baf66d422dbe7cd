"""Read and validate a framework catalogue file, reporting file, line and reason.

A catalogue file looks like this (see docs/catalogue.md):

    framework: {code: sof-2021-22, name: ..., year_start: 2021-04-01, method: criteria}
    themes:
      - code: quality
        name: Quality of care, access and outcomes
        metrics:
          - {code: AE4, name: ..., unit: "%", polarity: higher, frequency: monthly,
             org_kinds: [acute], standard: 95, valid_range: [0, 100]}
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ORG_KINDS = {
    "icb", "ccg", "acute", "mental_health", "community", "mental_health_community",
    "ambulance", "local_authority", "pcn", "practice",
}
POLARITIES = {"higher", "lower", "neutral"}
FREQUENCIES = {"monthly", "quarterly", "annual", "weekly", "snapshot"}
METHODS = {"criteria", "scored"}


class CatalogueError(ValueError):
    """A catalogue file is invalid; the message names the file, line and reason."""

    def __init__(self, path: Path, line: int | None, reason: str) -> None:
        self.path, self.line, self.reason = path, line, reason
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class MetricSpec:
    code: str
    name: str
    polarity: str
    frequency: str
    org_kinds: tuple[str, ...]
    description: str = ""
    unit: str = ""
    peer_grouping: str = ""
    source: str = ""
    standard: float | None = None
    scored: bool = True
    valid_min: float | None = None
    valid_max: float | None = None


@dataclass(frozen=True)
class ThemeSpec:
    code: str
    name: str
    order: int
    is_local: bool
    metrics: tuple[MetricSpec, ...]


@dataclass(frozen=True)
class CatalogueSpec:
    code: str
    name: str
    year_start: dt.date
    method: str
    source: str
    themes: tuple[ThemeSpec, ...] = field(default_factory=tuple)

    @property
    def metrics(self) -> list[MetricSpec]:
        return [m for t in self.themes for m in t.metrics]


class _Reader:
    """Walks the YAML node tree so every error can name its line."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, node: yaml.Node | None, reason: str) -> CatalogueError:
        return CatalogueError(self.path, node.start_mark.line + 1 if node else None, reason)

    def mapping(self, node: yaml.Node, what: str) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} must be a mapping")
        out: dict[str, yaml.Node] = {}
        for key, value in node.value:
            if key.value in out:
                raise self.fail(key, f"{what}: duplicate key '{key.value}'")
            out[key.value] = value
        return out

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, f"{what} must be a list")
        return list(node.value)

    def value(self, node: yaml.Node) -> Any:
        return yaml.safe_load(yaml.serialize(node))

    def required(self, fields: dict[str, yaml.Node], key: str, parent: yaml.Node,
                 what: str) -> yaml.Node:
        if key not in fields:
            raise self.fail(parent, f"{what}: missing '{key}'")
        return fields[key]

    def text(self, fields: dict[str, yaml.Node], key: str, parent: yaml.Node, what: str,
             *, required: bool = True, choices: set[str] | None = None) -> str:
        if key not in fields:
            if required:
                raise self.fail(parent, f"{what}: missing '{key}'")
            return ""
        node = fields[key]
        value = self.value(node)
        if value is None and not required:
            return ""
        if not isinstance(value, str | int | float) or (required and str(value).strip() == ""):
            raise self.fail(node, f"{what}: '{key}' must be text")
        value = str(value)
        if choices is not None and value not in choices:
            raise self.fail(
                node, f"{what}: '{key}' is '{value}', expected one of {', '.join(sorted(choices))}"
            )
        return value

    def number(self, fields: dict[str, yaml.Node], key: str, what: str) -> float | None:
        if key not in fields:
            return None
        value = self.value(fields[key])
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(fields[key], f"{what}: '{key}' must be a number")
        return float(value)


METRIC_KEYS = {
    "code", "name", "description", "unit", "polarity", "org_kinds", "peer_grouping",
    "frequency", "source", "standard", "scored", "valid_range",
}


def read_catalogue(path: Path) -> CatalogueSpec:
    """Parse and validate one catalogue file; raise CatalogueError naming file and line."""
    reader = _Reader(path)
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise CatalogueError(path, mark.line + 1 if mark else None, str(exc.problem)) from exc
    if root is None:
        raise CatalogueError(path, None, "the file is empty")
    top = reader.mapping(root, "catalogue")
    fw_node = reader.required(top, "framework", root, "catalogue")
    fw = reader.mapping(fw_node, "framework")
    code = reader.text(fw, "code", fw_node, "framework")
    if code != path.parent.name:
        raise reader.fail(fw["code"], f"framework code '{code}' must match its folder "
                                      f"'{path.parent.name}'")
    start_node = reader.required(fw, "year_start", fw_node, "framework")
    year_start = reader.value(start_node)
    if not isinstance(year_start, dt.date):
        raise reader.fail(start_node, "framework: 'year_start' must be a date (YYYY-MM-DD)")
    themes: list[ThemeSpec] = []
    seen_metrics: dict[str, int] = {}
    seen_themes: set[str] = set()
    themes_node = reader.required(top, "themes", root, "catalogue")
    for order, theme_node in enumerate(reader.sequence(themes_node, "themes"), start=1):
        theme = reader.mapping(theme_node, "theme")
        theme_code = reader.text(theme, "code", theme_node, "theme")
        if theme_code in seen_themes:
            raise reader.fail(theme["code"], f"theme '{theme_code}' appears twice")
        seen_themes.add(theme_code)
        what = f"theme '{theme_code}'"
        metrics: list[MetricSpec] = []
        for metric_node in reader.sequence(
            theme.get("metrics", yaml.SequenceNode("tag:yaml.org,2002:seq", [])), what
        ):
            metrics.append(_read_metric(reader, metric_node, seen_metrics))
        themes.append(
            ThemeSpec(
                code=theme_code,
                name=reader.text(theme, "name", theme_node, what),
                order=order,
                is_local=bool(reader.value(theme["local"])) if "local" in theme else False,
                metrics=tuple(metrics),
            )
        )
    return CatalogueSpec(
        code=code,
        name=reader.text(fw, "name", fw_node, "framework"),
        year_start=year_start,
        method=reader.text(fw, "method", fw_node, "framework", choices=METHODS),
        source=reader.text(fw, "source", fw_node, "framework", required=False),
        themes=tuple(themes),
    )


def _read_metric(reader: _Reader, node: yaml.Node, seen: dict[str, int]) -> MetricSpec:
    fields = reader.mapping(node, "metric")
    code = reader.text(fields, "code", node, "metric")
    what = f"metric '{code}'"
    if code in seen:
        raise reader.fail(fields["code"], f"{what} appears twice (first on line {seen[code]})")
    seen[code] = node.start_mark.line + 1
    unknown = set(fields) - METRIC_KEYS
    if unknown:
        raise reader.fail(node, f"{what}: unknown field(s) {', '.join(sorted(unknown))}")
    kinds_node = reader.required(fields, "org_kinds", node, what)
    kinds = reader.value(kinds_node)
    if not isinstance(kinds, list) or not kinds or not set(kinds) <= ORG_KINDS:
        raise reader.fail(
            kinds_node,
            f"{what}: 'org_kinds' must be a non-empty list of {', '.join(sorted(ORG_KINDS))}",
        )
    valid_min = valid_max = None
    if "valid_range" in fields:
        bounds = reader.value(fields["valid_range"])
        if (not isinstance(bounds, list) or len(bounds) != 2
                or not all(b is None or isinstance(b, int | float) for b in bounds)):
            raise reader.fail(fields["valid_range"], f"{what}: 'valid_range' must be [min, max]")
        valid_min, valid_max = (None if b is None else float(b) for b in bounds)
        if valid_min is not None and valid_max is not None and valid_min > valid_max:
            raise reader.fail(fields["valid_range"], f"{what}: 'valid_range' min exceeds max")
    scored = reader.value(fields["scored"]) if "scored" in fields else True
    if not isinstance(scored, bool):
        raise reader.fail(fields["scored"], f"{what}: 'scored' must be true or false")
    return MetricSpec(
        code=code,
        name=reader.text(fields, "name", node, what),
        polarity=reader.text(fields, "polarity", node, what, choices=POLARITIES),
        frequency=reader.text(fields, "frequency", node, what, choices=FREQUENCIES),
        org_kinds=tuple(kinds),
        description=reader.text(fields, "description", node, what, required=False),
        unit=reader.text(fields, "unit", node, what, required=False),
        peer_grouping=reader.text(fields, "peer_grouping", node, what, required=False),
        source=reader.text(fields, "source", node, what, required=False),
        standard=reader.number(fields, "standard", what),
        scored=scored,
        valid_min=valid_min,
        valid_max=valid_max,
    )
