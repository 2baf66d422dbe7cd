"""`oversight governance schedule | publish | call | remind` against the test database."""

import csv
import datetime as dt
import io
import json

import pytest
from typer.testing import CliRunner

from oversight.cli.main import app
from oversight.governance.models import Meeting

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["governance", *args])


def test_schedule_csv_with_bank_holidays(soag):
    result = run("schedule", "SOAG", "--from", "2021-08-01", "--to", "2022-01-31")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["date", "kind", "papers_due", "minutes_due"]
    assert rows[1:] == [
        ["2021-08-31", "scheduled", "2021-08-23", "2021-09-14"],
        ["2021-09-28", "scheduled", "2021-09-21", "2021-10-12"],
        ["2021-10-26", "scheduled", "2021-10-19", "2021-11-09"],
        ["2021-11-30", "scheduled", "2021-11-23", "2021-12-14"],
        ["2021-12-29", "scheduled", "2021-12-20", "2022-01-13"],
        ["2022-01-25", "scheduled", "2022-01-18", "2022-02-08"],
    ]


def test_schedule_json_with_an_extraordinary_meeting(soag):
    called = run(
        "call",
        "soag",
        "2021-12-15",
        "--extraordinary",
        "--reason",
        "Winter",
        "--called-on",
        "2021-12-06",
    )
    assert called.exit_code == 0, called.output
    assert "called for 2021-12-15" in called.stdout
    result = run(
        "schedule", "SOAG", "--from", "2021-12-01", "--to", "2021-12-31", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["meetings"] == [
        {
            "date": "2021-12-15",
            "kind": "extraordinary",
            "papers_due": "2021-12-08",
            "minutes_due": "2021-12-31",
            "notice_due": "2021-12-06",
        },
        {
            "date": "2021-12-29",
            "kind": "scheduled",
            "papers_due": "2021-12-20",
            "minutes_due": "2022-01-13",
        },
    ]
    csv_out = run("schedule", "SOAG", "--from", "2021-12-01", "--to", "2021-12-31")
    assert csv_out.stdout.splitlines()[:2] == [
        "date,kind,papers_due,minutes_due,notice_due",
        "2021-12-15,extraordinary,2021-12-08,2021-12-31,2021-12-06",
    ]


def test_call_refused_under_seven_working_days(soag):
    result = run(
        "call",
        "SOAG",
        "2021-12-14",
        "--extraordinary",
        "--reason",
        "Winter",
        "--called-on",
        "2021-12-06",
    )
    assert result.exit_code == 1
    assert "would have 6 working days' notice; at least 7" in result.stderr
    assert not Meeting.objects.filter(date=dt.date(2021, 12, 14)).exists()


def test_call_with_todays_date(soag):
    far = dt.date.today() + dt.timedelta(days=40)
    result = run("call", "SOAG", far.isoformat(), "--extraordinary", "--reason", "Review")
    assert result.exit_code == 0, result.output
    assert Meeting.objects.get(date=far).called_on == dt.date.today()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ("schedule", "NOPE", "--from", "2021-01-01", "--to", "2021-02-01"),
            1,
            "No body is called 'NOPE' (bodies: SOAG)",
        ),
        (
            ("schedule", "SOAG", "--from", "31/08/2021", "--to", "2021-02-01"),
            2,
            "--from '31/08/2021' is not a date",
        ),
        (("schedule", "SOAG", "--from", "2021-03-01", "--to", "2021-02-01"), 2, "is before"),
        (("call", "SOAG", "2021-12-14", "--reason", "x"), 2, "add --extraordinary"),
    ],
)
def test_errors(soag, args, code, message):
    result = run(*args)
    assert result.exit_code == code
    assert message in result.stderr


def test_publish(soag):
    result = run("publish", "SOAG", "--from", "2021-09-01", "--to", "2021-10-31")
    assert result.exit_code == 0, result.output
    assert "2 meetings published for SOAG" in result.stdout
    assert (
        "0 meetings published"
        in run("publish", "SOAG", "--from", "2021-09-01", "--to", "2021-10-31").stdout
    )
