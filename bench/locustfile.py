"""Locust users for the page benchmark: each signs in through the real sign-in form as the demo
user, then opens the system dashboard, an organisation page and a metric page in turn with a
1-3 s think time. Requests are named by page, so locust's statistics give p95 per page.

Normally run by ``bench/bench_pages.py --locust``, which starts gunicorn and passes the pages.
By hand, against a server already serving the demo data on 127.0.0.1:

    .venv/bin/locust -f bench/locustfile.py --headless -u 20 -r 20 -t 60s \\
        --host http://127.0.0.1:8000 --system-page /systems/QUE/ \\
        --organisation-page /organisations/RGM/ --metric-page /organisations/RGM/metrics/AE12ED/

Each page can also be given as an environment variable (``OVERSIGHT_BENCH_SYSTEM_PAGE``,
``OVERSIGHT_BENCH_ORGANISATION_PAGE``, ``OVERSIGHT_BENCH_METRIC_PAGE``).

Signing in costs a password hash (about half a second of CPU), so page views start only once
every user has signed in (or after ``SIGN_IN_WAIT_SECONDS``), each after one think time: page
timings then measure pages, not 20 concurrent password hashes.
"""

from __future__ import annotations

import logging
from typing import Any, NoReturn

import gevent
from gevent.event import Event
from locust import HttpUser, between, events, task
from locust.exception import StopTest

from bench_pages import CSRF_FIELD, PASSWORD, SYSTEM, USERNAME  # locust puts bench/ on sys.path

SIGN_IN_WAIT_SECONDS = 60.0
PAGE_OPTIONS = {
    "system dashboard": "system_page",
    "organisation page": "organisation_page",
    "metric page": "metric_page",
}

all_signed_in = Event()
signed_in_users = 0


@events.init_command_line_parser.add_listener
def add_page_options(parser: Any) -> None:
    for name, option in PAGE_OPTIONS.items():
        parser.add_argument(
            "--" + option.replace("_", "-"),
            env_var="OVERSIGHT_BENCH_" + option.upper(),
            default=f"/systems/{SYSTEM}/" if option == "system_page" else "",
            help=f"path of the {name}",
        )


@events.init.add_listener
def check_pages(environment: Any, **_: Any) -> None:
    missing = [
        "--" + option.replace("_", "-")
        for option in PAGE_OPTIONS.values()
        if not getattr(environment.parsed_options, option, "")
    ]
    if missing:
        raise SystemExit(f"locustfile: give {', '.join(missing)} (bench_pages.py --locust does)")


class DemoUser(HttpUser):
    """A demo user reading the three benchmarked pages, one page view per think time."""

    wait_time = between(1, 3)

    def on_start(self) -> None:
        global signed_in_users
        self.sign_in()
        options = self.environment.parsed_options
        self.pages = [(name, getattr(options, option)) for name, option in PAGE_OPTIONS.items()]
        signed_in_users += 1
        self.turn = signed_in_users  # users start on different pages, as in the thread mode
        if signed_in_users >= self.environment.runner.target_user_count:
            all_signed_in.set()
        all_signed_in.wait(timeout=SIGN_IN_WAIT_SECONDS)
        self.wait()  # spread the first page views over one think time

    def sign_in(self) -> None:
        form = self.client.get("/sign-in/", name="sign-in form")
        token = CSRF_FIELD.search(form.text)
        if form.status_code != 200 or token is None:
            self.stop_run(f"sign-in form answered {form.status_code} without a CSRF token")
        with self.client.post(
            "/sign-in/",
            data={
                "username": USERNAME,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1),
                "next": "/",
            },
            name="sign-in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in answered {response.status_code}, not a redirect")
                self.stop_run(f"sign-in failed with status {response.status_code}")

    def stop_run(self, reason: str) -> NoReturn:
        """Without a session the pages cannot be measured: end the whole run, exit status 1."""
        logging.error(reason)
        self.environment.process_exit_code = 1
        all_signed_in.set()
        gevent.spawn(self.environment.runner.quit)
        raise StopTest(reason)

    @task
    def next_page(self) -> None:
        name, path = self.pages[self.turn % len(self.pages)]
        self.turn += 1
        # A redirect would be the sign-in page (session lost): count it as a failure.
        with self.client.get(
            path, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
