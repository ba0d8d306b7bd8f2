"""Setting up a campaign: create it, with its questionnaires, in one transaction."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from survey.models import Campaign, Organisation

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
