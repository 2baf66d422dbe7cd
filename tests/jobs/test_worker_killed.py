"""A real worker process killed with SIGKILL inside its job's transaction, on SQLite: nothing
the job wrote survives, and the job is recorded as failed once its worker is gone
(docs/jobs.md). No pytest-django database: the processes share a SQLite file of their own."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from oversight.jobs.background import job, progress
from tests.jobs.test_jobs import STOPPED


@job
def write_then_hang(username: str, signal: str) -> None:
    """Writes a row inside its transaction, says so in a file, then waits to be killed."""
    with transaction.atomic():
        get_user_model().objects.create(username=username)
        progress(1, 2, "Written one user")
        Path(signal).write_text("written, not committed")
        time.sleep(600)


#: Run in a subprocess with DATABASE_URL and OVERSIGHT_VAR_DIR set: the tables the test needs
#: (the whole schema takes a minute to build), the job queued.
QUEUE = """
import django; django.setup()
from django.core.management import call_command
for app in ("auth", "jobs", "django_tasks_database"):
    call_command("migrate", app, verbosity=0)
from oversight.jobs.background import start
from tests.jobs.test_worker_killed import write_then_hang
print(start(write_then_hang, user=None, what="Hang", username="half-written", signal={signal!r}).pk)
"""
#: The worker `oversight worker` runs (without its start-up checks of the whole schema).
WORK = """
import django; django.setup()
from django_tasks_db.management.commands.db_worker import Worker
Worker(queue_names=["*"], interval=0.1, batch=False, backend_name="default",
       startup_delay=False, max_tasks=None, worker_id="doomed", excluded_queue_names=[]).run()
"""
#: After the kill: what the database holds, then what stop_abandoned makes of the job.
CHECK = """
import json, time
import django; django.setup()
from django.contrib.auth import get_user_model
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from oversight.jobs import background
from oversight.jobs.models import Job
job = Job.objects.get(pk={job!r})
seen = {{"state": job.state, "written": get_user_model().objects.filter(
    username="half-written").exists(), "stopped_at_once": background.stop_abandoned()}}
background.WORKER_GONE_SECONDS = 1
time.sleep(1.5)
seen["stopped_later"] = background.stop_abandoned()
job.refresh_from_db()
queued = DBTaskResult.objects.get(pk=job.task_result_id)
seen |= {{"then": job.state, "error": job.error,
          "queue": queued.status == TaskResultStatus.FAILED}}
print(json.dumps(seen))
"""


def test_kill_9_mid_job_leaves_nothing_written_and_the_job_failed(tmp_path):
    """A real worker process on SQLite, killed with SIGKILL inside the job's transaction."""
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
           "OVERSIGHT_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "oversight.settings",
           "PYTHONPATH": os.pathsep.join([str(root / "src"), str(root)])}

    def python(code: str) -> str:
        done = subprocess.run([sys.executable, "-c", code], env=env, cwd=root,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().splitlines()[-1]

    signal_file = tmp_path / "in-transaction"
    job_id = python(QUEUE.format(signal=str(signal_file)))
    log = tmp_path / "worker.log"
    with log.open("w") as output:
        worker = subprocess.Popen([sys.executable, "-c", WORK], env=env, cwd=root,
                                  stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while not signal_file.exists():
            assert worker.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
    seen = json.loads(python(CHECK.format(job=job_id)))
    assert seen == {"state": "running", "written": False, "stopped_at_once": 0,
                    "stopped_later": 1, "then": "failed", "error": STOPPED, "queue": True}
