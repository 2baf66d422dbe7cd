"""Cookie and transport security: the settings a deployment gets, and what a response carries."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

SETTINGS = (
    "import json, oversight.settings as s; print(json.dumps([s.SESSION_COOKIE_SECURE, "
    "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, getattr(s, 'SECURE_PROXY_SSL_HEADER', None)]))"
)


def _settings(tmp_path, **env: str) -> list:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DEBUG", "SECURE_COOKIES", "SECURE_PROXY"}
    }
    out = subprocess.run(
        [sys.executable, "-c", SETTINGS],
        env=clean | {"OVERSIGHT_VAR_DIR": str(tmp_path)} | env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


@pytest.mark.parametrize(
    ("env", "secure"),
    [
        ({}, False),  # the embedded demo on http://127.0.0.1
        ({"DATABASE_URL": "postgres://u@db:5432/oversight"}, True),  # a deployment
        ({"DATABASE_URL": "postgres://u@db:5432/oversight", "DEBUG": "1"}, False),
        ({"DATABASE_URL": "postgres://u@db:5432/oversight", "SECURE_COOKIES": "0"}, False),
        ({"SECURE_COOKIES": "1"}, True),
    ],
)
def test_cookies_are_secure_in_a_deployment(tmp_path, env, secure):
    session, csrf, hsts, proxy = _settings(tmp_path, **env)
    assert session is csrf is secure
    assert hsts == (31_536_000 if secure else 0)
    assert proxy is None


def test_proxy_header_trusted_only_when_asked(tmp_path):
    assert _settings(tmp_path, SECURE_PROXY="1")[3] == ["HTTP_X_FORWARDED_PROTO", "https"]


@pytest.mark.django_db
def test_sign_in_cookies_carry_the_flags(client, settings, django_user_model):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    django_user_model.objects.create_user("ann", password="a long enough password")
    client.get("/sign-in/")
    csrf = client.cookies["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"
    client.post(
        "/sign-in/",
        {
            "username": "ann",
            "password": "a long enough password",
            "csrfmiddlewaretoken": csrf.value,
        },
    )
    session = client.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
