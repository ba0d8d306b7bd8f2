"""The dashboard's figures are plain data (reports/charts.py), drawn by the plotly.js served
from static/vendor/plotly: every figure the dashboard can produce must be one plotly accepts,
as plotly's own schema says (the Python package, a test dependency, built from the same
plotly.js version as the bundle served)."""

from __future__ import annotations

import re
from typing import Any

import plotly
import plotly.graph_objects as go
import pytest
from django.conf import settings
from plotly.offline import get_plotlyjs_version

from demo.loader import load_demo
from reports import charts
from reports.indicators import Filter, compute
from reports.views import _sections
from survey.models import Campaign, Channel, Site

pytestmark = pytest.mark.django_db

VENDOR = settings.BASE_DIR / "static" / "vendor" / "plotly"


def served_bundle_version() -> str:
    """The version in the banner of every plotly.js bundle the pages load."""
    versions = set()
    for bundle in VENDOR.glob("*.js"):
        banner = bundle.read_text(encoding="utf-8")[:300]
        match = re.search(
            r"plotly\.js \([^)]*\) v(\d+\.\d+\.\d+)|plotly\.js v(\d+\.\d+\.\d+)", banner
        )
        assert match, f"{bundle.name}: no plotly.js version in its banner"
        versions.add(match.group(1) or match.group(2))
    assert len(versions) == 1, versions
    return versions.pop()


def test_the_served_bundle_is_the_version_of_the_schema_the_figures_are_checked_against() -> None:
    assert served_bundle_version() == get_plotlyjs_version(), (
        f"static/vendor/plotly is plotly.js {served_bundle_version()}, the plotly package "
        f"{plotly.__version__} checks against {get_plotlyjs_version()}: install the plotly "
        "release built from the served version (pyproject.toml, dev extra)"
    )


def dashboard_figures(campaign: Campaign, flt: Filter) -> list[tuple[str, dict[str, Any]]]:
    """Every figure of the campaign's dashboard under ``flt``, named, as the view builds them."""
    sections = _sections(campaign, flt, compute(campaign, flt))
    figures = [(f"taux : {block['title']}", block["chart"]) for block in sections["satisfaction"]]
    figures += [
        (f"répartition : {block['result'].code}", block["chart"])
        for block in sections["distributions"]
    ]
    figures += [(f"effectifs : {name}", chart) for name, chart in sections["count_charts"].items()]
    return figures


def demo_filters(campaign: Campaign) -> list[Filter]:
    """No filter, each channel, a site, a week, an interviewer, and all of them at once: the
    filters change which traces a figure has (last year's markers go under a filter)."""
    site = Site.objects.filter(organisation=campaign.organisation).order_by("pk").first()
    interviewer = (
        campaign.responses.exclude(interviewer=None)  # type: ignore[attr-defined]
        .order_by("pk")
        .values_list("interviewer_id", flat=True)
        .first()
    )
    assert site is not None
    assert interviewer is not None
    monday = campaign.start_date
    return [
        Filter(),
        Filter(channel=Channel.HALL),
        Filter(channel=Channel.PHONE),
        Filter(site_id=site.pk),
        Filter(week=monday),
        Filter(interviewer_id=interviewer),
        Filter(channel=Channel.HALL, site_id=site.pk, week=monday, interviewer_id=interviewer),
    ]


def test_every_figure_of_the_demo_dashboard_passes_plotlys_schema() -> None:
    campaign = load_demo().campaign
    checked = 0
    kinds = set()
    for flt in demo_filters(campaign):
        for name, figure in dashboard_figures(campaign, flt):
            try:
                go.Figure(figure)  # raises on any property plotly does not know or accept
            except ValueError as error:
                pytest.fail(f"{flt} — {name} : {error}")
            kinds |= {trace["type"] for trace in figure["data"]}
            checked += 1

    assert checked > 7 * 15  # some twenty figures a page, under each filter
    assert kinds == {"bar", "scatter"}  # the trace types of the served basic bundle


@pytest.mark.django_db(False)
def test_an_invalid_property_is_refused() -> None:
    """The check above can fail: plotly refuses a property it does not know."""
    figure = charts.counts_chart([("07/03", 12), ("14/03", 30)], "Accueil physique")
    go.Figure(figure)
    figure["data"][0]["marker"]["colour"] = "#000091"

    with pytest.raises(ValueError, match="colour"):
        go.Figure(figure)
