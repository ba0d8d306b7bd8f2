"""Response headers set for every page: Cache-Control on what belongs to a user, and the
Permissions-Policy."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import has_vary_header

PRIVATE = "private, no-store"


def is_personal(request: HttpRequest, response: HttpResponseBase) -> bool:
    """Whether the response may depend on who asked: the request carries a session, the
    view read the session (the user is in it), or the response says it varies on cookies.

    Reads nothing from the session store: ``session_key`` is the cookie's value."""
    session = getattr(request, "session", None)
    if session is not None and (session.session_key or session.accessed):
        return True
    return has_vary_header(response, "Cookie")


class ResponseHeadersMiddleware:
    """``Cache-Control: private, no-store`` on every response that is someone's (pages,
    the JSON API, exports and downloads), unless the view chose its own; a browser or a
    proxy then keeps no copy of it, on disk or for the next person at the same tablet.

    Public responses (the login page says ``never_cache`` itself, the health check, static
    files served by WhiteNoise before this middleware) are left as they are."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if "Cache-Control" not in response and is_personal(request, response):
            response["Cache-Control"] = PRIVATE
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
