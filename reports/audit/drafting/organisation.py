"""Sections 1 to 3: the introduction, how the survey was organised, and how representative
it is (questionnaires by channel, week and day; the mystery calls and e-mails made)."""

from __future__ import annotations

from django.utils.translation import gettext, ngettext

from survey.models import Channel

from .context import DraftContext
from .phrasing import enumeration, lower_first, weekday_date


def introduction(context: DraftContext) -> list[str]:
    """Section 1: the questionnaires by channel, and the mystery tests if any."""
    channels = list(
        context.campaign.questionnaires.order_by("channel").values_list("channel", flat=True)
    )
    labels = [str(Channel(channel).label).lower() for channel in channels if channel]
    first = ngettext(
        "Un questionnaire soumis aux usagers (%(channels)s) a été élaboré en vue de la "
        "réalisation de l'enquête de satisfaction sur l'accueil en préfecture.",
        "%(count)d questionnaires soumis aux usagers (%(channels)s) ont été élaborés en "
        "vue de la réalisation de l'enquête de satisfaction sur l'accueil en préfecture.",
        len(labels),
    ) % {"count": len(labels), "channels": enumeration(labels)}
    if not labels:
        first = gettext("L'enquête de satisfaction porte sur l'accueil des usagers en préfecture.")
    mystery = _mystery_kinds(context)
    if mystery:
        first += " " + mystery
    second = gettext(
        "Les questions posées portent, outre celles axées vers une meilleure connaissance "
        "des usagers, sur le niveau de satisfaction pour l'accès à l'information par "
        "téléphone et sur Internet, ainsi que sur la qualité de l'accueil en préfecture."
    )
    return [first, second]


def _mystery_kinds(context: DraftContext) -> str:
    calls, emails = context.calls.total.calls, context.emails.total.sent
    if calls and emails:
        return gettext(
            "Des enquêtes mystères portant sur l'accueil téléphonique et la réponse par "
            "courriel ont également été réalisées."
        )
    if calls:
        return gettext(
            "Des appels mystères portant sur l'accueil téléphonique ont également été réalisés."
        )
    if emails:
        return gettext(
            "Des courriels mystères portant sur la réponse par courriel ont également été envoyés."
        )
    return ""


def organisation(context: DraftContext) -> list[str]:
    """Section 2: where the survey was run, the mystery tests, the period, the evidence."""
    by_channel = context.indicators.by_channel
    where = []
    if by_channel.get(Channel.HALL):
        where.append(gettext("auprès des usagers présents dans le hall d'accueil"))
    if by_channel.get(Channel.PHONE):
        where.append(gettext("auprès d'usagers contactés téléphoniquement"))
    paragraphs = []
    if where:
        paragraphs.append(
            gettext("L'enquête de satisfaction s'est déroulée %(where)s.")
            % {"where": enumeration(where)}
        )
    calls, emails = context.calls.total.calls, context.emails.total.sent
    mystery = []
    if calls:
        mystery.append(
            ngettext("%(n)d appel mystère", "%(n)d appels mystères", calls) % {"n": calls}
        )
    if emails:
        mystery.append(
            ngettext("%(n)d courriel mystère", "%(n)d courriels mystères", emails) % {"n": emails}
        )
    if mystery:
        text = ngettext(
            "%(tests)s a été réalisé.", "%(tests)s ont été réalisés.", calls + emails
        ) % {"tests": enumeration(mystery)}
        paragraphs.append(text[:1].upper() + text[1:])
    start, end = context.campaign.start_date, context.campaign.end_date
    period = gettext("La période d'enquête s'est étendue du %(start)s au %(end)s inclus") % {
        "start": weekday_date(start, with_year=start.year != end.year),
        "end": weekday_date(end, with_year=True),
    }
    days = {day for rows in context.indicators.by_day.values() for day, _n in rows}
    if days:
        period += "\u00a0; " + ngettext(
            "des questionnaires ont été recueillis sur %(n)d jour",
            "des questionnaires ont été recueillis sur %(n)d jours",
            len(days),
        ) % {"n": len(days)}
    paragraphs.append(period + ".")
    paragraphs.append(
        gettext(
            "Les éléments de preuve (questionnaires enregistrés, tableaux récapitulatifs "
            "des enquêtes mystères, réponses des services) sont conservés dans "
            "l'application et réunis dans le dossier de preuves présenté lors des audits."
        )
    )
    return paragraphs


def representativeness(context: DraftContext) -> list[str]:
    """Section 3: the questionnaires by channel, against the comparison year's; the
    services called and the subjects written on. The counts by week and by day are the
    report's tables and charts (``reports.audit.document``): the text does not list them again."""
    indicators = context.indicators
    previous = indicators.previous_by_channel
    year = indicators.comparison_year
    paragraphs = []
    hall = indicators.by_channel.get(Channel.HALL, 0)
    if hall:
        text = ngettext(
            "%(n)d usager a accepté de répondre au questionnaire dans le hall d'accueil",
            "%(n)d usagers ont accepté de répondre au questionnaire dans le hall d'accueil",
            hall,
        ) % {"n": hall}
        paragraphs.append(_with_count(text, previous.get(Channel.HALL), year) + ".")
    phone = indicators.by_channel.get(Channel.PHONE, 0)
    if phone:
        text = ngettext(
            "%(n)d usager a accepté de répondre au questionnaire par téléphone",
            "%(n)d usagers ont accepté de répondre au questionnaire par téléphone",
            phone,
        ) % {"n": phone}
        text = _with_count(text, previous.get(Channel.PHONE), year) + "."
        if hall:
            text += " " + gettext("Les données recueillies sont intégrées dans l'enquête générale.")
        paragraphs.append(text)
    total = ngettext(
        "Au total, c'est %(n)d questionnaire qui a été complété",
        "Au total, ce sont %(n)d questionnaires qui ont été complétés",
        indicators.total,
    ) % {"n": indicators.total}
    before = indicators.previous_total
    if before is not None and year is not None and hall and phone and len(previous) > 1:
        total += " " + gettext("contre %(n)d en %(year)s") % {"n": before, "year": year}
    paragraphs.append(total + ".")
    if context.calls.total.calls:
        lines = [
            ngettext(
                "%(n)d appel mystère a été réalisé auprès des services suivants :",
                "%(n)d appels mystères ont été réalisés auprès des services suivants :",
                context.calls.total.calls,
            )
            % {"n": context.calls.total.calls}
        ]
        lines += [f"- {row.label}" for row in context.calls.rows]
        paragraphs.append("\n".join(lines))
    if context.emails.total.sent:
        lines = [
            ngettext(
                "%(n)d courriel mystère a été envoyé sur les sujets suivants :",
                "%(n)d courriels mystères ont été envoyés sur les sujets suivants :",
                context.emails.total.sent,
            )
            % {"n": context.emails.total.sent}
        ]
        lines += [f"- {lower_first(row.label)}" for row in context.emails.rows]
        paragraphs.append("\n".join(lines))
    return paragraphs


def _with_count(text: str, previous: tuple[int, str] | None, year: int | None) -> str:
    if previous is None or year is None:
        return text
    return text + " " + gettext("contre %(n)d en %(year)s") % {"n": previous[0], "year": year}
