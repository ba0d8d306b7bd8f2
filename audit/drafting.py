"""The commentary of the audit report, drafted from the figures.

``SECTIONS`` lists the report's sections in order, numbered as the Charente 2016 report
numbers them. ``draft(campaign, indicators, key)`` writes a section's sentences from the
figures, in that report's style ("65,8 % des usagers ayant répondu sont des particuliers
contre 80,7 % en 2015."); ``section_texts(campaign, indicators)`` gives every section's
text as the report prints it: the quality manager's edited text (``SectionText``) when
there is one, else the draft.

Honesty rules, every draft:

- a change from the comparison year is called a rise or a fall only when the
  two-proportion test says it is significant (``Previous.significant is True``); when it
  is not, the draft says "(écart non significatif)"; when no test is possible (a rate
  published without its base) it only sets the two rates side by side ("contre 80,7 % en
  2015") and claims no direction;
- a rate on fewer than 30 answers names its base ("ce taux ne porte que sur 21 réponses");
- French typography: decimal comma, a non-breaking space before % : ; ! ? and inside « ».

A draft is plain text: paragraphs separated by a blank line; in a paragraph, a line that
starts with "- " is a list item.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import NamedTuple

from django.utils import dateformat
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from mystery import tables
from reports import remarks
from reports.figures import NBSP, Ratio, french_number, french_percent
from reports.indicators import FAVOURABLE, Indicators, Place, Previous, QuestionResult
from reports.indicators import compute as compute_indicators
from reports.models import FigureChannel
from reports.stats import Colour, Rate, two_proportion_test
from reports.web import french_integer, monthly_series
from survey.models import SCALE_KINDS, Campaign, Channel, Polarity, QuestionKind

from .models import ActionStatus, ImprovementAction, SectionText

# --- the sections ----------------------------------------------------------------------------


class Section(NamedTuple):
    key: str
    title: str | Promise

    @property
    def level(self) -> int:
        """1 for "4", 2 for "4.1"."""
        return self.key.count(".") + 1


SECTIONS: tuple[Section, ...] = (
    Section("1", _("Introduction")),
    Section("2", _("Modalités d'organisation")),
    Section("3", _("Représentativité de l'enquête")),
    Section("4", _("Présentation des résultats")),
    Section("4.1", _("Connaissance des usagers")),
    Section("4.2", _("Information sur les conditions d'accès en préfecture")),
    Section("4.3", _("Accueil physique")),
    Section("4.4", _("Accueil téléphonique")),
    Section("4.5", _("Démarches sur Internet et présence sur les réseaux sociaux")),
    Section("4.6", _("Connaissance du label «\u00a0Qualipref\u00a0»")),
    Section("4.7", _("Appels mystères")),
    Section("4.8", _("Courriels mystères")),
    Section("5", _("Remarques et suggestions des usagers")),
    Section("6", _("Axes d'amélioration")),
)
KEYS: tuple[str, ...] = tuple(section.key for section in SECTIONS)
_BY_KEY = {section.key: section for section in SECTIONS}


def section(key: str) -> Section:
    """The section of ``key``; KeyError for an unknown key."""
    return _BY_KEY[key]


# --- the interface -----------------------------------------------------------------------------


def draft(campaign: Campaign, indicators: Indicators, key: str) -> str:
    """The section's sentences drafted from the figures. KeyError for an unknown key."""
    return Drafter(campaign, indicators).draft(key)


def section_texts(campaign: Campaign, indicators: Indicators) -> dict[str, str]:
    """Every section's text, in order: the quality manager's edited text if any, else the
    draft. Drafts only the sections that were not edited."""
    edited = dict(SectionText.objects.filter(campaign=campaign).values_list("key", "text"))
    drafter = Drafter(campaign, indicators)
    return {key: edited[key] if key in edited else drafter.draft(key) for key in KEYS}


# --- typography ----------------------------------------------------------------------------------

_SPACE_BEFORE = re.compile(r"[ \u202f]+(?=[%:;!?»])")
_SPACE_AFTER = re.compile(r"(?<=«)[ \u202f]+")


def french_typography(text: str) -> str:
    """A non-breaking space, instead of a space, before % : ; ! ? and » and after «.

    Only spaces already typed are replaced: "http://" or "14h30" stay as they are.
    """
    return _SPACE_AFTER.sub(NBSP, _SPACE_BEFORE.sub(NBSP, text))


def _quoted(text: str) -> str:
    return f"«{NBSP}{text}{NBSP}»"


def _day(day: datetime.date, with_year: bool = False) -> str:
    """3 octobre, 1er juillet, lundi 3 octobre 2016 (with_year)."""
    number = str(day.day)
    if day.day == 1 and (get_language() or "fr").startswith("fr"):
        number = "1er"
    month = dateformat.format(day, "F")
    text = f"{number} {month}"
    return f"{text} {day.year}" if with_year else text


def _weekday_date(day: datetime.date, with_year: bool = False) -> str:
    return f"{dateformat.format(day, 'l')} {_day(day, with_year)}"


def _period(start: datetime.date, end: datetime.date) -> str:
    """du 3 au 7 octobre; du 31 octobre au 4 novembre."""
    first = str(start.day) if start.month == end.month else _day(start)
    if start.day == 1 and start.month == end.month and (get_language() or "fr").startswith("fr"):
        first = "1er"
    return gettext("du %(start)s au %(end)s") % {"start": first, "end": _day(end)}


def _enumeration(items: Sequence[str]) -> str:
    """a, b et c."""
    if len(items) <= 1:
        return "".join(items)
    return gettext("%(items)s et %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _question_label(result: QuestionResult) -> str:
    """question n°11 « L'agent … badge »."""
    text = result.text.strip().rstrip("?").rstrip()
    if result.number:
        return gettext("question n°%(number)s %(text)s") % {
            "number": result.number,
            "text": _quoted(text),
        }
    return _quoted(text)


def _normalised(title: str) -> str:
    text = unicodedata.normalize("NFKC", title).replace("«", "").replace("»", "")
    return " ".join(text.casefold().split())


# --- what one figure says ------------------------------------------------------------------------


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


def versus(now: float | None, previous: Previous | None) -> str:
    """ "contre 80,7 % en 2015", with the direction only when the test says it is
    significant. Empty without a comparison."""
    if previous is None or previous.percent is None or now is None:
        return ""
    before = previous.percent
    text = gettext("contre %(before)s en %(year)s") % {
        "before": french_percent(before),
        "year": previous.year,
    }
    if previous.rate is not None and previous.rate.small:
        text += " " + _on_answers(previous.rate.n)
    if previous.significant is True and round(now - before, 1) != 0:
        text += ", " + _significant_change(now, before)
    elif previous.significant is False:
        text += " " + gettext("(écart non significatif)")
    return text


def _significant_change(now: float, before: float) -> str:
    points = abs(now - before)
    values = {"points": french_number(points)}
    if now > before:
        return (
            ngettext(
                "soit une hausse significative de %(points)s point",
                "soit une hausse significative de %(points)s points",
                1 if points < 2 else 2,
            )
            % values
        )
    return (
        ngettext(
            "soit une baisse significative de %(points)s point",
            "soit une baisse significative de %(points)s points",
            1 if points < 2 else 2,
        )
        % values
    )


def _on_answers(n: int) -> str:
    return ngettext("(sur %(n)d réponse)", "(sur %(n)d réponses)", n) % {"n": n}


def small_base(rate: Rate) -> str:
    """ "ce taux ne porte que sur 21 réponses" for a base under 30; else empty."""
    if not rate.small:
        return ""
    return ngettext(
        "ce taux ne porte que sur %(n)d réponse",
        "ce taux ne porte que sur %(n)d réponses",
        rate.n,
    ) % {"n": rate.n}


def sentence(main: str, *clauses: str) -> str:
    """``main`` then its non-empty clauses, separated by semicolons, and a full stop."""
    text = "\u00a0; ".join([main, *(c for c in clauses if c)])
    return text[:1].upper() + text[1:] + "."


# --- the canonical questions' sentences -------------------------------------------------------

# (question code, choice code or FAVOURABLE, wording). The wording's %(rate)s is the
# percentage; %(users)s is "des usagers", narrowed to a channel when the figure is.
Wording = tuple[str, str, str | Promise]

SHARE_SENTENCES: dict[str, list[Wording]] = {
    "4.1": [
        (
            "profil_statut",
            "particulier",
            _("%(rate)s %(users)s ayant répondu sont des particuliers"),
        ),
        (
            "profil_motif",
            "titres_de_circulation",
            _(
                "%(rate)s %(users)s se déplacent pour les titres de circulation "
                "(certificats d'immatriculation, permis de conduire)"
            ),
        ),
        (
            "profil_frequence",
            "au_plus_une_fois_par_an",
            _("%(rate)s %(users)s se déplacent au plus une fois par an"),
        ),
        (
            "profil_transport",
            "vehicule",
            _("%(rate)s %(users)s ont utilisé leur véhicule pour se rendre en préfecture"),
        ),
    ],
    "4.2": [
        (
            "info_renseigne",
            "oui",
            _(
                "%(rate)s %(users)s venus en préfecture ont cherché à s'informer sur les "
                "conditions d'accès avant de venir"
            ),
        ),
        ("info_source", "internet", _("parmi eux, %(rate)s se sont renseignés sur Internet")),
        (
            "info_facilite",
            FAVOURABLE,
            _(
                "quel que soit le canal d'information utilisé, %(rate)s ont trouvé facilement "
                "les coordonnées et les horaires d'accueil en préfecture"
            ),
        ),
    ],
    "4.3": [
        (
            "hall_satisfaction_globale",
            FAVOURABLE,
            _(
                "le niveau de satisfaction globale de l'accueil en préfecture "
                "(question %(number)s) s'élève à %(rate)s"
            ),
        ),
    ],
    "4.4": [
        (
            "tel_a_appele",
            "oui",
            _(
                "%(rate)s %(users)s ayant répondu au questionnaire ont appelé la préfecture "
                "au cours des 3 derniers mois"
            ),
        ),
        (
            "tel_appel_avant_venue",
            "oui",
            _(
                "%(rate)s des usagers interrogés dans le hall d'accueil avaient appelé la "
                "préfecture avant de venir"
            ),
        ),
        (
            "tel_deplace_apres_appel",
            "oui",
            _(
                "sur les %(n)s questionnaires complétés lors de l'enquête téléphonique, "
                "%(rate)s des usagers se sont déplacés après avoir appelé les services de la "
                "préfecture"
            ),
        ),
        (
            "tel_svi_utilise",
            "oui",
            _(
                "%(rate)s %(users)s ayant appelé la préfecture ont utilisé son serveur vocal "
                "interactif (SVI)"
            ),
        ),
        (
            "tel_satisfaction_globale",
            FAVOURABLE,
            _(
                "la satisfaction globale pour l'accueil et l'information par téléphone "
                "(question %(number)s) s'élève à %(rate)s"
            ),
        ),
    ],
    "4.5": [
        (
            "web_a_consulte",
            "oui",
            _(
                "%(rate)s %(users)s ont consulté le site internet de la préfecture au cours "
                "des 6 derniers mois"
            ),
        ),
        (
            "web_demarche_en_ligne",
            "oui",
            _(
                "%(rate)s %(users)s ayant consulté le site internet de la préfecture ont "
                "vérifié si la démarche pour laquelle ils se sont déplacés pouvait s'effectuer "
                "sur Internet"
            ),
        ),
        (
            "rs_connait",
            "oui",
            _("%(rate)s %(users)s savent que la préfecture est présente sur les réseaux sociaux"),
        ),
        (
            "rs_a_echange",
            "oui",
            _(
                "%(rate)s %(users)s qui connaissent la présence de la préfecture sur les "
                "réseaux sociaux ont communiqué avec elle"
            ),
        ),
        (
            "web_satisfaction_globale",
            FAVOURABLE,
            _(
                "la satisfaction globale des usagers pour le site internet "
                "(question %(number)s) s'élève à %(rate)s"
            ),
        ),
        (
            "rs_satisfaction_globale",
            FAVOURABLE,
            _(
                "la satisfaction globale pour la présence de la préfecture sur les réseaux "
                "sociaux (question %(number)s) s'élève à %(rate)s"
            ),
        ),
    ],
    "4.6": [
        (
            "label_qualipref",
            "oui",
            _(
                "%(rate)s %(users)s ont connaissance du référentiel de qualité de la "
                "préfecture (question %(number)s)"
            ),
        ),
    ],
}
RESULT_SECTIONS = ("4.1", "4.2", "4.3", "4.4", "4.5", "4.6")
# Questions the drafts leave out on purpose: the commune is drafted by arrondissement and
# EPCI, the remarks are section 5.
SKIPPED = frozenset({"profil_commune", "remarques"})
WORDED = frozenset(code for wordings in SHARE_SENTENCES.values() for code, _c, _w in wordings)


def _users(channel: str | None) -> str:
    if channel == Channel.HALL:
        return gettext("des usagers interrogés dans le hall d'accueil")
    if channel == Channel.PHONE:
        return gettext("des usagers interrogés par téléphone")
    return gettext("des usagers")


# --- the drafter ---------------------------------------------------------------------------------


class Drafter:
    """Drafts the sections of one campaign's report from its indicators; the mystery
    tables, the remark counts and the actions are read once, when a section needs them."""

    def __init__(self, campaign: Campaign, indicators: Indicators) -> None:
        self.campaign = campaign
        self.indicators = indicators
        self._by_channel: dict[str, Indicators] = {}
        self._writers: dict[str, Callable[[], list[str]]] = {
            "1": self._introduction,
            "2": self._organisation,
            "3": self._representativeness,
            "4": self._results,
            "4.7": self._calls,
            "4.8": self._emails,
            "5": self._remarks,
            "6": self._actions,
        }

    def draft(self, key: str) -> str:
        section(key)  # KeyError for an unknown key
        writer = self._writers.get(key) or (lambda: self._result_section(key))
        paragraphs = writer()
        return french_typography("\n\n".join(p for p in paragraphs if p))

    def drafts(self) -> dict[str, str]:
        return {key: self.draft(key) for key in KEYS}

    # --- shared reads -----------------------------------------------------------------------

    @cached_property
    def calls(self) -> tables.CallTable:
        return tables.call_table(self.campaign)

    @cached_property
    def emails(self) -> tables.EmailTable:
        return tables.email_table(self.campaign)

    @cached_property
    def mystery_comparison(self) -> tables.Comparison | None:
        return tables.comparison(self.campaign, self.calls, self.emails)

    @property
    def objective(self) -> str:
        return french_percent(float(self.campaign.objective))

    def question(self, code: str, indicators: Indicators | None = None) -> QuestionResult | None:
        questions = (indicators or self.indicators).questions
        return questions.get(code)

    def _channel_indicators(self, channel: str) -> Indicators:
        """The same indicators narrowed to one channel (computed once, when a comparison
        figure was published for that channel only)."""
        if channel not in self._by_channel:
            flt = replace(self.indicators.filter, channel=channel)
            self._by_channel[channel] = compute_indicators(self.campaign, flt)
        return self._by_channel[channel]

    def figure(self, code: str, choice: str) -> Figure | None:
        """A share (or the favourable rate) of a question, None when the campaign has no
        such question or no answer to it. When the comparison figure covers one channel
        only and this figure both, the figure is narrowed to that channel: like is
        compared with like, and the sentence says which users it counts."""
        result = self.question(code)
        found = _figure(result, choice) if result is not None else None
        if found is None or result is None:
            return None
        previous = found.previous
        if (
            previous is not None
            and previous.channel != FigureChannel.ALL
            and self.indicators.filter.channel is None
            and len(result.channels) > 1
        ):
            narrowed = self.question(code, self._channel_indicators(previous.channel))
            figure = _figure(narrowed, choice) if narrowed is not None else None
            return replace(figure, channel=previous.channel) if figure is not None else None
        return found

    # --- 1 to 4 -------------------------------------------------------------------------------

    def _introduction(self) -> list[str]:
        channels = list(
            self.campaign.questionnaires.order_by("channel").values_list("channel", flat=True)
        )
        labels = [str(Channel(channel).label).lower() for channel in channels if channel]
        first = ngettext(
            "Un questionnaire soumis aux usagers (%(channels)s) a été élaboré en vue de la "
            "réalisation de l'enquête de satisfaction sur l'accueil en préfecture.",
            "%(count)d questionnaires soumis aux usagers (%(channels)s) ont été élaborés en "
            "vue de la réalisation de l'enquête de satisfaction sur l'accueil en préfecture.",
            len(labels),
        ) % {"count": len(labels), "channels": _enumeration(labels)}
        if not labels:
            first = gettext(
                "L'enquête de satisfaction porte sur l'accueil des usagers en préfecture."
            )
        mystery = self._mystery_kinds()
        if mystery:
            first += " " + mystery
        second = gettext(
            "Les questions posées portent, outre celles axées vers une meilleure connaissance "
            "des usagers, sur le niveau de satisfaction pour l'accès à l'information par "
            "téléphone et sur Internet, ainsi que sur la qualité de l'accueil en préfecture."
        )
        return [first, second]

    def _mystery_kinds(self) -> str:
        calls, emails = self.calls.total.calls, self.emails.total.sent
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
                "Des courriels mystères portant sur la réponse par courriel ont également "
                "été envoyés."
            )
        return ""

    def _organisation(self) -> list[str]:
        by_channel = self.indicators.by_channel
        where = []
        if by_channel.get(Channel.HALL):
            where.append(gettext("auprès des usagers présents dans le hall d'accueil"))
        if by_channel.get(Channel.PHONE):
            where.append(gettext("auprès d'usagers contactés téléphoniquement"))
        paragraphs = []
        if where:
            paragraphs.append(
                gettext("L'enquête de satisfaction s'est déroulée %(where)s.")
                % {"where": _enumeration(where)}
            )
        calls, emails = self.calls.total.calls, self.emails.total.sent
        mystery = []
        if calls:
            mystery.append(
                ngettext("%(n)d appel mystère", "%(n)d appels mystères", calls) % {"n": calls}
            )
        if emails:
            mystery.append(
                ngettext("%(n)d courriel mystère", "%(n)d courriels mystères", emails)
                % {"n": emails}
            )
        if mystery:
            text = ngettext(
                "%(tests)s a été réalisé.", "%(tests)s ont été réalisés.", calls + emails
            ) % {"tests": _enumeration(mystery)}
            paragraphs.append(text[:1].upper() + text[1:])
        start, end = self.campaign.start_date, self.campaign.end_date
        period = gettext("La période d'enquête s'est étendue du %(start)s au %(end)s inclus") % {
            "start": _weekday_date(start, with_year=start.year != end.year),
            "end": _weekday_date(end, with_year=True),
        }
        days = {day for rows in self.indicators.by_day.values() for day, _n in rows}
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

    def _representativeness(self) -> list[str]:
        indicators = self.indicators
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
            weeks = indicators.by_week(Channel.HALL)
            if len(weeks) > 1:
                lines = [gettext("Questionnaires complétés dans le hall d'accueil, par semaine :")]
                for monday, n in weeks:
                    start = max(monday, self.campaign.start_date)
                    end = min(monday + datetime.timedelta(days=4), self.campaign.end_date)
                    end = max(end, start)
                    lines.append(
                        "- "
                        + gettext("%(period)s : %(n)d")
                        % {"period": _period(start, end) if end != start else _day(start), "n": n}
                    )
                paragraphs.append("\n".join(lines))
        phone = indicators.by_channel.get(Channel.PHONE, 0)
        if phone:
            text = ngettext(
                "%(n)d usager a accepté de répondre au questionnaire par téléphone",
                "%(n)d usagers ont accepté de répondre au questionnaire par téléphone",
                phone,
            ) % {"n": phone}
            text = _with_count(text, previous.get(Channel.PHONE), year) + "."
            if hall:
                text += " " + gettext(
                    "Les données recueillies sont intégrées dans l'enquête générale."
                )
            paragraphs.append(text)
            days = indicators.by_day.get(Channel.PHONE, [])
            if len(days) > 1:
                lines = [gettext("Questionnaires complétés par téléphone, par jour :")]
                lines += [
                    "- " + gettext("%(day)s : %(n)d") % {"day": _day(day), "n": n}
                    for day, n in days
                ]
                paragraphs.append("\n".join(lines))
        total = ngettext(
            "Au total, c'est %(n)d questionnaire qui a été complété",
            "Au total, ce sont %(n)d questionnaires qui ont été complétés",
            indicators.total,
        ) % {"n": indicators.total}
        before = indicators.previous_total
        if before is not None and year is not None and hall and phone and len(previous) > 1:
            total += " " + gettext("contre %(n)d en %(year)s") % {"n": before, "year": year}
        paragraphs.append(total + ".")
        if self.calls.total.calls:
            lines = [
                ngettext(
                    "%(n)d appel mystère a été réalisé auprès des services suivants :",
                    "%(n)d appels mystères ont été réalisés auprès des services suivants :",
                    self.calls.total.calls,
                )
                % {"n": self.calls.total.calls}
            ]
            lines += [f"- {row.label}" for row in self.calls.rows]
            paragraphs.append("\n".join(lines))
        if self.emails.total.sent:
            lines = [
                ngettext(
                    "%(n)d courriel mystère a été envoyé sur les sujets suivants :",
                    "%(n)d courriels mystères ont été envoyés sur les sujets suivants :",
                    self.emails.total.sent,
                )
                % {"n": self.emails.total.sent}
            ]
            lines += [f"- {_lower_first(row.label)}" for row in self.emails.rows]
            paragraphs.append("\n".join(lines))
        return paragraphs

    def _results(self) -> list[str]:
        campaign = self.campaign
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
            % {"objective": self.objective},
        ]
        band = float(campaign.orange_band)
        if band > 0:
            paragraphs.append(
                gettext(
                    "Le code couleur des taux est le suivant : vert, objectif atteint ; orange, "
                    "objectif presque atteint (moins de %(band)s points en dessous) ; rouge, "
                    "objectif non atteint."
                )
                % {"band": french_number(band)}
            )
        else:
            paragraphs.append(
                gettext(
                    "Le code couleur des taux est le suivant : vert, objectif atteint ; rouge, "
                    "objectif non atteint."
                )
            )
        year = self.indicators.comparison_year
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

    # --- 4.1 to 4.6 -----------------------------------------------------------------------------

    def _result_section(self, key: str) -> list[str]:
        paragraphs = [
            self._worded(code, choice, wording)
            for code, choice, wording in SHARE_SENTENCES.get(key, [])
        ]
        if key == "4.1":
            paragraphs += self._places()
        paragraphs += self._other_questions(key)
        paragraphs += self._scale_summary(key)
        if key == "4.5":
            paragraphs.append(self._web_figures())
        return paragraphs

    def _worded(self, code: str, choice: str, wording: str | Promise) -> str:
        figure = self.figure(code, choice)
        result = self.question(code)
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
        return sentence(main, small_base(figure.rate), self._against_objective(figure.rate))

    def _against_objective(self, rate: Rate) -> str:
        values = {"objective": self.objective}
        if rate.colour == Colour.GREEN:
            return gettext("l'objectif de %(objective)s est atteint") % values
        if rate.colour == Colour.ORANGE:
            return gettext("l'objectif de %(objective)s est presque atteint") % values
        if rate.colour == Colour.RED:
            return gettext("l'objectif de %(objective)s n'est pas atteint") % values
        return ""

    def _places(self) -> list[str]:
        paragraphs = []
        indicators = self.indicators
        if indicators.arrondissements:
            place = indicators.arrondissements[0]
            main = gettext("%(rate)s des usagers résident dans l'arrondissement %(of)s") % {
                "rate": french_percent(place.rate.percent),
                "of": _of(place.name),
            }
            paragraphs.append(_place_sentence(main, place))
        if indicators.epcis:
            place = indicators.epcis[0]
            main = gettext("%(rate)s des usagers habitent une commune %(of)s") % {
                "rate": french_percent(place.rate.percent),
                "of": _of_epci(place.name),
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

    def _section_questions(self, key: str) -> list[QuestionResult]:
        """The questions of the campaign that belong to report section ``key``: by the
        title of their questionnaire section."""
        title = _normalised(str(section(key).title))
        return [
            result
            for result in self.indicators.questions.values()
            if _normalised(result.section) == title and result.code not in SKIPPED
        ]

    def _other_questions(self, key: str) -> list[str]:
        """A sentence for each choice or yes/no question the campaign added to the
        canonical ones: its most frequent answer, or its share of "oui"."""
        paragraphs = []
        for result in self._section_questions(key):
            if result.code in WORDED or not result.base:
                continue
            if result.kind == QuestionKind.YES_NO:
                figure = _figure(result, "oui")
                if figure is None:
                    continue
                main = gettext("à la %(question)s, %(rate)s des usagers ont répondu « oui »") % {
                    "question": _question_label(result),
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
                    "question": _question_label(result),
                    "answer": _quoted(top.label),
                    "rate": french_percent(top.rate.percent),
                }
                rate, previous = top.rate, top.previous
            comparison = versus(rate.percent, previous)
            if comparison:
                main += " " + comparison
            paragraphs.append(sentence(main, small_base(rate)))
        return paragraphs

    def _scale_summary(self, key: str) -> list[str]:
        """The favourable rates of the section's scale questions that have no sentence of
        their own: how many reach the objective, which do not, which changed significantly,
        which rest on a small base."""
        results = [
            r
            for r in self._section_questions(key)
            if r.kind in SCALE_KINDS
            and r.kind != QuestionKind.YES_NO
            and r.code not in WORDED
            and r.favourable is not None
            and r.favourable.n
        ]
        if not results:
            return []
        paragraphs = []
        reached = [r for r in results if _colour(r) == Colour.GREEN]
        almost = [r for r in results if _colour(r) == Colour.ORANGE]
        missed = [r for r in results if _colour(r) == Colour.RED]
        values = {"k": len(reached), "n": len(results), "objective": self.objective}
        if len(results) == 1:
            head = gettext("%(question)s : %(rate)s de réponses favorables") % {
                "question": _question_label(results[0]),
                "rate": french_percent(_percent(results[0])),
            }
            only = results[0].favourable
            head = sentence(head, self._against_objective(only) if only is not None else "")
        elif len(reached) == len(results):
            head = (
                gettext(
                    "Les %(n)d autres questions de la section atteignent toutes l'objectif de "
                    "%(objective)s de réponses favorables."
                )
                % values
            )
        elif not reached:
            head = (
                gettext(
                    "Aucune des %(n)d autres questions de la section n'atteint l'objectif de "
                    "%(objective)s de réponses favorables."
                )
                % values
            )
        else:
            head = (
                ngettext(
                    "Sur les %(n)d autres questions de la section, %(k)d atteint l'objectif de "
                    "%(objective)s de réponses favorables.",
                    "Sur les %(n)d autres questions de la section, %(k)d atteignent l'objectif de "
                    "%(objective)s de réponses favorables.",
                    len(reached),
                )
                % values
            )
        paragraphs.append(head)
        if len(results) > 1:
            if almost:
                paragraphs.append(
                    sentence(gettext("objectif presque atteint : %(list)s") % _listing(almost))
                )
            if missed:
                paragraphs.append(
                    sentence(gettext("objectif non atteint : %(list)s") % _listing(missed))
                )
        rises = [r for r in results if _change(r) > 0]
        falls = [r for r in results if _change(r) < 0]
        if rises:
            paragraphs.append(
                sentence(
                    gettext("en hausse significative par rapport à %(year)s : %(list)s")
                    % {"year": _year(rises), **_listing(rises, with_previous=True)}
                )
            )
        if falls:
            paragraphs.append(
                sentence(
                    gettext("en baisse significative par rapport à %(year)s : %(list)s")
                    % {"year": _year(falls), **_listing(falls, with_previous=True)}
                )
            )
        small = [r for r in results if r.favourable is not None and r.favourable.small]
        if small:
            items = [
                gettext("%(question)s (%(rate)s, sur %(n)d réponses)")
                % {
                    "question": _question_label(r),
                    "rate": french_percent(_percent(r)),
                    "n": r.favourable.n if r.favourable is not None else 0,
                }
                for r in small
            ]
            paragraphs.append(
                sentence(
                    ngettext(
                        "ce taux repose sur moins de 30 réponses et se lit avec prudence : "
                        "%(list)s",
                        "ces taux reposent sur moins de 30 réponses et se lisent avec "
                        "prudence : %(list)s",
                        len(small),
                    )
                    % {"list": ", ".join(items)}
                )
            )
        return paragraphs

    def _web_figures(self) -> str:
        series = monthly_series(self.campaign.organisation, self.campaign.year)
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
                parts.append(f"{french_integer(sum(entered))} {_lower_first(str(metric.label))}")
        first = datetime.date(self.campaign.year, months[0], 1)
        last = datetime.date(self.campaign.year, months[-1], 1)
        if months[0] == months[-1]:
            when = gettext("en %(month)s") % {"month": dateformat.format(first, "F Y")}
        else:
            when = gettext("de %(first)s à %(last)s") % {
                "first": dateformat.format(first, "F"),
                "last": dateformat.format(last, "F Y"),
            }
        return sentence(
            gettext("%(when)s, on compte %(figures)s")
            % {"when": when, "figures": _enumeration(parts)}
        )

    # --- 4.7 and 4.8 ----------------------------------------------------------------------------

    def _calls(self) -> list[str]:
        table = self.calls
        total = table.total
        if not total.calls:
            return [table.sentence]
        services = ngettext(
            "%(n)d appel mystère a été passé auprès de %(services)s.",
            "%(n)d appels mystères ont été passés auprès de %(services)s.",
            total.calls,
        ) % {
            "n": total.calls,
            "services": ngettext("%(n)d service", "%(n)d services", len(table.rows))
            % {"n": len(table.rows)},
        }
        paragraphs = [f"{services} {table.sentence}"]
        if total.reached.k:
            paragraphs.append(
                sentence(
                    ngettext(
                        "parmi les %(n)d appel ayant abouti : formule d'accueil complète "
                        "%(greeting)s ; courtoisie et amabilité %(courtesy)s ; qualité de la "
                        "réponse (fond et forme) %(answer)s",
                        "parmi les %(n)d appels ayant abouti : formule d'accueil complète "
                        "%(greeting)s ; courtoisie et amabilité %(courtesy)s ; qualité de la "
                        "réponse (fond et forme) %(answer)s",
                        total.reached.k,
                    )
                    % {
                        "n": total.reached.k,
                        "greeting": _out_of(total.greeting),
                        "courtesy": _out_of(total.courtesy),
                        "answer": _out_of(total.answer),
                    }
                )
            )
        missed = [row for row in table.rows if row.reached.k < row.calls]
        if missed:
            lines = [gettext("Les appels n'ont pas tous abouti pour les services suivants :")]
            for row in missed:
                detail = ngettext(
                    "%(k)d appel abouti sur %(n)d",
                    "%(k)d appels aboutis sur %(n)d",
                    row.reached.k,
                ) % {"k": row.reached.k, "n": row.calls}
                lines.append(f"- {row.label} : {', '.join([detail, *row.observations])}")
            paragraphs.append("\n".join(lines))
        slow = [row for row in table.rows if row.within_rings.k < row.reached.k]
        if slow:
            items = [
                gettext("%(service)s (%(k)d sur %(n)d)")
                % {
                    "service": row.label,
                    "k": row.reached.k - row.within_rings.k,
                    "n": row.reached.k,
                }
                for row in slow
            ]
            paragraphs.append(
                sentence(
                    gettext("appels aboutis décrochés après plus de %(rings)d sonneries : %(list)s")
                    % {"rings": table.rings, "list": ", ".join(items)}
                )
            )
        comparison = self.mystery_comparison
        if comparison is not None and comparison.calls:
            label, now, before = comparison.calls[0]
            paragraphs.append(
                sentence(
                    gettext("%(what)s : %(now)s %(versus)s")
                    % {
                        "what": label,
                        "now": _out_of(now),
                        "versus": _ratio_versus(now, before, comparison.previous.year),
                    },
                    _thresholds_note(comparison),
                )
            )
        return paragraphs

    def _emails(self) -> list[str]:
        table = self.emails
        total = table.total
        if not total.sent:
            return [table.sentence]
        themes = ngettext(
            "%(n)d courriel mystère a été envoyé sur %(themes)s.",
            "%(n)d courriels mystères ont été envoyés sur %(themes)s.",
            total.sent,
        ) % {
            "n": total.sent,
            "themes": ngettext("%(n)d thème", "%(n)d thèmes", len(table.rows))
            % {"n": len(table.rows)},
        }
        paragraphs = [f"{themes} {table.sentence}"]
        paragraphs.append(
            sentence(
                gettext(
                    "accusé de réception reçu : %(ack)s ; qualité de la réponse (fond et "
                    "forme) : %(answer)s"
                )
                % {
                    "ack": _out_of(total.acknowledged),
                    "answer": _out_of(total.answer) if total.answer.n else "—",
                }
            )
        )
        late = [
            row
            for row in table.rows
            if row.answered.k < row.sent or row.within_delay.k < row.within_delay.n
        ]
        if late:
            lines = [gettext("Courriels sans réponse ou hors délai, par thème :")]
            for row in late:
                details = []
                if not row.answered.k:
                    details.append(gettext("sans réponse"))
                elif row.answered.k < row.sent:
                    details.append(
                        gettext("%(k)d réponse sur %(n)d") % {"k": row.answered.k, "n": row.sent}
                    )
                if row.answered.k and row.within_delay.k < row.within_delay.n:
                    details.append(
                        gettext("%(k)d dans le délai sur %(n)d")
                        % {"k": row.within_delay.k, "n": row.within_delay.n}
                    )
                unanswered = row.sent - row.answered.k - row.waiting
                overdue = ngettext(
                    "%(n)d sans réponse, délai dépassé",
                    "%(n)d sans réponse, délai dépassé",
                    unanswered,
                ) % {"n": unanswered}
                details += [note for note in row.observations if note != overdue]
                lines.append(f"- {row.label} : {' ; '.join(details)}")
            paragraphs.append("\n".join(lines))
        comparison = self.mystery_comparison
        if comparison is not None and len(comparison.emails) > 2:
            label, now, before = comparison.emails[2]
            paragraphs.append(
                sentence(
                    gettext("%(what)s : %(now)s %(versus)s")
                    % {
                        "what": label,
                        "now": _out_of(now),
                        "versus": _ratio_versus(now, before, comparison.previous.year),
                    },
                    _thresholds_note(comparison),
                )
            )
        return paragraphs

    # --- 5 and 6 --------------------------------------------------------------------------------

    def _remarks(self) -> list[str]:
        counted = remarks.counts(self.campaign)
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
                listed = [f"{_quoted(_short(node.label))} ({node.count})" for node in categories]
                text += ", " + ngettext(
                    "principalement sur %(list)s",
                    "principalement sur %(list)s",
                    len(listed),
                ) % {"list": _enumeration(listed)}
            paragraphs.append(sentence(text))
        return paragraphs

    def _actions(self) -> list[str]:
        campaign = self.campaign
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
                        % {"date": _day(action.due_date, with_year=True)}
                    )
                if details:
                    head += f" ({' ; '.join(details)})"
                description = action.description.strip()
                paragraphs.append(f"{head}\n{description}" if description else head)
        else:
            paragraphs.append(
                gettext("Aucune action n'est encore enregistrée pour %(year)s.")
                % {"year": campaign.year}
            )
        if before:
            lines = [
                gettext("Suivi des actions décidées en %(year)s :") % {"year": campaign.year - 1}
            ]
            lines += [
                f"- {action.title} : {str(ActionStatus(action.status).label).lower()}"
                for action in before
            ]
            paragraphs.append("\n".join(lines))
        return paragraphs


# --- helpers ---------------------------------------------------------------------------------


def _figure(result: QuestionResult, choice: str) -> Figure | None:
    if choice == FAVOURABLE:
        if result.favourable is None or not result.favourable.n:
            return None
        return Figure(result.favourable, result.previous)
    try:
        rate, previous = result.share(choice), result.share_previous(choice)
    except KeyError:
        return None
    return Figure(rate, previous) if rate.n else None


def _with_count(text: str, previous: tuple[int, str] | None, year: int | None) -> str:
    if previous is None or year is None:
        return text
    return text + " " + gettext("contre %(n)d en %(year)s") % {"n": previous[0], "year": year}


def _place_sentence(main: str, place: Place) -> str:
    comparison = versus(place.rate.percent, place.previous)
    if comparison:
        main += " " + comparison
    return sentence(main, small_base(place.rate))


_VOWELS = "aeiouyàâäéèêëîïôöùûüœh"


def _of(name: str) -> str:
    """d'Angoulême, de Cognac."""
    if name[:1].lower() in _VOWELS:
        return pgettext("elision", "d'%(name)s") % {"name": name}
    return gettext("de %(name)s") % {"name": name}


def _of_epci(name: str) -> str:
    """de la CA du Grand Angoulême (a communauté), else de « name »."""
    if name.split(" ", 1)[0] in {"CA", "CC", "CU"} or name.lower().startswith("communauté"):
        return gettext("de la %(name)s") % {"name": name}
    if name.lower().startswith("métropole"):
        return gettext("de la %(name)s") % {"name": name}
    return _of(name)


def _colour(result: QuestionResult) -> Colour:
    return result.favourable.colour if result.favourable is not None else Colour.NONE


def _percent(result: QuestionResult) -> float | None:
    return result.favourable.percent if result.favourable is not None else None


def _change(result: QuestionResult) -> int:
    """+1 for a significant rise of the favourable rate, -1 for a significant fall."""
    previous, now = result.previous, _percent(result)
    if previous is None or previous.significant is not True or now is None:
        return 0
    if previous.percent is None or round(now - previous.percent, 1) == 0:
        return 0
    return 1 if now > previous.percent else -1


def _year(results: Iterable[QuestionResult]) -> int:
    return next(r.previous.year for r in results if r.previous is not None)


def _listing(results: list[QuestionResult], *, with_previous: bool = False) -> dict[str, str]:
    items = []
    for result in results:
        rate = french_percent(_percent(result))
        if with_previous and result.previous is not None:
            rate = gettext("%(now)s contre %(before)s") % {
                "now": rate,
                "before": french_percent(result.previous.percent),
            }
        items.append(f"{_question_label(result)} ({rate})")
    return {"list": ", ".join(items)}


def _out_of(ratio: Ratio) -> str:
    return gettext("%(k)d sur %(n)d") % {"k": ratio.k, "n": ratio.n}


def _ratio_versus(now: Ratio, before: Ratio, year: int) -> str:
    text = gettext("contre %(k)d sur %(n)d en %(year)s") % {
        "k": before.k,
        "n": before.n,
        "year": year,
    }
    if now.percent is None or before.percent is None:
        return text
    test = two_proportion_test(now.k, now.n, before.k, before.n)
    if test is not None and test.significant and round(now.percent - before.percent, 1) != 0:
        text += ", " + _significant_change(now.percent, before.percent)
    elif test is not None:
        text += " " + gettext("(écart non significatif)")
    return text


def _thresholds_note(comparison: tables.Comparison) -> str:
    if not comparison.thresholds_differ:
        return ""
    return gettext("les seuils de %(year)s étaient différents") % {"year": comparison.previous.year}


def _short(label: str) -> str:
    """A category's label without its parenthesised details."""
    return re.sub(r"\s*\(.*\)\s*$", "", label).strip() or label


__all__ = [
    "KEYS",
    "SECTIONS",
    "Drafter",
    "Section",
    "draft",
    "french_typography",
    "section",
    "section_texts",
]
