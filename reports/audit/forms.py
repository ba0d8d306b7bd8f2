"""Forms of the audit report's pages: a section's commentary, an improvement action."""

from __future__ import annotations

import datetime
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .drafting import french_typography
from .models import ActionStatus, ImprovementAction

FIRST_YEAR = 2000
LAST_YEAR = 2100
MAX_TEXT = 20_000  # characters of one section: the longest of the seed's is under 3 000


class SectionTextForm(forms.Form):
    """The text of one section. ``version`` is when the stored text was last saved as the
    page showed it ("" for a draft): a text saved meanwhile by someone else is not
    overwritten unknowingly."""

    text = forms.CharField(
        label=_("Texte de la section"),
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=MAX_TEXT,
        error_messages={
            "required": _(
                "Saisissez le texte de la section, ou revenez au brouillon pour reprendre "
                "le texte rédigé d'après les chiffres."
            ),
            "max_length": _("Le texte est trop long : %(limit_value)d caractères au plus."),
        },
    )
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, label: str = "", rows: int = 12, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label:
            self.fields["text"].label = label
        self.fields["text"].widget.attrs["rows"] = rows
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.form_error_title = gettext("Le texte n'est pas enregistré")
        self.helper.layout = Layout(Field("text"), "version")

    def clean_text(self) -> str:
        """Line ends as Unix ones, no trailing blanks, French typography."""
        text: str = self.cleaned_data["text"]
        lines = [
            line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        ]
        return french_typography("\n".join(lines).strip())


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ImprovementActionForm(forms.ModelForm):
    """An improvement action of the organisation; its rank, when left empty, puts it last
    among the actions of its year (``reports.audit.services.actions.save_action``, which
    the view calls with ``save(commit=False)``)."""

    year = forms.IntegerField(
        label=_("Année du rapport"),
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        help_text=_("L'année du rapport qui décide l'action (par exemple 2016)."),
        error_messages={
            "required": _("Indiquez l'année du rapport qui décide l'action."),
            "invalid": _("Saisissez une année, par exemple 2016."),
            "min_value": _("Saisissez une année entre 2000 et 2100."),
            "max_value": _("Saisissez une année entre 2000 et 2100."),
        },
    )
    due_date = forms.DateField(
        label=_("Échéance"),
        required=False,
        widget=DateInput,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": _("Saisissez une date valide, par exemple 31/12/2017.")},
    )
    order = forms.IntegerField(
        label=_("Rang dans le rapport"),
        required=False,
        min_value=1,
        max_value=999,
        help_text=_("Laissez vide pour placer l'action après les autres de la même année."),
        error_messages={
            "invalid": _("Saisissez un nombre entier, par exemple 1."),
            "min_value": _("Le rang est un nombre de 1 à 999."),
            "max_value": _("Le rang est un nombre de 1 à 999."),
        },
    )

    class Meta:
        model = ImprovementAction
        fields = ["year", "title", "description", "owner", "due_date", "status", "order"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}
        error_messages = {
            "title": {
                "required": _("Saisissez l'intitulé de l'action."),
                "max_length": _("L'intitulé est trop long : %(limit_value)d caractères au plus."),
            },
            "owner": {
                "max_length": _(
                    "Le nom du responsable est trop long : %(limit_value)d caractères au plus."
                ),
            },
            "status": {
                "required": _("Choisissez l'état de l'action."),
                "invalid_choice": _("Choisissez un état de la liste."),
            },
        }

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        for name in ("year", "order"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        if self.instance.pk is not None and not self.instance.order:
            self.initial["order"] = None
        self.helper = FormHelper()
        self.helper.form_error_title = gettext("L'action n'est pas enregistrée")
        self.helper.layout = Layout(
            Row(
                Column("year", css_class="fr-col-12 fr-col-md-4"),
                Column("status", css_class="fr-col-12 fr-col-md-4"),
                Column("order", css_class="fr-col-12 fr-col-md-4"),
            ),
            "title",
            "description",
            Row(
                Column("owner", css_class="fr-col-12 fr-col-md-8"),
                Column("due_date", css_class="fr-col-12 fr-col-md-4"),
            ),
        )
        self.helper.add_input(Submit("submit", gettext("Enregistrer")))

    def clean_title(self) -> str:
        title = " ".join(str(self.cleaned_data.get("title", "")).split())
        if not title:
            raise forms.ValidationError(gettext("Saisissez l'intitulé de l'action."))
        return french_typography(title)

    def clean_owner(self) -> str:
        return " ".join(str(self.cleaned_data.get("owner", "")).split())

    def clean_description(self) -> str:
        text = str(self.cleaned_data.get("description", "")).replace("\r\n", "\n").strip()
        return french_typography(text)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        year, due = cleaned.get("year"), cleaned.get("due_date")
        if year and due and due < datetime.date(year, 1, 1):
            self.add_error(
                "due_date",
                gettext("L'échéance précède l'année du rapport (%(year)s).") % {"year": year},
            )
        return cleaned


class ActionStatusForm(forms.Form):
    """The quick change of an action's state, from the list."""

    status = forms.ChoiceField(
        label=_("État"),
        choices=ActionStatus.choices,
        error_messages={
            "required": _("Choisissez l'état de l'action."),
            "invalid_choice": _("Choisissez un état de la liste."),
        },
    )
