"""Is the service able to answer? The database (reachable, fully migrated) and the caches.

Read by ``/health/`` (JSON, 503 when unhealthy) and by ``oversight serve`` before it starts, so
a wrong DATABASE_URL or a missing migration is said plainly at start-up rather than as a 500 on
the first page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def database() -> Check:
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any driver's error: say what it was
        where = connection.settings_dict.get("NAME") or ""
        return Check("database", False, f"cannot reach the {connection.vendor} database "
                                        f"{where}: {str(exc).strip().splitlines()[0]}")
    return Check("database", True, connection.vendor)


def migrations() -> Check:
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        return Check("migrations", False, f"cannot read the migration state: {exc}")
    if pending:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in pending[:5])
        return Check("migrations", False, f"{len(pending)} not applied ({names}); run "
                                          "`oversight migrate`")
    return Check("migrations", True, "up to date")


def cache() -> Check:
    problems = []
    for alias in ("default", "job_progress"):
        try:
            store = caches[alias]
            store.set("oversight:health", "ok", 10)
            if store.get("oversight:health") != "ok":
                problems.append(f"{alias}: a value written is not read back")
        except Exception as exc:
            problems.append(f"{alias}: {exc}")
    return Check("cache", not problems, "; ".join(problems) or "ok")


def checks() -> list[Check]:
    """Every check; migrations and the caches only when the database answers."""
    db = database()
    if not db.ok:
        return [db, Check("migrations", False, "not checked: no database"),
                Check("cache", False, "not checked: no database")]
    return [db, migrations(), cache()]
