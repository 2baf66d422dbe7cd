"""`oversight worker`: the process that runs background jobs (docs/jobs.md)."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from oversight.cli.django_setup import setup

console = Console(stderr=True)

#: With --with-server: how often the worker checks that the server that started it is there.
PARENT_CHECK_SECONDS = 5


@contextmanager
def progress_bar(description: str) -> Iterator[None]:
    """Show the `progress` reports of the code run inside as a progress bar on stderr: how a
    command runs a job's plain function in the foreground (docs/jobs.md)."""
    from rich.progress import Progress

    from oversight.jobs.background import listening

    with Progress(console=console, transient=True) as bar:
        line = bar.add_task(description, total=None)

        def show(step: int, steps: int, message: str) -> None:
            bar.update(line, completed=step, total=steps or None,
                       description=f"{description}: {message}" if message else description)

        with listening(show):
            yield


def worker(
    interval: float = typer.Option(
        1.0, min=0.1, help="Seconds between looks at the queue while it is empty."),
    batch: bool = typer.Option(False, "--batch", help="Run the jobs waiting, then stop."),
    with_server: bool = typer.Option(
        False, "--with-server", hidden=True,
        help="Stop when the process that started this one ends (how `oversight serve` runs it)."),
) -> None:
    """Run background jobs (large uploads, board reports) queued in the database, one at a
    time, until stopped (Ctrl+C or SIGTERM finish the job in hand first). `oversight serve`
    starts one; in production run it as its own service, as many as the machine allows."""
    setup()
    from django.tasks import task_backends
    from django.utils.crypto import get_random_string
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.management.commands.db_worker import Worker

    from oversight.cli.database import startup_problems
    from oversight.jobs.background import WORKER_GONE_SECONDS, stop_abandoned

    if not isinstance(task_backends["default"], DatabaseBackend):
        console.print("[red]cannot start[/red]: the tasks backend (settings.TASKS) is not the "
                      "database one, so there is no queue to work from")
        raise typer.Exit(1)
    problems = startup_problems()
    if problems:
        for problem in problems:
            console.print(f"[red]cannot start[/red]: {problem}")
        raise typer.Exit(1)
    for name in ("django_tasks_db", "django.tasks"):  # one line per job started and finished
        logging.getLogger(name).setLevel(logging.INFO)
    runner = Worker(queue_names=["*"], interval=interval, batch=batch, backend_name="default",
                    startup_delay=False, max_tasks=None, worker_id=get_random_string(32),
                    excluded_queue_names=[])
    stopped = stop_abandoned()
    if stopped:
        console.print(f"{stopped} job(s) left running by a worker that stopped (no sign of it "
                      f"for {WORKER_GONE_SECONDS} s) recorded as failed: nothing of them was "
                      "saved; they can be started again.")
    runner.configure_signals()
    if with_server:
        threading.Thread(target=_stop_with_parent, args=(runner,), daemon=True).start()
    console.print("Worker running background jobs" + (" beside the server" if with_server else "")
                  + " (Ctrl+C to stop).")
    runner.run()


def _stop_with_parent(runner) -> None:
    """Let the job in hand finish, then stop, once the server that started us has gone."""
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    runner.running = False
