"""Single sign-on against a real OpenID Connect provider served by the tests (oidc_provider.py):
the code flow with PKCE through discovery, authorize, token, JWKS and userinfo; claims mapped
to roles by the role map; refusals (no role, unknown organisation, bad signature, nonce, state,
audience, issuer, an unreachable provider) on the refused page; signing out at the provider."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model
from django.urls import reverse

from oversight.access import claims, oidc
from oversight.access.models import Role
from tests.access.oidc_provider import CLIENT_ID, CLIENT_SECRET, Running
from tests.factories import OrganisationFactory, RegionFactory, SystemFactory, UserFactory

pytestmark = pytest.mark.django_db

CIS2_MAP = """\
claims:
  roles: nhsid_nrbac_roles
  role_field: role_code
  organisation_field: org_code
roles:
  - when: ["S8000:G8000:R8008", "S8000:G8000:R8001"]
    role: organisation
    organisation: from organisation
  - when: S8000:G8001:R8002
    role: icb
    system: from organisation
"""


@pytest.fixture(scope="module")
def running():
    served = Running()
    yield served
    served.stop()


@pytest.fixture
def provider(running, settings):
    """The provider, configured by its issuer alone (endpoints from discovery)."""
    p = running.provider
    p.user, p.tamper, p.foreign_key, p.id_token_claims = {}, {}, False, ("sub",)
    p.ended.clear()
    p.signed_in = True
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_ISSUER = p.url
    oidc.discovery.cache_clear()
    claims.role_map.cache_clear()
    yield p
    oidc.discovery.cache_clear()
    claims.role_map.cache_clear()


@pytest.fixture
def world(db):
    region = RegionFactory(code="Y61", name="East of England")
    system = SystemFactory(code="QUE", name="Cambridgeshire and Peterborough", region=region)
    trust = OrganisationFactory(ods_code="RGT", name="Cambridge University Hospitals",
                                host_system=system, region=region)
    return {"region": region, "system": system, "trust": trust}


def sign_in(client, next_url: str = ""):
    """Follow the flow as a browser would: Oversight -> provider -> Oversight's callback."""
    return through_provider(
        client, client.get(reverse("oidc_authenticate") + (f"?next={next_url}" if next_url
                                                           else "")))


def through_provider(client, start):
    """Follow Oversight's redirect to the provider and the provider's back to the callback."""
    assert start.status_code == 302, start.content
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["Location"])
    assert back.path == reverse("oidc_callback")
    return client.get(back.path + "?" + back.query)


def test_authorize_request_carries_state_nonce_and_pkce(client, provider):
    start = client.get(reverse("oidc_authenticate"))
    query = parse_qs(urlsplit(start["Location"]).query)
    assert start["Location"].startswith(f"{provider.url}/authorize?")
    assert query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == ["http://testserver/oidc/callback/"]
    assert query["code_challenge_method"] == ["S256"]
    assert {"state", "nonce", "code_challenge"} <= set(query)


def test_sign_in_maps_the_providers_role_to_an_oversight_role(client, provider, world):
    provider.user = {"sub": "entra-0001", "email": "ana.ward@nhs.net", "given_name": "Ana",
                     "family_name": "Ward", "roles": ["Oversight.ICB", "Other.App.Role"],
                     "org_code": "QUE"}
    done = sign_in(client)
    assert done.status_code == 302 and done["Location"] == reverse("home")
    user = get_user_model().objects.get(username="sso-entra-0001")
    assert (user.email, user.first_name, user.last_name) == ("ana.ward@nhs.net", "Ana", "Ward")
    assert not user.has_usable_password()
    assert [(r.kind, r.system) for r in user.oversight_roles.all()] == [("icb", world["system"])]
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert "Cambridgeshire and Peterborough" in home.content.decode()


def test_next_sign_in_replaces_the_roles_with_what_the_provider_now_says(client, provider,
                                                                          world):
    provider.user = {"sub": "entra-0002", "roles": ["Oversight.ICB"], "org_code": "QUE"}
    sign_in(client)
    client.logout()
    provider.user = {"sub": "entra-0002", "roles": ["Oversight.Regional.EastOfEngland",
                                                    "Oversight.Administrator"]}
    sign_in(client)
    user = get_user_model().objects.get(username="sso-entra-0002")
    assert sorted((r.kind, r.region_id) for r in user.oversight_roles.all()) == [
        ("administrator", None), ("regional", world["region"].pk)]


def test_roles_in_the_id_token_and_a_next_page_kept(client, provider, world):
    provider.id_token_claims = ("sub", "roles", "org_code")
    provider.user = {"sub": "entra-0003", "roles": "Oversight.Organisation", "org_code": "RGT"}
    done = sign_in(client, next_url="/organisations/RGT/")
    assert done["Location"] == "/organisations/RGT/"
    user = get_user_model().objects.get(username="sso-entra-0003")
    assert [(r.kind, r.organisation) for r in user.oversight_roles.all()] == [
        ("organisation", world["trust"])]


def test_cis2_shaped_roles_through_a_deployments_own_map(client, provider, world, settings,
                                                         tmp_path):
    path = tmp_path / "cis2-roles.yaml"
    path.write_text(CIS2_MAP)
    settings.OIDC_ROLE_MAP = str(path)
    provider.user = {"sub": "910000000001", "nhsid_nrbac_roles": [
        {"person_roleid": "1", "org_code": "RGT", "role_code": "S8000:G8000:R8008"},
        {"person_roleid": "2", "org_code": "QUE", "role_code": "S8000:G8001:R8002"},
        {"person_roleid": "3", "org_code": "RGT", "role_code": "S9999:G9999:R9999"},
    ]}
    assert sign_in(client)["Location"] == reverse("home")
    user = get_user_model().objects.get(username="sso-910000000001")
    assert sorted((r.kind, r.organisation_id or r.system_id) for r in
                  user.oversight_roles.all()) == sorted(
        [("organisation", world["trust"].pk), ("icb", world["system"].pk)])


def refused_page(client, response):
    assert response.status_code == 302 and response["Location"] == reverse("sign_in_refused")
    page = client.get(response["Location"])
    assert page.status_code == 403
    assert client.get(reverse("home")).status_code == 302  # not signed in
    return page.content.decode()


def test_no_mapped_role_is_a_clear_page_not_a_user(client, provider, world):
    provider.user = {"sub": "entra-0004", "roles": ["Some.Other.Role"], "org_code": "QUE"}
    text = refused_page(client, sign_in(client))
    assert "Oversight has no role for you" in text
    assert "Some.Other.Role" in text
    assert not get_user_model().objects.filter(username="sso-entra-0004").exists()


def test_an_organisation_oversight_does_not_know_is_named(client, provider, world):
    provider.user = {"sub": "entra-0005", "roles": ["Oversight.ICB"], "org_code": "QXX"}
    text = refused_page(client, sign_in(client))
    assert "Oversight has no role for you" in text
    assert "system &#39;QXX&#39;, which Oversight does not know" in text


@pytest.mark.parametrize("misbehaviour", [
    {"foreign_key": True},
    {"tamper": {"nonce": "not-the-nonce-oversight-sent"}},
    {"tamper": {"aud": "another-client"}},
    {"tamper": {"iss": "http://127.0.0.1:1/impostor"}},
    {"tamper": {"exp": 1_000_000_000}},
], ids=["bad-signature", "nonce", "audience", "issuer", "expired"])
def test_an_id_token_that_fails_a_check_is_refused(client, provider, world, misbehaviour):
    provider.user = {"sub": "entra-0006", "roles": ["Oversight.Administrator"]}
    for name, value in misbehaviour.items():
        setattr(provider, name, value)
    text = refused_page(client, sign_in(client))
    assert "Your sign-in could not be verified" in text
    assert not Role.objects.filter(user__username="sso-entra-0006").exists()


def test_state_not_issued_or_used_twice_is_refused(client, provider, world):
    provider.user = {"sub": "entra-0007", "roles": ["Oversight.Administrator"]}
    start = client.get(reverse("oidc_authenticate"))
    back = urlsplit(requests.get(start["Location"], allow_redirects=False,
                                 timeout=5).headers["Location"])
    forged = client.get(reverse("oidc_callback") + "?code=abc&state=forged-state")
    assert "Your sign-in has expired" in refused_page(client, forged)
    assert client.get(back.path + "?" + back.query)["Location"] == reverse("home")
    client.logout()
    replay = client.get(back.path + "?" + back.query)
    assert "Your sign-in has expired" in refused_page(client, replay)


def test_an_error_from_the_provider_is_shown(client, provider):
    start = client.get(reverse("oidc_authenticate"))
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    answer = client.get(reverse("oidc_callback") + f"?error=access_denied&state={state}"
                        "&error_description=The+user+cancelled")
    text = refused_page(client, answer)
    assert "did not sign you in" in text and "The user cancelled" in text


def test_a_broken_role_map_is_a_page_not_an_error(client, provider, world, settings, tmp_path):
    path = tmp_path / "roles.yaml"
    path.write_text("claims: [\n")
    settings.OIDC_ROLE_MAP = str(path)
    provider.user = {"sub": "entra-0009", "roles": ["Oversight.Administrator"]}
    assert "not set up correctly" in refused_page(client, sign_in(client))


def test_a_switched_off_account_is_told_so(client, provider, world):
    provider.user = {"sub": "entra-0010", "roles": ["Oversight.Administrator"]}
    sign_in(client)
    client.logout()
    get_user_model().objects.filter(username="sso-entra-0010").update(is_active=False)
    assert "switched off" in refused_page(client, sign_in(client))


def test_an_unreachable_provider_is_a_page_not_an_error(client, provider, settings):
    settings.OIDC_OP_ISSUER = "http://127.0.0.1:9/nowhere"  # the discard port: refused
    text = refused_page(client, client.get(reverse("oidc_authenticate")))
    assert "could not be reached" in text


def test_sign_out_ends_the_session_at_the_provider_too(client, provider, world):
    provider.user = {"sub": "entra-0008", "roles": ["Oversight.Administrator"]}
    sign_in(client)
    out = client.post(reverse("logout"))
    assert out.status_code == 302 and out["Location"].startswith(f"{provider.url}/logout?")
    query = parse_qs(urlsplit(out["Location"]).query)
    assert query["post_logout_redirect_uri"] == ["http://testserver/sign-in/"]
    assert query["client_id"] == [CLIENT_ID] and query["id_token_hint"][0].count(".") == 2
    assert client.get(reverse("home")).status_code == 302
    back = requests.get(out["Location"], allow_redirects=False, timeout=5)
    assert back.headers["Location"] == "http://testserver/sign-in/" and provider.ended


def test_password_sign_in_stays_beside_single_sign_on(client, provider, world):
    UserFactory(username="demo-local")
    page = client.get(reverse("login")).content.decode()
    assert "Sign in with your NHS account" in page and 'name="password"' in page
    ok = client.post(reverse("login"), {"username": "demo-local",
                                        "password": "correct-horse-battery"})
    assert ok.status_code == 302 and ok["Location"] == reverse("home")
    client.post(reverse("logout"))  # a password session signs out locally
    assert client.get(reverse("home")).status_code == 302


def test_off_unless_configured(client, db):
    assert client.get(reverse("oidc_authenticate")).status_code == 404
    assert client.get(reverse("oidc_callback") + "?code=a&state=b").status_code == 404
    assert "Sign in with" not in client.get(reverse("login")).content.decode()


def test_the_csp_admits_the_providers_origin_for_sign_out_and_nothing_else():
    """Settings read in a fresh interpreter with single sign-on configured, and without."""
    code = ("import json, oversight.settings as s; "
            "print(json.dumps({k: [str(v) for v in vs] for k, vs in s.SECURE_CSP.items()}))")
    env = {"PYTHONPATH": str(Path(oidc.__file__).parents[2]), "PATH": "/usr/bin:/bin",
           "OVERSIGHT_VAR_DIR": str(Path(oidc.__file__).parents[3] / "var")}
    sso = {"OIDC_CLIENT_ID": "x", "OIDC_ISSUER": "https://login.example.nhs.uk/tenant/v2.0"}

    def csp(environment):
        run = subprocess.run([sys.executable, "-c", code], env=environment,
                             capture_output=True, text=True, check=True)
        return json.loads(run.stdout)

    off, on = csp(env), csp(env | sso)
    assert off["form-action"] == ["'self'"]
    assert on["form-action"] == ["'self'", "https://login.example.nhs.uk"]
    assert {k: v for k, v in on.items() if k != "form-action"} == {
        k: v for k, v in off.items() if k != "form-action"}


def test_role_map_errors_name_the_file_and_line(tmp_path):
    path = tmp_path / "roles.yaml"
    path.write_text("claims:\n  roles: roles\nroles:\n  - when: X\n    role: icb\n"
                    "    region: Y61\n")
    with pytest.raises(claims.RoleMapError, match=r"roles.yaml:6: roles.0.region: a icb role "
                                                  r"needs a system, not a region"):
        claims.read_role_map(path)
    path.write_text("claims:\n  roles: roles\nroles:\n  - when: X\n    role: boss\n")
    with pytest.raises(claims.RoleMapError, match=r"roles.yaml:5: .*'boss' is not an Oversight"):
        claims.read_role_map(path)


def test_the_shipped_role_map_reads():
    rmap = claims.read_role_map(claims.DEFAULT_ROLE_MAP)
    assert {r.kind for r in rmap.rules} == set(Role.Kind.values)



# ------------------------------------------------------------------ re-checking a session


def expire(client) -> None:
    """Age the session's ID token past OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS."""
    session = client.session
    session["oidc_id_token_expiration"] = time.time() - 1
    session.save()


def test_an_expired_sso_session_is_rechecked_at_the_provider(client, provider, world):
    """Within its time the session is used as it is; after, the next page goes back to the
    provider (prompt=none), which answers for the user's live session there: the user
    returns to the page, with the roles the provider gives now."""
    provider.user = {"sub": "entra-0101", "roles": ["Oversight.ICB"], "org_code": "QUE"}
    sign_in(client)
    assert client.session["oidc_id_token_expiration"] > time.time() + 600  # 15 minutes
    assert client.get("/organisations/").status_code == 200
    expire(client)
    provider.user = {"sub": "entra-0101", "roles": ["Oversight.Regional.EastOfEngland"]}
    recheck = client.get("/organisations/?page=2")
    query = parse_qs(urlsplit(recheck["Location"]).query)
    assert recheck.status_code == 302 and recheck["Location"].startswith(
        f"{provider.url}/authorize?")
    assert query["prompt"] == ["none"] and {"state", "nonce", "code_challenge"} <= set(query)
    back = through_provider(client, recheck)
    assert back.status_code == 302 and back["Location"] == "/organisations/?page=2"
    assert client.session["oidc_id_token_expiration"] > time.time()
    user = get_user_model().objects.get(username="sso-entra-0101")
    assert [r.kind for r in user.oversight_roles.all()] == ["regional"]
    assert client.get("/organisations/").status_code == 200


def test_an_sso_session_ended_at_the_provider_signs_the_user_out(client, provider, world):
    provider.user = {"sub": "entra-0102", "roles": ["Oversight.ICB"], "org_code": "QUE"}
    sign_in(client)
    provider.signed_in = False
    expire(client)
    fragment = client.get("/organisations/", headers={"HX-Request": "true"})
    assert fragment.status_code == 204 and fragment["HX-Refresh"] == "true"  # reload the page
    back = through_provider(client, client.get("/organisations/"))
    assert back.status_code == 302 and back["Location"] == reverse("sign_in_refused")
    page = client.get(back["Location"]).content.decode()
    assert "Your single sign-on session has ended" in page
    assert "_auth_user_id" not in client.session  # signed out of Oversight
    assert client.get("/organisations/")["Location"].startswith(reverse("login"))


def test_password_sessions_are_not_rechecked(client, provider, world):
    UserFactory(username="local-user")
    assert client.login(username="local-user", password="correct-horse-battery")
    expire(client)
    assert client.get("/organisations/").status_code == 200


def test_nothing_is_rechecked_while_single_sign_on_is_off(client, provider, world, settings):
    provider.user = {"sub": "entra-0103", "roles": ["Oversight.ICB"], "org_code": "QUE"}
    sign_in(client)
    expire(client)
    settings.OIDC_RP_CLIENT_ID = ""
    assert client.get("/organisations/").status_code == 200
