"""Background jobs (docs/jobs.md): a job's record from start to outcome, its progress on the
page, a failure recorded plainly with nothing written, and the worker that runs queued jobs."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from oversight.access.models import Role
from oversight.jobs import background
from oversight.jobs.background import JobFailed, Outcome, job, listening, progress, start
from oversight.jobs.models import PROGRESS_CACHE, Job
from oversight.organisations.models import Organisation
from tests.factories import JobFactory, OrganisationFactory, RoleFactory

pytestmark = pytest.mark.django_db


def count(n: int) -> Outcome:
    """Reports each step, then leaves a file and a link."""
    for i in range(1, n + 1):
        progress(i, n, f"Counted {i}")
    return Outcome(f"Counted to {n}", url="/organisations/",
                   file=ContentFile(",".join(map(str, range(1, n + 1))).encode(),
                                    name="count.csv"),
                   data={"last": n})


@job
def count_to(n: int) -> Outcome:
    return count(n)


@job
def write_then_break(ods_code: str, plain: bool) -> None:
    """Writes a row inside its transaction, then fails before committing."""
    with transaction.atomic():
        OrganisationFactory(ods_code=ods_code)
        progress(1, 2, "Written one organisation")
        if plain:
            raise JobFailed(f"Organisation {ods_code} could not be checked against ODS")
        raise ValueError("numerator is not a number\nsecond line never shown")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def someone(name: str):
    """A user without a password (hashing one is slow, and these sign in by force_login)."""
    return get_user_model().objects.create(username=name)


@pytest.fixture
def starter(client):
    user = someone("starter")
    client.force_login(user)
    return user


def test_a_job_records_its_progress_outcome_and_file(client, starter, media):
    heard: list[tuple[int, int, str]] = []
    record = start(count_to, user=starter, what="Count to three", n=3)
    assert record.state == Job.State.SUCCEEDED
    assert (record.step, record.steps, record.outcome) == (3, 3, "Counted to 3")
    assert record.started_by == starter and record.task == "tests.jobs.test_jobs.count_to"
    assert record.result == {"last": 3} and record.result_url == "/organisations/"
    assert record.started_at <= record.finished_at and record.task_result_id
    page = client.get(record.get_absolute_url()).content.decode()
    assert "Count to three" in page and "Counted to 3" in page
    assert 'href="/organisations/"' in page and "Download count.csv" in page
    assert "hx-get" not in page  # finished: nothing polls
    download = client.get(f"/jobs/{record.pk}/file/")
    assert b"".join(download.streaming_content) == b"1,2,3"
    assert 'filename="count.csv"' in download["Content-Disposition"]
    with listening(lambda *report: heard.append(report)):
        count(2)  # the same code run by the command line reports to its bar
    assert heard == [(1, 2, "Counted 1"), (2, 2, "Counted 2")]
    progress(1, 1, "outside a job and unheard")  # no listener: nothing happens


def test_a_job_is_seen_only_by_who_started_it(client, starter, media):
    record = start(count_to, user=starter, what="Count", n=1)
    client.force_login(someone("somebody-else"))
    for path in ("", "progress/", "file/"):
        assert client.get(f"/jobs/{record.pk}/{path}").status_code == 404


@pytest.mark.parametrize(("plain", "error"), [
    (True, "Organisation RXX could not be checked against ODS"),
    (False, "ValueError: numerator is not a number"),
])
def test_a_failing_job_records_its_error_plainly_and_writes_nothing(client, starter, plain,
                                                                    error):
    record = start(write_then_break, user=starter, what="Load organisations", ods_code="RXX",
                   plain=plain)
    record.refresh_from_db()
    assert record.state == Job.State.FAILED and record.error == error
    assert not Organisation.objects.filter(ods_code="RXX").exists()
    assert not caches[PROGRESS_CACHE].get(record.progress_key)
    response = client.get(record.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200 and "The job failed" in body and error in body
    assert "Traceback" not in body and "second line" not in body


def test_the_fragment_polls_while_running_and_reloads_the_page_when_done(client, starter):
    record = JobFactory(started_by=starter, what="Import june.csv", state=Job.State.RUNNING)
    caches[PROGRESS_CACHE].set(record.progress_key,
                               {"step": 2, "steps": 5, "message": "Checking every row"})
    page = client.get(record.get_absolute_url()).content.decode()
    assert f'hx-get="/jobs/{record.pk}/progress/"' in page and 'aria-live="polite"' in page
    fragment = client.get(f"/jobs/{record.pk}/progress/")
    text = fragment.content.decode()
    assert fragment.status_code == 200 and "HX-Refresh" not in fragment
    assert 'max="5" value="2"' in text and "Step 2 of 5: Checking every row" in text
    Job.objects.filter(pk=record.pk).update(state=Job.State.SUCCEEDED, outcome="Stored")
    done = client.get(f"/jobs/{record.pk}/progress/")
    assert done.status_code == 286 and done["HX-Refresh"] == "true"  # htmx: stop, reload


def test_a_queued_job_waits_for_the_worker_which_runs_it(client, starter, settings, media):
    """With the database backend a job is queued, not run; `oversight worker` runs it."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    record = start(count_to, user=starter, what="Count to two", n=2)
    assert record.state == Job.State.QUEUED
    assert "Waiting for the worker" in client.get(record.get_absolute_url()).content.decode()
    # What the worker's loop does for each job (the loop itself closes the connection
    # between jobs, which would end the test's transaction).
    queued = DBTaskResult.objects.ready().get()
    queued.claim("test-worker")
    Worker(queue_names=["*"], interval=0, batch=True, backend_name="default",
           startup_delay=False, max_tasks=None, worker_id="test-worker",
           excluded_queue_names=[]).run_task(queued)
    assert not DBTaskResult.objects.ready().exists()
    record.refresh_from_db()
    assert record.state == Job.State.SUCCEEDED and record.outcome == "Counted to 2"


def test_the_worker_command_refuses_without_a_queue(settings):
    from typer.testing import CliRunner

    from oversight.cli.main import app

    result = CliRunner().invoke(app, ["worker", "--batch"])
    assert result.exit_code == 1 and "not the database one" in result.output


def test_the_command_line_shows_the_reports_as_a_progress_bar(media):
    from oversight.cli import jobs as cli_jobs

    updates: list[dict] = []
    with progress_bar_spy(updates), cli_jobs.progress_bar("Counting"):
        count(2)
    assert [(u["completed"], u["total"], u["description"]) for u in updates] == [
        (1, 2, "Counting: Counted 1"), (2, 2, "Counting: Counted 2")]


def progress_bar_spy(updates):
    """Record what the bar is told (rich draws nothing when stderr is not a terminal)."""
    from unittest import mock

    from rich.progress import Progress

    original = Progress.update

    def update(self, task_id, **fields):
        updates.append(fields)
        return original(self, task_id, **fields)

    return mock.patch.object(Progress, "update", update)


# ------------------------------------------------------------- a worker that stops mid-job
# A worker killed outright (kill -9, out of memory) leaves its job "running"; the job's
# writes were one transaction the database rolled back. The job is recorded as failed, with
# the message below, once its worker has not said it is alive for WORKER_GONE_SECONDS: when
# a worker starts and whenever the job is shown (docs/jobs.md).
STOPPED = ("The worker stopped before the job finished; nothing was saved; start it again.")


def abandoned(**fields) -> Job:
    """A job marked running whose worker last said it was alive longer ago than the limit."""
    long_ago = timezone.now() - dt.timedelta(seconds=background.WORKER_GONE_SECONDS + 5)
    record = JobFactory(state=Job.State.RUNNING, started_at=long_ago, **fields)
    caches[PROGRESS_CACHE].set(record.heartbeat_key, long_ago.timestamp())
    return record


def test_a_job_whose_worker_has_gone_fails_when_its_page_is_read(client, starter):
    record = abandoned(started_by=starter, what="Issue the SOAG overview",
                       again_url="/reports/7/issue/")
    alive = JobFactory(started_by=starter, state=Job.State.RUNNING, started_at=record.started_at)
    caches[PROGRESS_CACHE].set(alive.heartbeat_key, time.time())  # heard from just now
    fragment = client.get(f"/jobs/{record.pk}/progress/")
    assert fragment.status_code == 286 and fragment["HX-Refresh"] == "true"  # the page reloads
    page = client.get(record.get_absolute_url()).content.decode()
    assert "The job failed" in page and STOPPED in page
    assert '<a href="/reports/7/issue/">Start it again</a>' in page
    record.refresh_from_db()
    assert (record.state, record.error, record.outcome) == (Job.State.FAILED, STOPPED, "Failed")
    assert record.finished_at is not None
    assert client.get(alive.get_absolute_url()).status_code == 200
    alive.refresh_from_db()
    assert alive.state == Job.State.RUNNING  # its worker is alive: a long step is not death


def test_an_upload_whose_worker_has_gone_offers_the_upload_again(client):
    loader = RoleFactory(kind=Role.Kind.ORGANISATION, region=None).user
    client.force_login(loader)
    record = abandoned(started_by=loader, what="Load june.csv",
                       task="oversight.metrics.uploads.load_upload", again_url="/imports/")
    response = client.get(f"/imports/uploads/{record.pk}/")
    page = response.content.decode()
    assert response.status_code == 200 and STOPPED in page
    assert "nothing was written" in page and "Upload the file again below" in page
    assert 'type="file"' in page and 'action="/imports/"' in page  # the form to upload again


def test_a_starting_worker_records_the_jobs_its_predecessor_left_running(settings, monkeypatch):
    from django_tasks_db.management.commands.db_worker import Worker
    from typer.testing import CliRunner

    from oversight.cli.main import app

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    left, queued = abandoned(), JobFactory()
    ran: list[bool] = []
    monkeypatch.setattr(Worker, "run", lambda self: ran.append(True))  # no loop: see below
    result = CliRunner().invoke(app, ["worker", "--batch"])
    assert result.exit_code == 0 and ran == [True], result.output
    assert "1 job(s) left running by a worker that stopped" in result.output
    left.refresh_from_db()
    queued.refresh_from_db()
    assert (left.state, left.error) == (Job.State.FAILED, STOPPED)
    assert queued.state == Job.State.QUEUED  # waiting jobs wait for the worker


@job
def outlive_the_limit() -> Outcome:
    """Runs longer than WORKER_GONE_SECONDS without reporting progress, asking meanwhile
    whether its own worker counts as gone."""
    time.sleep(background.WORKER_GONE_SECONDS * 2)
    return Outcome(f"stopped {background.stop_abandoned()}")


def test_the_heartbeat_keeps_a_long_silent_job_alive(starter, monkeypatch):
    monkeypatch.setattr(background, "HEARTBEAT_SECONDS", 0.05)
    monkeypatch.setattr(background, "WORKER_GONE_SECONDS", 0.3)
    record = start(outlive_the_limit, user=starter, what="A long step")
    assert (record.state, record.outcome) == (Job.State.SUCCEEDED, "stopped 0")
    assert not caches[PROGRESS_CACHE].get(record.heartbeat_key)  # gone with the job
