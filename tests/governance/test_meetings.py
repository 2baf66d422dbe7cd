"""Publishing the schedule, extraordinary meetings (ToR 7.2: at least seven working days'
notice), attendance and the agenda."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from oversight.governance.meetings import (
    add_item,
    call_extraordinary,
    cancel_meeting,
    publish_schedule,
    record_attendance,
    schedule,
)
from oversight.governance.models import Meeting, MeetingKind, MeetingStatus
from tests.factories import AgendaItemFactory, MeetingFactory, PersonFactory

D = dt.date


def test_publish_schedule_is_idempotent(soag):
    made = publish_schedule(soag.body, D(2021, 8, 1), D(2021, 12, 31))
    # 31 August exists already (the fixture's meeting); 28 December moves to the 29th.
    assert [m.date for m in made] == [
        D(2021, 9, 28),
        D(2021, 10, 26),
        D(2021, 11, 30),
        D(2021, 12, 29),
    ]
    assert all(m.status == MeetingStatus.PUBLISHED for m in made)
    assert publish_schedule(soag.body, D(2021, 8, 1), D(2021, 12, 31)) == []
    history = made[0].history.first()
    assert history.history_change_reason == "Annual schedule published"


def test_schedule_lists_recorded_and_pattern_dates_with_deadlines(soag):
    call_extraordinary(soag.body, D(2021, 10, 12), "Winter plan", called_on=D(2021, 9, 30))
    rows = schedule(soag.body, D(2021, 9, 1), D(2021, 10, 31))
    assert [(r.date, r.kind) for r in rows] == [
        (D(2021, 9, 28), "scheduled"),
        (D(2021, 10, 12), "extraordinary"),
        (D(2021, 10, 26), "scheduled"),
    ]
    assert rows[1].deadlines.notice_due == D(2021, 10, 1)
    assert rows[0].deadlines.notice_due is None


def test_a_cancelled_meeting_leaves_the_schedule(soag):
    cancel_meeting(soag.meeting, "Clashes with the board")
    assert schedule(soag.body, D(2021, 8, 1), D(2021, 8, 31)) == []


def test_extraordinary_with_seven_working_days_notice_is_called(soag):
    meeting = call_extraordinary(
        soag.body, D(2021, 12, 15), "Winter pressures at a provider", called_on=D(2021, 12, 6)
    )
    assert meeting.kind == MeetingKind.EXTRAORDINARY
    assert meeting.called_on == D(2021, 12, 6)
    assert meeting.notice_due == D(2021, 12, 6)
    assert meeting.reason == "Winter pressures at a provider"


def test_extraordinary_with_six_working_days_is_refused(soag):
    with pytest.raises(ValidationError) as caught:
        call_extraordinary(soag.body, D(2021, 12, 14), "Winter", called_on=D(2021, 12, 6))
    assert caught.value.messages == [
        "An extraordinary meeting of SOAG on 14 December 2021 called on 6 December 2021 would "
        "have 6 working days' notice; at least 7 working days' notice is needed. Call it on or "
        "before 3 December 2021, or meet on or after 15 December 2021."
    ]
    assert not Meeting.objects.filter(date=D(2021, 12, 14)).exists()


def test_extraordinary_notice_across_christmas_is_refused(soag):
    # 21 December 2021 to 30 December: 22, 23, 24, 29, 30 (27 and 28 are bank holidays).
    with pytest.raises(ValidationError, match="would have 5 working days' notice") as caught:
        call_extraordinary(soag.body, D(2021, 12, 30), "Year end", called_on=D(2021, 12, 21))
    assert "on or before 17 December 2021, or meet on or after 4 January 2022" in str(caught.value)
    assert call_extraordinary(soag.body, D(2022, 1, 4), "Year end", called_on=D(2021, 12, 21))


def test_extraordinary_needs_a_purpose_and_a_free_day(soag):
    with pytest.raises(ValidationError, match="specific purpose"):
        call_extraordinary(soag.body, D(2022, 1, 4), "  ", called_on=D(2021, 12, 1))
    with pytest.raises(ValidationError, match="already meets on 31 August 2021"):
        call_extraordinary(soag.body, D(2021, 8, 31), "Twice", called_on=D(2021, 8, 1))


def test_attendance_is_corrected_not_duplicated(soag):
    person = soag.icb[1].person
    record_attendance(soag.meeting, person, "apologies")
    record_attendance(soag.meeting, person, "present", mode="remote")
    [attendance] = soag.meeting.attendances.all()
    assert (attendance.status, attendance.mode) == ("present", "remote")
    assert attendance.history.count() == 2


def test_one_deputy_per_member(soag):
    member = soag.icb[1]
    record_attendance(soag.meeting, member.nominated_deputy, deputising_for=member)
    with pytest.raises(ValidationError, match="already deputises for Ben ICB"):
        record_attendance(soag.meeting, PersonFactory(), deputising_for=member)


def test_attendance_for_items_of_another_meeting_is_refused(soag):
    other = AgendaItemFactory(meeting=MeetingFactory(body=soag.body, date=D(2021, 9, 28)))
    with pytest.raises(ValidationError, match="items of this meeting"):
        record_attendance(soag.meeting, PersonFactory(), for_items=[other])


def test_agenda_items_are_numbered_once_with_a_known_purpose(soag):
    add_item(soag.meeting, number="1", title="Urgent and emergency care", purpose="assure")
    with pytest.raises(ValidationError, match="already has an item 1"):
        add_item(soag.meeting, number="1", title="Again", purpose="assure")
    with pytest.raises(ValidationError, match="not a purpose"):
        add_item(soag.meeting, number="2", title="X", purpose="note")
