"""Define, start and follow background jobs (docs/jobs.md).

    from oversight.jobs.background import Outcome, job, progress, start

    @job
    def issue_report(report_id: int) -> Outcome:        # runs in the worker
        progress(1, 3, "Drawing the data appendix")
        ...
        return Outcome("Report issued", url=..., file=ContentFile(pdf, name="report.pdf"))

    record = start(issue_report, user=request.user, what="SOAG overview", report_id=7)

A job is a task of Django's tasks framework (`django.tasks`) whose first argument is the id of
its `Job` record: the worker marks the record running, gives the job a place to report
progress, and records the outcome, or the error when the job raises.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import caches
from django.core.files import File
from django.db import connection
from django.tasks import Task, task
from django.utils import timezone

from oversight.jobs.models import PROGRESS_CACHE, Job

logger = logging.getLogger(__name__)

#: Called with (step, steps, message) by `progress`; set by the worker for a job, or by the
#: command line for its progress bar (`listening`).
Listener = Callable[[int, int, str], None]
_listener: ContextVar[Listener | None] = ContextVar("oversight_job_listener", default=None)

#: How long the cache keeps a running job's progress (a job still running after a day has
#: its last committed step on the record).
PROGRESS_SECONDS = 24 * 3600
#: How often the worker running a job says it is alive (in the shared progress cache), and
#: how long after it last did a running job counts as abandoned: its worker was killed
#: (`kill -9`, out of memory, power lost) and its writes rolled back (docs/jobs.md).
HEARTBEAT_SECONDS = 10
WORKER_GONE_SECONDS = 60
#: What a job abandoned by its worker says.
WORKER_STOPPED = ("The worker stopped before the job finished; nothing was saved; "
                  "start it again.")


@dataclass
class Outcome:
    """How a job ended, returned by its function. `summary` is the line people read; `url`
    the page of the result; `file` a file it produced (stored as `Job.result_file`); `data`
    JSON the result page renders from."""

    summary: str = "Finished"
    url: str = ""
    file: File | None = None
    data: dict[str, Any] = field(default_factory=dict)


class JobFailed(Exception):
    """Raise with a message for people when a job cannot do its work (the message is shown
    as the job's error, as written)."""


def progress(step: int, steps: int, message: str = "") -> None:
    """Report that the running job has done `step` of `steps` (a no-op outside a job, unless
    the command line is `listening`)."""
    listener = _listener.get()
    if listener is not None:
        listener(step, steps, message[:255])


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Send `progress` reports of the code run inside to `listener` (a progress bar)."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)


def job(function: Callable[..., Outcome | None]) -> Task:
    """Make a module-level function a background job: a `django.tasks` task that takes its
    `Job` id first and records the run on it. Start it with `start`."""

    @functools.wraps(function)
    def run(job_id: str, *args: Any, **kwargs: Any) -> str:
        return _run(function, job_id, args, kwargs)

    return task(run)


def start(job_task: Task, *, user: Any, what: str, again: str = "", **kwargs: Any) -> Job:
    """Record a job and queue it for the worker (run at once where the tasks backend is the
    immediate one, as in the tests). `again`: the page to start it again from, offered when
    it fails. Keyword arguments go to the job function and must be JSON: ids and strings,
    not objects. Returns the record; its page is `record.get_absolute_url()`."""
    record = Job.objects.create(
        task=job_task.module_path,
        what=what[:255],
        started_by=user if user is not None and user.is_authenticated else None,
        again_url=again[:500],
    )
    result = job_task.enqueue(str(record.pk), **kwargs)
    Job.objects.filter(pk=record.pk).update(task_result_id=str(result.id)[:64])
    record.refresh_from_db()
    return record


def stop_abandoned(records: Any = None) -> int:
    """Record as failed (`WORKER_STOPPED`) every running job whose worker has not said it is
    alive for `WORKER_GONE_SECONDS`: the worker was killed, so the job's transaction was
    rolled back and nothing was saved. `records`: a queryset to look in (default every job).
    Run when a worker starts and whenever a job is shown. Returns how many were stopped."""
    deadline = time.time() - WORKER_GONE_SECONDS
    running = (records if records is not None else Job.objects).filter(
        state=Job.State.RUNNING)
    gone = [r for r in running.only("id", "created_at", "started_at", "task_result_id")
            if r.last_heard() < deadline]
    stopped = 0
    for record in gone:
        # Conditional: a job that finished meanwhile keeps its outcome.
        stopped += Job.objects.filter(pk=record.pk, state=Job.State.RUNNING).update(
            state=Job.State.FAILED, finished_at=timezone.now(), error=WORKER_STOPPED,
            outcome="Failed")
        _stop_task_result(record.task_result_id)
        caches[PROGRESS_CACHE].delete_many([record.progress_key, record.heartbeat_key])
        logger.warning("job %s: its worker stopped before it finished", record.pk)
    return stopped


def _stop_task_result(task_result_id: str) -> None:
    """The queue's row of an abandoned job says failed too (the admin's task results)."""
    from django.apps import apps

    if not task_result_id or not apps.is_installed("django_tasks_db"):
        return
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(pk=task_result_id, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED, finished_at=timezone.now(),
        exception_class_path=f"{JobFailed.__module__}.{JobFailed.__qualname__}",
        traceback=WORKER_STOPPED)


def _run(function: Callable[..., Outcome | None], job_id: str,
         args: tuple, kwargs: dict[str, Any]) -> str:
    record = Job.objects.get(pk=job_id)
    with _heartbeat(record):
        record.state, record.started_at = Job.State.RUNNING, timezone.now()
        record.save(update_fields=["state", "started_at"])
        try:
            with listening(_recorder(record)):
                outcome = function(*args, **kwargs) or Outcome()
            _succeed(record, outcome)
        except BaseException as exc:
            logger.exception("job %s (%s) failed", record.pk, record.task)
            _fail(record, exc)
            raise
        finally:
            caches[PROGRESS_CACHE].delete(record.progress_key)
    return record.outcome


@contextmanager
def _heartbeat(record: Job) -> Iterator[None]:
    """Say the job's worker is alive, every `HEARTBEAT_SECONDS` from a thread of its own (so
    a long step that reports no progress is not taken for a dead worker), while the job
    runs. In the shared cache, not the database: the job may hold SQLite's one write lock."""
    store, done = caches[PROGRESS_CACHE], threading.Event()

    def beat() -> None:
        while True:
            store.set(record.heartbeat_key, time.time(), PROGRESS_SECONDS)
            if done.wait(HEARTBEAT_SECONDS):
                return

    thread = threading.Thread(target=beat, daemon=True,
                              name=f"job-heartbeat-{record.pk}")
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        store.delete(record.heartbeat_key)


def _recorder(record: Job) -> Listener:
    """Progress to the shared cache (read by every server process even while the job's
    writes are uncommitted) and, outside a transaction, to the record too."""
    store = caches[PROGRESS_CACHE]

    def record_progress(step: int, steps: int, message: str) -> None:
        store.set(record.progress_key, {"step": step, "steps": steps, "message": message},
                  PROGRESS_SECONDS)
        if not connection.in_atomic_block:
            Job.objects.filter(pk=record.pk).update(step=step, steps=steps, message=message)

    return record_progress


def _succeed(record: Job, outcome: Outcome) -> None:
    _, steps, _ = record.live()
    if outcome.file is not None:
        record.result_file.save(outcome.file.name or "result", outcome.file, save=False)
    record.state, record.finished_at = Job.State.SUCCEEDED, timezone.now()
    record.step = record.steps = max(steps, 1)
    record.outcome = outcome.summary[:500]
    record.result_url = outcome.url[:500]
    record.result = outcome.data
    try:
        record.save()
    except BaseException:
        if record.result_file:
            record.result_file.delete(save=False)  # no file without its record
        raise


def _fail(record: Job, exc: BaseException) -> None:
    """Record the error, said plainly: the message of a `JobFailed`, else the kind of error
    and its first line (the traceback goes to the log, never to the page)."""
    if isinstance(exc, JobFailed):
        error = str(exc)
    else:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        error = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    try:
        Job.objects.filter(pk=record.pk).update(
            state=Job.State.FAILED, finished_at=timezone.now(), error=error[:5000],
            outcome="Failed",
        )
    except Exception:  # noqa: BLE001 - the job's own error is the one to raise
        logger.exception("job %s: the failure could not be recorded", record.pk)
