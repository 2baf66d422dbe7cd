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
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from oversight.frameworks.datafile import DataFileError, NodeReader

ORG_KINDS = {
    "icb", "ccg", "acute", "mental_health", "community", "mental_health_community",
    "ambulance", "local_authority", "pcn", "practice",
}
POLARITIES = {"higher", "lower", "neutral"}
FREQUENCIES = {"monthly", "quarterly", "annual", "weekly", "snapshot"}
METHODS = {"criteria", "scored"}
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
# Longest text each field may hold: the database columns of oversight.metrics.models.
MAX_LENGTH = {
    "framework code": 20, "framework name": 100, "theme code": 50, "theme name": 150,
    "code": 30, "name": 300, "unit": 50, "peer_grouping": 50, "source": 200,
}
TOP_KEYS = {"framework", "themes"}
FRAMEWORK_KEYS = {"code", "name", "year_start", "method", "source"}
THEME_KEYS = {"code", "name", "local", "metrics"}


class CatalogueError(DataFileError):
    """A catalogue file is invalid; the message names the file, line and reason."""


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
    #: "year_to_date" for a cumulative measure that restarts each April (its control chart is
    #: of the monthly movement); "" for a value of its own period.
    accumulation: str = ""
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


class _Reader(NodeReader):
    """Reads catalogue nodes; ``fit`` holds text to the length of its database column."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, CatalogueError)

    def fit(self, node: yaml.Node, value: str, what: str, field_name: str) -> str:
        limit = MAX_LENGTH[field_name]
        if len(value) > limit:
            raise self.fail(node, f"{what}: '{field_name.split()[-1]}' is {len(value)} characters, "
                                  f"at most {limit} allowed")
        return value


METRIC_KEYS = {
    "code", "name", "description", "unit", "polarity", "org_kinds", "peer_grouping",
    "frequency", "source", "standard", "scored", "valid_range", "accumulation",
}
ACCUMULATIONS = {"year_to_date"}


def read_catalogue(path: Path) -> CatalogueSpec:
    """Parse and validate one catalogue file; raise CatalogueError naming file and line."""
    reader = _Reader(path)
    root = reader.document()
    top = reader.mapping(root, "catalogue")
    reader.known_keys(root, TOP_KEYS, "catalogue")
    fw_node = reader.required(top, "framework", root, "catalogue")
    fw = reader.mapping(fw_node, "framework")
    reader.known_keys(fw_node, FRAMEWORK_KEYS, "framework")
    code = reader.text(fw, "code", fw_node, "framework")
    if not SLUG.match(code):
        raise reader.fail(fw["code"], f"framework code '{code}' may hold only letters, digits, "
                                      "'-' and '_'")
    reader.fit(fw["code"], code, "framework", "framework code")
    if code != path.parent.name:
        raise reader.fail(fw["code"], f"framework code '{code}' must match its folder "
                                      f"'{path.parent.name}'")
    start_node = reader.required(fw, "year_start", fw_node, "framework")
    try:
        year_start = reader.value(start_node)
    except CatalogueError:
        year_start = None
    if not isinstance(year_start, dt.date) or isinstance(year_start, dt.datetime):
        raise reader.fail(start_node, "framework: 'year_start' must be a date (YYYY-MM-DD)")
    themes: list[ThemeSpec] = []
    seen_metrics: dict[str, int] = {}
    seen_themes: set[str] = set()
    themes_node = reader.required(top, "themes", root, "catalogue")
    theme_nodes = reader.sequence(themes_node, "themes")
    if not theme_nodes:
        raise reader.fail(themes_node, "catalogue: 'themes' must list at least one theme")
    for order, theme_node in enumerate(theme_nodes, start=1):
        theme = reader.mapping(theme_node, "theme")
        theme_code = reader.text(theme, "code", theme_node, "theme")
        if not SLUG.match(theme_code):
            raise reader.fail(theme["code"], f"theme code '{theme_code}' may hold only letters, "
                                             "digits, '-' and '_'")
        reader.fit(theme["code"], theme_code, "theme", "theme code")
        reader.known_keys(theme_node, THEME_KEYS, f"theme '{theme_code}'")
        if theme_code in seen_themes:
            raise reader.fail(theme["code"], f"theme '{theme_code}' appears twice")
        seen_themes.add(theme_code)
        what = f"theme '{theme_code}'"
        metrics: list[MetricSpec] = []
        for metric_node in reader.sequence(
            theme.get("metrics", yaml.SequenceNode("tag:yaml.org,2002:seq", [])), what
        ):
            metrics.append(_read_metric(reader, metric_node, seen_metrics))
        theme_name = reader.text(theme, "name", theme_node, what)
        themes.append(
            ThemeSpec(
                code=theme_code,
                name=reader.fit(theme.get("name"), theme_name, what, "theme name"),
                order=order,
                is_local=reader.flag(theme, "local", what, default=False),
                metrics=tuple(metrics),
            )
        )
    name = reader.text(fw, "name", fw_node, "framework")
    return CatalogueSpec(
        code=code,
        name=reader.fit(fw.get("name"), name, "framework", "framework name"),
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
    reader.fit(fields["code"], code, what, "code")
    reader.known_keys(node, METRIC_KEYS, what)
    kinds_node = reader.required(fields, "org_kinds", node, what)
    kinds = reader.value(kinds_node)
    if (not isinstance(kinds, list) or not kinds
            or not all(isinstance(k, str) and k in ORG_KINDS for k in kinds)):
        raise reader.fail(
            kinds_node,
            f"{what}: 'org_kinds' must be a non-empty list of {', '.join(sorted(ORG_KINDS))}",
        )
    valid_min = valid_max = None
    if "valid_range" in fields:
        bounds = reader.value(fields["valid_range"])
        if (not isinstance(bounds, list) or len(bounds) != 2
                or not all(b is None or (isinstance(b, int | float) and not isinstance(b, bool))
                           for b in bounds)):
            raise reader.fail(fields["valid_range"], f"{what}: 'valid_range' must be [min, max]")
        valid_min, valid_max = (None if b is None else float(b) for b in bounds)
        if valid_min is not None and valid_max is not None and valid_min > valid_max:
            raise reader.fail(fields["valid_range"], f"{what}: 'valid_range' min exceeds max")
    if len(set(kinds)) != len(kinds):
        raise reader.fail(kinds_node, f"{what}: 'org_kinds' lists a kind twice")
    standard = reader.number(fields, "standard", what)
    if standard is not None and (
        (valid_min is not None and standard < valid_min)
        or (valid_max is not None and standard > valid_max)
    ):
        raise reader.fail(fields["standard"], f"{what}: 'standard' {standard:g} lies outside "
                                              "'valid_range'")

    def text(key: str, *, required: bool = False, choices: set[str] | None = None) -> str:
        value = reader.text(fields, key, node, what, required=required, choices=choices)
        return reader.fit(fields.get(key), value, what, key) if key in MAX_LENGTH else value

    return MetricSpec(
        code=code,
        name=text("name", required=True),
        polarity=text("polarity", required=True, choices=POLARITIES),
        frequency=text("frequency", required=True, choices=FREQUENCIES),
        org_kinds=tuple(kinds),
        description=text("description"),
        unit=text("unit"),
        peer_grouping=text("peer_grouping"),
        source=text("source"),
        standard=standard,
        scored=reader.flag(fields, "scored", what, default=True),
        accumulation=text("accumulation", choices=ACCUMULATIONS),
        valid_min=valid_min,
        valid_max=valid_max,
    )
