"""Shared pytest fixtures."""

import os
from pathlib import Path

import pytest


def shared_data_dir() -> Path:
    """The shared data folder: ``$OVERSIGHT_SHARED_DATA``, else ``<repo>/../shared/data``."""
    env = os.environ.get("OVERSIGHT_SHARED_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared" / "data"


class SharedDataPath(type(Path())):
    """A path in the shared data folder whose ``/`` and ``joinpath`` skip the test, with the
    missing path as the reason, when what they name is absent (one file may be missing while
    the folder is there)."""

    def __truediv__(self, key):
        return _present(super().__truediv__(key))

    def joinpath(self, *segments):
        return _present(super().joinpath(*segments))


def _present(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"shared data file not found: {path} (set OVERSIGHT_SHARED_DATA)")
    return path


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path of the shared data folder; skips the test when it, or a file the test names under
    it (``shared_data / "nhsr" / "ae_attendances.csv"``), is absent."""
    path = shared_data_dir()
    if not path.is_dir():
        pytest.skip(f"shared data folder not found at {path} (set OVERSIGHT_SHARED_DATA)")
    return SharedDataPath(path)


DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "client",
    "admin_client",
    "live_server",
    "django_user_model",
    "django_db_setup",
    "signed_in_client",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that touches the database, so `make test` reruns them on PostgreSQL."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if item.get_closest_marker("django_db") or fixtures & DATABASE_FIXTURES:
            item.add_marker(pytest.mark.database)


@pytest.fixture
def signed_in_client(client, db):
    """A client signed in as a regional oversight user covering every region."""
    from tests.factories import RoleFactory

    role = RoleFactory(kind="administrator")
    client.force_login(role.user)
    client.user = role.user
    return client


@pytest.fixture(autouse=True, scope="session")
def quick_password_hashing():
    """Users made by the tests get MD5 password hashes: the real hasher (PBKDF2, over a million
    rounds) takes about a second a user on this machine, and most tests make several. Signing
    in with a password still goes through Django's hashers; the product's settings are
    unchanged."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def jobs_run_at_once(settings):
    """Background jobs run inside the request that starts them (Django's immediate tasks
    backend), their progress kept in memory: no worker in the tests."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.CACHES = {
        **settings.CACHES,
        "job_progress": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                         "LOCATION": "job-progress"},
    }
