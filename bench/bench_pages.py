"""Page benchmark: p95 of the system dashboard, organisation page and metric page under 20
concurrent users, against gunicorn serving the demo data on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oversight_bench \
        .venv/bin/python bench/bench_pages.py [--users 20] [--seconds 60] [--think 1-3]

Loads the demo dataset first when its user is absent (``oversight demo --no-serve``), starts
gunicorn on 127.0.0.1 (2 workers x 4 threads: this machine has 2 cores), signs every user in
through the real sign-in form, warms each worker, then runs a bounded pool of user threads for a
bounded time. Each user repeatedly opens the three pages in turn, waiting a random "think time"
between page views (uniform, default 1-3 s, as locust's ``between(1, 3)``); ``--think 0`` gives
the closed-loop saturation figure. Only 127.0.0.1 is ever contacted. Results are recorded in
bench/README.md under "Pages".
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
SYSTEM = "QUE"
USERNAME, PASSWORD = "demo", "oversight-demo"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def request(
    port: int,
    method: str,
    path: str,
    cookie: str = "",
    body: str | None = None,
) -> tuple[int, dict[str, list[str]], bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    headers = {"Cookie": cookie} if cookie else {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    cookies: dict[str, list[str]] = {}
    for k, v in resp.getheaders():
        cookies.setdefault(k.lower(), []).append(v)
    conn.close()
    return resp.status, cookies, data


def sign_in(port: int) -> str:
    status, headers, html = request(port, "GET", "/sign-in/")
    csrf_cookie = next(c.split(";")[0] for c in headers["set-cookie"] if c.startswith("csrftoken"))
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1).decode()
    body = urlencode(
        {"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token, "next": "/"}
    )
    status, headers, _ = request(port, "POST", "/sign-in/", csrf_cookie, body)
    if status != 302:
        raise SystemExit(f"sign-in failed with status {status}")
    session = next(c.split(";")[0] for c in headers["set-cookie"] if c.startswith("sessionid"))
    return f"{csrf_cookie}; {session}"


def pages() -> dict[str, str]:
    """The three pages: the demo system, its first acute trust and that trust's first metric
    of the newest framework it has data for."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oversight.settings")
    django.setup()
    from oversight.metrics.models import Observation
    from oversight.organisations.models import Organisation

    org = (
        Organisation.objects.filter(host_system__code=SYSTEM, kind="acute")
        .order_by("ods_code")
        .first()
    )
    if org is None:
        raise SystemExit(f"no acute trust in system {SYSTEM}: is the demo loaded?")
    code = (
        Observation.objects.filter(organisation=org, value__isnull=False)
        .order_by("-metric__framework__year_start", "metric__code")
        .values_list("metric__code", flat=True)
        .first()
    )
    return {
        "system dashboard": f"/systems/{SYSTEM}/",
        "organisation page": f"/organisations/{org.ods_code}/",
        "metric page": f"/organisations/{org.ods_code}/metrics/{code}/",
    }


def ensure_demo() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oversight.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    try:
        present = get_user_model().objects.filter(username=USERNAME).exists()
    except Exception:  # noqa: BLE001 - no schema yet
        present = False
    if not present:
        print("Loading the demo dataset (oversight demo --no-serve) ...", flush=True)
        subprocess.run([str(BIN / "oversight"), "demo", "--no-serve"], check=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--think", default="1-3", help="think time range in seconds, or 0")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a PostgreSQL database (it gets the demo data)")
    users = max(1, min(args.users, 100))
    seconds = max(5.0, min(args.seconds, 600.0))
    think = (0.0, 0.0) if args.think == "0" else tuple(float(x) for x in args.think.split("-"))

    ensure_demo()
    targets = pages()
    port = free_port()
    env = os.environ | {"SECURE_COOKIES": "0", "LOG_LEVEL": "WARNING"}
    subprocess.run(
        [str(BIN / "python"), "-m", "django", "collectstatic", "--noinput", "-v0"],
        check=True,
        env=env | {"DJANGO_SETTINGS_MODULE": "oversight.settings"},
    )
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "oversight.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--worker-class",
            "gthread",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        for _ in range(100):
            try:
                request(port, "GET", "/health/")
                break
            except OSError:
                time.sleep(0.2)
        cookies = [sign_in(port) for _ in range(users)]
        cold: dict[str, float] = {}
        for name, path in targets.items():
            t = time.perf_counter()
            status, _, _ = request(port, "GET", path, cookies[0])
            cold[name] = (time.perf_counter() - t) * 1000
            assert status == 200, (path, status)
        for _ in range(4 * args.workers):  # warm every worker
            for path in targets.values():
                request(port, "GET", path, cookies[0])

        timings: dict[str, list[float]] = {name: [] for name in targets}
        errors: list[str] = []
        lock = threading.Lock()
        stop = time.monotonic() + seconds

        def user(i: int) -> None:
            rng = random.Random(i)
            names = list(targets)
            k = i % len(names)
            time.sleep(rng.uniform(0, think[1] or 0.05))
            while time.monotonic() < stop:
                name = names[k % len(names)]
                k += 1
                t = time.perf_counter()
                try:
                    status, _, _ = request(port, "GET", targets[name], cookies[i])
                except OSError as exc:
                    status, name = 0, f"{name}: {exc}"
                ms = (time.perf_counter() - t) * 1000
                with lock:
                    if status == 200:
                        timings[name].append(ms)
                    else:
                        errors.append(f"{name} -> {status}")
                if think[1]:
                    time.sleep(rng.uniform(*think))

        threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=seconds + 60)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    print(
        f"{users} users, {seconds:.0f} s, think time {args.think} s, gunicorn "
        f"{args.workers} workers x {args.threads} threads, {os.cpu_count()} CPUs"
    )
    print("| page | path | requests | median ms | p95 ms | max ms | first request ms |")
    print("|---|---|---|---|---|---|---|")
    for name, path in targets.items():
        xs = timings[name]
        if not xs:
            print(f"| {name} | `{path}` | 0 | | | | |")
            continue
        print(
            f"| {name} | `{path}` | {len(xs)} | {statistics.median(xs):.0f} | "
            f"{percentile(xs, 0.95):.0f} | {max(xs):.0f} | {cold[name]:.0f} |"
        )
    total = sum(len(x) for x in timings.values())
    print(
        f"throughput {total / seconds:.1f} requests/s; errors: {len(errors)}"
        + (f" (first: {errors[0]})" if errors else "")
    )


if __name__ == "__main__":
    main()
