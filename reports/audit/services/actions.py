"""Writing the improvement actions of an organisation: save one (its rank, when left
empty, puts it last among the actions of its year), delete one, change its state."""

from __future__ import annotations

from django.db import transaction

from ..models import ActionStatus, ImprovementAction


@transaction.atomic
def save_action(*, action: ImprovementAction, order: int | None) -> ImprovementAction:
    """Store ``action`` as ``ImprovementActionForm`` checked it, at rank ``order``; with
    no rank, it goes after the other actions of its organisation and year."""
    action.order = order or 0
    if not action.order:
        last = (
            ImprovementAction.objects.filter(organisation=action.organisation, year=action.year)
            .exclude(pk=action.pk)
            .order_by("-order")
            .values_list("order", flat=True)
            .first()
        )
        action.order = (last or 0) + 1
    action.save()
    return action


@transaction.atomic
def delete_action(*, action: ImprovementAction) -> None:
    action.delete()


@transaction.atomic
def set_action_status(*, action: ImprovementAction, status: ActionStatus | str) -> bool:
    """Give ``action`` the state ``status``; whether it changed (an unchanged state is not
    written)."""
    if status == action.status:
        return False
    action.status = status
    action.save(update_fields=["status", "updated_at"])
    return True
