"""Reminders of papers and draft minutes due: to the secretariat and the paper's lead, in the
app and by e-mail, once a day."""

import datetime as dt

from django.core import mail
from typer.testing import CliRunner

from oversight.cli.main import app
from oversight.governance.meetings import add_item
from oversight.governance.minutes import draft_minutes, issue_draft
from oversight.governance.papers import add_paper
from oversight.governance.reminders import send_reminders
from oversight.support.models import Notification
from tests.factories import DeclarationFactory, TermsOfReferenceFactory, UserFactory

D = dt.date


def test_paper_due_reminds_secretariat_and_lead(soag, django_capture_on_commit_callbacks):
    lead = soag.nhse[1].person
    lead.user = UserFactory(username="lead", email="lead@example.org")
    lead.save()
    item = add_item(soag.meeting, number="1", title="Finance", purpose="assure")
    add_paper(item, title="H1 position", report_purpose="assure", lead=lead)
    # Papers due 23 August 2021; on 18 August that is 3 working days away.
    assert send_reminders(D(2021, 8, 17), within=3) == []
    with django_capture_on_commit_callbacks(execute=True):
        [(due, people)] = send_reminders(D(2021, 8, 18), within=3)
    assert {p.username for p in people} == {"secretariat", "lead"}
    assert due.describe() == (
        "Paper 'H1 position' for SOAG 31 August 2021 is due by 23 August 2021"
    )
    assert Notification.objects.filter(recipient__username="lead").count() == 1
    assert [m.to for m in mail.outbox] == [["lead@example.org"]]
    assert send_reminders(D(2021, 8, 18), within=3) == []  # not twice in a day


def test_late_minutes_remind_the_secretariat(soag):
    # Draft minutes of 31 August 2021 were due by 14 September.
    [(due, people)] = send_reminders(D(2021, 9, 15), within=0)
    assert due.late and due.describe() == (
        "Draft minutes of SOAG 31 August 2021 were due by 14 September 2021 and are late"
    )
    assert [p.username for p in people] == ["secretariat"]
    minutes = draft_minutes(soag.meeting)
    issue_draft(minutes)
    assert send_reminders(D(2021, 9, 16), within=0) == []


def test_remind_command(soag):
    item = add_item(soag.meeting, number="1", title="Finance", purpose="assure")
    add_paper(item, title="H1 position", report_purpose="assure")
    result = CliRunner().invoke(app, ["governance", "remind", "--today", "2021-08-24"])
    assert result.exit_code == 0, result.output
    assert "was due by 23 August 2021 and is late: told secretariat" in result.stdout
    assert "1 reminder sent." in result.stdout


def test_annual_reviews_remind_the_secretariat(soag):
    TermsOfReferenceFactory(
        body=soag.body, version="1.7", dated=D(2021, 8, 1), approved_on=D(2021, 8, 3)
    )
    DeclarationFactory(
        person=soag.icb[1].person, description="Trustee of a charity", declared_on=D(2021, 8, 31)
    )
    DeclarationFactory(
        person=soag.icb[2].person, declared_on=D(2021, 8, 31), ended_on=D(2022, 1, 31)
    )  # ended: no review
    assert send_reminders(D(2022, 8, 3), within=0) == []
    sent = send_reminders(D(2022, 9, 1), within=0)
    assert [(r.describe(), [p.username for p in people]) for r, people in sent] == [
        ("The SOAG terms of reference v1.7 were due for review by 3 August 2022", ["secretariat"]),
        (
            "Ben ICB's declaration of interest (Trustee of a charity) was due for its annual "
            "review by 31 August 2022",
            ["secretariat"],
        ),
    ]
