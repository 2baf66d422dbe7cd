"""The signed-in user's roles are read from the database once per request."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import OrganisationFactory, RoleFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/organisations/", "/organisations/{ods}/", "/support/"])
def test_roles_are_queried_once_per_request(client, path):
    org = OrganisationFactory()
    role = RoleFactory(kind="icb", region=None, system=org.host_system)
    client.force_login(role.user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path.format(ods=org.ods_code))
    assert response.status_code == 200
    role_reads = [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "access_role" WHERE' in q["sql"]
        and "LIMIT" not in q["sql"]
    ]
    assert len(role_reads) == 1, role_reads
