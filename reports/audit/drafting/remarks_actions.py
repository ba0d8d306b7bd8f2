"""Sections 5 and 6: the users' remarks and suggestions, counted by category, and the
improvement actions of the year with the follow-up of last year's."""

from __future__ import annotations

import re

from django.utils.translation import gettext, ngettext

from reports import remarks

from ..models import ActionStatus, ImprovementAction
from .context import DraftContext
from .phrasing import day_month, enumeration, quoted, sentence


def users_remarks(context: DraftContext) -> list[str]:
    """Section 5: how many remarks, and their main categories by channel."""
    counted = remarks.counts(context.campaign)
    total = counted.tally.total
    if not total:
        return [gettext("Aucune remarque ni suggestion n'a été formulée par les usagers.")]
    tables_ = [t for t in counted.tables if t.channel.count]
    paragraphs = [
        ngettext(
            "%(n)d suggestion ou remarque a été formulée par les usagers.",
            "%(n)d suggestions et remarques ont été formulées par les usagers.",
            total,
        )
        % {"n": total}
    ]
    if counted.tally.uncoded:
        paragraphs.append(
            ngettext(
                "%(n)d remarque reste à coder : les chiffres par rubrique ne la comptent "
                "pas encore.",
                "%(n)d remarques restent à coder : les chiffres par rubrique ne les "
                "comptent pas encore.",
                counted.tally.uncoded,
            )
            % {"n": counted.tally.uncoded}
        )
    for table in tables_:
        categories = sorted(
            (node for node in table.rows if node.depth == 2 and node.count),
            key=lambda node: -node.count,
        )[:3]
        text = ngettext(
            "%(channel)s : %(n)d remarque",
            "%(channel)s : %(n)d remarques",
            table.channel.count,
        ) % {"channel": table.channel.label, "n": table.channel.count}
        if categories:
            listed = [f"{quoted(_short(node.label))} ({node.count})" for node in categories]
            text += ", " + ngettext(
                "principalement sur %(list)s",
                "principalement sur %(list)s",
                len(listed),
            ) % {"list": enumeration(listed)}
        paragraphs.append(sentence(text))
    return paragraphs


def action_plan(context: DraftContext) -> list[str]:
    """Section 6: this year's actions, then the status of last year's; nothing about a
    year without actions, which the report's action plan (``_actions.html``) states."""
    campaign = context.campaign
    actions = list(
        ImprovementAction.objects.filter(
            organisation_id=campaign.organisation_id,
            year__in=[campaign.year, campaign.year - 1],
        ).order_by("order", "pk")
    )
    now = [a for a in actions if a.year == campaign.year]
    before = [a for a in actions if a.year == campaign.year - 1]
    paragraphs = []
    if now:
        paragraphs.append(
            ngettext(
                "L'action suivante est retenue :",
                "Les actions suivantes sont retenues :",
                len(now),
            )
        )
        for action in now:
            head = f"► {action.title}"
            details = []
            if action.owner:
                details.append(gettext("responsable : %(owner)s") % {"owner": action.owner})
            if action.due_date:
                details.append(
                    gettext("échéance : %(date)s")
                    % {"date": day_month(action.due_date, with_year=True)}
                )
            if details:
                head += f" ({' ; '.join(details)})"
            description = action.description.strip()
            paragraphs.append(f"{head}\n{description}" if description else head)
    # No action this year: the report's action plan says so under its heading, once.
    if before:
        lines = [gettext("Suivi des actions décidées en %(year)s :") % {"year": campaign.year - 1}]
        lines += [
            f"- {action.title} : {str(ActionStatus(action.status).label).lower()}"
            for action in before
        ]
        paragraphs.append("\n".join(lines))
    return paragraphs


def _short(label: str) -> str:
    """A category's label without its parenthesised details."""
    return re.sub(r"\s*\(.*\)\s*$", "", label).strip() or label
