"""Collect every problem in a file as (file, row, column, reason); one problem rejects the file."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

# A report this long is already unreadable; the count still says how many there were.
MAX_LISTED = 10_000


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a file. `row` is the spreadsheet row (header = row 1); None = file."""

    row: int | None
    column: str
    reason: str
    file: str = ""

    def describe(self) -> str:
        where = self.file + (f": row {self.row}" if self.row is not None else "")
        return f"{where}: column {self.column or '-'}: {self.reason}"


@dataclass
class Problems:
    """Every problem found in one file, in row order."""

    file: str
    items: list[Problem] = field(default_factory=list)
    total: int = 0
    rows: set[int] = field(default_factory=set)

    def add(self, row: int | None, column: str, reason: str) -> None:
        self.total += 1
        if row is not None:
            self.rows.add(row)
        if len(self.items) < MAX_LISTED:
            self.items.append(Problem(row, column, reason, self.file))

    def add_frame(self, bad: pl.DataFrame, column: str, reason: str | pl.Expr) -> None:
        """Add one problem per row of `bad` (which has a `row` column); reason may vary by row."""
        if bad.height == 0:
            return
        expr = reason if isinstance(reason, pl.Expr) else pl.lit(reason)
        listed = bad.select(pl.col("row"), expr.alias("reason"))
        self.total += listed.height
        self.rows.update(listed["row"].to_list())
        room = MAX_LISTED - len(self.items)
        for row, text in listed.head(max(room, 0)).iter_rows():
            self.items.append(Problem(int(row), column, str(text), self.file))

    def __bool__(self) -> bool:
        return self.total > 0

    def sorted(self) -> list[Problem]:
        return sorted(self.items, key=lambda p: (p.row or 0, p.column, p.reason))

    def as_rows(self) -> list[list]:
        """[row, column, reason] per listed problem, in order, as JSON (PostgreSQL's JSON
        cannot hold NUL, which a damaged header may carry: it is written out as \\x00)."""
        return [[p.row, _printable(p.column), _printable(p.reason)] for p in self.sorted()]

    def raise_if_any(self) -> None:
        if self:
            raise ImportRejected(self)


def _printable(text: str) -> str:
    return text.replace("\x00", "\\x00")


class ImportRejected(Exception):
    """The file was rejected; nothing was written. Carries every problem found."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        first = problems.sorted()[:3]
        more = f" (and {problems.total - len(first)} more)" if problems.total > len(first) else ""
        super().__init__("; ".join(p.describe() for p in first) + more)

    @classmethod
    def single(cls, file: str, row: int | None, column: str, reason: str) -> ImportRejected:
        problems = Problems(file)
        problems.add(row, column, reason)
        return cls(problems)
