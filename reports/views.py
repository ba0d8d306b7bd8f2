"""The quality manager's dashboard: the campaigns, then each campaign's indicators."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from survey import access
from survey.models import CHOICE_KINDS, SCALE_KINDS, Campaign, Channel, Polarity

from . import charts
from .forms_dashboard import FilterForm
from .indicators import Filter, Indicators, QuestionResult, compute
from .web import monthly_series


@access.role_required(access.MANAGEMENT)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Every campaign of the organisation with its questionnaire counts, in one query."""
    organisation, campaigns = access.in_work_organisation(
        request, Campaign.objects.with_response_counts(), access.MANAGEMENT
    )
    return render(
        request, "reports/dashboard.html", {"campaigns": campaigns, "organisation": organisation}
    )


def _behind(responses_url: str, flt: Filter, code: str, choices: list[str]) -> str:
    """The link from a rate to the questionnaires behind it (``responses_url``: the
    campaign's list of questionnaires)."""
    query = {"question": code, "choix": ",".join(choices), "statut": "counted"}
    if flt.channel:
        query["canal"] = flt.channel
    if flt.site_id:
        query["site"] = str(flt.site_id)
    return f"{responses_url}?{urlencode(query)}"


def _favourable_codes(result: QuestionResult) -> list[str]:
    return [s.code for s in result.shares if s.polarity == Polarity.FAVOURABLE]


@access.role_required(access.MANAGEMENT)
def campaign_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    """Every indicator of the campaign, under the filters of the query string."""
    campaign = access.get_scoped_or_404(
        Campaign.objects.select_related("organisation"), request.user, access.MANAGEMENT, pk=pk
    )
    form = FilterForm(request.GET or None, campaign=campaign)
    flt = form.filter()
    indicators = compute(campaign, flt)
    web = monthly_series(campaign.organisation, campaign.year)
    return render(
        request,
        "reports/campaign_dashboard.html",
        {
            "campaign": campaign,
            "form": form,
            "filter": flt,
            "indicators": indicators,
            "updated_at": timezone.localtime(),
            "series": web,
            "year": campaign.year,
            "web_chart": None if web.is_empty else web.chart(),
            **_sections(campaign, flt, indicators),
        },
    )


def _sections(campaign: Campaign, flt: Filter, indicators: Indicators) -> dict[str, Any]:
    """The dashboard's blocks: satisfaction by section, profile, the other questions."""
    responses_url = reverse("survey:response_list", args=[campaign.pk])
    satisfaction = []
    for section, results in indicators.sections():
        scales = [r for r in results if r.kind in SCALE_KINDS and r.answered]
        if not scales:
            continue
        links = [_behind(responses_url, flt, r.code, _favourable_codes(r)) for r in scales]
        rows = list(zip(scales, links, strict=True))
        satisfaction.append(
            {
                "title": section,
                "rows": rows,
                "chart": charts.rates_chart(scales, indicators, links),
            }
        )
    distributions = []
    for section, results in indicators.sections():
        for result in results:
            if result.kind not in CHOICE_KINDS or result.kind in SCALE_KINDS or not result.answered:
                continue
            distribution = result.distribution()
            shares = [*distribution.parts, *distribution.subtotals]
            distributions.append(
                {
                    "section": section,
                    "result": result,
                    "shares": [
                        (
                            share,
                            _behind(responses_url, flt, result.code, _members(result, share.code)),
                        )
                        for share in shares
                    ],
                    "outside": distribution.outside,
                    "chart": charts.shares_chart(shares, campaign.year, indicators.comparison_year),
                }
            )
    counts = {
        "hall": charts.counts_chart(
            [(d.strftime("%d/%m"), n) for d, n in indicators.by_week(Channel.HALL)],
            gettext("Accueil physique"),
        ),
        "phone": charts.counts_chart(
            [(d.strftime("%d/%m"), n) for d, n in indicators.by_day.get(Channel.PHONE, [])],
            gettext("Téléphone"),
        ),
    }
    return {
        "satisfaction": satisfaction,
        "distributions": distributions,
        "count_charts": counts,
        "channels": [
            (code, label)
            for code, label in Channel.choices
            if flt.channel is None or flt.channel == code
        ],
        "hall_weeks": indicators.by_week(Channel.HALL),
        "phone_days": indicators.by_day.get(Channel.PHONE, []),
        "place_tables": [
            (gettext("Par arrondissement"), indicators.with_remainder(indicators.arrondissements)),
            (
                gettext("Par intercommunalité (EPCI)"),
                indicators.with_remainder(indicators.epcis),
            ),
        ],
    }


def _members(result: QuestionResult, code: str) -> list[str]:
    """A share's choice codes: its group's, or its own."""
    return list(result.groups.get(code, (code,)))
