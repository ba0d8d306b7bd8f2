"""The quality manager's dashboard."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from survey import access
from survey.models import Campaign, Channel


@access.role_required(access.MANAGEMENT)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Every campaign of the organisation with its questionnaire counts, in one query."""
    organisation = access.work_organisation(request, access.MANAGEMENT)
    campaigns = (
        access.scoped(Campaign.objects.all(), request.user, access.MANAGEMENT)
        .filter(organisation=organisation)
        .annotate(
            hall=Count("responses", filter=Q(responses__channel=Channel.HALL)),
            phone=Count("responses", filter=Q(responses__channel=Channel.PHONE)),
            total=Count("responses"),
        )
        .order_by("-year")
    )
    return render(
        request, "reports/dashboard.html", {"campaigns": campaigns, "organisation": organisation}
    )
