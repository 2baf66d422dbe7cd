"""What a format module hands to the writer once a file has passed validation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from oversight.metrics.importing.validation import Problem
from oversight.metrics.models import Framework


@dataclass(frozen=True)
class NewOrganisation:
    """An organisation named in a publication but not yet known; created with the batch."""

    placeholder_id: int  # negative, stands in for the id until it is created
    ods_code: str
    name: str
    kind: str
    region_name: str


@dataclass
class DirectoryPlan:
    """What a directory file (ODS organisations, the systems and places assignment) changes,
    counted before anything is written; `write` stores it inside the import's transaction."""

    added: int
    revised: int
    unchanged: int
    write: Callable[[], None]
    warnings: list[Problem] = field(default_factory=list)  # stored, but worth a look
    notes: list[str] = field(default_factory=list)


@dataclass
class Prepared:
    observations: pl.DataFrame | None = None  # the staged schema of store.STAGED_SCHEMA
    framework: Framework | None = None
    rows_read: int = 0
    new_organisations: list[NewOrganisation] = field(default_factory=list)
    cqc: pl.DataFrame | None = None  # organisation_id, published, ratings..., source_row
    directory: DirectoryPlan | None = None
    # Organisations whose kind the file tells for the first time: id -> kind (NOF files
    # classify trusts loaded from the ODS file).
    classified: dict[int, str] = field(default_factory=dict)
