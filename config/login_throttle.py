"""Login throttling: a limit per account and a limit per address.

django-axes counts the failed logins of each (username, address) pair and locks the pair at
AXES_FAILURE_LIMIT. That leaves password spraying open: one address trying four passwords
on every account never locks anything. Axes compares every count it keeps with one and the
same limit, so the address's limit, which must be higher than the account's, is added here:
the failures of every pair of the address within the cool-off, summed, against
LOGIN_FAILURE_LIMIT_PER_ADDRESS. A successful login resets its own pair only (axes), never
the address's count, so that one account the attacker owns cannot reset it.
"""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.conf import settings
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.db.models import Sum
from django.http import HttpRequest


class AccountAndAddressHandler(AxesDatabaseHandler):
    """Axes's database handler, plus the limit per address."""

    def address_failures(self, request: HttpRequest) -> int:
        """Failed logins from the request's address within the cool-off (one query)."""
        attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)  # type: ignore[attr-defined]
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0

    def address_locked(self, request: HttpRequest) -> bool:
        locked = self.address_failures(request) >= settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS
        if locked:
            request.axes_address_locked = True  # type: ignore[attr-defined]  # the page says why
        return locked

    def is_locked(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        return settings.AXES_LOCK_OUT_AT_FAILURE and self.address_locked(request)

    def user_login_failed(
        self,
        sender: Any,
        credentials: dict[str, Any],
        request: HttpRequest | None = None,
        **kwargs: Any,
    ) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        if self.is_whitelisted(request, credentials) or not settings.AXES_LOCK_OUT_AT_FAILURE:
            return
        if self.address_locked(request):
            request.axes_locked_out = True  # type: ignore[attr-defined]
            request.axes_credentials = credentials  # type: ignore[attr-defined]
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
            )
