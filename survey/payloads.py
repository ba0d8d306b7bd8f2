"""What no entry point accepts, whatever the path: text that cannot be stored nor sent back
(NUL, which PostgreSQL refuses in text; lone UTF-16 surrogates, which have no UTF-8 form),
numbers beyond any range, structures nested without end.

JSON endpoints read their body with ``read_json``, which says where the fault is; form posts
and query strings are checked by ``RequestTextMiddleware`` before any view runs, so that no
form, filter or login has to think about it.
"""

from __future__ import annotations

import codecs
import contextlib
import datetime
import json
import math
import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

MAX_DEPTH = 20
_SURROGATE = re.compile("[\ud800-\udfff]")
# A browser posts our forms in the page's encoding, UTF-8 (Django refuses any other for a
# urlencoded body, but not for a multipart one nor for a query string). Another charset only
# smuggles text: `unicode_escape` turns `\ud800` into a lone surrogate, and `rot13` or
# `base64` are no text encodings at all (Django would fail decoding with them).
_CHARSETS = frozenset({"utf-8"})

Path = tuple[str | int, ...]


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored nor shown back, in French; None when it can."""
    if "\x00" in text:
        return _("Texte refusé : il contient un caractère nul.")
    if _SURROGATE.search(text):
        return _("Texte refusé : il contient un caractère Unicode isolé (demi-paire UTF-16).")
    return None


class UnreadablePayload(ValueError):
    """A JSON body refused; ``path`` leads to the faulty value (empty: the body itself).

    The path stops before a faulty key: a key that cannot be shown back cannot name a field.
    """

    def __init__(self, message: str, path: Path = ()) -> None:
        super().__init__(message)
        self.message = message
        self.path = path


def read_json(body: bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """The JSON document in ``body``, refused (UnreadablePayload) if it holds a string that
    cannot be stored (``text_problem``), a number JSON has no room for (``NaN``, ``1e400``),
    or containers nested more than ``max_depth`` deep."""
    try:
        # Strict UTF-8 (RFC 8259): json.loads would let encoded surrogates through on bytes.
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise UnreadablePayload(_("Requête illisible : le texte n'est pas en UTF-8.")) from None
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise UnreadablePayload(_too_deep(max_depth)) from None
    except ValueError:
        # Every JSON endpoint here reads an object: the message the API always gave.
        raise UnreadablePayload(_("Requête illisible : un objet JSON est attendu.")) from None
    _check(data, max_depth)
    return data


def representable_moment(value: datetime.datetime) -> None:
    """A form field's validator: refuses an aware moment that has no UTC form (the first
    hours of year 1 east of Greenwich, the last of year 9999 west of it), which PostgreSQL
    would store in year 0 and no page could read back."""
    try:
        value.astimezone(datetime.UTC)
    except OverflowError:
        raise ValidationError(
            _("Date hors des limites du calendrier."), code="out_of_range"
        ) from None


def parse_iso_moment(raw: Any) -> datetime.datetime | None:
    """The aware moment an ISO 8601 text gives, or None: not a text, unreadable, impossible
    (30 February, an offset of +25:00), without a zone, or out of a date's range once in UTC
    (``0001-01-01T00:00+14:00`` falls in year 0, where no database column can follow)."""
    if not isinstance(raw, str):
        return None
    try:
        parsed = parse_datetime(raw)
        if parsed is None or parsed.tzinfo is None:
            return None
        representable_moment(parsed)
    except (ValueError, ValidationError):  # ValidationError is no ValueError
        return None
    return parsed


def beyond_the_calendar(raw: Any) -> bool:
    """Whether ``raw``, refused by ``parse_iso_moment``, is a well-formed moment with a zone
    that has no UTC form (year 1 east of Greenwich, year 9999 west of it): out of range, not
    unreadable. Only asked on the way to an error message."""
    try:
        parsed = parse_datetime(raw) if isinstance(raw, str) else None
    except ValueError:
        return False
    return parsed is not None and parsed.tzinfo is not None


def whole_number(text: str) -> int | None:
    """The integer that a text of ASCII digits writes (18 at most: any integer column holds
    it), else None. ``str.isdigit`` is no test: ``"²".isdigit()`` is true, ``int("²")`` fails,
    and ``int("9" * 5000)`` is refused too."""
    text = text.strip()
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return int(text)
    return None


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)


def _too_deep(max_depth: int) -> str:
    return _("Requête illisible : données imbriquées sur plus de %(depth)s niveaux.") % {
        "depth": max_depth
    }


def _check(data: Any, max_depth: int) -> None:
    """Walk ``data`` without recursion (its depth is what is being checked)."""
    stack: list[tuple[Any, Path]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            problem = text_problem(value)
            if problem:
                raise UnreadablePayload(problem, path)
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise UnreadablePayload(_("Nombre hors limites."), path)
        elif isinstance(value, dict | list):
            if len(path) >= max_depth:
                raise UnreadablePayload(_too_deep(max_depth), path[:1])
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str) and (problem := text_problem(key)):
                    raise UnreadablePayload(problem, path)
                stack.append((item, (*path, key)))


# --- form posts and query strings -----------------------------------------------------------


def refusal(request: HttpRequest, field: str, message: str) -> HttpResponse:
    """A 400 naming ``field``: JSON for the API's clients, a page for a browser."""
    if request.content_type == "application/json" or "/api/" in request.path:
        return JsonResponse(
            {"errors": {field: [message]}}, status=400, json_dumps_params={"ensure_ascii": False}
        )
    return render(request, "400.html", {"field": field, "message": message}, status=400)


def _request_problem(request: HttpRequest) -> tuple[str, str] | None:
    """(field, message) for the first value of the request no view should see."""
    charset = request.encoding
    if charset and codecs.lookup(charset).name not in _CHARSETS:
        return "__all__", _("Requête refusée : encodage %(charset)s, UTF-8 attendu.") % {
            "charset": charset[:40]
        }
    fields = list(request.GET.lists())
    if request.method == "POST":
        fields += request.POST.lists()
        fields += [(name, [f.name or "" for f in files]) for name, files in request.FILES.lists()]
    for name, values in fields:
        if text_problem(name):
            return "__all__", _("Requête refusée : nom de champ illisible.")
        for value in values:
            if problem := text_problem(value):
                return name, problem
    return None


class Request(WSGIRequest):
    """Django's request, built even when the Content-Type names a codec that is no text
    encoding (``charset=rot13``): Django decodes the query string as soon as it reads the
    charset, and fails there, before any middleware could answer (the server gave a 500).
    The charset stays on the request for ``RequestTextMiddleware`` to refuse."""

    def _set_content_type_params(self, meta: dict[str, Any]) -> None:
        with contextlib.suppress(LookupError, ValueError):
            super()._set_content_type_params(meta)  # type: ignore[misc]  # private, not stubbed


class RequestTextMiddleware:
    """Refuses, with a 400 in French naming the field, a request whose query string, form
    fields or file names hold text no page can store nor show back (``text_problem``), or
    that declares a charset other than UTF-8. Its place is before the CSRF check, which
    reads the form in that charset."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, *args: Any) -> HttpResponse | None:
        problem = _request_problem(request)
        return refusal(request, *problem) if problem else None
