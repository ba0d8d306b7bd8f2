"""Staff's mystery-test pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from survey import access
from survey.models import Campaign, CampaignStatus


@access.role_required(access.MYSTERY)
def index(request: HttpRequest) -> HttpResponse:
    """The campaigns whose mystery calls and e-mails staff log."""
    organisation, campaigns = access.in_work_organisation(
        request, Campaign.objects.exclude(status=CampaignStatus.DRAFT), access.MYSTERY
    )
    return render(
        request, "mystery/index.html", {"campaigns": campaigns, "organisation": organisation}
    )
