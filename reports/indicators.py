"""The indicators of a campaign, counted by the database (seed sections 3 to 5).

``compute(campaign, Filter(...))`` returns every figure of the dashboard and the report:
representativeness, the distribution of every choice question (the profile's included, with
the communes grouped by arrondissement and by EPCI), the favourable rate of every scale
question against the campaign's objective, and the comparison with the previous year.

Questions are followed by their code, not their number: the hall and phone questionnaires
of a campaign share codes (a figure over both channels adds them up), and a comparison with
another year finds the same code there — in that campaign's raw answers when they exist,
else in the figures entered as published (``PublishedFigure``), and says which.

Cost: a fixed number of queries (three; five with a comparison year; two more when the
questionnaires changed since this process last read them), whatever the number of
questions or responses. The counts come from the campaign's tallies (``AnswerTally``, kept
exact by reports/tallies.py in the transaction of every write): a SUM over some rows per
question and per cell of the filters (over the channels' summary cells when no site, week
or interviewer is filtered), not a GROUP BY over every answer. ``source="raw"``
counts the answers themselves instead (about twelve GROUP BYs), the same figures: tests
and ``reports.tallies.check`` compare the two. Python loops over the grouped rows and the
questions, never over answers.

Conditional shares need nothing special: a question not asked is not stored (skip logic),
so the base of "where did you find the information" is those who looked for it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext

from survey import moments
from survey.models import (
    SCALE_KINDS,
    Answer,
    Arrondissement,
    Campaign,
    Choice,
    Commune,
    Epci,
    Polarity,
    Question,
    QuestionKind,
    Questionnaire,
    Response,
)

from .models import AnswerTally, FigureChannel, PublishedFigure
from .stats import Rate, TwoProportionTest

PARIS = moments.PARIS  # only the default: a Filter counts days in its organisation's zone
FAVOURABLE = "favourable"  # the pseudo choice code of a scale question's favourable rate
Source = Literal["raw", "published"]
Counted = Literal["tallies", "raw"]  # where compute() reads the counts


# --- filters -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filter:
    """Which questionnaires a figure counts. Empty: every counted one of the campaign."""

    channel: str | None = None  # "hall", "phone"; None: both
    site_id: int | None = None
    week: datetime.date | None = None  # any day of the week (Monday to Sunday, in ``zone``)
    interviewer_id: int | None = None
    zone: ZoneInfo = PARIS  # of the campaign's organisation, set by compute()

    @property
    def monday(self) -> datetime.date | None:
        return self.week - datetime.timedelta(days=self.week.weekday()) if self.week else None

    def conditions(self, prefix: str = "") -> Q:
        """The filter as conditions on Response, reached through ``prefix`` ("response__")."""
        q = Q(**{f"{prefix}voided_at__isnull": True})
        if self.channel:
            q &= Q(**{f"{prefix}channel": self.channel})
        if self.site_id:
            q &= Q(**{f"{prefix}site_id": self.site_id})
        if self.interviewer_id:
            q &= Q(**{f"{prefix}interviewer_id": self.interviewer_id})
        if self.monday:
            start = datetime.datetime.combine(self.monday, datetime.time(), tzinfo=self.zone)
            end = start + datetime.timedelta(days=7)
            q &= Q(**{f"{prefix}started_at__gte": start, f"{prefix}started_at__lt": end})
        return q

    @property
    def summarised(self) -> bool:
        """Whether the channels' summary tallies answer this filter (no site, week or
        interviewer)."""
        return not (self.site_id or self.interviewer_id or self.monday)

    def tally_where(
        self, connection: BaseDatabaseWrapper, *, by_day: bool = False
    ) -> tuple[str, list[Any]]:
        """The filter as an SQL condition on AnswerTally ``t`` (which holds counted
        questionnaires only), on one grain: the channels' summary cells when they answer
        the filter and the days are not wanted (``by_day``), else the detailed cells; the
        week keeps the days of questionnaires whose start is known."""
        # The constant inlined, not a parameter: the planner then sees that the summary's
        # partial index (``answer_tally_summary``) serves the query.
        summary = int(AnswerTally.SUMMARY)
        grain = "=" if self.summarised and not by_day else "<>"
        conditions = [f"t.site_id {grain} {summary}"]
        params: list[Any] = []
        if self.channel:
            conditions.append("t.channel = %s")
            params.append(self.channel)
        if self.site_id:
            conditions.append("t.site_id = %s")
            params.append(self.site_id)
        if self.interviewer_id:
            conditions.append("t.interviewer_id = %s")
            params.append(self.interviewer_id)
        if self.monday:
            end = self.monday + datetime.timedelta(days=7)
            conditions.append("t.dated = %s AND t.day >= %s AND t.day < %s")
            adapt = connection.ops.adapt_datefield_value
            params += [True, adapt(self.monday), adapt(end)]
        return " AND ".join(conditions), params

    @property
    def across_years(self) -> Filter | None:
        """The same filter in another campaign, for a like-for-like comparison: the
        channel, the site and the interviewer are the same from one year to the next
        (the organisation's sites, the same accounts), so last year's raw answers can be
        counted under them. A week cannot: the weeks of two campaigns are other dates
        (other holidays, another moment of the year's rush), and the first week of one
        is not the first of the other. None: no comparison."""
        if self.monday:
            return None
        return Filter(
            channel=self.channel,
            site_id=self.site_id,
            interviewer_id=self.interviewer_id,
            zone=self.zone,
        )

    @property
    def matches_published(self) -> bool:
        """Whether figures published for the whole organisation (or one channel) compare
        with this filter's: only without a site, a week or an interviewer."""
        return self.summarised

    def not_comparable(self) -> str:
        """Why the comparison year's figures are not shown under this filter, or "" when
        they are (as counted last year under the same filter when its raw answers
        exist)."""
        if self.monday:
            return gettext(
                "Pas de comparaison avec l'année précédente pour une semaine : les semaines "
                "d'une autre campagne tombent à d'autres dates."
            )
        return ""


# --- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Previous:
    """The same figure in the comparison year, and whether the change is significant."""

    year: int
    source: Source
    rate: Rate | None  # None when only a percentage was published
    published_percent: float | None = None
    test: TwoProportionTest | None = None
    channel: str = FigureChannel.ALL  # a published figure may cover one channel only

    @property
    def percent(self) -> float | None:
        return self.rate.percent if self.rate is not None else self.published_percent

    @property
    def significant(self) -> bool | None:
        """None when no test is possible (a rate published without its base)."""
        return self.test.significant if self.test is not None else None


@dataclass(frozen=True)
class Share:
    """One choice (or group of choices) of a question: who chose it, out of the base."""

    code: str
    label: str
    polarity: str
    rate: Rate
    previous: Previous | None = None

    @property
    def count(self) -> int:
        return self.rate.k


def group_label(name: str, member_labels: list[str]) -> str:
    """How a group of choices is printed: a group of one choice is that choice
    ("Véhicule personnel"); a group of several, a sub-total of the parts above it, says so
    with its name from the questionnaires' file ("titres_de_circulation" → "dont titres
    de circulation"). Never its code."""
    if len(member_labels) == 1:
        return member_labels[0]
    return gettext("dont %(group)s") % {"group": name.replace("_", " ")}


@dataclass(frozen=True)
class Distribution:
    """A distribution as printed: parts that add up to the base (over 100 % for a
    multiple choice: each respondent may tick several), sub-totals of some of them, and
    the answers outside the base, named."""

    base: int
    parts: tuple[Share, ...]
    subtotals: tuple[Share, ...] = ()
    outside: tuple[Share, ...] = ()
    multiple: bool = False


@dataclass(frozen=True)
class QuestionResult:
    code: str
    number: str
    text: str
    kind: str
    section: str
    channels: tuple[str, ...]
    counts_in_satisfaction: bool
    answered: int  # respondents who answered, "sans réponse" and "non concerné" included
    base: int  # respondents whose answer enters a rate
    shares: tuple[Share, ...] = ()  # every choice in order, then the groups
    favourable: Rate | None = None  # scale questions
    previous: Previous | None = None  # of the favourable rate
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # name -> choice codes

    @property
    def is_scale(self) -> bool:
        return self.kind in SCALE_KINDS

    def share(self, code: str) -> Rate:
        return self._share(code).rate

    def distribution(self) -> Distribution:
        """The shares as the dashboard and the report show them: the choices in the base
        (the parts), the groups of several choices ("dont titres de circulation", sub-totals
        of some parts), the choices outside the base. A group of one choice repeats it: it
        is left out, and the comparison year's figure published for it goes to its
        choice."""
        count = len(self.shares) - len(self.groups)  # the groups come after the choices
        choices, groups = self.shares[:count], self.shares[count:]
        single = {
            self.groups[share.code][0]: share.previous
            for share in groups
            if len(self.groups.get(share.code, ())) == 1 and share.previous is not None
        }
        parts = tuple(
            replace(share, previous=share.previous or single.get(share.code))
            for share in choices
            if share.polarity != Polarity.OUTSIDE
        )
        return Distribution(
            base=self.base,
            parts=parts,
            subtotals=tuple(s for s in groups if len(self.groups.get(s.code, ())) > 1),
            outside=tuple(s for s in choices if s.polarity == Polarity.OUTSIDE),
            multiple=self.kind == QuestionKind.MULTIPLE,
        )

    def share_previous(self, code: str) -> Previous | None:
        return self._share(code).previous

    def _share(self, code: str) -> Share:
        for share in self.shares:
            if share.code == code:
                return share
        raise KeyError(f"{self.code} has no choice or group {code!r}")


@dataclass(frozen=True)
class Place:
    """Communes grouped by arrondissement or by EPCI. ``code`` is how a published figure
    names it: arrondissement_161, epci_200071827."""

    code: str
    name: str
    rate: Rate
    previous: Previous | None = None


@dataclass
class Indicators:
    campaign: Campaign
    filter: Filter
    total: int
    by_channel: dict[str, int]
    by_day: dict[str, list[tuple[datetime.date, int]]]
    questions: dict[str, QuestionResult]
    arrondissements: list[Place]
    epcis: list[Place]
    outside_departement: Rate
    comparison_year: int | None = None
    previous_by_channel: dict[str, tuple[int, Source]] = field(default_factory=dict)
    not_comparable: str = ""  # why the comparison year is not shown under the filter

    def question(self, code: str) -> QuestionResult:
        try:
            return self.questions[code]
        except KeyError:
            raise KeyError(
                gettext("Aucune question de code « %(code)s » dans cette campagne.")
                % {"code": code}
            ) from None

    def with_remainder(self, places: list[Place]) -> list[Place]:
        """``places`` (the arrondissements or the EPCI) then what completes them to the
        base, named: the communes outside the département, and those of the département
        that belong to none of ``places`` (a commune of no EPCI). Their counts add up to
        the base, the communes given."""
        if not places and not self.outside_departement.n:
            return []
        base = self.outside_departement.n
        rest = base - sum(p.rate.k for p in places) - self.outside_departement.k
        named = [Place("outside", gettext("Hors du département"), self.outside_departement)]
        if rest > 0:
            unattached = gettext("Commune du département sans rattachement")
            named.append(Place("unattached", unattached, Rate.of(rest, base)))
        return places + [p for p in named if p.rate.k]

    def by_week(self, channel: str) -> list[tuple[datetime.date, int]]:
        """Questionnaires per week (Monday), in order."""
        weeks: dict[datetime.date, int] = defaultdict(int)
        for day, n in self.by_day.get(channel, []):
            weeks[day - datetime.timedelta(days=day.weekday())] += n
        return sorted(weeks.items())

    def sections(self) -> list[tuple[str, list[QuestionResult]]]:
        grouped: dict[str, list[QuestionResult]] = {}
        for result in self.questions.values():
            grouped.setdefault(result.section, []).append(result)
        return list(grouped.items())

    @property
    def previous_total(self) -> int | None:
        if not self.previous_by_channel:
            return None
        return sum(n for n, _ in self.previous_by_channel.values())


# --- computation ---------------------------------------------------------------------------------


def compute(
    campaign: Campaign, flt: Filter | None = None, *, source: Counted = "tallies"
) -> Indicators:
    """Every indicator of ``campaign`` under ``flt``, whatever the size, from the
    tallies: three queries without a comparison year, at most five with one, and two more
    when the questionnaires changed since this process last read them. ``source="raw"``
    counts the answers instead (same figures, about twelve more queries)."""
    flt = replace(flt or Filter(), zone=campaign.zone)  # days in the organisation's zone
    comparison_year, previous_id = _comparison(campaign)
    published = _published(campaign, comparison_year)
    builder = _Builder(campaign, flt, comparison_year, previous_id, published, source)
    now = builder.now
    arrondissements, epcis = builder.compare_places()
    previous_counts = _previous_counts(builder.before, builder.year, builder.published, flt)
    not_comparable = ""
    if comparison_year is not None:
        not_comparable = flt.not_comparable()
        if not not_comparable and builder.before is None and not flt.matches_published:
            not_comparable = gettext(
                "Pas de comparaison avec %(year)s sous ce filtre : cette année-là n'est "
                "connue que par ses chiffres publiés, qui portent sur toute la préfecture "
                "(ou tout un canal), pas sur un site ou un enquêteur."
            ) % {"year": comparison_year}
        elif not not_comparable and builder.before is not None and not builder.before.total:
            not_comparable = gettext(
                "Pas de comparaison avec %(year)s sous ce filtre : aucun questionnaire "
                "cette année-là."
            ) % {"year": comparison_year}
    return Indicators(
        campaign=campaign,
        filter=flt,
        total=now.total,
        by_channel=now.by_channel,
        by_day=now.by_day,
        questions={code: builder.question(code, meta) for code, meta in builder.questions.items()},
        arrondissements=arrondissements,
        epcis=epcis,
        outside_departement=now.outside,
        comparison_year=comparison_year,
        previous_by_channel=previous_counts,
        not_comparable=not_comparable,
    )


class _Builder:
    """Turns the grouped counts into one ``QuestionResult`` per question code."""

    def __init__(
        self,
        campaign: Campaign,
        flt: Filter,
        comparison_year: int | None,
        previous_id: int | None,
        published: Published,
        source: Counted = "tallies",
    ) -> None:
        self.flt = flt
        self.objective, self.band = campaign.objective, campaign.orange_band
        structure = _structure(campaign.pk, previous_id)
        self.questions, self.choices = structure.questions, structure.choices
        choice_ids = structure.choice_ids
        self.now = _counts(campaign.pk, flt, source, choice_ids)
        self.counts, self.answered, self.bases = self.now.choices, self.now.answered, self.now.bases
        # A comparison is like for like: last year's raw answers under the same filter,
        # or, without a site, week or interviewer filter only, the published figures.
        across = flt.across_years
        self.year = comparison_year if across is not None else None
        self.published = published if flt.matches_published else {}
        self.before: _Counts | None = None
        self.previous_counts: dict[tuple[str, str], int] = {}
        self.previous_bases: dict[str, int] = {}
        if previous_id is not None and across is not None:
            self.before = _counts(previous_id, across, source, choice_ids)
            self.previous_counts, self.previous_bases = self.before.choices, self.before.bases

    def compare_places(self) -> tuple[list[Place], list[Place]]:
        """The arrondissements and EPCI, with the same in the comparison year: counted
        from the previous campaign's communes, or as published."""
        arrondissements, epcis = self.now.arrondissements, self.now.epcis
        if self.year is None:
            return arrondissements, epcis
        before: dict[str, Rate] = {}
        if self.before is not None:
            old = [*self.before.arrondissements, *self.before.epcis]
            before = {p.code: p.rate for p in old}
        commune_codes = [c for c, m in self.questions.items() if m["kind"] == QuestionKind.COMMUNE]

        def with_previous(place: Place) -> Place:
            if place.code in before:
                rate = before[place.code]
                test = place.rate.compare(rate)
                return replace(place, previous=Previous(self.year or 0, "raw", rate, test=test))
            for code in commune_codes:
                figure = _published_figure(
                    self.published,
                    code,
                    place.code,
                    self.flt.channel,
                    tuple(self.questions[code]["channels"]),
                )
                if figure is not None:
                    return replace(place, previous=self._from_figure(figure, place.rate))
            return place

        return [with_previous(p) for p in arrondissements], [with_previous(p) for p in epcis]

    def _from_figure(self, figure: PublishedFigure, now: Rate) -> Previous:
        year = self.year or figure.year
        if figure.favourable is not None and figure.base:
            before = Rate.of(figure.favourable, figure.base)
            return Previous(
                year, "published", before, test=now.compare(before), channel=figure.channel
            )
        return Previous(year, "published", None, figure.percent, channel=figure.channel)

    def question(self, code: str, meta: Mapping[str, Any]) -> QuestionResult:
        base, answered = self.bases.get(code, 0), self.answered.get(code, 0)
        choices = self.choices.get(code, [])
        shares = [
            self._share(code, meta, choice, label, polarity, [choice], base, answered)
            for choice, label, polarity in choices
        ]
        labels = {choice: label for choice, label, _ in choices}
        shares += [
            self._share(
                code,
                meta,
                group,
                group_label(group, [labels.get(m, m) for m in members]),
                Polarity.NEUTRAL,
                members,
                base,
                answered,
            )
            for group, members in meta["groups"].items()
        ]
        favourable = previous = None
        if meta["kind"] in SCALE_KINDS:
            members = [c for c, _, polarity in choices if polarity == Polarity.FAVOURABLE]
            favourable = Rate.of(
                self._count(self.counts, code, members),
                base,
                objective=self.objective,
                band=self.band,
            )
            previous = self._previous(code, meta, FAVOURABLE, members, favourable)
        return QuestionResult(
            code=code,
            number=meta["number"],
            text=meta["text"],
            kind=meta["kind"],
            section=meta["section"],
            channels=tuple(meta["channels"]),
            counts_in_satisfaction=meta["counts_in_satisfaction"],
            answered=answered,
            base=base,
            shares=tuple(shares),
            favourable=favourable,
            previous=previous,
            groups={name: tuple(members) for name, members in meta["groups"].items()},
        )

    def _share(
        self,
        code: str,
        meta: Mapping[str, Any],
        share_code: str,
        label: str,
        polarity: str,
        members: list[str],
        base: int,
        answered: int,
    ) -> Share:
        """A choice's share of the base; "sans réponse" and "non concerné", outside the
        base, are shown as shares of everyone who answered."""
        n = answered if polarity == Polarity.OUTSIDE else base
        rate = Rate.of(min(self._count(self.counts, code, members), n), n)
        previous = self._previous(code, meta, share_code, members, rate)
        return Share(share_code, label, polarity, rate, previous)

    @staticmethod
    def _count(counts: Mapping[tuple[str, str], int], code: str, members: list[str]) -> int:
        return sum(counts.get((code, member), 0) for member in members)

    def _previous(
        self, code: str, meta: Mapping[str, Any], share_code: str, members: list[str], now: Rate
    ) -> Previous | None:
        """Raw answers of the comparison year if they hold the question, else the
        published figure, else nothing."""
        if self.year is None:
            return None
        previous_base = self.previous_bases.get(code, 0)
        if previous_base:
            k = min(self._count(self.previous_counts, code, members), previous_base)
            before = Rate.of(k, previous_base)
            return Previous(self.year, "raw", before, test=now.compare(before))
        figure = _published_figure(
            self.published, code, share_code, self.flt.channel, tuple(meta["channels"])
        )
        if figure is None:
            return None
        return self._from_figure(figure, now)


# --- the queries -------------------------------------------------------------------------------


def _answers(campaign_id: int, flt: Filter) -> QuerySet[Answer]:
    return Answer.objects.filter(
        Q(response__campaign_id=campaign_id) & flt.conditions("response__")
    )


@dataclass(frozen=True)
class _Structure:
    """What compute() reads of the questionnaires: ``_questions`` and ``_choices``."""

    questions: dict[str, dict[str, Any]]
    choices: dict[str, list[tuple[str, str, str]]]
    choice_ids: ChoiceIds


_STRUCTURES: dict[tuple[Any, ...], _Structure] = {}
_STRUCTURES_SIZE = 32


def clear_structure_cache() -> None:
    """Forget the questionnaires' structures read by this process (tests roll back the
    rows they were read from, and SQLite may then give their ids to others)."""
    _STRUCTURES.clear()


def _structure(campaign_id: int, previous_id: int | None) -> _Structure:
    """The questions and choices of ``campaign`` (and the choice ids of ``previous``),
    read once per process for each revision of their questionnaires: every change to a
    section, question or choice bumps its questionnaire's revision (``CampaignChild``), so
    the structure kept is never stale. One query when it is kept, three otherwise."""
    campaigns = [pk for pk in (campaign_id, previous_id) if pk is not None]
    revisions = tuple(
        Questionnaire.objects.filter(campaign_id__in=campaigns)
        .order_by("pk")
        .values_list("campaign_id", "pk", "revision")
    )
    key = (campaign_id, previous_id, revisions)
    structure = _STRUCTURES.get(key)
    if structure is None:
        choices, choice_ids = _choices(campaign_id, previous_id)
        structure = _Structure(_questions(campaign_id), choices, choice_ids)
        while len(_STRUCTURES) >= _STRUCTURES_SIZE:
            _STRUCTURES.pop(next(iter(_STRUCTURES)))
        _STRUCTURES[key] = structure
    return structure


def _questions(campaign_id: int) -> dict[str, dict[str, Any]]:
    """Each question code once (hall first), with the channels that ask it. One query."""
    rows = (
        Question.objects.filter(questionnaire__campaign_id=campaign_id)
        .exclude(kind=QuestionKind.FREE_TEXT)
        .values(
            "code",
            "number",
            "text",
            "kind",
            "counts_in_satisfaction",
            "choice_groups",
            "section__title",
            "questionnaire__channel",
        )
        .order_by("questionnaire__channel", "order")
    )
    questions: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = questions.setdefault(
            row["code"],
            {
                "number": row["number"],
                "text": row["text"],
                "kind": row["kind"],
                "counts_in_satisfaction": row["counts_in_satisfaction"],
                "groups": row["choice_groups"] or {},
                "section": row["section__title"],
                "channels": [],
            },
        )
        entry["channels"].append(row["questionnaire__channel"])
    return questions


ChoiceIds = dict[int, tuple[str, str]]  # choice id -> (its code, its polarity)


def _choices(
    campaign_id: int, previous_id: int | None = None
) -> tuple[dict[str, list[tuple[str, str, str]]], ChoiceIds]:
    """(code, label, polarity) of each question code's choices, in order; and the code and
    polarity of every choice of ``campaign`` and ``previous`` by id, as the tallies name
    them. One query."""
    rows = (
        Choice.objects.filter(
            question__questionnaire__campaign_id__in=[
                pk for pk in (campaign_id, previous_id) if pk is not None
            ]
        )
        .values_list(
            "pk",
            "question__questionnaire__campaign_id",
            "question__code",
            "code",
            "label",
            "polarity",
        )
        .order_by("question__questionnaire__channel", "question__order", "order")
    )
    choices: dict[str, dict[str, tuple[str, str, str]]] = defaultdict(dict)
    ids: ChoiceIds = {}
    for pk, owner, question, code, label, polarity in rows:
        ids[pk] = (code, polarity)
        if owner == campaign_id:
            choices[question].setdefault(code, (code, label, polarity))
    return {question: list(by_code.values()) for question, by_code in choices.items()}, ids


ByDay = dict[str, list[tuple[datetime.date, int]]]  # channel -> [(day, questionnaires)]


@dataclass(frozen=True)
class _Counts:
    """What compute() counts in one campaign under one filter."""

    choices: dict[tuple[str, str], int]  # (question code, choice code) -> answers
    answered: dict[str, int]  # question code -> respondents who answered
    bases: dict[str, int]  # question code -> respondents whose answer enters a rate
    arrondissements: list[Place]
    epcis: list[Place]
    outside: Rate  # communes given outside the département
    by_channel: dict[str, int]  # questionnaires
    by_day: ByDay

    @property
    def total(self) -> int:
        return sum(self.by_channel.values())


def _counts(campaign_id: int, flt: Filter, source: Counted, choice_ids: ChoiceIds) -> _Counts:
    if source == "raw":
        arrondissements, epcis, outside = _places(campaign_id, flt)
        answered, bases = _bases(campaign_id, flt)
        by_channel, by_day = _representativeness(campaign_id, flt)
        return _Counts(
            _choice_counts(campaign_id, flt),
            answered,
            bases,
            arrondissements,
            epcis,
            outside,
            by_channel,
            by_day,
        )
    return _tallied(campaign_id, flt, choice_ids)


def _tallied(campaign_id: int, flt: Filter, choice_ids: ChoiceIds) -> _Counts:
    """Every count of ``_choice_counts``, ``_bases``, ``_places`` and
    ``_representativeness`` from the campaign's tallies, in one query of two parts:

    - the answers' tallies summed per (question, answer) over the filter's cells, with
      each question's code and kind, and each commune's arrondissement and EPCI as they
      are now;
    - the questionnaires' tallies summed per channel and day (the detailed cells);

    then a Python loop over those rows (a few per choice, one per commune and per day)."""
    connection = connections[AnswerTally.objects.db]
    table = connection.ops.quote_name
    answers, answers_params = flt.tally_where(connection)
    days, days_params = flt.tally_where(connection, by_day=True)
    tallies = table(AnswerTally._meta.db_table)
    sql = (
        "SELECT q.code, q.kind, g.answer, g.total, m.arrondissement_id, ar.name, "
        "m.epci_id, ep.name, NULL, NULL "
        f"FROM (SELECT t.question_id, t.answer, SUM(t.n) AS total FROM {tallies} t "
        f"WHERE t.campaign_id = %s AND t.question_id > %s AND {answers} "
        "GROUP BY t.question_id, t.answer) g "
        f"JOIN {table(Question._meta.db_table)} q ON q.id = g.question_id "
        f"LEFT JOIN {table(Commune._meta.db_table)} m ON q.kind = %s AND m.insee_code = "
        "CASE WHEN substr(g.answer, 1, 1) = 'c' THEN substr(g.answer, 2) END "
        f"LEFT JOIN {table(Arrondissement._meta.db_table)} ar ON ar.code = m.arrondissement_id "
        f"LEFT JOIN {table(Epci._meta.db_table)} ep ON ep.siren = m.epci_id "
        "UNION ALL SELECT NULL, NULL, NULL, SUM(t.n), NULL, NULL, NULL, NULL, t.channel, t.day "
        f"FROM {tallies} t WHERE t.campaign_id = %s AND t.question_id = %s AND {days} "
        "GROUP BY t.channel, t.day"
    )
    params = [
        campaign_id,
        AnswerTally.RESPONSES,
        *answers_params,
        QuestionKind.COMMUNE.value,
        campaign_id,
        AnswerTally.RESPONSES,
        *days_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    counts: dict[tuple[str, str], int] = defaultdict(int)
    answered: dict[str, int] = defaultdict(int)
    bases: dict[str, int] = defaultdict(int)
    arrondissements: dict[tuple[str, str], int] = defaultdict(int)
    epcis: dict[tuple[str, str], int] = defaultdict(int)
    cells: list[tuple[str, datetime.date, int]] = []
    outside = communes = 0
    for code, kind, answer, total, arr_code, arr_name, epci_code, epci_name, channel, day in rows:
        n = int(total or 0)
        if not n:
            continue
        if code is None:  # questionnaires of one channel on one day
            day = datetime.date.fromisoformat(day) if isinstance(day, str) else day
            cells.append((channel, day, n))
            continue
        answered[code] += n
        in_base, places = False, 0
        for token in answer.split(",") if answer else ():
            if token[0].isdigit():  # a choice: counted, in the base unless "outside"
                choice_code, polarity = choice_ids[int(token)]
                counts[(code, choice_code)] += n
                in_base = in_base or polarity != Polarity.OUTSIDE
            elif token[0] in "ct":  # a commune, or a text (a commune outside, a remark)
                in_base, places = True, places + 1
        if in_base:
            bases[code] += n
        if kind != QuestionKind.COMMUNE or not places:
            continue
        communes += n * places
        if arr_code is None and epci_code is None:
            outside += n * places
            continue
        if arr_code is not None:
            arrondissements[(arr_code, arr_name)] += n * places
        if epci_code is not None:
            epcis[(epci_code, epci_name)] += n * places
    by_channel, by_day = _by_day(cells)
    return _Counts(
        dict(counts),
        dict(answered),
        dict(bases),
        _ranked(arrondissements, communes, "arrondissement_"),
        _ranked(epcis, communes, "epci_"),
        Rate.of(outside, communes),
        by_channel,
        by_day,
    )


def _by_day(cells: Iterable[tuple[str, datetime.date, int]]) -> tuple[dict[str, int], ByDay]:
    """Questionnaires per channel, and per channel and day in order, from (channel, day,
    questionnaires) rows."""
    by_channel: dict[str, int] = defaultdict(int)
    by_day: ByDay = defaultdict(list)
    for channel, day, n in sorted(cells):
        if not n:
            continue
        by_channel[channel] += n
        by_day[channel].append((day, n))
    return dict(by_channel), dict(by_day)


def _choice_counts(campaign_id: int, flt: Filter) -> dict[tuple[str, str], int]:
    """Answers per (question code, choice code). One GROUP BY."""
    rows = (
        _answers(campaign_id, flt)
        .filter(choice__isnull=False)
        .values_list("question__code", "choice__code")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(question, choice): n for question, choice, n in rows}


def _bases(campaign_id: int, flt: Filter) -> tuple[dict[str, int], dict[str, int]]:
    """Per question code: respondents who answered, and those whose answer enters a rate
    (a multiple-choice answer is one respondent, however many boxes). One GROUP BY."""
    rows = (
        _answers(campaign_id, flt)
        .values("question__code")
        .annotate(
            answered=Count("response", distinct=True),
            base=Count(
                "response",
                distinct=True,
                filter=Q(commune__isnull=False)
                | Q(choice__isnull=False) & ~Q(choice__polarity=Polarity.OUTSIDE)
                | Q(choice__isnull=True, commune__isnull=True) & ~Q(text=""),
            ),
        )
        .order_by()
    )
    answered = {row["question__code"]: row["answered"] for row in rows}
    bases = {row["question__code"]: row["base"] for row in rows}
    return answered, bases


def _representativeness(campaign_id: int, flt: Filter) -> tuple[dict[str, int], ByDay]:
    """Questionnaires per channel and per day of collection (``flt.zone``), from the
    responses. One GROUP BY."""
    rows = (
        Response.objects.filter(Q(campaign_id=campaign_id) & flt.conditions())
        .annotate(day=TruncDate(Coalesce("started_at", "received_at"), tzinfo=flt.zone))
        .values_list("channel", "day")
        .annotate(n=Count("pk"))
        .order_by("channel", "day")
    )
    return _by_day(rows)


def _places(campaign_id: int, flt: Filter) -> tuple[list[Place], list[Place], Rate]:
    """The communes answered, by arrondissement and by EPCI; those outside the
    département. One GROUP BY over the commune answers."""
    rows = (
        _answers(campaign_id, flt)
        .filter(question__kind=QuestionKind.COMMUNE)
        .filter(Q(commune__isnull=False) | ~Q(text=""))
        .values_list(
            "commune__arrondissement__code",
            "commune__arrondissement__name",
            "commune__epci__siren",
            "commune__epci__name",
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    base = sum(row[4] for row in rows)
    arrondissements: dict[tuple[str, str], int] = defaultdict(int)
    epcis: dict[tuple[str, str], int] = defaultdict(int)
    outside = 0
    for arr_code, arr_name, epci_code, epci_name, n in rows:
        if arr_code is None and epci_code is None:
            outside += n
            continue
        if arr_code is not None:
            arrondissements[(arr_code, arr_name)] += n
        if epci_code is not None:
            epcis[(epci_code, epci_name)] += n
    return (
        _ranked(arrondissements, base, "arrondissement_"),
        _ranked(epcis, base, "epci_"),
        Rate.of(outside, base),
    )


def _ranked(counts: Mapping[tuple[str, str], int], base: int, prefix: str) -> list[Place]:
    return sorted(
        (Place(prefix + code, name, Rate.of(n, base)) for (code, name), n in counts.items()),
        key=lambda place: (-place.rate.k, place.name),
    )


def _comparison(campaign: Campaign) -> tuple[int | None, int | None]:
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


Published = dict[tuple[str, str, str], PublishedFigure]


def _published(campaign: Campaign, year: int | None) -> Published:
    """The published figures of ``year``, by (code, choice code, channel). One query."""
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


def _previous_counts(
    before: _Counts | None, year: int | None, published: Published, flt: Filter
) -> dict[str, tuple[int, Source]]:
    """Questionnaires per channel in the comparison year: counted, or as published."""
    if before is not None and before.by_channel:
        raw: Source = "raw"
        return {channel: (n, raw) for channel, n in before.by_channel.items()}
    counts: dict[str, tuple[int, Source]] = {}
    for channel in _channels(flt):
        figure = published.get((PublishedFigure.QUESTIONNAIRES, "", channel))
        if figure is not None and figure.base is not None:
            published_source: Source = "published"
            counts[channel] = (figure.base, published_source)
    return counts if year is not None else {}


def _channels(flt: Filter) -> Iterable[str]:
    return [flt.channel] if flt.channel else [FigureChannel.HALL, FigureChannel.PHONE]
