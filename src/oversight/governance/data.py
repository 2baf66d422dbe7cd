"""The governance rules as data: ``bodies.yaml`` (defaults and the demo's bodies) and the rules a
body carries (``Body.quoracy``, ``Body.deadlines``), read and checked here. A bad rule is
reported with where it came from and why, never half-applied."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

BODIES_FILE = Path(__file__).with_name("bodies.yaml")

DEPUTY_POLICIES = ("nominated", "any", "none")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
WEEKS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}


class RuleError(ValueError):
    """A governance rule that cannot be used, naming where it came from and why."""


@dataclass(frozen=True)
class DeadlineRule:
    papers_before: int
    minutes_after: int
    extraordinary_notice: int


@dataclass(frozen=True)
class Requirement:
    label: str
    group: str | None = None  # None: all members
    at_least: int | None = None
    majority: bool = False


@dataclass(frozen=True)
class QuoracyRule:
    text: str
    deputies: str
    require: tuple[Requirement, ...]


@lru_cache(maxsize=4)
def _read(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RuleError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict) or "defaults" not in data:
        raise RuleError(f"{path}: expected a mapping with 'defaults' (and 'bodies')")
    return data


def shipped(path: Path = BODIES_FILE) -> dict:
    return _read(path)


def _int(value: Any, where: str, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RuleError(f"{where}: '{name}' must be a whole number of working days, not {value!r}")
    return value


def read_deadlines(raw: dict | None, where: str) -> DeadlineRule:
    """A body's deadline rule over the shipped defaults."""
    merged = {**shipped()["defaults"]["deadlines"], **(raw or {})}
    unknown = set(merged) - {"papers_before", "minutes_after", "extraordinary_notice"}
    if unknown:
        raise RuleError(f"{where}: unknown deadline(s) {', '.join(sorted(unknown))}")
    return DeadlineRule(**{k: _int(v, where, k) for k, v in merged.items()})


def read_quoracy(raw: dict | None, where: str) -> QuoracyRule:
    """A body's quoracy rule (the shipped default when it has none)."""
    raw = raw or shipped()["defaults"]["quoracy"]
    if not isinstance(raw, dict):
        raise RuleError(f"{where}: the quoracy rule must be a mapping")
    unknown = set(raw) - {"text", "deputies", "require"}
    if unknown:
        raise RuleError(f"{where}: unknown quoracy key(s) {', '.join(sorted(unknown))}")
    deputies = raw.get("deputies", "nominated")
    if deputies not in DEPUTY_POLICIES:
        raise RuleError(
            f"{where}: 'deputies' must be one of {', '.join(DEPUTY_POLICIES)}, not {deputies!r}"
        )
    items = raw.get("require")
    if not isinstance(items, list) or not items:
        raise RuleError(f"{where}: 'require' must list at least one requirement")
    require = []
    for n, item in enumerate(items, start=1):
        at = f"{where}, requirement {n}"
        if not isinstance(item, dict):
            raise RuleError(f"{at}: must be a mapping")
        extra = set(item) - {"group", "at_least", "majority", "label"}
        if extra:
            raise RuleError(f"{at}: unknown key(s) {', '.join(sorted(extra))}")
        if ("at_least" in item) == bool(item.get("majority")):
            raise RuleError(f"{at}: give either 'at_least: N' or 'majority: true'")
        at_least = _int(item["at_least"], at, "at_least") if "at_least" in item else None
        group = item.get("group")
        if group is not None and (not isinstance(group, str) or not group.strip()):
            raise RuleError(f"{at}: 'group' must be a quoracy group name")
        label = str(item.get("label") or group or "members")
        require.append(Requirement(label, group, at_least, bool(item.get("majority"))))
    return QuoracyRule(str(raw.get("text", "")).strip(), deputies, tuple(require))


def deadline_rule(body) -> DeadlineRule:
    return read_deadlines(body.deadlines, f"body {body.short_name} deadlines")


def quoracy_rule(body) -> QuoracyRule:
    return read_quoracy(body.quoracy, f"body {body.short_name} quoracy")


@dataclass(frozen=True)
class Pattern:
    frequency: str
    weekday: int
    week_of_month: int
    start_time: dt.time | None


def read_pattern(raw: dict, where: str) -> Pattern:
    """A meeting pattern of bodies.yaml: frequency, weekday name, week of the month, time."""
    frequency = raw.get("frequency", "monthly")
    if frequency not in ("monthly", "bimonthly", "quarterly"):
        raise RuleError(f"{where}: unknown frequency {frequency!r}")
    weekday = str(raw.get("weekday", "")).lower()
    if weekday not in WEEKDAYS:
        raise RuleError(f"{where}: weekday must be one of {', '.join(WEEKDAYS)}")
    week = str(raw.get("week_of_month", "")).lower()
    if week not in WEEKS:
        raise RuleError(f"{where}: week_of_month must be one of {', '.join(WEEKS)}")
    time = raw.get("start_time")
    try:
        start = dt.time.fromisoformat(str(time)) if time else None
    except ValueError as exc:
        raise RuleError(f"{where}: start_time {time!r} is not a time (HH:MM)") from exc
    return Pattern(frequency, WEEKDAYS.index(weekday), WEEKS[week], start)
