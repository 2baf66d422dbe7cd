"""A small OpenID Connect provider for the tests, served on 127.0.0.1 by a thread.

Discovery, authorize (signs in whoever the test says, at once), token (checks the client's
secret, the code, its redirect URI and the PKCE verifier), userinfo, JWKS and end-session, with
ID tokens signed RS256 by a key of its own. A test can make it misbehave: sign with another
key, put another nonce, audience or issuer in the token.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode
from wsgiref.simple_server import WSGIRequestHandler, make_server

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "oversight-tests"
CLIENT_SECRET = "a-client-secret-for-the-tests"
KEY_ID = "test-key-1"


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@dataclass
class Provider:
    url: str = ""
    user: dict[str, Any] = field(default_factory=dict)  # claims of whoever signs in next
    id_token_claims: tuple[str, ...] = ("sub",)  # the rest come from userinfo
    tamper: dict[str, Any] = field(default_factory=dict)  # claims to force into the ID token
    foreign_key: bool = False  # sign with a key the JWKS does not publish
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    ended: list[dict[str, str]] = field(default_factory=list)  # end-session calls
    signed_in: bool = True  # the user's session at the provider (prompt=none needs one)

    def __post_init__(self) -> None:
        self.key = _new_key()
        self.other_key = _new_key()

    # WSGI
    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        path = environ["PATH_INFO"]
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        handler = {
            "/.well-known/openid-configuration": self.discovery,
            "/authorize": self.authorize,
            "/token": self.token,
            "/userinfo": self.userinfo,
            "/jwks": self.jwks,
            "/logout": self.logout,
        }.get(path)
        if handler is None:
            status, headers, body = "404 Not Found", [], b"not found"
        else:
            status, headers, body = handler(environ, query)
        start_response(status, headers)
        return [body]

    @staticmethod
    def _json(data: Any, status: str = "200 OK") -> tuple[str, list, bytes]:
        return status, [("Content-Type", "application/json")], json.dumps(data).encode()

    def discovery(self, environ: dict, query: dict) -> tuple[str, list, bytes]:
        return self._json({
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "end_session_endpoint": f"{self.url}/logout",
            "id_token_signing_alg_values_supported": ["RS256"],
        })

    def authorize(self, environ: dict, query: dict) -> tuple[str, list, bytes]:
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
            return self._json({"error": "invalid_request"}, "400 Bad Request")
        if query.get("prompt") == "none" and not self.signed_in:
            back = urlencode({"error": "login_required", "state": query["state"]})
            return "302 Found", [("Location", f"{query['redirect_uri']}?{back}")], b""
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"claims": dict(self.user), "nonce": query.get("nonce"),
                            "redirect_uri": query["redirect_uri"],
                            "challenge": query.get("code_challenge")}
        back = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
        return "302 Found", [("Location", back)], b""

    def token(self, environ: dict, query: dict) -> tuple[str, list, bytes]:
        size = int(environ.get("CONTENT_LENGTH") or 0)
        form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(size).decode()).items()}
        grant = self.codes.pop(form.get("code", ""), None)
        if (form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET
                or grant is None or form.get("redirect_uri") != grant["redirect_uri"]):
            return self._json({"error": "invalid_grant"}, "400 Bad Request")
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        if challenge.rstrip(b"=").decode() != grant["challenge"]:
            return self._json({"error": "invalid_grant", "error_description": "PKCE"},
                              "400 Bad Request")
        claims = grant["claims"]
        now = int(time.time())
        payload = {"iss": self.url, "aud": CLIENT_ID, "iat": now, "exp": now + 300,
                   "nonce": grant["nonce"],
                   **{k: claims[k] for k in self.id_token_claims if k in claims},
                   **self.tamper}
        key = self.other_key if self.foreign_key else self.key
        id_token = jwt.encode(payload, key, algorithm="RS256", headers={"kid": KEY_ID})
        access = secrets.token_urlsafe(16)
        self.tokens[access] = claims
        return self._json({"access_token": access, "token_type": "Bearer", "expires_in": 300,
                           "id_token": id_token})

    def userinfo(self, environ: dict, query: dict) -> tuple[str, list, bytes]:
        bearer = environ.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ")
        if bearer not in self.tokens:
            return self._json({"error": "invalid_token"}, "401 Unauthorized")
        return self._json(self.tokens[bearer])

    def jwks(self, environ: dict, query: dict) -> tuple[str, list, bytes]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return self._json({"keys": [{**jwk, "kid": KEY_ID, "alg": "RS256", "use": "sig"}]})

    def logout(self, environ: dict, query: dict) -> tuple[str, list, bytes]:
        self.ended.append(query)
        return "302 Found", [("Location", query.get("post_logout_redirect_uri", "/"))], b""


class Running:
    """A provider served on a free port of 127.0.0.1 until ``stop``."""

    def __init__(self) -> None:
        self.provider = Provider()
        self.server = make_server("127.0.0.1", 0, self.provider, handler_class=_Quiet)
        self.provider.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
