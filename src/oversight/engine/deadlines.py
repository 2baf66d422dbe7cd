"""Deadlines as development plans write them, read into due dates.

A plan writes "Q1 21/22", "by end of Q2 2021/22", "June 2021", "June 2021/22" (the June of
that financial year), "by September 2021", "early March 2021", "Phase 1 (Q1-Q4 21/22)" or
"Ongoing". :func:`parse_deadline` turns each into a :class:`Deadline`: the wording kept as
written, the due date (the last day of the quarter, month or year written, or of the part of it
a qualifier such as "early" names) and, for phases, the day the phase starts. Wording it cannot
read raises :class:`DeadlineError`; it never guesses.

The words it understands (lead-ins, qualifiers, "ongoing") are in ``deadlines.yaml``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from oversight.engine.periods import (
    FIRST_MONTH,
    QUARTER_PATTERN,
    financial_quarter,
    quarter_bounds,
    year_bounds,
)

__all__ = ["Deadline", "DeadlineError", "parse_deadline", "rules"]

RULES_FILE = Path(__file__).with_name("deadlines.yaml")
_YEAR = r"(\d{4}|\d{2})"
_FY = rf"{_YEAR}\s*/\s*{_YEAR}"
_PHASE = re.compile(r"^phase\s+(\w+)\s*\((.+)\)$")
_QUARTER_RANGE = re.compile(rf"^q([1-4])\s*(?:-|to)\s*q([1-4])\s+({_FY})$")
HELP = (
    "write a quarter ('Q2 2021/22'), a month ('June 2021', or 'June 2021/22' for the June of "
    "that financial year), a financial year ('2021/22'), a phase with its quarters "
    "('Phase 1 (Q1-Q4 21/22)') or 'Ongoing'"
)


class DeadlineError(ValueError):
    """The wording is not a deadline the plan's forms allow; the message says what would be."""


@dataclass(frozen=True)
class Deadline:
    """A deadline as written and what it means."""

    text: str
    due: dt.date | None
    starts: dt.date | None = None
    ongoing: bool = False
    form: str = ""  # quarter, month, year, phase or ongoing

    @property
    def quarter(self) -> str | None:
        """The financial quarter the due date falls in ('Q2 2021/22'); None when ongoing."""
        return financial_quarter(self.due) if self.due else None

    def is_late(self, today: dt.date, achieved: bool) -> bool:
        """Due before ``today`` and not achieved (an ongoing action is never late)."""
        return not achieved and self.due is not None and self.due < today


@dataclass(frozen=True)
class Rules:
    lead_ins: tuple[str, ...]
    qualifiers: dict[str, tuple[int, int]]
    ongoing: frozenset[str]
    open_ended: tuple[str, ...]
    months: dict[str, int]


@lru_cache(maxsize=1)
def rules(path: Path = RULES_FILE) -> Rules:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    months = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
    months |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
    months |= {str(k).lower(): int(v) for k, v in data.get("month_aliases", {}).items()}
    return Rules(
        # Longest first, so "by end of" is taken whole before "by".
        lead_ins=tuple(sorted((w.lower() for w in data["lead_ins"]), key=len, reverse=True)),
        qualifiers={k.lower(): (v["part"], v["of"]) for k, v in data["qualifiers"].items()},
        ongoing=frozenset(w.lower() for w in data["ongoing"]),
        open_ended=tuple(w.lower() for w in data["open_ended"]),
        months=months,
    )


def _normalise(text: str) -> str:
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text.strip().lower())
    return re.sub(r"\s+", " ", text).strip(" .;:")


def _strip_lead_ins(text: str, r: Rules) -> str:
    changed = True
    while changed:
        changed = False
        for word in r.lead_ins:
            if text == word.rstrip(",") or not text.startswith(word):
                continue
            rest = text[len(word) :]
            if word.endswith(",") or rest[:1] in (" ", ","):
                text, changed = rest.strip(" ,"), True
                break
    return text


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _part_end(first: dt.date, last: dt.date, part: int, of: int) -> dt.date:
    """The last day of part ``part`` of ``of`` equal parts of the period first..last: by days
    within one month, by whole months for a quarter or a year."""
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months == 1:
        days = last.day - first.day + 1
        return first + dt.timedelta(days=days * part // of - 1)
    return _add_months(first, months * part // of) - dt.timedelta(days=1)


def _month_number(name: str, r: Rules) -> int | None:
    return r.months.get(name.rstrip("."))


def _period(text: str, r: Rules) -> tuple[dt.date, dt.date, str] | None:
    """First day, last day and form of a quarter, month or financial year; None otherwise."""
    if QUARTER_PATTERN.match(text):
        first, last = quarter_bounds(text)
        return first, last, "quarter"
    match = re.fullmatch(rf"([a-z]+\.?)\s+{_FY}", text)
    if match and (month := _month_number(match.group(1), r)):
        fy_first, _ = year_bounds(f"{match.group(2)}/{match.group(3)}")
        year = fy_first.year if month >= FIRST_MONTH else fy_first.year + 1
        first = dt.date(year, month, 1)
        return first, _add_months(first, 1) - dt.timedelta(days=1), "month"
    match = re.fullmatch(rf"([a-z]+\.?)\s+{_YEAR}", text)
    if match and (month := _month_number(match.group(1), r)):
        year = int(match.group(2)) + (2000 if len(match.group(2)) == 2 else 0)
        first = dt.date(year, month, 1)
        return first, _add_months(first, 1) - dt.timedelta(days=1), "month"
    if re.fullmatch(_FY, text):
        first, last = year_bounds(text)
        return first, last, "year"
    return None


def _phase(text: str, inner: str, r: Rules) -> Deadline | None:
    inner = inner.strip()
    match = _QUARTER_RANGE.match(inner)
    if match:
        year = match.group(3)
        first_q, last_q = int(match.group(1)), int(match.group(2))
        if last_q < first_q:
            return None
        return Deadline(
            text,
            due=quarter_bounds(f"Q{last_q} {year}")[1],
            starts=quarter_bounds(f"Q{first_q} {year}")[0],
            form="phase",
        )
    for word in r.open_ended:
        if inner.endswith(" " + word):
            start = _period(inner[: -len(word)].strip(), r)
            if start is None:
                return None
            return Deadline(text, due=None, starts=start[0], ongoing=True, form="phase")
    period = _period(inner, r)
    if period is None:
        return None
    return Deadline(text, due=period[1], starts=period[0], form="phase")


def parse_deadline(text: str) -> Deadline:
    """Read a deadline as a plan writes it; :class:`DeadlineError` when it cannot.

    >>> parse_deadline("by end of Q2 2021/22").due
    datetime.date(2021, 9, 30)
    """
    r = rules()
    written = (text or "").strip()
    if not written:
        raise DeadlineError(f"no deadline given: {HELP}")
    clean = _normalise(written)
    if clean in r.ongoing:
        return Deadline(written, due=None, ongoing=True, form="ongoing")
    try:
        phase = _PHASE.match(clean)
        if phase:
            found = _phase(written, phase.group(2), r)
        else:
            rest = _strip_lead_ins(clean, r)
            part = (1, 1)
            first, _, remainder = rest.partition(" ")
            if first in r.qualifiers and remainder:
                part, rest = r.qualifiers[first], _strip_lead_ins(remainder, r)
            period = _period(rest, r)
            found = (
                Deadline(written, due=_part_end(period[0], period[1], *part), form=period[2])
                if period
                else None
            )
    except ValueError as exc:  # e.g. 'Q2 2021/23': a year pair that does not follow
        raise DeadlineError(f"cannot read the deadline {written!r}: {exc}") from exc
    if found is None:
        raise DeadlineError(f"cannot read the deadline {written!r}: {HELP}")
    return found
