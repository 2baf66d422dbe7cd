"""Files uploaded on the Data loads page, loaded in the background (docs/importing.md).

The request stores the file and starts a job (`load_upload`); the worker reads it back and runs
`run_import`, which writes everything in one transaction or nothing; the job's outcome holds
what the page shows (the summary, or every problem by file, row, column and reason). One path
for every file, small or large: no upload holds a web worker while it is checked and stored.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse

from oversight.engine.units import plural
from oversight.jobs.background import Outcome, job, progress
from oversight.jobs.models import Job
from oversight.metrics.importing import (
    VALIDATION_STEPS,
    ImportRejected,
    ImportResult,
    Problem,
    Problems,
    run_import,
)
from oversight.metrics.rules import upload_scope

#: Where uploads wait for their job, in the default storage (MEDIA_ROOT), which the worker
#: must share with the server.
FOLDER = "imports/uploads"


def store(upload: UploadedFile) -> str:
    """Keep an uploaded file until its job has read it; the stored name says nothing of the
    uploader's (the original name travels with the job)."""
    return default_storage.save(f"{FOLDER}/{uuid.uuid4().hex}.upload", upload)


def load(path: str, file_name: str, fmt: str, user_id: int | None,
         framework_code: str | None, dry_run: bool) -> Outcome:
    """Import the stored file as its uploader, then forget the file. A rejected file is an
    outcome (its problem report), not a failure: the job did its work."""
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    try:
        with default_storage.open(path, "rb") as handle:
            data = handle.read()
        try:
            result = run_import(data, file_name, fmt, user=user, framework_code=framework_code,
                                dry_run=dry_run, scope=upload_scope(user) if user else None,
                                progress=_report)
        except ImportRejected as exc:
            return _rejected(exc)
    finally:
        default_storage.delete(path)
    return Outcome(
        ("Checked, nothing written: " if result.dry_run else "Stored: ")
        + f"{plural(result.rows_read, 'row')} read, {result.added:,} added, "
        f"{result.revised:,} revised, {result.unchanged:,} unchanged",
        url=reverse("import_batch", args=[result.batch_id]) if result.batch_id else "",
        data={"result": dataclasses.asdict(result)},
    )


@job
def load_upload(path: str, file_name: str, fmt: str, user_id: int | None,
                framework_code: str | None, dry_run: bool) -> Outcome:
    return load(path, file_name, fmt, user_id, framework_code, dry_run)


def _report(stage: str, done: int, total: int) -> None:
    """run_import's progress as the job's: the checks step by step, then the rows written."""
    if stage == "validating":
        progress(done, total, VALIDATION_STEPS[min(done, total - 1)].capitalize())
    elif stage == "writing":
        progress(done, total, f"Writing rows to the database ({done:,} of {total:,})")


def _rejected(exc: ImportRejected) -> Outcome:
    problems = exc.problems
    batch_id = getattr(exc, "batch_id", None)
    return Outcome(
        f"Rejected, nothing written: {plural(problems.total, 'problem')}",
        url=reverse("import_batch", args=[batch_id]) if batch_id else "",
        data={"rejected": {
            "file": problems.file,
            "total": problems.total,
            "rows": len(problems.rows),
            "rows_read": getattr(exc, "rows_read", None),
            "batch_id": batch_id,
            "items": problems.as_rows(),
        }},
    )


def outcome_context(record: Job) -> dict[str, Any]:
    """What the Data loads page shows of a finished upload job: `result` (the summary) or
    `rejected` (the problem report) with its counts, or nothing while the job runs."""
    data = record.result or {}
    if "result" in data:
        return {"result": ImportResult(**data["result"])}
    if "rejected" in data:
        report = data["rejected"]
        problems = Problems(report["file"], total=report["total"], items=[
            Problem(row, column, reason, report["file"]) for row, column, reason in report["items"]
        ])
        return {"rejected": problems, "rejected_rows": report["rows"],
                "rows_read": report["rows_read"], "rejected_batch_id": report["batch_id"]}
    return {}
