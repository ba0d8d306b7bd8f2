"""The form of a published figure of an earlier year: the rate, or the counts, or both.

It only validates (and builds the unsaved ``PublishedFigure``); the view stores it through
``reports.services.figures.save_published_figure``.
"""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Fieldset, Layout, Row, Submit
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from survey.models import Organisation

from .figures import french_percent
from .forms_figures import FIRST_YEAR, WHITESPACE, FrenchIntegerField, RateField
from .models import FigureChannel, PublishedFigure
from .selectors import QuestionCatalogue, has_raw_answers
from .web import french_integer

# A published rate rounded to the unit may differ from its counts by up to half a point;
# one point leaves room for a rate truncated instead of rounded, and no more.
RATE_TOLERANCE = 1.0


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
