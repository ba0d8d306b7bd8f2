"""The one access helper: who may see which page, scoped to which organisations.

Every view goes through ``role_required`` (a role in at least one organisation, else 403)
and reads objects through ``scoped`` / ``get_scoped_or_404`` (objects of the user's
organisations for that role, else 404: an object of another organisation does not exist
for this user). Superusers are national administrators and see every organisation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from .models import Membership, Organisation, Role

M = TypeVar("M", bound=Model)
AnyUser = AbstractBaseUser | AnonymousUser

ALL_ROLES = frozenset(Role)
# What each kind of page admits. The quality manager also types in paper questionnaires
# and may log mystery tests, so their pages admit them too.
ENTRY = frozenset({Role.INTERVIEWER, Role.QUALITY_MANAGER})
MYSTERY = frozenset({Role.STAFF, Role.QUALITY_MANAGER})
MANAGEMENT = frozenset({Role.QUALITY_MANAGER})

SESSION_KEY = "organisation_id"


def organisation_ids(user: AnyUser, roles: Iterable[str] = ALL_ROLES) -> QuerySet[Organisation]:
    """The organisations where ``user`` holds one of ``roles`` (a lazy queryset)."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    if getattr(user, "is_superuser", False):
        return Organisation.objects.all()
    return Organisation.objects.filter(
        memberships__user_id=user.pk, memberships__role__in=list(roles)
    ).distinct()


def scoped(queryset: QuerySet[M], user: AnyUser, roles: Iterable[str] = ALL_ROLES) -> QuerySet[M]:
    """Restrict ``queryset`` to the objects of the user's organisations for ``roles``.

    The model says how it reaches its organisation with ``organisation_path``.
    """
    path = queryset.model.organisation_path  # type: ignore[attr-defined]
    if getattr(user, "is_superuser", False):
        return queryset
    if not user.is_authenticated:
        return queryset.none()
    lookup = "pk__in" if path == "pk" else f"{path}__in"
    return queryset.filter(**{lookup: organisation_ids(user, roles).values("pk")})


def get_scoped_or_404(
    queryset: QuerySet[M], user: AnyUser, roles: Iterable[str] = ALL_ROLES, **lookup: Any
) -> M:
    return get_object_or_404(scoped(queryset, user, roles), **lookup)


@dataclass(frozen=True)
class Context:
    """The organisation a request works in, and the user's role there."""

    organisation: Organisation
    role: str | None  # None for a superuser who holds no role there

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label) if self.role else _("Administration nationale")


def memberships(user: AnyUser) -> list[Membership]:
    if not user.is_authenticated:
        return []
    return list(
        Membership.objects.filter(user_id=user.pk)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def current_context(request: HttpRequest) -> Context | None:
    """The organisation chosen in the session, or the user's first one. Cached per request."""
    if hasattr(request, "_access_context"):
        cached: Context | None = request._access_context
        return cached
    user = request.user
    context: Context | None = None
    if user.is_authenticated:
        chosen = request.session.get(SESSION_KEY)
        mine = memberships(user)
        match = next((m for m in mine if m.organisation_id == chosen), None) or (
            mine[0] if mine else None
        )
        if match is not None:
            context = Context(match.organisation, match.role)
        elif user.is_superuser:
            organisation = (
                chosen is not None and Organisation.objects.filter(pk=chosen).first()
            ) or Organisation.objects.first()
            context = Context(organisation, None) if organisation else None
    request._access_context = context  # type: ignore[attr-defined]
    return context


def role_required(roles: Iterable[str]) -> Callable[[Callable[..., HttpResponseBase]], Any]:
    """Log in first; then the user must hold one of ``roles`` somewhere (403 otherwise).

    Objects are then read through ``scoped`` with the same roles, which 404s on any
    object outside the user's organisations.
    """
    allowed = frozenset(roles)

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_superuser and not (
                Membership.objects.filter(user_id=cast(int, user.pk), role__in=allowed).exists()
            ):
                raise PermissionDenied(_("Cette page est réservée à un autre rôle."))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def work_organisation(request: HttpRequest, roles: Iterable[str]) -> Organisation | None:
    """The organisation a page of ``roles`` works in: the current one if the user holds
    such a role there, else the first one where they do."""
    allowed = frozenset(roles)
    context = current_context(request)
    user = request.user
    if context is not None and (user.is_superuser or context.role in allowed):
        return context.organisation
    return organisation_ids(user, allowed).order_by("name").first()


def in_work_organisation(
    request: HttpRequest, queryset: QuerySet[M], roles: Iterable[str]
) -> tuple[Organisation | None, QuerySet[M]]:
    """The work organisation for ``roles`` and ``queryset`` narrowed to it (empty if none)."""
    organisation = work_organisation(request, roles)
    scoped_queryset = scoped(queryset, request.user, roles)
    if organisation is None:
        return None, scoped_queryset.none()
    path = queryset.model.organisation_path  # type: ignore[attr-defined]
    return organisation, scoped_queryset.filter(**{path: organisation})


def holds_role(user: AnyUser, organisation_id: int, roles: Iterable[str]) -> bool:
    """Whether ``user`` holds one of ``roles`` in that organisation (a superuser does)."""
    if not user.is_authenticated:
        return False
    if getattr(user, "is_superuser", False):
        return True
    return Membership.objects.filter(
        user_id=cast(int, user.pk), organisation_id=organisation_id, role__in=frozenset(roles)
    ).exists()
