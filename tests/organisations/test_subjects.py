"""One subject (organisations.subjects): every model about an organisation or a system keeps
exactly one of the two in the database, shows it the same way and is filtered by it the same
way."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction

from oversight.organisations.subjects import ONE_SUBJECT, OneSubject, subject_keys
from tests.factories import (
    OrganisationFactory,
    RegionFactory,
    SoagActionFactory,
    SystemFactory,
)


def _subject_models() -> list[type]:
    return [m for m in apps.get_models() if issubclass(m, OneSubject)]


def test_proposals_decisions_cases_and_actions_are_one_subject_models():
    names = {m._meta.label for m in _subject_models()}
    assert {"segmentation.Proposal", "segmentation.Decision", "support.SupportCase",
            "support.SoagAction"} <= names


@pytest.mark.parametrize("model", _subject_models(), ids=lambda m: m._meta.label)
def test_every_subject_model_has_the_one_subject_check(model):
    conditions = [c.condition for c in model._meta.constraints if hasattr(c, "condition")
                  and not getattr(c, "fields", ())]
    assert ONE_SUBJECT in conditions


@pytest.mark.django_db
def test_keys_display_and_region_of_an_organisation_and_of_a_system():
    from oversight.support.models import SoagAction

    east = RegionFactory(code="Y61", name="East of England")
    que = SystemFactory(code="QUE", name="Cambridgeshire and Peterborough", region=east)
    cuh = OrganisationFactory(ods_code="RGT", name="Cambridge University Hospitals",
                              region=east, host_system=que)
    assert subject_keys(cuh) == {"organisation": cuh}
    assert subject_keys(que) == {"system": que}
    by_org = SoagActionFactory(**subject_keys(cuh))
    by_system = SoagActionFactory(organisation=None, **subject_keys(que))
    assert (by_org.subject, by_org.subject_code, by_org.subject_name, by_org.region) == (
        cuh, "RGT", "Cambridge University Hospitals", east)
    assert (by_system.subject, by_system.subject_code, by_system.subject_name,
            by_system.region) == (que, "QUE", "Cambridgeshire and Peterborough", east)
    assert list(SoagAction.objects.filter(**subject_keys(que))) == [by_system]


@pytest.mark.django_db
@pytest.mark.parametrize("both", [True, False], ids=["both", "neither"])
def test_the_database_refuses_both_subjects_or_neither(both):
    que = SystemFactory(code="QUE")
    cuh = OrganisationFactory(ods_code="RGT", host_system=que)
    keys = {"organisation": cuh, "system": que} if both else {"organisation": None}
    with pytest.raises(IntegrityError), transaction.atomic():
        SoagActionFactory(**keys)
