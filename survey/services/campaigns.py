"""Setting up a campaign: create it, with its questionnaires, in one transaction."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from survey.models import Campaign, CampaignStatus, Organisation
from survey.questionnaire_check import Problem, check_questionnaire

from .campaign_copy import duplicate_campaign
from .frameworks import load_framework
from .questionnaires import load_questionnaires

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
CANONICAL_QUESTIONNAIRES = FIXTURES / "questionnaires" / "qualipref_2016.json"
CANONICAL_FRAMEWORK = FIXTURES / "frameworks" / "qualipref_2.json"


def canonical_definition() -> dict[str, Any]:
    with CANONICAL_QUESTIONNAIRES.open(encoding="utf-8") as handle:
        definition: dict[str, Any] = json.load(handle)
    return definition


@transaction.atomic
def create_campaign(
    *,
    organisation: Organisation,
    year: int,
    title: str,
    start_date: datetime.date,
    end_date: datetime.date,
    objective: Decimal,
    orange_band: Decimal,
    late_entry_grace_days: int = Campaign._meta.get_field("late_entry_grace_days").get_default(),
    copy_from: Campaign | None = None,
    canonical: bool = False,
) -> Campaign:
    """A new draft campaign, with last year's questionnaires (same codes) or the canonical ones."""
    if copy_from is not None:
        campaign = duplicate_campaign(
            copy_from, year=year, title=title, start_date=start_date, end_date=end_date
        )
        campaign.objective, campaign.orange_band = objective, orange_band
        campaign.late_entry_grace_days = late_entry_grace_days
        campaign.save(update_fields=["objective", "orange_band", "late_entry_grace_days"])
        return campaign
    campaign = Campaign.objects.create(
        organisation=organisation,
        year=year,
        title=title,
        start_date=start_date,
        end_date=end_date,
        objective=objective,
        orange_band=orange_band,
        late_entry_grace_days=late_entry_grace_days,
    )
    if canonical:
        load_framework(CANONICAL_FRAMEWORK)
        load_questionnaires(campaign, canonical_definition())
    return campaign


def campaign_problems(campaign: Campaign) -> list[tuple[str, list[Problem]]]:
    """Each questionnaire of the campaign (its title) with the problems of its check
    (``survey.questionnaire_check``), empty when it is ready. Two queries a questionnaire."""
    return [(q.title, check_questionnaire(q)) for q in campaign.questionnaires.order_by("channel")]


@transaction.atomic
def open_campaign(*, campaign: Campaign) -> None:
    """Open a draft campaign whose questionnaires all pass their check; otherwise refuse
    with every problem named, French, and change nothing."""
    if campaign.status == CampaignStatus.DRAFT:
        refused = [
            _("« %(questionnaire)s », %(problem)s") % {"questionnaire": title, "problem": p}
            for title, problems in campaign_problems(campaign)
            for p in problems
        ]
        if refused:
            raise ValidationError(
                [_("La campagne ne peut pas être ouverte : à corriger d'abord :"), *refused],
                code="questionnaire_not_ready",
            )
    campaign.open()
