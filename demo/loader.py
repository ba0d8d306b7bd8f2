"""The demo: the Charente prefecture, its 2016 campaign with its 266 filled questionnaires
and the demo accounts (``survey.demo``), its mystery tests (the seed's 23 calls and 11
e-mails, ``mystery.demo``), then the 2015 figures the questionnaires are compared with, the
coded remarks and the website's figures (``reports.demo``).

Each app loads its own part; this module, above them all, only calls them in the layers'
order (a lower app's part comes first: the upper ones find its campaign and accounts).
Idempotent: a second run finds everything in place and creates nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction

from mystery.demo import load_mystery_demo
from reports.demo import load_reports_demo
from survey.demo import load_survey_demo
from survey.models import Campaign


@dataclass
class DemoCounts:
    """What the run created beyond the campaign: a second run gives zeros."""

    responses: int = 0
    answers: int = 0
    published_figures: int = 0


@dataclass
class DemoResult:
    campaign: Campaign
    accounts: list[tuple[str, str, bool]] = field(default_factory=list)  # name, role, created
    responses: DemoCounts = field(default_factory=DemoCounts)


@transaction.atomic
def load_demo() -> DemoResult:
    surveyed = load_survey_demo()
    campaign = surveyed.campaign
    users = get_user_model().objects
    load_mystery_demo(campaign, logged_by=users.get(username="agent"))
    published = load_reports_demo(campaign, coded_by=users.get(username="responsable"))
    return DemoResult(
        campaign=campaign,
        accounts=surveyed.accounts,
        responses=DemoCounts(
            responses=surveyed.responses.responses,
            answers=surveyed.responses.answers,
            published_figures=published,
        ),
    )
