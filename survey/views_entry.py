"""The interviewer's entry pages: the shift picker and the questionnaire form."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import access
from .models import Campaign


@access.role_required(access.ENTRY)
def entry(request: HttpRequest) -> HttpResponse:
    """The interviewer's start page: the open campaigns and their questionnaires."""
    organisation, campaigns = access.in_work_organisation(
        request, Campaign.objects.open().prefetch_related("questionnaires"), access.ENTRY
    )
    return render(
        request, "survey/entry.html", {"campaigns": campaigns, "organisation": organisation}
    )
