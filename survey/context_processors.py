from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from . import access


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The organisation and role shown in the header, and the other organisations to switch to."""
    context = access.current_context(request)
    return {
        "current": context,
        "user_memberships": access.memberships(request.user) if context else [],
    }
