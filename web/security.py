"""Response headers every answer carries, HTTPS detection behind a proxy, the client's address.

The Content-Security-Policy allows no inline script and nothing from another origin: even if
an officer's text slipped through escaping, the browser would refuse to run it.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.i18n import LANGS
from web.services import WebServices

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",  # blob: for previews of files dropped on the composer
        "media-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = (
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    # Feed and token addresses must not leak to other sites through the Referer header.
    ("referrer-policy", "same-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=()"),
)
LANG_COOKIE = "lang"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600


def is_https(connection: HTTPConnection, services: WebServices) -> bool:
    """Whether cookies get the Secure flag: configured, or the request came over HTTPS."""
    if services.secure_cookies is not None:
        return services.secure_cookies
    if connection.url.scheme in ("https", "wss"):
        return True
    if _from_trusted_proxy(connection, services):
        proto = connection.headers.get("x-forwarded-proto", "")
        return proto.split(",")[0].strip().lower() == "https"
    return False


def client_address(connection: HTTPConnection, services: WebServices) -> str:
    """The address sign-in throttling counts by: the proxy's word only for a trusted proxy."""
    direct = connection.client.host if connection.client else ""
    if not _from_trusted_proxy(connection, services):
        return direct
    hops = [hop.strip() for hop in connection.headers.get("x-forwarded-for", "").split(",")]
    # The rightmost address not added by one of our own proxies is the one nobody could forge.
    for hop in reversed(hops):
        if hop and hop not in services.trusted_proxies:
            return hop
    return direct


def _from_trusted_proxy(connection: HTTPConnection, services: WebServices) -> bool:
    return connection.client is not None and connection.client.host in services.trusted_proxies


class SecurityHeaders:
    """Pure ASGI middleware: adds the security headers, `no-store` on pages, and remembers
    a language chosen with `?lang=` in the `lang` cookie."""

    def __init__(self, app: ASGIApp, services: WebServices) -> None:
        self.app = app
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        chosen = connection.query_params.get("lang")
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS:
                    headers.setdefault(name, value)
                if not static:
                    # Pages hold CSRF tokens, secrets shown once and private schedules.
                    headers.setdefault("cache-control", "no-store")
                if chosen in LANGS and chosen != connection.cookies.get(LANG_COOKIE):
                    headers.append("set-cookie", self._lang_cookie(connection, chosen))
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _lang_cookie(self, connection: HTTPConnection, lang: str) -> str:
        secure = "; Secure" if is_https(connection, self.services) else ""
        return (
            f"{LANG_COOKIE}={lang}; Path=/; Max-Age={LANG_COOKIE_MAX_AGE}; HttpOnly;"
            f" SameSite=Lax{secure}"
        )
