"""Data ingestion: real NHS files in, nothing lost, every figure traceable to its source row.

`run_import` reads a file (`reading`), lets its format module validate it and stage its rows
(`template`, `nof`, `ae`, `cqc`), and writes everything in one transaction (`store`): a file with
any problem is rejected whole (`validation.ImportRejected` lists every problem), a re-import of
the same file changes no observation, and a changed value keeps the old one as a revision.
A rejected file (not a dry run) is still recorded, as a batch with status rejected and its
problem report, after the data transaction has rolled back: the data stays untouched while the
attempt is auditable.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl
from django.db import transaction
from django.utils import timezone

from oversight.engine.units import plural
from oversight.metrics.importing import ae, cqc, nof, ods, places, reading, store, template
from oversight.metrics.importing.lookups import Context
from oversight.metrics.importing.prepared import NewOrganisation, Prepared
from oversight.metrics.importing.validation import ImportRejected, Problem, Problems
from oversight.metrics.models import ImportBatch
from oversight.metrics.rules import publishes_on_load
from oversight.organisations.models import Organisation, Region

FORMATS = {"template": template, "nof": nof, "ae": ae, "cqc": cqc, "ods": ods, "places": places}
#: Formats that change the directory of organisations, systems and places: loaded by teams
#: that oversee several organisations, never by an organisation's own users.
DIRECTORY_FORMATS = {"ods", "places"}

__all__ = [
    "DIRECTORY_FORMATS",
    "FORMATS",
    "VALIDATION_STEPS",
    "ImportRejected",
    "ImportResult",
    "Problem",
    "Problems",
    "run_import",
]

# progress(stage, done, total): "validating" counts the steps below as each completes (the
# checks are vectorised over the whole file, so there is no per-row progress to report);
# "writing" counts rows as each chunk is stored.
Progress = Callable[[str, int, int], None]
VALIDATION_STEPS = ("reading the file", "checking every row", "comparing with stored data")


@dataclass
class ImportResult:
    """What an import did (or, on a dry run, would do)."""

    file_name: str
    format: str
    checksum: str
    dry_run: bool
    rows_read: int = 0
    added: int = 0
    revised: int = 0
    unchanged: int = 0
    rejected: int = 0
    batch_id: int | None = None
    framework_code: str | None = None
    organisations_created: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # stored, but worth a look
    notes: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "rows read": self.rows_read,
            "added": self.added,
            "revised": self.revised,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }


def run_import(
    data: bytes,
    file_name: str,
    fmt: str,
    *,
    user=None,
    framework_code: str | None = None,
    dry_run: bool = False,
    scope: frozenset[int] | None = None,
    progress: Progress | None = None,
    kinds: dict[str, str] | None = None,
) -> ImportResult:
    """Validate and (unless dry_run) store one file. Raises ImportRejected with every problem;
    then no data has been written, only (unless dry_run) the rejected batch, whose id the
    exception carries as `batch_id`. `kinds` (ODS code -> organisation kind, format ods):
    the kinds of trusts, which NHS England's ODS file does not give."""
    if fmt not in FORMATS:
        raise ImportRejected.single(
            file_name, None, "--format", f"unknown format '{fmt}' (one of {', '.join(FORMATS)})"
        )
    if fmt in DIRECTORY_FORMATS and scope is not None:
        raise ImportRejected.single(
            file_name, None, "format", "only the regional and ICB oversight teams and "
            "administrators load the directory of organisations, systems and places")
    checksum = hashlib.sha256(data).hexdigest()
    result = ImportResult(file_name, fmt, checksum, dry_run)
    loader = user if user is not None and user.is_authenticated else None
    try:
        return _validate_and_store(data, result, loader, framework_code, scope, progress, kinds)
    except ImportRejected as exc:
        exc.rows_read = result.rows_read  # type: ignore[attr-defined]
        if not dry_run:
            exc.batch_id = _record_rejected(exc.problems, result, loader).pk  # type: ignore[attr-defined]
        raise


def _validate_and_store(
    data: bytes,
    result: ImportResult,
    loader,
    framework_code: str | None,
    scope: frozenset[int] | None,
    progress: Progress | None,
    kinds: dict[str, str] | None = None,
) -> ImportResult:
    dry_run, file_name = result.dry_run, result.file_name
    module = FORMATS[result.format]

    def step(done: int) -> None:
        if progress:
            progress("validating", done, len(VALIDATION_STEPS))

    step(0)
    table = reading.read_table(data, file_name, headerless=getattr(module, "HEADERLESS", False))
    result.rows_read = table.rows_read
    step(1)
    context = Context(file_name, framework_code, scope, dry_run, kinds)
    prepared: Prepared = module.prepare(table, context)
    directory = prepared.directory
    if prepared.classified:
        result.notes.append(
            f"{plural(len(prepared.classified), 'trust')} whose type was not known "
            f"{'would be' if dry_run else 'now'} classified from the file's trust types."
        )
    if directory is not None:
        result.added, result.revised = directory.added, directory.revised
        result.unchanged = directory.unchanged
        result.warnings = directory.warnings
        result.notes += directory.notes
    result.framework_code = prepared.framework.code if prepared.framework else None
    result.organisations_created = [o.ods_code for o in prepared.new_organisations]
    step(2)
    with transaction.atomic():
        ids = {} if dry_run else _create_organisations(prepared.new_organisations)
        observations = prepared.observations
        if observations is not None and ids:
            observations = observations.with_columns(pl.col("organisation_id").replace(ids))
        changes = (
            store.diff(observations, store.existing(observations))
            if observations is not None
            else None
        )
        rating_changes = cqc.diff(prepared.cqc) if prepared.cqc is not None else None
        for part in (changes, rating_changes):
            if part is not None:
                result.added += part.added.height
                result.revised += part.revised.height
                result.unchanged += part.unchanged
        step(3)
        if dry_run:
            return result
        batch = ImportBatch.objects.create(
            created_by=loader,
            published_at=timezone.now() if publishes_on_load(loader) else None,
            published_by=loader if publishes_on_load(loader) else None,
            file_name=file_name[:255],
            checksum=result.checksum,
            format=result.format,
            framework=prepared.framework,
            rows_read=result.rows_read,
            added=result.added,
            revised=result.revised,
            unchanged=result.unchanged,
        )
        result.batch_id = batch.pk
        if changes is not None:
            store.write(changes, batch.pk, progress)
        if rating_changes is not None:
            cqc.write(rating_changes, batch.pk)
        if directory is not None:
            directory.write()
        _classify(prepared.classified)
    return result


def _record_rejected(problems: Problems, result: ImportResult, loader) -> ImportBatch:
    """The audit record of a rejected file: who, when, file, checksum, counts and the problem
    report. Written in its own transaction, after the data transaction has rolled back.
    Never published: it supplies no figures."""
    result.rejected = len(problems.rows)
    with transaction.atomic():
        return ImportBatch.objects.create(
            status=ImportBatch.Status.REJECTED,
            created_by=loader,
            file_name=result.file_name[:255],
            checksum=result.checksum,
            format=result.format,
            rows_read=result.rows_read,
            rejected=result.rejected,
            problems=problems.as_rows(),
            problem_count=problems.total,
        )


def _classify(kinds: dict[int, str]) -> None:
    for org in Organisation.objects.filter(pk__in=list(kinds)):
        org.kind = kinds[org.pk]
        org.save(update_fields=["kind"])


def _create_organisations(new: list[NewOrganisation]) -> dict[int, int]:
    """Create organisations a publication names for the first time; placeholder -> new id."""
    ids: dict[int, int] = {}
    for org in new:
        region = Region.objects.filter(name__iexact=org.region_name).first()
        if region is None and org.region_name:
            code = nof.REGION_CODES.get(org.region_name.lower())
            region = Region.objects.filter(code=code).first() if code else None
            if region is None and code:
                region = Region.objects.create(code=code, name=org.region_name)
        created = Organisation.objects.create(
            ods_code=org.ods_code, name=org.name, kind=org.kind, region=region
        )
        ids[org.placeholder_id] = created.pk
    return ids
