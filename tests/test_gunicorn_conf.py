"""`oversight serve` escalates overdue SOAG actions while the site is up (gunicorn master)."""

from __future__ import annotations

import subprocess

import pytest

from oversight import gunicorn_conf


class Log:
    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []

    def info(self, msg: str, *args: object) -> None:
        self.lines.append(("info", msg % args))

    def error(self, msg: str, *args: object) -> None:
        self.lines.append(("error", msg % args))


class Stop(Exception):
    pass


def test_escalation_runs_the_command_then_waits(monkeypatch):
    runs, waits = [], []
    answers = iter(
        [
            subprocess.CompletedProcess([], 0, "Escalated 2 actions to the board.\n", ""),
            subprocess.CompletedProcess([], 1, "", "database unavailable"),
        ]
    )

    def fake_run(command, **kwargs):
        runs.append(command)
        return next(answers)

    def fake_sleep(seconds):
        waits.append(seconds)
        if len(waits) == 2:
            raise Stop

    monkeypatch.setattr(gunicorn_conf.subprocess, "run", fake_run)
    monkeypatch.setattr(gunicorn_conf.time, "sleep", fake_sleep)
    log = Log()
    with pytest.raises(Stop):
        gunicorn_conf.escalate_periodically(log, interval=60)
    assert runs[0][-2:] == ["support", "escalate-overdue"] and len(runs) == 2
    assert runs[0][0].endswith("oversight") and waits == [60, 60]
    assert log.lines == [
        ("info", "oversight: Escalated 2 actions to the board."),
        ("error", "oversight: escalating overdue SOAG actions failed (1): database unavailable"),
    ]


def test_the_command_it_runs_exists_and_answers(tmp_path):
    """The real command, on an empty database: nothing to escalate."""
    command = gunicorn_conf.escalation_command()
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "OVERSIGHT_VAR_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }
    migrate = subprocess.run([command[0], "migrate"], env=env, capture_output=True, text=True)
    assert migrate.returncode == 0, migrate.stderr
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "No overdue action to escalate." in done.stdout


@pytest.mark.parametrize(("setting", "starts"), [(None, True), ("0", False), ("off", False)])
def test_when_ready_starts_the_thread_unless_switched_off(monkeypatch, setting, starts):
    started = []
    monkeypatch.setattr(
        gunicorn_conf.threading,
        "Thread",
        lambda **kw: type("T", (), {"start": lambda self: started.append(kw)})(),
    )
    if setting is None:
        monkeypatch.delenv("OVERSIGHT_ESCALATE", raising=False)
    else:
        monkeypatch.setenv("OVERSIGHT_ESCALATE", setting)
    gunicorn_conf.when_ready(type("Server", (), {"log": Log()})())
    assert bool(started) is starts
    if starts:
        assert started[0]["daemon"] and started[0]["target"] is gunicorn_conf.escalate_periodically
