"""Writing the figures the quality manager types in: a year's monthly website and
social-network figures (all or nothing), and the published figures of earlier years.

The forms (``reports.forms_figures``, ``reports.forms_published``) only validate; the views
call these functions with what the forms cleaned.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from survey.models import Organisation

from ..models import PublishedFigure, WebFigure, WebMetric
from ..web import MONTH_NUMBERS


@dataclass
class SaveResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


@transaction.atomic
def save_web_figures(
    *,
    organisation: Organisation,
    year: int,
    values: Mapping[tuple[int, str], int | None],
) -> SaveResult:
    """Write a whole year of monthly figures at once: ``values`` maps each (month, metric)
    to its figure, None for an emptied cell, which deletes that month's figure. A cell
    missing from ``values`` counts as emptied. Locks the year's rows, so that two saves of
    one grid follow each other."""
    existing = {
        (figure.month, figure.metric): figure
        for figure in WebFigure.objects.select_for_update().filter(
            organisation=organisation, year=year
        )
    }
    to_create: list[WebFigure] = []
    to_update: list[WebFigure] = []
    to_delete: list[int] = []
    for month in MONTH_NUMBERS:
        for metric in WebMetric:
            value = values.get((month, metric))
            figure = existing.get((month, metric))
            if value is None:
                if figure is not None:
                    to_delete.append(figure.pk)
            elif figure is None:
                to_create.append(
                    WebFigure(
                        organisation=organisation,
                        year=year,
                        month=month,
                        metric=metric,
                        value=value,
                    )
                )
            elif figure.value != value:
                figure.value = value
                to_update.append(figure)
    if to_delete:
        WebFigure.objects.filter(pk__in=to_delete).delete()
    if to_update:
        WebFigure.objects.bulk_update(to_update, ["value"])
    if to_create:
        WebFigure.objects.bulk_create(to_create)
    return SaveResult(created=len(to_create), updated=len(to_update), deleted=len(to_delete))


def save_published_figure(*, figure: PublishedFigure) -> PublishedFigure:
    """Store a published figure the form checked (``PublishedFigureForm``).

    Raises ValidationError (French) when the same figure was entered meanwhile by someone
    else: the form's check of duplicates ran before, the database's constraint decides.
    """
    try:
        with transaction.atomic():
            figure.save()
    except IntegrityError as error:
        raise ValidationError(
            gettext("Ce chiffre est déjà saisi pour cette année."), code="duplicate"
        ) from error
    return figure


@transaction.atomic
def delete_published_figure(*, figure: PublishedFigure) -> None:
    figure.delete()
