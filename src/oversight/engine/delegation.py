"""A scheme of delegation as data (pure: no Django): read and check a scheme file (tables of
matters, each held by a body, its chair or its secretariat, of a kind, delegated by a holder),
answer "who decides this?" by words, and follow a matter's chain of delegation up to the
statutory organisations. Errors name the file, the table, the matter and why."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HELD_BY = ("body", "chair", "secretariat")

#: Words that say nothing about a matter ("who decides this?").
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "of",
        "to",
        "for",
        "on",
        "in",
        "at",
        "by",
        "or",
        "be",
        "is",
        "are",
        "who",
        "what",
        "which",
        "whom",
        "this",
        "that",
        "it",
        "its",
        "do",
        "does",
        "decide",
        "decides",
        "decided",
        "may",
        "can",
    ]
)


class SchemeError(ValueError):
    """A scheme file that cannot be used, naming where and why."""


@dataclass(frozen=True)
class Holder:
    key: str
    name: str
    body: str | None = None  # governance body short name
    statutory: bool = False


@dataclass(frozen=True)
class Matter:
    table: int
    table_title: str
    number: int  # position in its table, from 1
    text: str
    holder: str  # holder key
    held_by: str  # body, chair or secretariat
    kind: str
    delegated_by: str | None


@dataclass(frozen=True)
class Scheme:
    version: str
    title: str
    source: str
    approved_by: str | None
    holders: tuple[Holder, ...]
    kinds: dict[str, str]
    matters: tuple[Matter, ...]

    def holder(self, key: str) -> Holder:
        return next(h for h in self.holders if h.key == key)


def _need(mapping: dict[str, Any], key: str, where: str) -> Any:
    if not isinstance(mapping, dict) or key not in mapping or mapping[key] in (None, ""):
        raise SchemeError(f"{where}: '{key}' is missing")
    return mapping[key]


def parse_scheme(data: Any, where: str = "scheme") -> Scheme:
    """Check a scheme's data (as read from its YAML file) and return it."""
    if not isinstance(data, dict):
        raise SchemeError(f"{where}: expected a mapping at the top")
    holders: list[Holder] = []
    for i, h in enumerate(_need(data, "holders", where), start=1):
        at = f"{where}: holders[{i}]"
        key = str(_need(h, "key", at))
        if any(x.key == key for x in holders):
            raise SchemeError(f"{at}: holder '{key}' appears twice")
        holders.append(
            Holder(key, str(_need(h, "name", at)), h.get("body"), bool(h.get("statutory", False)))
        )
    keys = {h.key for h in holders}
    kinds = _need(data, "kinds", where)
    if not isinstance(kinds, dict):
        raise SchemeError(f"{where}: 'kinds' must map each kind to what it means")
    matters: list[Matter] = []
    seen_tables: set[int] = set()
    for t in _need(data, "tables", where):
        number = _need(t, "table", f"{where}: tables")
        at = f"{where}: table {number}"
        if not isinstance(number, int) or number in seen_tables:
            raise SchemeError(f"{at}: table numbers must be whole numbers, each once")
        seen_tables.add(number)
        holder = _need(t, "holder", at)
        delegated_by = t.get("delegated_by")
        for key, label in ((holder, "holder"), (delegated_by, "delegated_by")):
            if key is not None and key not in keys:
                raise SchemeError(f"{at}: {label} '{key}' is not one of the holders")
        for n, m in enumerate(_need(t, "matters", at), start=1):
            mat = f"{at}, matter {n}"
            held_by = m.get("held_by", "body") if isinstance(m, dict) else None
            kind = _need(m, "kind", mat)
            if held_by not in HELD_BY:
                raise SchemeError(f"{mat}: held_by '{held_by}' is not one of {', '.join(HELD_BY)}")
            if kind not in kinds:
                raise SchemeError(f"{mat}: kind '{kind}' is not one of the scheme's kinds")
            matters.append(
                Matter(
                    table=number,
                    table_title=str(_need(t, "title", at)),
                    number=n,
                    text=" ".join(str(_need(m, "text", mat)).split()),
                    holder=holder,
                    held_by=held_by,
                    kind=kind,
                    delegated_by=delegated_by,
                )
            )
    approved_by = data.get("approved_by")
    if approved_by is not None and approved_by not in keys:
        raise SchemeError(f"{where}: approved_by '{approved_by}' is not one of the holders")
    return Scheme(
        version=str(_need(data, "version", where)),
        title=str(_need(data, "title", where)),
        source=str(data.get("source", "")),
        approved_by=approved_by,
        holders=tuple(holders),
        kinds={str(k): str(v) for k, v in kinds.items()},
        matters=tuple(matters),
    )


def read_scheme(path: Path) -> Scheme:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SchemeError(f"{path.name}: cannot be read ({exc})") from None
    return parse_scheme(data, path.name)


def _stem(word: str) -> str:
    """A crude stem, enough for "cases" to find "case" and "approves" to find "approve"."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    for suffix in ("ing", "s", "d"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def words(text: str) -> list[str]:
    """The words of a question or a matter that say something, stemmed."""
    tokens = re.findall(r"[a-z0-9&]+", text.lower().replace("sign-off", "sign off"))
    return [_stem(t) for t in tokens if t not in STOP_WORDS]


def matches(question: str, text: str, kind: str) -> bool:
    """Whether a matter answers the question: every meaningful word of the question is in the
    matter's text or is its kind ("approve" finds matters of the approve kind)."""
    wanted = words(question)
    if not wanted:
        return False
    have = set(words(text)) | {_stem(kind)}
    return all(w in have for w in wanted)


def delegation_chain(holder: str, delegated_by: dict[str, str | None]) -> list[str]:
    """The holders from a matter's holder up through who delegated to whom (``delegated_by``
    maps a holder to who delegated its matters), stopping at a holder nobody delegated to."""
    chain = [holder]
    while (up := delegated_by.get(chain[-1])) and up not in chain:
        chain.append(up)
    return chain
