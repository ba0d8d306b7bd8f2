"""Old links keep working: the English query-string names and the old paths of a campaign's
pages answer with a permanent redirect to today's French names and paths (issue 15, point 6).

Bookmarks, e-mails and the reports' links sent before the change carry them; a permanent
redirect (301) updates the bookmark and tells the browser not to ask again.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, QueryDict
from django.urls import URLPattern, path
from django.views.generic import RedirectView

View = Callable[..., HttpResponse]


def renamed_query(request: HttpRequest, renames: Mapping[str, str]) -> str | None:
    """The query string with each old name of ``renames`` (old -> new) replaced, or None when
    the request carries none of them. Values, their order and repeated names are kept; an old
    name whose new name is also present is dropped (the new one wins, as a link written
    today would have it)."""
    if not any(old in request.GET for old in renames):
        return None
    query = QueryDict(mutable=True)
    for name, values in request.GET.lists():
        new = renames.get(name)
        if new is None:
            query.setlist(name, [*query.getlist(name), *values])
        elif new not in request.GET:
            query.setlist(new, [*query.getlist(new), *values])
    return query.urlencode()


def french_query(**renames: str) -> Callable[[View], View]:
    """Decorate a view whose query string once had English names: ``channel="canal"``.

    A request carrying an old name is sent, permanently, to the same path with the French
    names; any other request reaches the view unchanged.
    """

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            query = renamed_query(request, renames)
            if query is None:
                return view(request, *args, **kwargs)
            return HttpResponsePermanentRedirect(
                f"{request.path}?{query}" if query else request.path
            )

        return wrapper

    return decorate


class OldPath(RedirectView):
    """A path that used to serve a page: a permanent redirect to today's path, nothing
    else. It checks no role (it reads nothing, tells nothing but the new path, which
    the guest could read in any link): the page it leads to checks them."""

    permanent = True
    query_string = True


def moved(old_route: str, name: str) -> URLPattern:
    """A path that used to serve the page named ``name`` (``"namespace:name"``): it now
    sends, permanently, to that page, with the same arguments and query string. It has no
    name of its own, so ``{% url %}`` and ``reverse`` only ever give the new path."""
    return path(old_route, OldPath.as_view(pattern_name=name))
