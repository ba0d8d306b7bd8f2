"""What the demo campaign's dashboard and report print agrees with itself (issue 14).

- The colours' meaning is written in the same words everywhere (point 2).
- Every distribution, chart or table, of the report and of the dashboard, adds up to the
  base it names, or names what completes it (point 3).
- No choice code is shown to people (point 4).

The checks read the pages as printed (the dashboard's HTML and its charts' data, the
report's HTML with its charts inline) and go over every table and chart they find, so
that a chart added later is checked too. The demo is loaded once for the module and rolled
back at the end.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from audit import pdf
from reports.stats import colour_legend
from survey.demo import DemoResult, load_demo
from survey.forms import CampaignForm
from survey.models import Campaign, Choice

pytestmark = pytest.mark.django_db

SPACES = re.compile(r"[\s\u00a0\u202f]+")


def plain(text: str) -> str:
    """Text without tags, entities or kinds of spaces: what a reader reads."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return SPACES.sub(" ", text).replace("’", "'").strip()


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[DemoResult]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo()
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def campaign(demo: DemoResult) -> Campaign:
    return Campaign.objects.select_related("organisation").get(pk=demo.campaign.pk)


def manager() -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username="responsable"))
    return client


@pytest.fixture(scope="module")
def dashboard(campaign: Campaign, django_db_blocker: Any) -> str:
    with django_db_blocker.unblock(), translation.override("fr"):
        response = manager().get(
            reverse("reports:campaign_dashboard", args=[campaign.pk]), HTTP_ACCEPT_LANGUAGE="fr"
        )
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture(scope="module")
def report(campaign: Campaign, django_db_blocker: Any) -> str:
    with django_db_blocker.unblock():
        return pdf.render_html(campaign, stylesheet_url="/static/audit/report.css")


# --- point 2: one rule, one wording -------------------------------------------------------------


def test_the_colours_are_said_in_the_same_words_everywhere(
    campaign: Campaign, dashboard: str, report: str
) -> None:
    with translation.override("fr"):
        legend = [text for _, text in colour_legend(campaign.objective, campaign.orange_band)]
        detail = manager().get(
            reverse("survey:campaign_detail", args=[campaign.pk]), HTTP_ACCEPT_LANGUAGE="fr"
        )
    texts = [plain(text) for text in legend]
    assert "orange : objectif presque atteint, jusqu'à 5 points en dessous (de 70 % à 74,9 %)" in (
        texts
    )
    sentence = " ; ".join(texts)
    places = {
        "dashboard": plain(dashboard),
        "campaign page": plain(detail.content.decode()),
        "report, section 4": plain(report),
    }
    for where, page in places.items():
        assert sentence in page, where
    # the report's legend, one swatch per colour
    legend_html = report.split('class="legend-colours"', 1)[1].split("</p>", 1)[0]
    assert [plain(t) for t in re.findall(r"</span>([^<]+)</span>", legend_html)] == texts
    # docs/indicators.md gives the default campaign's (75 %, 5 points) in the same words
    docs = SPACES.sub(" ", (Path(settings.BASE_DIR) / "docs" / "indicators.md").read_text())
    for text in texts:
        assert text.split(" : ", 1)[1] in docs.replace("**", ""), text
    # the campaign form's help says "jusqu'à", the edge included
    with translation.override("fr"):
        help_text = str(CampaignForm(organisation=campaign.organisation)["orange_band"].help_text)
    assert "jusqu'à cette marge" in help_text and "comprise" in help_text


def test_no_text_says_orange_is_less_than_the_band() -> None:
    """The old wording, "moins de 5 points en dessous", is gone from every source."""
    base = Path(settings.BASE_DIR)
    old = re.compile(
        r"moins\s+(?:de|que)\s+(?:la\s+marge|cette\s+marge|\S+\s+points\s+en\s+dessous)", re.I
    )
    found = []
    for folder in ("audit", "reports", "survey", "templates", "docs", "locale", "static/reports"):
        for path in (base / folder).rglob("*"):
            if path.suffix in {".py", ".html", ".md", ".po", ".js", ".txt"} and (
                "migrations" not in path.parts  # the history of the help text
            ):
                if old.search(SPACES.sub(" ", path.read_text(errors="ignore"))):
                    found.append(str(path.relative_to(base)))
    assert not found
