"""Database commands: migrate, load-catalogue, demo and serve."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import typer
from rich.console import Console

from oversight.cli.django_setup import setup

console = Console(stderr=True)

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "oversight-demo"
DEFAULT_WORKERS = 2


def _load_catalogues() -> list:
    """Load every catalogue file; a bad file stops the command with its file, line and reason."""
    from oversight.frameworks.catalogue import CatalogueError
    from oversight.metrics.catalogue import load_all

    try:
        return load_all()
    except CatalogueError as error:
        console.print(f"[red]Catalogue not loaded[/red]: {error}", soft_wrap=True)
        raise typer.Exit(1) from error


def _create_postgres_database_if_missing() -> None:
    """PostgreSQL: create the database DATABASE_URL names when the server lacks it."""
    from django.conf import settings
    from django.db import connections

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        return
    import psycopg
    from psycopg import sql

    connection = connections["default"]
    try:
        connection.ensure_connection()
        return
    except Exception as error:  # noqa: BLE001 - inspected below, re-raised when not "missing"
        if "does not exist" not in str(error):
            raise
    params = connection.get_connection_params()
    params["dbname"] = "postgres"
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database["NAME"])))
    console.print(f"Created PostgreSQL database [bold]{database['NAME']}[/bold].")


def migrate() -> None:
    """Create or upgrade the schema in DATABASE_URL and load the metric catalogue.

    On PostgreSQL the database itself is created first when the server does not have it.
    """
    setup()
    from django.core.management import call_command

    _create_postgres_database_if_missing()

    call_command("migrate", interactive=False, verbosity=0)
    frameworks = _load_catalogues()
    console.print(
        f"[green]Database ready[/green]: {len(frameworks)} framework catalogues loaded "
        f"({', '.join(f.code for f in frameworks)})."
    )


def load_catalogue() -> None:
    """(Re)load the metric catalogue files into the database. Idempotent."""
    setup()
    for framework in _load_catalogues():
        console.print(f"{framework.code}: {framework.metrics.count()} metrics")


def demo(
    port: int = typer.Option(
        int(os.environ.get("PORT", "8000")), help="Port to serve on (default PORT or 8000)."
    ),
    serve_after: bool = typer.Option(True, "--serve/--no-serve", help="Serve after loading."),
) -> None:
    """Migrate, load the demo ICS dataset (idempotent) and serve it on localhost."""
    migrate()
    from oversight.demo import load_demo

    summary = load_demo(progress=True)
    console.print(summary.describe())
    console.print(
        f"\nDemo login: username [bold]{DEMO_USERNAME}[/bold], "
        f"password [bold]{DEMO_PASSWORD}[/bold]"
    )
    if serve_after:
        serve(port=port, host="127.0.0.1", workers=DEFAULT_WORKERS)


#: How often `oversight serve` escalates overdue SOAG actions.
ESCALATION_EVERY_SECONDS = 3600


def _start_beside_server(switch: str, *arguments: str) -> None:
    """Start `oversight ARGUMENTS...` as a child of the server, unless the environment variable
    `switch` is off: started before this process becomes gunicorn, it shares no sockets or
    connections with the server's workers, writes to the same log and stops when the server
    does."""
    if os.environ.get(switch, "1").strip().lower() in {"0", "false", "no", "off"}:
        return
    oversight = str(Path(sys.executable).with_name("oversight"))
    subprocess.Popen([oversight, *arguments], stdin=subprocess.DEVNULL)  # noqa: S603 - ours


def _start_escalation() -> None:
    """While the site is served, escalate overdue SOAG actions hourly without anyone having to
    remember a cron job (`oversight support escalate-overdue --every`). OVERSIGHT_ESCALATE=0
    leaves escalation to a scheduler of your own."""
    _start_beside_server("OVERSIGHT_ESCALATE", "support", "escalate-overdue",
                         "--every", str(ESCALATION_EVERY_SECONDS))


def _start_worker() -> None:
    """While the site is served, a worker runs its background jobs (`oversight worker`), so
    the demo works end to end. OVERSIGHT_WORKER=0 when workers run as their own service."""
    _start_beside_server("OVERSIGHT_WORKER", "worker", "--with-server")


def gunicorn_arguments(host: str, port: int, workers: int,
                       environ: dict[str, str] | None = None) -> list[str]:
    """gunicorn's command line. Forwarded headers (X-Forwarded-Proto and the like) are trusted
    from the local proxy only when SECURE_PROXY says one terminates TLS in front; otherwise from
    nobody, so a plain-HTTP request cannot pass itself off as HTTPS (and be sent HSTS)."""
    environ = os.environ if environ is None else environ
    behind_proxy = environ.get("SECURE_PROXY", "").strip().lower() in {"1", "true", "yes", "on"}
    return [
        "oversight.wsgi:application",
        "--bind", f"{host}:{port}",
        "--workers", str(workers),
        "--access-logfile", "-",
        "--forwarded-allow-ips", "127.0.0.1,::1" if behind_proxy else "",
    ]


def startup_problems() -> list[str]:
    """What stops the site from serving (database unreachable, migrations not applied), said
    plainly; empty when it may start."""
    from oversight.health import database, migrations

    db = database()
    if not db.ok:
        return [f"{db.detail} (check DATABASE_URL)"]
    pending = migrations()
    return [] if pending.ok else [f"migrations: {pending.detail}"]


def serve(
    port: int = typer.Option(int(os.environ.get("PORT", "8000")), help="Port to listen on."),
    host: str = typer.Option("127.0.0.1", help="Address to bind."),
    workers: int = typer.Option(DEFAULT_WORKERS, help="gunicorn worker processes."),
) -> None:
    """Serve the web application with gunicorn (static files through whitenoise), after
    checking that the database answers and is migrated."""
    setup()
    from django.core.management import call_command

    problems = startup_problems()
    if problems:
        for problem in problems:
            console.print(f"[red]cannot start[/red]: {problem}")
        raise typer.Exit(1)
    call_command("collectstatic", interactive=False, verbosity=0)
    console.print(f"Serving Oversight on http://{host}:{port}/  (Ctrl+C to stop)")
    _start_escalation()
    _start_worker()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    os.execv(gunicorn, [gunicorn, *gunicorn_arguments(host, port, workers)])
