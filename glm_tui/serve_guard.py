"""Who may reach ``glm-tui serve``: the token, and the checks that keep other web pages out.

Every request passes through ``access_guard`` before textual-serve sees it, so a request that
fails never reaches the page, a download or the websocket, and so never starts an app process.

- With a token (required off the loopback address), a request carries it as ``?token=`` once;
  the answer keeps it in an HttpOnly cookie and sends the browser to the same address without
  it, so reloads, downloads and the websocket carry the cookie instead. Without either: 401.
- Served on the loopback address, the ``Host`` header must name a loopback address (or the
  public URL's host): a web page elsewhere whose name is made to resolve to 127.0.0.1 (DNS
  rebinding) gets 403.
- The websocket must come from a page of this server (``Origin``): a page elsewhere may open a
  websocket to any address, cookies included, and would drive the app. 403.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import string
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Middleware

from glm_tui.records import record

TOKEN_COOKIE = "glm_tui_token"
TOKEN_CHARACTERS = frozenset(string.ascii_letters + string.digits + "-._~")
"""What a token may hold: it is written in a URL and a cookie as it is."""
NEEDS_TOKEN = "401: this address needs the token glm-tui serve printed (open the URL it gave)\n"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def new_token() -> str:
    """A long random token (256 bits), safe in a URL."""
    return secrets.token_urlsafe(32)


def token_problem(token: str) -> str | None:
    """Why ``token`` cannot be used (None if it can)."""
    if not token:
        return "--token is empty"
    if not set(token) <= TOKEN_CHARACTERS:
        return "--token may hold only letters, digits and - . _ ~"
    return None


def is_loopback(host: str) -> bool:
    """True for a name or address that only this machine reaches."""
    host = host.strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_name(netloc: str) -> str:
    """The host of ``host:port`` (``[::1]:8000`` -> ``::1``)."""
    return urlsplit(f"//{netloc}").hostname or ""


@record(slots=False)
class Access:
    """What a request must show. ``token``: None when none is asked for (loopback only);
    ``loopback``: the server listens on a loopback address; ``public_url``: the address
    the user opens, when it is not the server's own (a proxy in front)."""

    token: str | None
    loopback: bool
    public_url: str | None = None

    def _allowed_hosts(self) -> set[str]:
        return {urlsplit(self.public_url).netloc.lower()} if self.public_url else set()

    def host_allowed(self, request: web.Request) -> bool:
        netloc = request.host.lower()
        if netloc in self._allowed_hosts():
            return True
        return not self.loopback or is_loopback(host_name(netloc))

    def origin_allowed(self, request: web.Request) -> bool:
        origin = request.headers.get("Origin")
        if origin is None:
            return True  # not sent by a web page
        netloc = urlsplit(origin).netloc.lower()
        return netloc == request.host.lower() or netloc in self._allowed_hosts()

    def token_matches(self, given: str | None) -> bool:
        if self.token is None:
            return True
        return given is not None and hmac.compare_digest(given.encode(), self.token.encode())


def access_guard(access: Access) -> Middleware:
    """The aiohttp middleware that lets through only the requests ``access`` allows."""

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not access.host_allowed(request):
            return web.Response(status=403, text="403: unexpected Host header\n")
        if request.path == "/ws" and not access.origin_allowed(request):
            return web.Response(status=403, text="403: the websocket is for this server's page\n")
        if access.token is None:
            return await handler(request)
        given = request.query.get("token")
        if given is not None and access.token_matches(given):
            return _keep_token(request, access)
        if access.token_matches(request.cookies.get(TOKEN_COOKIE)):
            return await handler(request)
        return web.Response(status=401, text=NEEDS_TOKEN)

    return guard


def _keep_token(request: web.Request, access: Access) -> web.StreamResponse:
    """Send the browser to the same address without the token, the token in a cookie: it stays
    out of the address bar, the history and what the page's scripts can read."""
    query = [(name, value) for name, value in request.query.items() if name != "token"]
    answer = web.HTTPFound(request.rel_url.with_query(query))
    answer.set_cookie(
        TOKEN_COOKIE,
        access.token or "",
        httponly=True,
        samesite="Lax",
        secure=request.secure or (access.public_url or "").startswith("https:"),
        path="/",
    )
    return answer
