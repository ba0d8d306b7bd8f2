"""The snapshot's rows as the database gives them, in primary-key order, and the
campaign's own fields (the campaign's and the previous one's).
"""

from __future__ import annotations

from typing import Any

from survey.models import Campaign


def rows_of(queryset: Any, *fields: str) -> list[dict[str, Any]]:
    """The rows' ``fields``, in primary-key order when "pk" is one of them."""
    if "pk" in fields:
        queryset = queryset.order_by("pk")
    return [dict(row) for row in queryset.values(*fields)]


def campaign_values(campaign: Campaign) -> dict[str, Any]:
    return {
        "pk": campaign.pk,
        "year": campaign.year,
        "title": campaign.title,
        "start_date": campaign.start_date,
        "end_date": campaign.end_date,
        "objective": campaign.objective,
        "orange_band": campaign.orange_band,
        "mystery_rings": campaign.mystery_rings,
        "mystery_working_days": campaign.mystery_working_days,
        "status": campaign.status,
        "opened_at": campaign.opened_at,
        "closed_at": campaign.closed_at,
    }
