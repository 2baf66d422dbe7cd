"""Single sign-on with OpenID Connect (mozilla-django-oidc), on when a deployment configures it.

The authorisation code flow with PKCE, state and nonce: ``/oidc/authenticate/`` sends the
browser to the provider, ``/oidc/callback/`` takes the code back, fetches the tokens, checks
the ID token's RS256 signature against the provider's published keys, its issuer, audience,
expiry and nonce, reads the user's claims and gives the user the Oversight roles the role map
(``access/claims.py``) derives from them, replacing those of their previous sign-in: the
provider is the authority on who holds which role. Anything that goes wrong ends on one page
that says what (``/sign-in/refused/``), never a server error. Settings: docs/sign-in.md.
"""

from __future__ import annotations

import hashlib
import logging
import time
from functools import cache
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.deprecation import MiddlewareMixin
from django.utils.functional import cached_property
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.middleware import SessionRefresh
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from oversight.access.claims import Mapping, RoleMapError, grants_for, role_map

log = logging.getLogger(__name__)

#: Settings a provider's discovery document can supply: setting -> discovery field.
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_LOGOUT_ENDPOINT": "end_session_endpoint",
}
#: Session key holding why the last single sign-on was refused, for the refused page.
REFUSED = "oversight_sign_in_refused"
USERNAME_PREFIX = "sso-"


class ProviderUnavailable(Exception):
    """The identity provider could not be reached or answered nonsense."""


def configured() -> bool:
    """Single sign-on is on: a client id, and an issuer or the endpoints themselves."""
    given = getattr(settings, "OIDC_RP_CLIENT_ID", "")
    endpoints = all(getattr(settings, name, "") for name in list(DISCOVERED)[:4])
    return bool(given and (getattr(settings, "OIDC_OP_ISSUER", "") or endpoints))


@cache
def discovery(issuer: str) -> dict[str, Any]:
    """The provider's ``.well-known/openid-configuration``, fetched once per process."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        answer = requests.get(url, timeout=getattr(settings, "OIDC_TIMEOUT", 10))
        answer.raise_for_status()
        document = answer.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(f"could not read {url}: {exc}") from exc
    if not isinstance(document, dict) or document.get("issuer", "").rstrip("/") != issuer.rstrip(
            "/"):
        raise ProviderUnavailable(f"{url} does not describe the issuer {issuer}")
    return document


def provider_setting(name: str, *default: Any) -> Any:
    """A setting, where a provider endpoint not configured comes from the issuer's discovery."""
    value = getattr(settings, name, "")
    issuer = getattr(settings, "OIDC_OP_ISSUER", "")
    if not value and name in DISCOVERED and issuer:
        value = discovery(issuer).get(DISCOVERED[name], "")
    if value in ("", None):
        if default:
            return default[0]
        return import_from_settings(name)  # names the missing setting
    return value


def username_for(subject: str) -> str:
    """The Django username of the provider's subject (``sub``), within the column's 150."""
    name = USERNAME_PREFIX + subject
    if len(name) > 150:
        name = USERNAME_PREFIX + hashlib.sha256(subject.encode()).hexdigest()
    return name


def refuse(request: HttpRequest, reason: str, detail: list[str] | None = None) -> None:
    request.session[REFUSED] = {"reason": reason, "detail": detail or []}


class SignOnBackend(OIDCAuthenticationBackend):
    """Users are the provider's subjects; their roles are what the role map makes of the
    claims of the ID token and the userinfo endpoint together."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The library reads every setting here, on every sign-in, password ones included;
        # read them when a single sign-on needs them instead (properties below).
        from django.contrib.auth import get_user_model

        self.UserModel = get_user_model()
        self.mapping: Mapping | None = None

    get_settings = staticmethod(provider_setting)
    OIDC_OP_TOKEN_ENDPOINT = property(lambda self: provider_setting("OIDC_OP_TOKEN_ENDPOINT"))
    OIDC_OP_USER_ENDPOINT = property(lambda self: provider_setting("OIDC_OP_USER_ENDPOINT"))
    OIDC_OP_JWKS_ENDPOINT = property(lambda self: provider_setting("OIDC_OP_JWKS_ENDPOINT"))
    OIDC_RP_CLIENT_ID = property(lambda self: settings.OIDC_RP_CLIENT_ID)
    OIDC_RP_CLIENT_SECRET = property(lambda self: settings.OIDC_RP_CLIENT_SECRET)
    OIDC_RP_SIGN_ALGO = property(lambda self: settings.OIDC_RP_SIGN_ALGO)
    OIDC_RP_IDP_SIGN_KEY = None

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        if not configured() or "password" in kwargs or request is None:
            return None  # a password sign-in is the model backend's
        return super().authenticate(request, **kwargs)

    def _verify_jws(self, payload: str, key: Any) -> dict[str, Any]:
        """The signature with the configured algorithm only, and issuer, audience and expiry
        (the library checks neither issuer nor audience, and lets an expired token escape as
        an error of its own)."""
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(f"the ID token is signed with {header.get('alg')!r}, "
                                      f"not {self.OIDC_RP_SIGN_ALGO}")
        issuer = getattr(settings, "OIDC_OP_ISSUER", "") or None
        try:
            return jwt.decode(payload, key, algorithms=[self.OIDC_RP_SIGN_ALGO],
                              audience=self.OIDC_RP_CLIENT_ID, issuer=issuer,
                              options={"require": ["exp", "iat", "sub"]}, leeway=60)
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation(f"the ID token was refused: {exc}") from exc

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> dict:
        """The ID token's claims with the userinfo endpoint's, which must be the same user's."""
        info = super().get_userinfo(access_token, id_token, payload)
        if info.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("the userinfo endpoint answered for another subject")
        return {**payload, **info}

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        rmap = role_map(str(settings.OIDC_ROLE_MAP), settings.OIDC_ROLES_CLAIM,
                        settings.OIDC_ORGANISATION_CLAIM)
        self.mapping = grants_for(claims, rmap)
        if not self.mapping.grants:
            held = ", ".join(self.mapping.provider_roles) or "none"
            refuse(self.request, "no-role",
                   [f"Roles your identity provider gave (claim '{rmap.roles_claim}'): {held}.",
                    *self.mapping.problems])
            log.warning("single sign-on refused for %s: no Oversight role (roles: %s)",
                        claims.get("sub"), held)
            return False
        return True

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        return self.UserModel.objects.filter(username=username_for(str(claims["sub"])))

    def create_user(self, claims: dict[str, Any]) -> Any:
        user = self.UserModel.objects.create_user(username_for(str(claims["sub"])))
        user.set_unusable_password()
        return self.update_user(user, claims)

    @transaction.atomic
    def update_user(self, user: Any, claims: dict[str, Any]) -> Any:
        user.email = str(claims.get("email", "") or "")[:254]
        user.first_name = str(claims.get("given_name", "") or "")[:150]
        user.last_name = str(claims.get("family_name", "") or "")[:150]
        user.save()
        assert self.mapping is not None  # verify_claims ran first
        user.oversight_roles.all().delete()
        for grant in self.mapping.grants:
            grant.role_for(user).save()
        return user


def _sso_only(view: Any) -> Any:
    """Single sign-on pages answer 404 while it is not configured."""

    def dispatch(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not configured():
            raise Http404("Single sign-on is not configured.")
        return view(request, *args, **kwargs)

    return login_not_required(dispatch)


class Authenticate(OIDCAuthenticationRequestView):
    """Send the browser to the provider, with state, nonce and a PKCE challenge."""

    get_settings = staticmethod(provider_setting)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except ProviderUnavailable as exc:
            log.warning("single sign-on: %s", exc)
            refuse(request, "unavailable")
            return HttpResponseRedirect(reverse("sign_in_refused"))
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class Callback(OIDCAuthenticationCallbackView):
    """The provider's answer; a refusal of any kind goes to the refused page with its reason."""

    get_settings = staticmethod(provider_setting)

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            return super().get(request)
        except RoleMapError as exc:
            log.error("single sign-on: the role map is invalid: %s", exc)
            refuse(request, "misconfigured")
        except SuspiciousOperation as exc:
            log.warning("single sign-on refused: %s", exc)
            reason = "expired" if "state" in str(exc) else "unverified"
            refuse(request, reason)
        except (requests.RequestException, ProviderUnavailable, ValueError) as exc:
            log.warning("single sign-on: the provider could not be used: %s", exc)
            refuse(request, "unavailable")
        return self.login_failure()

    def login_failure(self) -> HttpResponse:
        if self.request.user.is_authenticated:  # a re-check (RecheckSignOn) that failed
            refused = self.request.session.get(REFUSED)
            logout(self.request)  # (the library does so itself when the provider says no)
            if refused:
                self.request.session[REFUSED] = refused
        if self.request.GET.get("error") in PROVIDER_SIGNED_OUT:
            refuse(self.request, "ended")  # asked with prompt=none: signed out there
        user = getattr(self, "user", None)
        if REFUSED not in self.request.session and user is not None and not user.is_active:
            refuse(self.request, "inactive")
        if REFUSED not in self.request.session:
            error = self.request.GET.get("error_description") or self.request.GET.get("error")
            refuse(self.request, "provider" if error else "expired",
                   [f"The identity provider said: {error}"[:300]] if error else [])
        return HttpResponseRedirect(reverse("sign_in_refused"))


#: The provider's errors to a silent re-check (prompt=none) that mean its session has ended.
PROVIDER_SIGNED_OUT = {"login_required", "interaction_required", "consent_required",
                       "account_selection_required"}

REASONS = {
    "ended": ("Sign in again",
              "Your single sign-on session has ended at your identity provider, so Oversight "
              "has signed you out. Sign in again to carry on."),
    "no-role": ("Oversight has no role for you",
                "Your identity provider confirmed who you are, but none of the roles it gave "
                "you is one Oversight recognises, so you have not been signed in. Ask your "
                "Oversight administrator to map your role (or to give you one)."),
    "unverified": ("Your sign-in could not be verified",
                   "The answer from your identity provider failed Oversight's checks (its "
                   "signature, issuer, audience, expiry or nonce), so you have not been signed "
                   "in. Try again; if it happens again, tell your Oversight administrator."),
    "expired": ("Your sign-in has expired",
                "This sign-in attempt was already used, or started in another browser or too "
                "long ago. Start again."),
    "unavailable": ("Your identity provider could not be reached",
                    "Oversight could not complete your sign-in with your identity provider. Try "
                    "again later, or sign in with a username and password if you have one."),
    "misconfigured": ("Single sign-on is not set up correctly",
                      "Oversight cannot read the rules that turn your identity provider's roles "
                      "into Oversight roles, so nobody can sign in this way for now. Tell your "
                      "Oversight administrator (the server log names the problem)."),
    "inactive": ("Your Oversight account is switched off",
                 "Your identity provider confirmed who you are, but your Oversight account has "
                 "been switched off. Ask your Oversight administrator."),
    "provider": ("Your identity provider did not sign you in",
                 "Your identity provider ended the sign-in without confirming who you are."),
}


@login_not_required
def refused(request: HttpRequest) -> HttpResponse:
    """Why single sign-on did not sign the user in, and what to do (status 403)."""
    found = request.session.pop(REFUSED, None) or {"reason": "expired", "detail": []}
    heading, explanation = REASONS.get(found.get("reason"), REASONS["expired"])
    return render(request, "web/sign_in_refused.jinja",
                  {"heading": heading, "explanation": explanation,
                   "detail": found.get("detail", []), "sso": configured(),
                   "provider_name": settings.OIDC_PROVIDER_NAME}, status=403)


authenticate_view = _sso_only(Authenticate.as_view())
callback_view = _sso_only(Callback.as_view())


class SignOut(auth_views.LogoutView):
    """Sign out of Oversight and, after a single sign-on, of the provider too (its
    end-session endpoint, when it has one, returns the browser to the sign-in page)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        id_token = request.session.get("oidc_id_token")
        response = super().post(request, *args, **kwargs)
        if not (id_token and configured()):
            return response
        try:
            end_session = provider_setting("OIDC_OP_LOGOUT_ENDPOINT", "")
        except ProviderUnavailable:
            end_session = ""
        if not end_session:
            return response
        query = urlencode({"id_token_hint": id_token, "client_id": settings.OIDC_RP_CLIENT_ID,
                           "post_logout_redirect_uri": request.build_absolute_uri(
                               reverse("login"))})
        return HttpResponseRedirect(f"{end_session}?{query}")


def _setting(name: str, default: Any) -> property:
    return property(lambda self: getattr(settings, name, default))


class RecheckSignOn(SessionRefresh):
    """mozilla-django-oidc's session refresh: once the ID token of a single sign-on is older
    than ``OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS``, the next page sends the browser to the
    provider with ``prompt=none`` to check the user is still signed in there (and to take
    their roles afresh); if the provider's session has ended, the callback signs them out.
    Password sessions, and every session while single sign-on is not configured, pass.

    Settings are read per request, endpoints through discovery, so the middleware costs
    nothing (and fetches nothing) until a re-check is due. An htmx request (a polled
    fragment) is answered with ``HX-Refresh``, so the whole page goes to the provider."""

    def __init__(self, get_response: Any) -> None:
        MiddlewareMixin.__init__(self, get_response)

    get_settings = staticmethod(provider_setting)
    OIDC_OP_AUTHORIZATION_ENDPOINT = property(
        lambda self: provider_setting("OIDC_OP_AUTHORIZATION_ENDPOINT"))
    OIDC_RP_CLIENT_ID = _setting("OIDC_RP_CLIENT_ID", "")
    OIDC_EXEMPT_URLS = _setting("OIDC_EXEMPT_URLS", [])
    OIDC_STATE_SIZE = _setting("OIDC_STATE_SIZE", 32)
    OIDC_AUTHENTICATION_CALLBACK_URL = _setting("OIDC_AUTHENTICATION_CALLBACK_URL",
                                                "oidc_callback")
    OIDC_RP_SCOPES = _setting("OIDC_RP_SCOPES", "openid email")
    OIDC_USE_NONCE = _setting("OIDC_USE_NONCE", True)
    OIDC_NONCE_SIZE = _setting("OIDC_NONCE_SIZE", 32)

    @cached_property
    def exempt_urls(self) -> set[str]:
        """Signing in and out, and the pages that say why a sign-in was refused."""
        return {reverse(name) for name in ("oidc_authenticate", "oidc_callback", "login",
                                           "logout", "sign_in_refused")}

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        if not configured() or not self.is_refreshable_url(request):
            return None
        if request.session.get("oidc_id_token_expiration", 0) > time.time():
            return None
        try:
            response = super().process_request(request)
        except ProviderUnavailable as exc:
            log.warning("single sign-on: could not re-check a session: %s", exc)
            logout(request)
            refuse(request, "unavailable")
            return HttpResponseRedirect(reverse("sign_in_refused"))
        if response is not None and request.headers.get("HX-Request"):
            refresh = HttpResponse(status=204)
            refresh["HX-Refresh"] = "true"
            return refresh
        return response
