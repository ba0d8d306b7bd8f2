"""The comparison with another year: which year, and each figure's value that year.

The year is the same organisation's latest earlier campaign, or else the latest earlier
year with figures entered as published (``PublishedFigure``). A figure of that year is
found by its question code — in that campaign's raw answers when they exist (counted by
either path under the same filter), else among the published figures — and says which
(``Previous.source``).

A comparison is like for like (``Filter.across_years``, ``Filter.matches_published``):
last year's answers under the same channel, site and interviewer, never the same week;
the published figures only without a site, a week or an interviewer, since they cover
the whole organisation or one channel.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from django.db import connections
from django.utils.translation import gettext

from survey.models import Campaign

from ..models import FigureChannel, PublishedFigure
from ..stats import Rate
from .counts import Counts, count_of
from .filters import Filter
from .results import FAVOURABLE, Place, Previous, Source

Published = dict[tuple[str, str, str], PublishedFigure]


def comparison_year(campaign: Campaign) -> tuple[int | None, int | None]:
    """The year to compare with, and the id of its campaign: the same organisation's
    latest earlier campaign, or else the latest earlier year with published figures (and
    no campaign). One query."""
    connection = connections[Campaign.objects.db]
    campaigns = connection.ops.quote_name(Campaign._meta.db_table)
    figures = connection.ops.quote_name(PublishedFigure._meta.db_table)
    earlier = (
        f"FROM {campaigns} WHERE organisation_id = %s AND year < %s ORDER BY year DESC LIMIT 1"
    )
    sql = (
        f"SELECT (SELECT id {earlier}), (SELECT year {earlier}), "
        f"(SELECT MAX(year) FROM {figures} WHERE organisation_id = %s AND year < %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [campaign.organisation_id, campaign.year] * 3)
        previous_id, previous_year, published_year = cursor.fetchone()
    if previous_id is not None:
        return previous_year, previous_id
    return published_year, None


def published_figures(campaign: Campaign, year: int | None) -> Published:
    """The published figures of ``year``, by (code, choice code, channel). One query
    (none without a year)."""
    if year is None:
        return {}
    figures = PublishedFigure.objects.filter(organisation_id=campaign.organisation_id, year=year)
    return {(f.code, f.choice_code, f.channel): f for f in figures}


def _published_figure(
    published: Published,
    code: str,
    choice_code: str,
    channel: str | None,
    asked_in: tuple[str, ...],
) -> PublishedFigure | None:
    """The figure for the filter's channel. Over both channels, a figure published for
    one channel only stands in (the report of that year often gave the hall's alone):
    ``Previous.channel`` says so. For a question only one channel asks, its figure and
    the all-channels one are the same."""
    choice = "" if choice_code == FAVOURABLE else choice_code
    wanted = [channel or FigureChannel.ALL]
    if channel is None:
        wanted += list(asked_in)
    elif len(asked_in) == 1 and channel == asked_in[0]:
        wanted.append(FigureChannel.ALL)
    for candidate in wanted:
        figure = published.get((code, choice, candidate))
        if figure is not None:
            return figure
    return None


class Comparison:
    """The comparison year's side of every figure under a filter: counted from the
    previous campaign's answers (``before``, counted under ``Filter.across_years``), or as
    published, or nothing when the filter allows no like-for-like comparison."""

    def __init__(
        self, flt: Filter, year: int | None, published: Published, before: Counts | None
    ) -> None:
        self.filter = flt
        self.found = year  # the comparison year, whatever the filter
        self.year = year if flt.across_years is not None else None  # None: not compared
        self.published = published if flt.matches_published else {}
        self.before = before

    def previous(
        self, code: str, asked_in: tuple[str, ...], share_code: str, members: list[str], now: Rate
    ) -> Previous | None:
        """A figure (a choice, a group of choices, a favourable rate) in the comparison
        year: raw answers of that year if they hold the question, else the published
        figure, else nothing."""
        if self.year is None:
            return None
        previous_base = self.before.bases.get(code, 0) if self.before is not None else 0
        if self.before is not None and previous_base:
            k = min(count_of(self.before.choices, code, members), previous_base)
            before = Rate.of(k, previous_base)
            return Previous(self.year, "raw", before, test=now.compare(before))
        figure = _published_figure(self.published, code, share_code, self.filter.channel, asked_in)
        if figure is None:
            return None
        return self._from_figure(figure, now)

    def places(
        self,
        arrondissements: list[Place],
        epcis: list[Place],
        communes: Mapping[str, tuple[str, ...]],
    ) -> tuple[list[Place], list[Place]]:
        """The arrondissements and EPCI, with the same in the comparison year: counted
        from the previous campaign's communes, or as published for one of the commune
        questions (``communes``: their codes, with the channels that ask them)."""
        if self.year is None:
            return arrondissements, epcis
        before: dict[str, Rate] = {}
        if self.before is not None:
            old = [*self.before.arrondissements, *self.before.epcis]
            before = {p.code: p.rate for p in old}

        def with_previous(place: Place) -> Place:
            if place.code in before:
                rate = before[place.code]
                test = place.rate.compare(rate)
                return replace(place, previous=Previous(self.year or 0, "raw", rate, test=test))
            for code, asked_in in communes.items():
                figure = _published_figure(
                    self.published, code, place.code, self.filter.channel, asked_in
                )
                if figure is not None:
                    return replace(place, previous=self._from_figure(figure, place.rate))
            return place

        return [with_previous(p) for p in arrondissements], [with_previous(p) for p in epcis]

    def by_channel(self) -> dict[str, tuple[int, Source]]:
        """Questionnaires per channel in the comparison year: counted, or as published."""
        if self.before is not None and self.before.by_channel:
            raw: Source = "raw"
            return {channel: (n, raw) for channel, n in self.before.by_channel.items()}
        counts: dict[str, tuple[int, Source]] = {}
        for channel in _channels(self.filter):
            figure = self.published.get((PublishedFigure.QUESTIONNAIRES, "", channel))
            if figure is not None and figure.base is not None:
                published_source: Source = "published"
                counts[channel] = (figure.base, published_source)
        return counts if self.year is not None else {}

    def not_comparable(self) -> str:
        """Why the comparison year's figures are not shown under the filter, or ""."""
        if self.found is None:
            return ""
        reason = self.filter.not_comparable()
        if not reason and self.before is None and not self.filter.matches_published:
            reason = gettext(
                "Pas de comparaison avec %(year)s sous ce filtre : cette année-là n'est "
                "connue que par ses chiffres publiés, qui portent sur toute la préfecture "
                "(ou tout un canal), pas sur un site ou un enquêteur."
            ) % {"year": self.found}
        elif not reason and self.before is not None and not self.before.total:
            reason = gettext(
                "Pas de comparaison avec %(year)s sous ce filtre : aucun questionnaire "
                "cette année-là."
            ) % {"year": self.found}
        return reason

    def _from_figure(self, figure: PublishedFigure, now: Rate) -> Previous:
        year = self.year or figure.year
        if figure.favourable is not None and figure.base:
            before = Rate.of(figure.favourable, figure.base)
            return Previous(
                year, "published", before, test=now.compare(before), channel=figure.channel
            )
        return Previous(year, "published", None, figure.percent, channel=figure.channel)


def _channels(flt: Filter) -> Iterable[str]:
    return [flt.channel] if flt.channel else [FigureChannel.HALL, FigureChannel.PHONE]
