"""Staff's mystery-test pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from survey import access
from survey.models import Campaign


@access.role_required(access.MYSTERY)
def index(request: HttpRequest) -> HttpResponse:
    """The campaigns whose mystery calls and e-mails staff log."""
    organisation = access.work_organisation(request, access.MYSTERY)
    campaigns = (
        access.scoped(Campaign.objects.all(), request.user, access.MYSTERY)
        .filter(organisation=organisation)
        .exclude(status="draft")
        .order_by("-year")
    )
    return render(
        request, "mystery/index.html", {"campaigns": campaigns, "organisation": organisation}
    )
