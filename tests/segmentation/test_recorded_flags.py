"""Kind-specific criteria recorded as flags with their evidence feed the proposals (issue 20,
point 6; seed 000 section 1.2): a trust "in actual or suspected breach of the licence" and a
system with "significant gaps in building the capability and capacity required to deliver on
the ICS four fundamental purposes" are segment 3 descriptions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from oversight.segmentation.models import Proposal, RecordedFlag
from oversight.segmentation.proposals import recompute_proposals
from tests.factories import RecordedFlagFactory

Q3, Q4 = "Q3 2021/22", "Q4 2021/22"


def test_a_recorded_licence_breach_proposes_segment_3_with_its_evidence(national) -> None:
    r3 = national["orgs"][3]  # mid-table on every metric: segment 2 on its metrics
    RecordedFlagFactory(organisation=r3)  # suspected breach from 10 January 2022
    recompute_proposals("sof-2021-22")
    assert Proposal.objects.get(organisation=r3, quarter=Q3, current=True).segment == 2
    q4 = Proposal.objects.get(organisation=r3, quarter=Q4, current=True)
    assert q4.segment == 3
    (reason,) = [r for r in q4.reasons if r["rule"] == "licence_breach"]
    assert reason["label"] == ("In actual or suspected breach of the licence (or equivalent for "
                               "NHS trusts)")
    assert reason["signal"] == ("recorded: Suspected; Licence condition FT4 (governance); "
                                "Enforcement undertakings under discussion with the regional team")
    assert reason["period"] == "2022-01-10"


def test_a_withdrawn_flag_or_one_for_another_kind_does_not_count(national) -> None:
    r3, r4 = national["orgs"][3], national["orgs"][4]
    flag = RecordedFlagFactory(organisation=r3)
    RecordedFlagFactory(organisation=r4, code="commissioning_plan", status="",
                        evidence="No plan agreed")  # a CCG criterion: R4 is a trust
    recompute_proposals("sof-2021-22")
    assert Proposal.objects.get(organisation=r3, quarter=Q4, current=True).segment == 3
    assert Proposal.objects.get(organisation=r4, quarter=Q4, current=True).segment == 2
    flag.withdrawn_on = dt.date(2022, 2, 28)
    flag.save()
    assert recompute_proposals("sof-2021-22", [Q4]).written == 1
    assert Proposal.objects.get(organisation=r3, quarter=Q4, current=True).segment == 2
    assert flag.history.count() == 2  # who and when of each change


def test_a_capability_gap_is_recorded_for_the_system(national) -> None:
    RecordedFlagFactory(organisation=None, system=national["system"], code="capability_gap",
                        status="", reference="Tackling unequal outcomes and access",
                        evidence="No agreed plan for health inequalities", in_force_from=dt.date(
                            2021, 11, 1))
    recompute_proposals("sof-2021-22")
    system = Proposal.objects.get(system=national["system"], quarter=Q4, current=True)
    assert system.segment == 3
    assert {r["rule"] for r in system.reasons} == {"capability_gap"}


def test_a_flag_needs_its_evidence_and_one_subject(national) -> None:
    flag = RecordedFlag(organisation=national["orgs"][3], code="licence_breach", evidence=" ",
                        in_force_from=dt.date(2022, 1, 1), withdrawn_on=dt.date(2021, 12, 1))
    with pytest.raises(ValidationError) as caught:
        flag.full_clean()
    assert set(caught.value.message_dict) >= {"evidence", "status", "withdrawn_on"}
    with pytest.raises(IntegrityError), transaction.atomic():
        RecordedFlagFactory(organisation=national["orgs"][3], system=national["system"])
    with pytest.raises(IntegrityError), transaction.atomic():
        RecordedFlagFactory(organisation=national["orgs"][3], evidence="")


def test_the_admin_records_who_recorded_a_flag(client, national, django_user_model) -> None:
    root = django_user_model.objects.create_superuser("root", "root@example.org", "x" * 16)
    client.force_login(root)
    response = client.post("/admin/segmentation/recordedflag/add/", {
        "organisation": national["orgs"][3].pk, "code": "licence_breach", "status": "actual",
        "reference": "FT4", "evidence": "Breach confirmed by the board",
        "in_force_from": "2022-02-01"})
    assert response.status_code == 302, response.content.decode()[:2000]
    flag = RecordedFlag.objects.get()
    assert flag.recorded_by == root and flag.history.get().history_user == root
    refused = client.post("/admin/segmentation/recordedflag/add/", {
        "organisation": national["orgs"][3].pk, "code": "licence_breach",
        "evidence": "No status given", "in_force_from": "2022-02-01"})
    assert refused.status_code == 200 and "actual or suspected" in refused.content.decode()
