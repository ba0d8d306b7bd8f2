"""Every page of the application declares who may see it (issue 15, point 6).

``access.role_required`` records the roles it admits on the view it returns
(``required_roles``, read by ``access.declared_roles``). This test walks every URL of the
project, included URLconfs too, finds each view behind its decorators (``__wrapped__``)
or class (``view_class``), and fails on a view that declares no roles and is not in the
allow-list below: a page added without ``role_required`` fails here before it ships.
The admin is left out: Django's admin site checks ``is_staff`` itself, and its own test
(tests/test_admin_closed_campaign.py and the admin's settings) covers it.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, include, path
from django.views import View
from django.views.decorators.http import require_GET, require_POST

from survey import access

# Views that check no role, each with the reason. Keys: the module and name of the view
# function, or of the class of a class-based view.
PUBLIC: dict[str, str] = {
    # Logging in and out comes before any role.
    "django.contrib.auth.views.LoginView": "the login page: no one is logged in yet",
    "django.contrib.auth.views.LogoutView": "logging out: whoever is logged in may",
    # The language switch only writes a cookie; every page it leads to checks its roles.
    "django.views.i18n.set_language": "choosing the language, before or after logging in",
    # The load balancer calls it without an account; it says ok/fail, no data.
    "background.health.health": "health check for the load balancer, no data",
    # The footer links it from every page, the login page included (RGPD information).
    "survey.views.personal_data": "personal-data notice, public by law",
    # The browser fetches both for the installable entry app, before any login; they hold
    # the application's code and icons, no data.
    "survey.views_offline.service_worker": "service worker script of the entry app, no data",
    "survey.views_offline.web_manifest": "web app manifest of the entry app, no data",
    # Logged in, any role or none: home sends each role to its page (a user without any
    # role gets the "no organisation" page), and the switch only offers the organisations
    # where the user holds a role (access.organisation_ids).
    "survey.views.home": "login only: sends each role to its own page",
    "survey.views.switch_organisation": "login only: chooses among the user's own organisations",
    # Bookmarks of the old paths (issue 15): a redirect to today's path, which checks roles.
    "survey.old_links.OldPath": "permanent redirect of an old path to the page that checks",
}
# Error pages (handler400 and Django's defaults) are no URL patterns: the walk never meets them.


def _innermost(view: Callable[..., Any]) -> Callable[..., Any]:
    """The view under its decorators (each functools.wraps leaves ``__wrapped__``)."""
    while (inner := getattr(view, "__wrapped__", None)) is not None:
        view = inner
    return view


def view_name(view: Callable[..., Any]) -> str:
    """ "module.name" of a view function, or of the class of a class-based view."""
    target = getattr(view, "view_class", None) or _innermost(view)
    return f"{target.__module__}.{target.__qualname__}"


def walk(
    resolver: URLResolver, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, URLPattern]]:
    """(route, namespace, pattern) of every URL pattern, included URLconfs followed."""
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if entry.namespace else namespace
            yield from walk(entry, prefix + str(entry.pattern), inner.lstrip(":"))
        else:
            yield prefix + str(entry.pattern), namespace, entry


def survey_of_views() -> tuple[list[str], list[str], set[str]]:
    """Lines "route → view: roles" for every view but the admin's, the lines of the views
    that declare no roles and are not public, and the public views met."""
    lines, unguarded, public_seen = [], [], set()
    for route, namespace, pattern in walk(get_resolver()):
        if namespace.split(":")[0] == "admin":
            continue  # the admin site checks is_staff on every page itself
        name = view_name(pattern.callback)
        roles = access.declared_roles(pattern.callback)
        shown = ", ".join(sorted(roles)) if roles is not None else "NO ROLES"
        if roles is None and name in PUBLIC:
            public_seen.add(name)
            shown = f"public ({PUBLIC[name]})"
        line = f"/{route} → {name}: {shown}"
        lines.append(line)
        if roles is None and name not in PUBLIC:
            unguarded.append(line)
    return lines, unguarded, public_seen


def test_every_view_declares_its_roles() -> None:
    lines, unguarded, _ = survey_of_views()
    assert not unguarded, (
        "Views without roles (decorate them with access.role_required, or add them to "
        "PUBLIC with the reason):\n  "
        + "\n  ".join(unguarded)
        + "\n\nEvery view and its roles:\n  "
        + "\n  ".join(lines)
    )


def test_the_public_list_holds_no_stale_entry() -> None:
    """A public view removed from the URLs, or given roles since, leaves the list."""
    _, _, public_seen = survey_of_views()
    assert set(PUBLIC) - public_seen == set()


def test_the_roles_of_a_few_known_pages() -> None:
    lines, _, _ = survey_of_views()
    by_route = {line.split(" → ")[0]: line.split(": ", 1)[1] for line in lines}
    assert by_route["/tableau-de-bord/"] == "quality_manager"
    assert by_route["/saisie/api/reponses/"] == "interviewer, quality_manager"
    assert by_route["/mystere/"] == "quality_manager, staff"


# --- the walk itself, on a URLconf of its own --------------------------------------------


def undecorated(request: HttpRequest) -> HttpResponse:
    return HttpResponse("open to all")


@require_POST
@access.role_required(access.MANAGEMENT)
def guarded_under_another_decorator(request: HttpRequest) -> HttpResponse:
    return HttpResponse("managers")


@access.declare_roles(access.ENTRY)
class GuardedClassView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("entry")


class UnguardedClassView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("open")


DUMMY_URLS = types.ModuleType("roles_guard_dummy_urls")
DUMMY_URLS.urlpatterns = [  # type: ignore[attr-defined]
    path("guarded/", guarded_under_another_decorator),
    path(
        "nested/",
        include(  # an included URLconf, with a namespace
            (
                [
                    path("class/", GuardedClassView.as_view()),
                    path("open-class/", require_GET(UnguardedClassView.as_view())),
                    path("open/", undecorated),
                ],
                "nested",
            )
        ),
    ),
]


def test_the_walk_flags_a_view_added_without_roles() -> None:
    """A view without role_required, even deep in an included URLconf or as a class,
    fails the guard; those declaring roles through another decorator pass."""
    with override_settings(ROOT_URLCONF=DUMMY_URLS):
        lines, unguarded, _ = survey_of_views()
    here = __name__
    assert unguarded == [
        f"/nested/open-class/ → {here}.UnguardedClassView: NO ROLES",
        f"/nested/open/ → {here}.undecorated: NO ROLES",
    ]
    assert f"/guarded/ → {here}.guarded_under_another_decorator: quality_manager" in lines
    assert f"/nested/class/ → {here}.GuardedClassView: interviewer, quality_manager" in lines


def test_role_required_records_its_roles() -> None:
    view = access.role_required(access.MYSTERY)(undecorated)
    assert access.declared_roles(view) == access.MYSTERY
    assert access.declared_roles(undecorated) is None
