"""The plan's delivery key and maturity levels, read from ``key.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

KEY_FILE = Path(__file__).with_name("key.yaml")


@dataclass(frozen=True)
class Point:
    code: str
    label: str
    tag: str
    colours: tuple[str, ...]
    achieved: bool
    rank: int  # 0 = best


@dataclass(frozen=True)
class Level:
    code: str
    label: str
    rank: int  # 0 = least mature


@lru_cache(maxsize=1)
def _data() -> dict:
    return yaml.safe_load(KEY_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def delivery() -> tuple[Point, ...]:
    return tuple(
        Point(
            str(p["code"]),
            p["label"],
            p["tag"],
            tuple(c.lower() for c in p.get("colours", ())),
            bool(p.get("achieved", False)),
            i,
        )
        for i, p in enumerate(_data()["delivery"])
    )


@lru_cache(maxsize=1)
def maturity() -> tuple[Level, ...]:
    return tuple(Level(m["code"], m["label"], i) for i, m in enumerate(_data()["maturity"]))


def point(code: str) -> Point | None:
    return next((p for p in delivery() if p.code == code), None)


def level(code: str) -> Level | None:
    return next((m for m in maturity() if m.code == code), None)


def delivery_choices() -> list[tuple[str, str]]:
    return [(p.code, f"{p.code}: {p.label}") for p in delivery()]


def maturity_choices() -> list[tuple[str, str]]:
    return [(m.code, m.label) for m in maturity()]


def achieved_codes() -> list[str]:
    return [p.code for p in delivery() if p.achieved]


def read_status(text: str) -> Point | None:
    """A status as a spreadsheet or paper writes it: the code ('GA'), the label ('Plan agreed
    and on track') or the colour word ('Orange'); None when it is none of them."""
    wanted = " ".join((text or "").split()).lower()
    for p in delivery():
        if wanted in (p.code.lower(), p.label.lower(), f"{p.code}: {p.label}".lower()):
            return p
        if wanted in p.colours:
            return p
    return None


def worst(codes: list[str]) -> str:
    """The least advanced status of several (R is worst); '' when none is given."""
    ranked = [point(c) for c in codes if point(c)]
    return max(ranked, key=lambda p: p.rank).code if ranked else ""


def read_level(text: str) -> Level | None:
    wanted = (text or "").strip().lower()
    return next((m for m in maturity() if wanted in (m.code, m.label.lower())), None)
