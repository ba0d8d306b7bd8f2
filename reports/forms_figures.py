"""Forms of the figures the quality manager types in: the website's and social networks'
monthly figures (a grid, saved all or nothing) and the published figures of earlier years.

Numbers are typed as people write them in French: "23 603" or "23603", a rate as "65,8".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Fieldset, Layout, Row, Submit
from django import forms
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.formats import get_format
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from survey.models import (
    CHOICE_KINDS,
    Answer,
    Choice,
    Organisation,
    Polarity,
    Question,
    Response,
)

from .figures import french_percent
from .models import FigureChannel, PublishedFigure, WebFigure, WebMetric
from .web import MONTH_NUMBERS, MonthlySeries, french_integer, month_label

FIRST_YEAR = 2000
LAST_YEAR = 2100
MAX_INTEGER = 2_147_483_647  # PositiveIntegerField's upper bound on every database
WHITESPACE = re.compile(r"\s+")  # spaces, tabs, U+00A0, U+202F, U+2009…
DIGITS = re.compile(r"\d+")
GROUPED = re.compile(r"\d{1,3}(?: \d{3})+")
# A published rate rounded to the unit may differ from its counts by up to half a point;
# one point leaves room for a rate truncated instead of rounded, and no more.
RATE_TOLERANCE = 1.0


# --- fields ----------------------------------------------------------------------------------


class FrenchIntegerField(forms.Field):
    """A whole number, positive or zero, typed with or without thousands separators.

    "23 603" (any kind of space, or the active language's own separator: "23,603" in
    English) and "23603" give 23603; "23 60 3", "23,5" and "-3" are refused.
    """

    widget = forms.TextInput
    default_error_messages = {
        "invalid": _("Saisissez un nombre entier, par exemple 23 603."),
        "negative": _("Saisissez un nombre positif."),
        "too_big": _("Ce nombre est trop grand."),
    }

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"})
        return attrs

    def prepare_value(self, value: Any) -> Any:
        return french_integer(value) if isinstance(value, int) else value

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        if isinstance(value, int):
            return value
        text = WHITESPACE.sub(" ", str(value)).strip()
        if not text:
            return None
        separator = str(get_format("THOUSAND_SEPARATOR"))
        if separator and not separator.isspace() and separator != get_format("DECIMAL_SEPARATOR"):
            text = text.replace(separator, " ")
        if text[0] in "-−":
            raise forms.ValidationError(self.error_messages["negative"], code="negative")
        if not (DIGITS.fullmatch(text) or GROUPED.fullmatch(text)):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        number = int(text.replace(" ", ""))
        if number > MAX_INTEGER:
            raise forms.ValidationError(self.error_messages["too_big"], code="too_big")
        return number


class RateField(forms.DecimalField):
    """A percentage from 0 to 100, "65,8" or "65,8 %"."""

    def __init__(self, **kwargs: Any) -> None:
        message = _("Le taux est un pourcentage compris entre 0 et 100.")
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": _("Saisissez un pourcentage, par exemple 65,8."),
                "min_value": message,
                "max_value": message,
                "max_digits": message,
                "max_whole_digits": message,
                "max_decimal_places": _("Deux décimales au plus."),
            },
        )
        super().__init__(
            min_value=Decimal(0),
            max_value=Decimal(100),
            max_digits=5,
            decimal_places=2,
            localize=True,
            **kwargs,
        )

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "autocomplete": "off"})
        return attrs

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = WHITESPACE.sub("", value).removesuffix("%")
        return super().to_python(value)


# --- web and social-network monthly figures --------------------------------------------------


def cell_name(metric: str, month: int) -> str:
    return f"{metric}_{month:02d}"


class YearForm(forms.Form):
    """The year a page shows: ``?annee=2016``."""

    annee = forms.IntegerField(
        label=_("Année"),
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        error_messages={
            "invalid": _("Saisissez une année, par exemple 2016."),
            "min_value": _("Saisissez une année entre 2000 et 2100."),
            "max_value": _("Saisissez une année entre 2000 et 2100."),
            "required": _("Saisissez une année, par exemple 2016."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["annee"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.form_class = "app-year-form"
        self.helper.layout = Layout(
            Row(
                Column("annee", css_class="fr-col-12 fr-col-md-3"),
                Column(
                    Submit("", gettext("Afficher"), css_class="fr-btn--secondary fr-mt-md-4w"),
                    css_class="fr-col-12 fr-col-md-3",
                ),
            )
        )


@dataclass
class SaveResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


class WebFiguresForm(forms.Form):
    """One field per month and metric, named ``<metric>_<month>`` ("site_visits_01").

    Valid only if every cell is: then ``save`` writes the whole year at once (an emptied
    cell deletes that month's figure); on any error nothing is written.
    """

    def __init__(
        self, *args: Any, organisation: Organisation, series: MonthlySeries, **kwargs: Any
    ) -> None:
        kwargs["initial"] = {
            cell_name(metric, month): series.value(metric, month)
            for metric in WebMetric
            for month in MONTH_NUMBERS
        }
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.year = series.year
        for month in MONTH_NUMBERS:
            for metric in WebMetric:
                self.fields[cell_name(metric, month)] = FrenchIntegerField(
                    required=False,
                    label=gettext("%(metric)s, %(month)s %(year)s")
                    % {"metric": metric.label, "month": MONTHS[month], "year": self.year},
                )

    def rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The grid: each month's label and its cells, metric by metric."""
        return [
            (month_label(month), [self[cell_name(metric, month)] for metric in WebMetric])
            for month in MONTH_NUMBERS
        ]

    def cell_errors(self) -> list[tuple[forms.BoundField, list[str]]]:
        """The cells in error, in the grid's order, for the summary above it."""
        return [
            (self[name], [str(error) for error in self.errors[name]])
            for name in self.fields
            if name in self.errors
        ]

    def save(self) -> SaveResult:
        """Write every cell in one transaction; only valid forms are saved."""
        if not self.is_valid():
            raise ValueError("only a valid grid is saved")
        result = SaveResult()
        with transaction.atomic():
            existing = {
                (figure.month, figure.metric): figure
                for figure in WebFigure.objects.select_for_update().filter(
                    organisation=self.organisation, year=self.year
                )
            }
            to_create: list[WebFigure] = []
            to_update: list[WebFigure] = []
            to_delete: list[int] = []
            for month in MONTH_NUMBERS:
                for metric in WebMetric:
                    value = self.cleaned_data[cell_name(metric, month)]
                    figure = existing.get((month, metric))
                    if value is None:
                        if figure is not None:
                            to_delete.append(figure.pk)
                    elif figure is None:
                        to_create.append(
                            WebFigure(
                                organisation=self.organisation,
                                year=self.year,
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
        result.created, result.updated, result.deleted = (
            len(to_create),
            len(to_update),
            len(to_delete),
        )
        return result


# --- published figures of earlier years ------------------------------------------------------


@dataclass
class QuestionCatalogue:
    """The question codes of an organisation's campaigns, with their latest text, and the
    codes of their choices; two queries."""

    labels: dict[str, str] = field(default_factory=dict)
    choices: dict[str, dict[str, str]] = field(default_factory=dict)
    with_favourable: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, organisation: Organisation) -> QuestionCatalogue:
        catalogue = cls()
        questions = (
            Question.objects.filter(
                questionnaire__campaign__organisation=organisation, kind__in=CHOICE_KINDS
            )
            .order_by("-questionnaire__campaign__year", "questionnaire__channel", "order")
            .values_list("code", "number", "text")
        )
        for code, number, text in questions:
            if code not in catalogue.labels:
                text = Truncator(text).chars(90)
                catalogue.labels[code] = f"Q{number} — {text}" if number else text
        choices = (
            Choice.objects.filter(question__questionnaire__campaign__organisation=organisation)
            .order_by("-question__questionnaire__campaign__year", "question__order", "order")
            .values_list("question__code", "code", "label", "polarity")
        )
        for question_code, code, label, polarity in choices:
            catalogue.choices.setdefault(question_code, {}).setdefault(code, label)
            if polarity == Polarity.FAVOURABLE:
                catalogue.with_favourable.add(question_code)
        return catalogue

    def options(self) -> list[tuple[str, str]]:
        return [(code, f"{label} ({code})") for code, label in self.labels.items()]

    def all_choice_codes(self) -> dict[str, str]:
        codes: dict[str, str] = {}
        for choices in self.choices.values():
            for code, label in choices.items():
                codes.setdefault(code, label)
        return dict(sorted(codes.items()))


def has_raw_answers(organisation: Organisation, year: int, code: str, channel: str) -> bool:
    """Whether the organisation's campaign of ``year`` holds counted answers to ``code`` (or,
    for ``questionnaires``, counted questionnaires) on ``channel``: those then give the
    figure, and a published one would never be used."""
    if code == PublishedFigure.QUESTIONNAIRES:
        responses = Response.objects.counted().filter(
            campaign__organisation=organisation, campaign__year=year
        )
        if channel != FigureChannel.ALL:
            responses = responses.filter(channel=channel)
        return responses.exists()
    answers = Answer.objects.filter(
        response__campaign__organisation=organisation,
        response__campaign__year=year,
        response__voided_at__isnull=True,
        question__code=code,
    )
    if channel != FigureChannel.ALL:
        answers = answers.filter(response__channel=channel)
    return answers.exists()


class PublishedFigureForm(forms.ModelForm):
    """A figure of an earlier year, as published: the rate, or the counts, or both.

    The question is chosen among those of the organisation's campaigns (comparisons follow
    the code). A year whose campaign holds answers to that question is refused: those
    answers give the figure, and the published one would never be used.
    """

    DATALIST_ID = "published-figure-choice-codes"

    code = forms.ChoiceField(
        label=_("Question"),
        help_text=_(
            "Les questions à choix des campagnes de l'organisation, ou « Nombre de "
            "questionnaires recueillis » pour la taille de l'enquête de cette année-là."
        ),
        error_messages={
            "required": _("Choisissez la question."),
            "invalid_choice": _("Choisissez une question des campagnes de l'organisation."),
        },
    )
    favourable = FrenchIntegerField(
        label=_("Effectif"),
        required=False,
        help_text=_("Le nombre de réponses favorables (ou de cette réponse)."),
    )
    base = FrenchIntegerField(
        label=_("Base"),
        required=False,
        help_text=_("Le nombre de réponses prises en compte, ou de questionnaires."),
    )
    rate = RateField(
        label=_("Taux publié (%)"),
        required=False,
        help_text=_("Tel que publié, par exemple 65,8."),
    )

    class Meta:
        model = PublishedFigure
        fields = ["year", "code", "choice_code", "channel", "favourable", "base", "rate", "source"]

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.instance.organisation = organisation
        self.catalogue = QuestionCatalogue.of(organisation)
        this_year = timezone.localdate().year
        self.fields["year"] = forms.IntegerField(
            label=capfirst(PublishedFigure._meta.get_field("year").verbose_name),
            min_value=FIRST_YEAR,
            max_value=this_year,
            help_text=_("L'année du rapport publié."),
            error_messages={
                "required": gettext("Indiquez l'année du chiffre publié."),
                "invalid": gettext("Saisissez une année, par exemple 2015."),
                "min_value": gettext("Saisissez une année à partir de 2000."),
                "max_value": gettext("Saisissez une année passée (%(year)s au plus).")
                % {"year": this_year},
            },
        )
        self.fields["year"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

        options = [
            ("", gettext("Choisissez une question")),
            (PublishedFigure.QUESTIONNAIRES, gettext("Nombre de questionnaires recueillis")),
            *self.catalogue.options(),
        ]
        current = self.instance.code
        if current and current not in dict(options):
            options.append(
                (current, gettext("%(code)s (absente des campagnes)") % {"code": current})
            )
        code = self.fields["code"]
        assert isinstance(code, forms.ChoiceField)
        code.choices = options

        choice_code = self.fields["choice_code"]
        choice_code.help_text = _(
            "Pour la part d'une réponse (par exemple « particulier ») ; vide pour le taux de "
            "réponses favorables d'une question d'échelle ou oui / non."
        )
        choice_code.widget.attrs.update(
            {"list": self.DATALIST_ID, "autocomplete": "off", "spellcheck": "false"}
        )

        self.helper = FormHelper()
        self.helper.form_error_title = gettext("Le chiffre n'est pas enregistré")
        self.helper.layout = Layout(
            Row(
                Column("year", css_class="fr-col-12 fr-col-md-4"),
                Column("channel", css_class="fr-col-12 fr-col-md-8"),
            ),
            "code",
            Field("choice_code"),
            Fieldset(
                gettext("Chiffre publié"),
                Row(Column("favourable"), Column("base"), Column("rate")),
            ),
            "source",
        )
        self.helper.add_input(Submit("submit", gettext("Enregistrer")))

    def datalist(self) -> str:
        """The choice codes of the organisation's questions, offered while typing in
        "choice_code" (the page puts it after the form)."""
        options = format_html_join(
            "",
            '<option value="{}">{}</option>',
            self.catalogue.all_choice_codes().items(),
        )
        return format_html('<datalist id="{}">{}</datalist>', self.DATALIST_ID, options)

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        if code != PublishedFigure.QUESTIONNAIRES and code not in self.catalogue.labels:
            raise forms.ValidationError(
                gettext(
                    "La question « %(code)s » ne figure dans aucune campagne de "
                    "l'organisation : choisissez-en une autre."
                )
                % {"code": code}
            )
        return code

    def clean_choice_code(self) -> str:
        return WHITESPACE.sub("", self.cleaned_data.get("choice_code") or "").lower()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        code = cleaned.get("code")
        if code == PublishedFigure.QUESTIONNAIRES:
            self._clean_questionnaires(cleaned)
        elif code:
            self._clean_choice(code, cleaned.get("choice_code", ""))
            self._clean_values(cleaned)
        if not self.errors and code:
            self._clean_year(cleaned)
        return cleaned

    def _clean_questionnaires(self, cleaned: dict[str, Any]) -> None:
        alone = gettext("Le nombre de questionnaires se saisit seul, dans la base.")
        for name in ("choice_code", "favourable", "rate"):
            if cleaned.get(name) not in (None, ""):
                self.add_error(name, alone)
        if "base" not in self.errors:
            if cleaned.get("base") is None:
                self.add_error("base", gettext("Indiquez le nombre de questionnaires."))
            elif cleaned["base"] < 1:
                self.add_error("base", gettext("Le nombre de questionnaires est d'au moins 1."))

    def _clean_choice(self, code: str, choice_code: str) -> None:
        known = self.catalogue.choices.get(code, {})
        listed = ", ".join(known) or "—"
        if choice_code and choice_code not in known:
            self.add_error(
                "choice_code",
                gettext("Code inconnu pour cette question. Codes possibles : %(codes)s.")
                % {"codes": listed},
            )
        elif not choice_code and code not in self.catalogue.with_favourable:
            self.add_error(
                "choice_code",
                gettext(
                    "Cette question n'a pas de réponse favorable : indiquez le code de la "
                    "réponse dont la part a été publiée (%(codes)s)."
                )
                % {"codes": listed},
            )

    def _clean_values(self, cleaned: dict[str, Any]) -> None:
        if {"favourable", "base", "rate"} & set(self.errors):
            return
        favourable, base, rate = cleaned.get("favourable"), cleaned.get("base"), cleaned.get("rate")
        if favourable is None and rate is None:
            if base is None:
                self.add_error(None, gettext("Saisissez le taux publié, ou l'effectif et la base."))
            else:
                self.add_error(
                    "favourable", gettext("Indiquez l'effectif, ou le taux publié avec la base.")
                )
            return
        if favourable is not None:
            if base is None:
                self.add_error("base", gettext("Indiquez la base de cet effectif."))
                return
            if base < 1:
                self.add_error("base", gettext("La base est d'au moins 1."))
                return
            if favourable > base:
                self.add_error(
                    "favourable",
                    gettext("L'effectif (%(k)s) dépasse la base (%(n)s).")
                    % {"k": french_integer(favourable), "n": french_integer(base)},
                )
                return
            if rate is not None:
                computed = 100 * favourable / base
                if abs(computed - float(rate)) >= RATE_TOLERANCE:
                    self.add_error(
                        "rate",
                        gettext(
                            "Le taux (%(rate)s) ne correspond pas aux effectifs "
                            "%(k)s/%(n)s (%(computed)s) : corrigez l'un ou l'autre, ou ne "
                            "saisissez que l'un des deux."
                        )
                        % {
                            "rate": french_percent(float(rate)),
                            "k": french_integer(favourable),
                            "n": french_integer(base),
                            "computed": french_percent(computed),
                        },
                    )
        elif base is not None and base < 1:
            self.add_error("base", gettext("La base est d'au moins 1."))

    def _clean_year(self, cleaned: dict[str, Any]) -> None:
        year, code = cleaned.get("year"), cleaned["code"]
        channel = cleaned.get("channel") or FigureChannel.ALL
        choice_code = cleaned.get("choice_code", "")
        if year is None:
            return
        if has_raw_answers(self.organisation, year, code, channel):
            what = (
                gettext("des questionnaires")
                if code == PublishedFigure.QUESTIONNAIRES
                else gettext("des réponses à cette question")
            )
            self.add_error(
                "year",
                gettext(
                    "La campagne %(year)s de l'application contient %(what)s (%(channel)s) : "
                    "ce sont elles qui servent aux comparaisons, un chiffre publié ne serait "
                    "jamais utilisé."
                )
                % {"year": year, "what": what, "channel": FigureChannel(channel).label},
            )
            return
        duplicates = PublishedFigure.objects.filter(
            organisation=self.organisation,
            year=year,
            code=code,
            choice_code=choice_code,
            channel=channel,
        )
        if self.instance.pk is not None:
            duplicates = duplicates.filter(~Q(pk=self.instance.pk))
        if duplicates.exists():
            self.add_error(
                None,
                gettext(
                    "Ce chiffre est déjà saisi pour cette année, cette question, cette "
                    "réponse et ce canal : modifiez-le plutôt."
                ),
            )

    def _post_clean(self) -> None:
        # The model's checks repeat those above in vaguer words: run them only when the
        # form's own found nothing, to catch what they might miss.
        if self.errors:  # already computed: full_clean is running
            return
        super()._post_clean()  # type: ignore[misc]
