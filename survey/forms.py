"""Forms of the quality manager's campaign set-up, and the login form."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Campaign, Organisation


class CampaignForm(forms.ModelForm):
    QUESTIONNAIRES_CANONICAL = "canonical"
    QUESTIONNAIRES_NONE = "none"

    questionnaires_from = forms.ChoiceField(
        label=_("Questionnaires"),
        help_text=_(
            "Copier ceux d'une campagne précédente garde les codes des questions, "
            "ce qui permet de comparer les années."
        ),
    )

    class Meta:
        model = Campaign
        fields = [
            "year",
            "title",
            "start_date",
            "end_date",
            "late_entry_grace_days",
            "objective",
            "orange_band",
        ]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.previous_campaigns: QuerySet[Campaign] = organisation.campaigns.order_by("-year")
        choices = [
            (
                str(c.pk),
                gettext("Copier ceux de « %(campaign)s » (%(year)s)")
                % {"campaign": c, "year": c.year},
            )
            for c in self.previous_campaigns
        ]
        choices += [
            (
                self.QUESTIONNAIRES_CANONICAL,
                gettext("Questionnaires types (modèle Qualipref 2016)"),
            ),
            (self.QUESTIONNAIRES_NONE, gettext("Aucun pour l'instant")),
        ]
        field = self.fields["questionnaires_from"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
        self.fields["late_entry_grace_days"].required = False  # left empty: the default
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", gettext("Créer la campagne")))

    def clean_late_entry_grace_days(self) -> int:
        days: int | None = self.cleaned_data.get("late_entry_grace_days")
        if days is None:
            default: int = Campaign._meta.get_field("late_entry_grace_days").get_default()
            return default
        return days

    def clean_year(self) -> int:
        year: int = self.cleaned_data["year"]
        if self.organisation.campaigns.filter(year=year).exists():
            raise forms.ValidationError(
                gettext("Une campagne %(year)s existe déjà pour %(organisation)s.")
                % {"year": year, "organisation": self.organisation.in_sentence}
            )
        return year

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", gettext("La fin de l'enquête précède son début."))
        return cleaned

    def source_campaign(self) -> Campaign | None:
        value = self.cleaned_data["questionnaires_from"]
        return self.previous_campaigns.get(pk=int(value)) if value.isdigit() else None


class GraceForm(forms.ModelForm):
    """The grace of an existing campaign, on its page."""

    class Meta:
        model = Campaign
        fields = ["late_entry_grace_days"]


class LoginForm(AuthenticationForm):
    """Django's login form without the autofocus on the username: the focus starts at the
    top of the page, so that the skip links come first (the DSFR's order) and a screen reader
    reads the page's explanation; the username is three keys away ("Contenu", Enter, Tab)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.pop("autofocus", None)
