"""Section 4's preamble (how the rates read) and the results sections 4.1 to 4.6: a
sentence for each canonical figure, the places users live in, the questions a campaign
added, the objective summary of the scale questions, and the web audience figures."""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass, replace

from django.utils import dateformat
from django.utils.functional import Promise
from django.utils.translation import gettext

from reports.figures import french_percent
from reports.indicators import FAVOURABLE, Place, Previous, QuestionResult
from reports.models import FigureChannel
from reports.stats import Rate, colour_rule
from reports.web import french_integer, monthly_series
from survey.models import SCALE_KINDS, Channel, Polarity, QuestionKind

from .context import DraftContext
from .phrasing import (
    against_objective,
    enumeration,
    lower_first,
    of_epci,
    of_name,
    question_label,
    quoted,
    sentence,
    small_base,
    versus,
)
from .scale_summary import scale_summary
from .sections import section
from .wordings import SHARE_SENTENCES, SKIPPED, WORDED


def preamble(context: DraftContext) -> list[str]:
    """Section 4: which answers are favourable, the objective, the colours, the tests."""
    campaign = context.campaign
    paragraphs = [
        gettext(
            "Sont considérées comme favorables les réponses « très satisfaisant », "
            "« satisfaisant », « tout à fait d'accord » et « plutôt d'accord » ; sont "
            "considérées comme défavorables les réponses « peu satisfaisant », « pas du "
            "tout satisfaisant », « plutôt pas d'accord » et « pas du tout d'accord ». "
            "Les réponses « non concerné » et « sans réponse » n'entrent dans aucun taux."
        ),
        gettext(
            "L'objectif à atteindre pour les questions relatives à la satisfaction des "
            "usagers est de %(objective)s de réponses favorables."
        )
        % {"objective": context.objective},
    ]
    paragraphs.append(
        gettext(
            "Le code couleur des taux, lus tels qu'ils sont publiés (au dixième), est le "
            "suivant — %(rule)s."
        )
        % {"rule": colour_rule(campaign.objective, campaign.orange_band)}
    )
    year = context.indicators.comparison_year
    if year is not None:
        paragraphs.append(
            gettext(
                "Les résultats sont comparés à ceux de %(year)s. Un écart n'est qualifié "
                "que s'il est statistiquement significatif (test de comparaison de deux "
                "proportions, au seuil de 5 %%) ; lorsque le chiffre de %(year)s n'est "
                "connu que par son taux publié, sans ses effectifs, aucun test n'est "
                "possible et les deux taux sont seulement rapprochés."
            )
            % {"year": year}
        )
    paragraphs.append(
        gettext(
            "Un taux calculé sur moins de 30 réponses varie beaucoup d'une réponse à "
            "l'autre : sa base est indiquée."
        )
    )
    return paragraphs


def result_section(context: DraftContext, key: str) -> list[str]:
    """Section ``key``, one of 4.1 to 4.6."""
    questions = _section_questions(context, key)
    paragraphs = [
        _worded(context, code, choice, wording)
        for code, choice, wording in SHARE_SENTENCES.get(key, [])
    ]
    if key == "4.1":
        paragraphs += _places(context)
    paragraphs += _other_questions(questions)
    paragraphs += scale_summary(questions, context.objective)
    if key == "4.5":
        paragraphs.append(_web_figures(context))
    return paragraphs


# --- the canonical figures ---------------------------------------------------------------------


def _worded(context: DraftContext, code: str, choice: str, wording: str | Promise) -> str:
    figure = _figure(context, code, choice)
    result = context.question(code)
    if figure is None or result is None:
        return ""
    main = str(wording) % {
        "rate": figure.percent,
        "users": _users(figure.channel),
        "number": result.number,
        "n": figure.rate.n,
    }
    comparison = versus(figure.rate.percent, figure.previous)
    if comparison:
        main += " " + comparison
    return sentence(
        main, small_base(figure.rate), against_objective(figure.rate, context.objective)
    )


def _figure(context: DraftContext, code: str, choice: str) -> Figure | None:
    """A share (or the favourable rate) of a question, None when the campaign has no
    such question or no answer to it. When the comparison figure covers one channel
    only and this figure both, the figure is narrowed to that channel: like is
    compared with like, and the sentence says which users it counts."""
    result = context.question(code)
    found = _figure_of(result, choice) if result is not None else None
    if found is None or result is None:
        return None
    previous = found.previous
    if (
        previous is not None
        and previous.channel != FigureChannel.ALL
        and context.indicators.filter.channel is None
        and len(result.channels) > 1
    ):
        narrowed = context.question(code, context.channel_indicators(previous.channel))
        figure = _figure_of(narrowed, choice) if narrowed is not None else None
        return replace(figure, channel=previous.channel) if figure is not None else None
    return found


@dataclass(frozen=True)
class Figure:
    """A rate with its comparison, and the channel it covers when it had to be narrowed
    to the channel of the published comparison figure (None: as the indicators)."""

    rate: Rate
    previous: Previous | None
    channel: str | None = None

    @property
    def percent(self) -> str:
        return french_percent(self.rate.percent)


def _figure_of(result: QuestionResult, choice: str) -> Figure | None:
    if choice == FAVOURABLE:
        if result.favourable is None or not result.favourable.n:
            return None
        return Figure(result.favourable, result.previous)
    try:
        rate, previous = result.share(choice), result.share_previous(choice)
    except KeyError:
        return None
    return Figure(rate, previous) if rate.n else None


def _users(channel: str | None) -> str:
    if channel == Channel.HALL:
        return gettext("des usagers interrogés dans le hall d'accueil")
    if channel == Channel.PHONE:
        return gettext("des usagers interrogés par téléphone")
    return gettext("des usagers")


# --- where the users live ------------------------------------------------------------------------


def _places(context: DraftContext) -> list[str]:
    paragraphs = []
    indicators = context.indicators
    if indicators.arrondissements:
        place = indicators.arrondissements[0]
        main = gettext("%(rate)s des usagers résident dans l'arrondissement %(of)s") % {
            "rate": french_percent(place.rate.percent),
            "of": of_name(place.name),
        }
        paragraphs.append(_place_sentence(main, place))
    if indicators.epcis:
        place = indicators.epcis[0]
        main = gettext("%(rate)s des usagers habitent une commune %(of)s") % {
            "rate": french_percent(place.rate.percent),
            "of": of_epci(place.name),
        }
        paragraphs.append(_place_sentence(main, place))
    outside = indicators.outside_departement
    if outside.k:
        paragraphs.append(
            sentence(
                gettext("%(rate)s des usagers résident hors du département")
                % {"rate": french_percent(outside.percent)},
                small_base(outside),
            )
        )
    return paragraphs


def _place_sentence(main: str, place: Place) -> str:
    comparison = versus(place.rate.percent, place.previous)
    if comparison:
        main += " " + comparison
    return sentence(main, small_base(place.rate))


# --- the questions a campaign added --------------------------------------------------------------


def _section_questions(context: DraftContext, key: str) -> list[QuestionResult]:
    """The questions of the campaign that belong to report section ``key``: by the
    title of their questionnaire section."""
    title = _normalised(str(section(key).title))
    return [
        result
        for result in context.indicators.questions.values()
        if _normalised(result.section) == title and result.code not in SKIPPED
    ]


def _normalised(title: str) -> str:
    text = unicodedata.normalize("NFKC", title).replace("«", "").replace("»", "")
    return " ".join(text.casefold().split())


def _other_questions(questions: list[QuestionResult]) -> list[str]:
    """A sentence for each choice or yes/no question the campaign added to the
    canonical ones: its most frequent answer, or its share of "oui"."""
    paragraphs = []
    for result in questions:
        if result.code in WORDED or not result.base:
            continue
        if result.kind == QuestionKind.YES_NO:
            figure = _figure_of(result, "oui")
            if figure is None:
                continue
            main = gettext("à la %(question)s, %(rate)s des usagers ont répondu « oui »") % {
                "question": question_label(result),
                "rate": figure.percent,
            }
            rate, previous = figure.rate, figure.previous
        elif result.kind in SCALE_KINDS or result.kind == QuestionKind.COMMUNE:
            continue  # scale questions go to the objective summary
        else:
            candidates = [
                share
                for share in result.shares
                if share.code not in result.groups
                and share.polarity != Polarity.OUTSIDE
                and share.rate.n
            ]
            if not candidates:
                continue
            top = max(candidates, key=lambda share: share.rate.k)
            main = gettext(
                "à la %(question)s, la réponse la plus fréquente est %(answer)s (%(rate)s)"
            ) % {
                "question": question_label(result),
                "answer": quoted(top.label),
                "rate": french_percent(top.rate.percent),
            }
            rate, previous = top.rate, top.previous
        comparison = versus(rate.percent, previous)
        if comparison:
            main += " " + comparison
        paragraphs.append(sentence(main, small_base(rate)))
    return paragraphs


# --- the web audience ----------------------------------------------------------------------------


def _web_figures(context: DraftContext) -> str:
    series = monthly_series(context.campaign.organisation, context.campaign.year)
    if series.is_empty:
        return ""
    months = sorted(
        month
        for month in range(1, 13)
        if any(series.value(metric, month) is not None for metric in series.metrics)
    )
    parts = []
    for metric in series.metrics:
        entered = [v for v in series.values[metric] if v is not None]
        if entered:
            parts.append(f"{french_integer(sum(entered))} {lower_first(str(metric.label))}")
    first = datetime.date(context.campaign.year, months[0], 1)
    last = datetime.date(context.campaign.year, months[-1], 1)
    if months[0] == months[-1]:
        when = gettext("en %(month)s") % {"month": dateformat.format(first, "F Y")}
    else:
        when = gettext("de %(first)s à %(last)s") % {
            "first": dateformat.format(first, "F"),
            "last": dateformat.format(last, "F Y"),
        }
    return sentence(
        gettext("%(when)s, on compte %(figures)s") % {"when": when, "figures": enumeration(parts)}
    )
