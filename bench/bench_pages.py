"""Page benchmark: p95 of the system dashboard, organisation page and metric page under 20
concurrent users, against gunicorn serving the demo data on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oversight_bench \
        .venv/bin/python bench/bench_pages.py [--locust] [--users 20] [--seconds 60] [--think 1-3]

Loads the demo dataset first when its user is absent (``oversight demo --no-serve``), starts
gunicorn on 127.0.0.1 (2 workers x 4 threads: this machine has 2 cores), times each page's first
request and warms each worker, then generates the load for a bounded time, in one of two ways:

- ``--locust``: runs locust headless on bench/locustfile.py (the ``bench`` extra) and reads its
  ``_stats.csv``; each locust user signs in through the sign-in form, then opens the three pages
  in turn with ``between(1, 3)`` think time.
- default: a bounded pool of user threads, each signed in through the real sign-in form, opening
  the three pages in turn with a random think time between page views (uniform, default 1-3 s,
  as locust's ``between(1, 3)``); ``--think 0`` gives the closed-loop saturation figure.

Only 127.0.0.1 is ever contacted. Results are recorded in bench/README.md under "Pages"."""

from __future__ import annotations

import argparse
import csv
import http.client
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
SYSTEM = "QUE"
USERNAME, PASSWORD = "demo", "oversight-demo"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


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
    token = CSRF_FIELD.search(html.decode()).group(1)
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


@dataclass
class PageFigures:
    """One page's response times in ms; ``requests`` counts failed requests too."""

    requests: int
    failures: int
    median: float | None
    p95: float | None
    max: float | None


@dataclass
class Measurement:
    pages: dict[str, PageFigures]
    requests_per_second: float
    failures: list[str]  # what went wrong, one line per kind


def start_server(workers: int, threads: int) -> tuple[subprocess.Popen[bytes], int]:
    """collectstatic, then gunicorn on a free port of 127.0.0.1, answering /health/."""
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
            str(workers),
            "--threads",
            str(threads),
            "--worker-class",
            "gthread",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    for _ in range(150):
        try:
            request(port, "GET", "/health/")
            return server, port
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"gunicorn exited with status {server.returncode}") from None
            time.sleep(0.2)
    stop_server(server)
    raise SystemExit(f"gunicorn did not answer /health/ on {HOST}:{port} within 30 s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)


def warm_up(port: int, targets: dict[str, str], workers: int, cookie: str) -> dict[str, float]:
    """Open each page once (timed: the first request after start-up) then enough times for
    every worker to have served it."""
    cold: dict[str, float] = {}
    for name, path in targets.items():
        t = time.perf_counter()
        status, _, _ = request(port, "GET", path, cookie)
        cold[name] = (time.perf_counter() - t) * 1000
        if status != 200:
            raise SystemExit(f"{name} {path} answered {status} during warm-up")
    for _ in range(4 * workers):
        for path in targets.values():
            request(port, "GET", path, cookie)
    return cold


def run_threads(
    port: int,
    targets: dict[str, str],
    cookies: list[str],
    seconds: float,
    think: tuple[float, float],
) -> Measurement:
    """One thread per signed-in user, opening the pages in turn with a think time between."""
    timings: dict[str, list[float]] = {name: [] for name in targets}
    failed: dict[str, int] = dict.fromkeys(targets, 0)
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
                problem = "" if status == 200 else f"status {status}"
            except OSError as exc:
                problem = str(exc)
            ms = (time.perf_counter() - t) * 1000
            with lock:
                if problem:
                    failed[name] += 1
                    errors.append(f"{name}: {problem}")
                else:
                    timings[name].append(ms)
            if think[1]:
                time.sleep(rng.uniform(*think))

    threads = [threading.Thread(target=user, args=(i,)) for i in range(len(cookies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 60)
    figures = {
        name: PageFigures(
            requests=len(xs) + failed[name],
            failures=failed[name],
            median=statistics.median(xs) if xs else None,
            p95=percentile(xs, 0.95) if xs else None,
            max=max(xs) if xs else None,
        )
        for name, xs in timings.items()
    }
    total = sum(f.requests for f in figures.values())
    kinds = sorted(set(errors))
    return Measurement(figures, total / seconds, [f"{errors.count(k)} x {k}" for k in kinds])


def run_locust(port: int, targets: dict[str, str], users: int, seconds: float) -> Measurement:
    """Run bench/locustfile.py headless against the server; figures from its ``_stats.csv``."""
    locust = BIN / "locust"
    if not locust.exists():
        raise SystemExit(
            f"{locust} not found: install the bench extra with "
            "`.venv/bin/pip install -e '.[bench]'`"
        )
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
        prefix = Path(tmp) / "locust"
        command = [
            str(locust),
            "--headless",
            "-u", str(users),
            "-r", str(users),
            "-t", f"{seconds:.0f}s",
            "--host", f"http://{HOST}:{port}",
            "--csv", str(prefix),
            "--only-summary",
            "-f", str(ROOT / "bench" / "locustfile.py"),
            "--system-page", targets["system dashboard"],
            "--organisation-page", targets["organisation page"],
            "--metric-page", targets["metric page"],
        ]  # fmt: skip
        log = Path(tmp) / "locust.log"
        with log.open("wb") as out:
            try:
                done = subprocess.run(
                    command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, timeout=seconds + 120
                )
            except subprocess.TimeoutExpired:
                raise SystemExit(f"locust did not finish within {seconds + 120:.0f} s") from None
        stats_file = Path(f"{prefix}_stats.csv")
        if not stats_file.exists():
            raise SystemExit(
                f"locust exited with status {done.returncode} without {stats_file.name}:\n"
                + log.read_text(errors="replace")[-3000:]
            )
        with stats_file.open(newline="") as f:
            rows = {row["Name"]: row for row in csv.DictReader(f)}
        with Path(f"{prefix}_failures.csv").open(newline="") as f:
            failures = [
                f"{row['Occurrences']} x {row['Method']} {row['Name']}: {row['Error']}"
                for row in csv.DictReader(f)
            ]
        if done.returncode != 0 and not failures:
            failures.append(
                f"locust exited with status {done.returncode}: "
                + log.read_text(errors="replace")[-2000:]
            )

    def number(row: dict[str, str], column: str) -> float | None:
        return None if row[column] in ("", "N/A") else float(row[column])

    figures = {}
    for name in targets:
        row = rows.get(name)
        if row is None:
            figures[name] = PageFigures(0, 0, None, None, None)
            continue
        figures[name] = PageFigures(
            requests=int(row["Request Count"]),
            failures=int(row["Failure Count"]),
            median=number(row, "Median Response Time"),
            p95=number(row, "95%"),
            max=number(row, "Max Response Time"),
        )
    rate = sum(float(rows[name]["Requests/s"]) for name in targets if name in rows)
    return Measurement(figures, rate, failures)


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--think", default="1-3", help="think time range in seconds, or 0")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--locust",
        action="store_true",
        help="generate the load with locust (bench/locustfile.py, think time 1-3 s) instead of "
        "this script's own user threads",
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a PostgreSQL database (it gets the demo data)")
    if args.locust and args.think != "1-3":
        raise SystemExit("--think cannot be changed with --locust: locustfile.py waits 1-3 s")
    users = max(1, min(args.users, 100))
    seconds = max(5.0, min(args.seconds, 600.0))
    think = (0.0, 0.0) if args.think == "0" else tuple(float(x) for x in args.think.split("-"))

    ensure_demo()
    targets = pages()
    server, port = start_server(args.workers, args.threads)
    try:
        cookie = sign_in(port)
        cold = warm_up(port, targets, args.workers, cookie)
        loads = [load_average()]
        if args.locust:
            result = run_locust(port, targets, users, seconds)
        else:
            cookies = [cookie] + [sign_in(port) for _ in range(users - 1)]
            result = run_threads(port, targets, cookies, seconds, think)
        loads.append(load_average())
    finally:
        stop_server(server)

    generator = "locust 1 process" if args.locust else "user threads"
    print(
        f"{users} users ({generator}), {seconds:.0f} s, think time {args.think} s, gunicorn "
        f"{args.workers} workers x {args.threads} threads, {os.cpu_count()} CPUs; "
        f"load average before {loads[0]}, after {loads[1]}"
    )
    print("| page | path | requests | failures | median ms | p95 ms | max ms | first request ms |")
    print("|---|---|---|---|---|---|---|---|")

    def ms(x: float | None) -> str:
        return "" if x is None else f"{x:.0f}"

    for name, path in targets.items():
        f = result.pages[name]
        print(
            f"| {name} | `{path}` | {f.requests} | {f.failures} | {ms(f.median)} | {ms(f.p95)} "
            f"| {ms(f.max)} | {cold[name]:.0f} |"
        )
    print(
        f"throughput {result.requests_per_second:.1f} requests/s; "
        f"failures: {sum(f.failures for f in result.pages.values())}"
    )
    for line in result.failures:
        print(f"  {line}")
    if result.failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
