"""`oversight report soag-overview` against the test database: a document written and a version
issued; clear refusals, never a traceback."""

from __future__ import annotations

import hashlib

import pytest
import time_machine
from typer.testing import CliRunner

from oversight.cli.main import app
from oversight.reports.models import ReportVersion
from tests.factories import UserFactory
from tests.reports.conftest import AS_AT

pytestmark = pytest.mark.django_db
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["report", "soag-overview", *args])


def test_issues_and_writes_the_report(world, tmp_path):
    out = tmp_path / "soag.html"
    with time_machine.travel(AS_AT, tick=False):
        result = run("--system", "que", "--meeting", "2021-09-15", "--since", "2021-08-01",
                     "--format", "html", "--output", str(out))
    assert result.exit_code == 0, result.output
    version = ReportVersion.objects.get(report=world.report)
    assert out.read_bytes() == version.html.encode()
    assert version.as_at == AS_AT
    assert world.uec.discussion in out.read_text()


def test_as_a_user_it_writes_the_stored_pdf_and_puts_it_on_the_agenda(world, tmp_path):
    issuer = UserFactory(username="secretary")
    out = tmp_path / "soag.pdf"
    with time_machine.travel(AS_AT, tick=False):
        result = run("--system", "QUE", "--meeting", "2021-09-15", "--format", "pdf",
                     "--output", str(out), "--user", "secretary")
    assert result.exit_code == 0, result.output
    version = ReportVersion.objects.get(report=world.report)
    assert version.issued_by == issuer
    assert hashlib.sha256(out.read_bytes()).hexdigest() == version.stored("pdf").sha256
    assert version.paper_version.sha256 == version.stored("pdf").sha256
    assert version.paper_version.paper.item.meeting == world.board_meeting
    assert "issued to the board" in " ".join(result.output.split())


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--system", "QZZ", "--meeting", "2021-09-15"], 1, "no system with code 'QZZ'"),
    (["--system", "QUE", "--meeting", "2021-09-16"], 1, "has no board meeting on 2021-09-16"),
    (["--system", "QUE", "--meeting", "15/09/2021"], 2, "is not a date (YYYY-MM-DD)"),
    (["--system", "QUE", "--meeting", "2021-09-15", "--since", "2021-09-20"], 1,
     "must start before the board meeting"),
    (["--system", "QUE", "--meeting", "2021-09-15", "--user", "nobody"], 2,
     "no user named 'nobody'"),
])
def test_refusals_are_messages(world, tmp_path, args, code, message):
    result = run(*args, "--format", "html", "--output", str(tmp_path / "x.html"))
    assert result.exit_code == code
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert not ReportVersion.objects.exists()
