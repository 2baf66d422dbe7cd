"""The sign-in throttle's count under concurrency: threads, each with its own database
connection, count at once against the real table (a SQLite file here, the PostgreSQL test
database under `make test`), and no increment is lost nor a number given twice; parallel wrong
passwords get exactly the limit's password checks."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from oversight.access import throttle
from oversight.access.models import SignInCount
from tests.factories import SignInCountFactory

THREADS = 8




@pytest.fixture
def shared_database(transactional_db, tmp_path):
    """The database the threads' connections open. PostgreSQL: the test database. SQLite: a
    file set up as settings sets up a deployment's (WAL, immediate transactions, a busy
    timeout), holding the tables a sign-in reads; the in-memory test database cannot stand
    for it, as its shared-cache table locks fail at once where a file's writers wait."""
    params = connections.settings["default"]
    if connections["default"].vendor != "sqlite":
        yield
        return
    in_memory = params["NAME"]
    params["NAME"] = str(tmp_path / "concurrent.sqlite3")
    try:
        file_db = connections.create_connection("default")
        with file_db.schema_editor() as editor:
            editor.create_model(get_user_model())
            editor.create_model(SignInCount)
        file_db.close()
        yield
    finally:
        params["NAME"] = in_memory


def at_once(work: Callable[[int], Any], threads: int = THREADS) -> list[Any]:
    """Run ``work(i)`` in ``threads`` threads released together; their results in order."""
    barrier = threading.Barrier(threads)
    results: list[Any] = [None] * threads
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert not errors, errors
    return results


def test_concurrent_counts_lose_no_increment_and_repeat_no_number(shared_database):
    per_thread = 5
    numbers = at_once(lambda i: [throttle.take("address:shared") for _ in range(per_thread)])
    taken = sorted(n for batch in numbers for n in batch)
    assert taken == list(range(1, THREADS * per_thread + 1))
    assert at_once(lambda i: SignInCount.objects.get(key="address:shared").count, 1) == [
        THREADS * per_thread]


def test_parallel_wrong_passwords_get_exactly_the_limits_checks(shared_database):
    threads = throttle.FAILURE_LIMIT + 3

    def guess(i: int) -> int:
        return Client(REMOTE_ADDR="192.0.2.40").post(
            reverse("login"), {"username": "fay", "password": f"guess-{i}"}).status_code

    statuses = at_once(guess, threads)
    assert sorted(statuses) == [200] * throttle.FAILURE_LIMIT + [429] * 3


@pytest.mark.django_db
def test_a_count_whose_window_ran_out_starts_again():
    old = SignInCountFactory(count=40, until=timezone.now() - dt.timedelta(seconds=1))
    stale = SignInCountFactory(count=3, until=timezone.now() - dt.timedelta(minutes=5))
    assert throttle.take(old.key) == 1
    assert not SignInCount.objects.filter(key=stale.key).exists()  # cleared on the way
    SignInCountFactory(key="address:live", count=throttle.ADDRESS_FAILURE_LIMIT)
    assert throttle.take("address:live") == throttle.ADDRESS_FAILURE_LIMIT + 1


@pytest.mark.django_db
def test_at_the_limit_the_password_is_still_checked_one_past_it_is_not(client,
                                                                      django_user_model):
    """The limit counts the attempts allowed: the FAILURE_LIMIT-th is checked (a right password
    then signs in), the one after is refused unchecked."""
    django_user_model.objects.create_user("gus", password="the-right-password-1")
    for _ in range(throttle.FAILURE_LIMIT - 1):
        assert client.post(reverse("login"), {"username": "gus",
                                              "password": "wrong"}).status_code == 200
    last = client.post(reverse("login"), {"username": "gus", "password": "the-right-password-1"})
    assert last.status_code == 302
    client.logout()
    for _ in range(throttle.FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "gus", "password": "wrong"})
    over = client.post(reverse("login"), {"username": "gus", "password": "the-right-password-1"})
    assert over.status_code == 429
