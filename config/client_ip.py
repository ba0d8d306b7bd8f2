"""The client's address as seen by our own reverse proxy, for login throttling."""

from __future__ import annotations

from django.http import HttpRequest


def forwarded_client_ip(request: HttpRequest) -> str:
    """The last X-Forwarded-For entry: the one our proxy appended, which a client cannot forge.

    Only used when BEHIND_TLS_PROXY is set; without it every user would share the proxy's
    address and five wrong passwords would lock an account for everyone.
    """
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    entries = [entry.strip() for entry in forwarded.split(",") if entry.strip()]
    return entries[-1] if entries else str(request.META.get("REMOTE_ADDR", ""))
