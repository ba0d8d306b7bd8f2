from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


def entry(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


def switch_organisation(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")
