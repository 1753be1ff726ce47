"""jwt_claims: check an HS256 JWT with the standard library and pass a claim upstream.

The ``authorization: Bearer <jwt>`` token is split and base64url-decoded by hand; its HS256
signature is checked with :mod:`hmac` against the configured secret, and ``exp``/``nbf`` against
the host clock. A missing, malformed, badly signed, expired or not-yet-valid token gets a 401;
a good one has its configured claim copied into a request header for the upstream.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass

import proxy_wasm
from proxy_wasm import Action, HttpContext, RootContext


@dataclass
class Config:
    """Plugin configuration."""

    secret: str
    claim: str = "sub"
    header: str = "x-jwt-sub"
    leeway_seconds: int = 0


class InvalidToken(Exception):
    """The token is not acceptable; the message says why (sent to the client)."""


def b64url_decode(part: str) -> bytes:
    """Decode unpadded base64url (RFC 7515 §2)."""
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except ValueError:
        raise InvalidToken("malformed token") from None


def verify(token: str, secret: bytes, now: float, leeway: int) -> dict[str, object]:
    """Return the claims of a valid HS256 token, else raise :class:`InvalidToken`."""
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidToken("malformed token")
    try:
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
    except ValueError:
        raise InvalidToken("malformed token") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise InvalidToken("malformed token")
    if header.get("alg") != "HS256":
        raise InvalidToken(f"unsupported alg {header.get('alg')!r}")
    signed = f"{parts[0]}.{parts[1]}".encode()
    expected = hmac.new(secret, signed, hashlib.sha256).digest()
    if not hmac.compare_digest(expected, b64url_decode(parts[2])):
        raise InvalidToken("bad signature")
    exp = claims.get("exp")
    if isinstance(exp, int | float) and now >= exp + leeway:
        raise InvalidToken("token expired")
    nbf = claims.get("nbf")
    if isinstance(nbf, int | float) and now < nbf - leeway:
        raise InvalidToken("token not yet valid")
    return claims


class JwtRoot(RootContext):
    """Loads the configuration (``secret`` is required)."""

    config: Config | None = None

    def on_configure(self, plugin_configuration_size: int) -> bool:
        try:
            self.config = proxy_wasm.load_config(Config, self.get_plugin_configuration())
        except proxy_wasm.ConfigError as exc:
            proxy_wasm.log.error("invalid plugin configuration: %s", exc)
            return False
        return True

    def create_http_context(self, context_id: int) -> HttpContext:
        assert self.config is not None, "on_configure accepted no configuration"
        return JwtFilter(self.config)


class JwtFilter(HttpContext):
    """Checks the bearer token of each request."""

    def __init__(self, config: Config) -> None:
        super().__init__()
        self.config = config

    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        # A client must not be able to send the claim header itself.
        self.remove_http_request_header(self.config.header)
        auth = self.get_http_request_header("authorization") or ""
        scheme, _, token = auth.partition(" ")
        try:
            if scheme.lower() != "bearer" or not token.strip():
                raise InvalidToken("missing bearer token")
            claims = verify(
                token.strip(),
                self.config.secret.encode(),
                self.get_current_time(),
                self.config.leeway_seconds,
            )
            value = claims.get(self.config.claim)
            if not isinstance(value, str | int) or isinstance(value, bool):
                raise InvalidToken(f"claim {self.config.claim!r} missing")
        except InvalidToken as exc:
            proxy_wasm.log.info("401: %s", exc)
            challenge = f'Bearer error="invalid_token", error_description="{exc}"'
            self.send_http_response(
                401,
                [("www-authenticate", challenge), ("content-type", "text/plain")],
                f"unauthorized: {exc}\n",
            )
            return Action.PAUSE
        self.set_http_request_header(self.config.header, str(value))
        return Action.CONTINUE


proxy_wasm.set_root_context(JwtRoot)
