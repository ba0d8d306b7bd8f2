from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from . import access


def nav_section(request: HttpRequest) -> str:
    """Which navigation item the current page belongs to."""
    match = request.resolver_match
    if match is None:
        return ""
    if match.app_name == "survey":
        name = match.url_name or ""
        if name.startswith("entry") or name.startswith("api_"):
            return "entry"
        return "dashboard"  # campaigns, questionnaires, responses, files: the manager's side
    return {"reports": "dashboard", "mystery": "mystery", "admin": "admin"}.get(match.app_name, "")


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The organisation and role shown in the header, the other organisations to switch to,
    and the navigation item of the current page."""
    context = access.current_context(request)
    return {
        "current": context,
        "user_memberships": access.memberships(request.user) if context else [],
        "nav_section": nav_section(request),
    }
