"""Section 6, the improvement actions: this year's and those of the comparison year,
with their state.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from survey.models import Organisation

from ..models import ActionStatus, ImprovementAction


@dataclass(frozen=True)
class ActionRow:
    title: str
    description: str
    owner: str
    due_date: datetime.date | None
    status: str
    status_label: str
    year: int

    @property
    def done(self) -> bool:
        return self.status == ActionStatus.DONE


def action_rows(organisation: Organisation, year: int, previous_year: int) -> list[ActionRow]:
    """This year's actions and last year's, with their state. One query."""
    actions = ImprovementAction.objects.filter(
        organisation=organisation, year__in=[year, previous_year]
    ).order_by("-year", "order", "pk")
    return [
        ActionRow(
            title=action.title,
            description=action.description.strip(),
            owner=action.owner,
            due_date=action.due_date,
            status=action.status,
            status_label=str(ActionStatus(action.status).label),
            year=action.year,
        )
        for action in actions
    ]
