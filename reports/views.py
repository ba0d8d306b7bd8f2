"""The quality manager's dashboard."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from survey import access
from survey.models import Campaign


@access.role_required(access.MANAGEMENT)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Every campaign of the organisation with its questionnaire counts, in one query."""
    organisation, campaigns = access.in_work_organisation(
        request, Campaign.objects.with_response_counts(), access.MANAGEMENT
    )
    return render(
        request, "reports/dashboard.html", {"campaigns": campaigns, "organisation": organisation}
    )
