"""Forms of the mystery logs and of their reference data.

The call and e-mail forms are laid out for a tablet as much as for a desktop: choices as
the questionnaire's large tiles, every control at least 44 px high (app-touch), numbers
with a numeric keypad, the time pre-filled with now.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Fieldset, Layout, Submit
from crispy_forms.utils import TEMPLATE_PACK
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from survey.models import Campaign, Organisation
from survey.payloads import representable_moment

from . import tables
from .models import (
    CallOutcome,
    EmailTheme,
    GreetingElement,
    Mailbox,
    MysteryCall,
    MysteryEmail,
    MysteryService,
    ReferenceItem,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

YES_NO = [(True, _("Oui")), (False, _("Non"))]


def _yes_no(label: StrOrPromise) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value in {True, "True"},
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


class Tiles(Field):
    """Radio buttons or checkboxes as the questionnaire's answer tiles: yes/no side by side
    (`grid=True`), longer labels in one or two columns."""

    template = "%s/layout/tiles.html"

    def __init__(self, *fields: str, grid: bool = False, **kwargs: Any) -> None:
        super().__init__(*fields, **kwargs)
        self.tiles = "grid" if grid else "list"

    def render(
        self, form: Any, context: Any, template_pack: str = TEMPLATE_PACK, **kwargs: Any
    ) -> Any:
        return super().render(
            form, context, template_pack=template_pack, extra_context={"tiles": self.tiles}
        )


class MomentInput(forms.DateTimeInput):
    """A browser date-and-time picker, in local time, to the minute."""

    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _choices_of(
    model: type[ReferenceItem], organisation: Organisation, current_id: int | None
) -> QuerySet[Any]:
    """The organisation's active items, and the one already chosen even if deactivated."""
    return model._default_manager.filter(organisation=organisation).filter(
        Q(is_active=True) | Q(pk=current_id)
    )


class LogForm(forms.ModelForm):
    """What call and e-mail forms share: the campaign's organisation scopes the choices."""

    reference_fields: dict[str, type[ReferenceItem]] = {}
    answer_content_ok = _yes_no(_("Réponse satisfaisante sur le fond"))
    answer_form_ok = _yes_no(_("Réponse satisfaisante sur la forme"))

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.campaign = campaign
        for field in self.fields.values():
            if isinstance(field, forms.DateTimeField):
                field.validators.append(representable_moment)
        for name, model in self.reference_fields.items():
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = _choices_of(
                model, campaign.organisation, getattr(self.instance, f"{name}_id", None)
            )
        self.helper = FormHelper()
        self.helper.form_tag = False

    def _require(self, cleaned: dict[str, Any], names: list[str], message: str) -> None:
        for name in names:
            if cleaned.get(name) is None and name not in self.errors:
                self.add_error(name, message)

    def _clear(self, cleaned: dict[str, Any], names: list[str]) -> None:
        """Fields that do not apply are not stored, as a question not asked is not."""
        for name in names:
            cleaned[name] = None


class MysteryCallForm(LogForm):
    CRITERIA = ["rings", "greeting_complete", "courteous", "answer_content_ok", "answer_form_ok"]
    reference_fields = {"service": MysteryService}

    greeting_complete = _yes_no(_("Formule d'accueil complète"))
    greeting_missing = forms.MultipleChoiceField(
        label=_("Ce qui manquait"),
        choices=GreetingElement.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    courteous = _yes_no(_("Accueil courtois et aimable"))

    class Meta:
        model = MysteryCall
        fields = [
            "service",
            "number_dialled",
            "called_at",
            "outcome",
            "rings",
            "greeting_complete",
            "greeting_missing",
            "courteous",
            "answer_content_ok",
            "answer_form_ok",
            "observations",
        ]
        widgets = {
            "called_at": MomentInput(),
            "outcome": forms.RadioSelect,
            "rings": forms.NumberInput(attrs={"min": 0, "max": 60, "inputmode": "numeric"}),
            "observations": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"number_dialled": _("Laissé vide : le numéro du service.")}

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, campaign=campaign, **kwargs)
        if self.instance.pk is None:
            self.initial.setdefault("called_at", timezone.localtime().replace(second=0))
        outcome = self.fields["outcome"]
        assert isinstance(outcome, forms.ChoiceField)
        outcome.choices = CallOutcome.choices  # radio buttons: no empty "---------" choice
        self.fields["rings"].help_text = gettext("Décroché à temps : en %(rings)s au plus.") % {
            "rings": tables.rings(campaign.mystery_rings)
        }
        self.helper.layout = Layout(
            Fieldset(
                gettext("L'appel"),
                "service",
                "number_dialled",
                "called_at",
                Tiles("outcome"),
            ),
            Fieldset(
                gettext("S'il a abouti"),
                "rings",
                Tiles("greeting_complete", grid=True),
                Tiles("greeting_missing"),
                Tiles("courteous", grid=True),
                Tiles("answer_content_ok", grid=True),
                Tiles("answer_form_ok", grid=True),
                css_id="call-criteria",
            ),
            "observations",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        service = cleaned.get("service")
        if not cleaned.get("number_dialled") and service is not None:
            cleaned["number_dialled"] = service.phone_number
        if cleaned.get("outcome") == CallOutcome.REACHED:
            self._require(
                cleaned, self.CRITERIA, gettext("À renseigner pour un appel qui a abouti.")
            )
            if cleaned.get("greeting_complete") is False and not cleaned.get("greeting_missing"):
                self.add_error("greeting_missing", gettext("Cochez ce qui manquait."))
            if cleaned.get("greeting_complete"):
                cleaned["greeting_missing"] = []
        elif cleaned.get("outcome"):
            self._clear(cleaned, self.CRITERIA)
            cleaned["greeting_missing"] = []
        return cleaned


class MysteryEmailForm(LogForm):
    reference_fields = {"theme": EmailTheme, "service": MysteryService, "mailbox": Mailbox}

    class Meta:
        model = MysteryEmail
        fields = [
            "theme",
            "service",
            "mailbox",
            "question",
            "sent_at",
            "acknowledged_at",
            "answered_at",
            "answer_content_ok",
            "answer_form_ok",
            "observations",
        ]
        widgets = {
            "sent_at": MomentInput(),
            "acknowledged_at": MomentInput(),
            "answered_at": MomentInput(),
            "question": forms.Textarea(attrs={"rows": 3}),
            "observations": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "acknowledged_at": _("Laissé vide tant qu'aucun accusé de réception n'est arrivé."),
            "answered_at": _("Laissé vide tant qu'aucune réponse n'est arrivée."),
        }

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, campaign=campaign, **kwargs)
        if self.instance.pk is None:
            self.initial.setdefault("sent_at", timezone.localtime().replace(second=0))
        self.helper.layout = Layout(
            Fieldset(gettext("Le courriel"), "theme", "service", "mailbox", "question", "sent_at"),
            Fieldset(
                gettext("Ce qui est revenu"),
                "acknowledged_at",
                "answered_at",
                Tiles("answer_content_ok", grid=True),
                Tiles("answer_form_ok", grid=True),
            ),
            "observations",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        sent = cleaned.get("sent_at")
        for name in ("acknowledged_at", "answered_at"):
            moment = cleaned.get(name)
            if sent and moment and moment < sent:
                self.add_error(name, gettext("Cette date précède l'envoi du courriel."))
        quality = ["answer_content_ok", "answer_form_ok"]
        if cleaned.get("answered_at"):
            self._require(cleaned, quality, gettext("À renseigner quand la réponse est arrivée."))
        elif "answered_at" not in self.errors:
            given = [name for name in quality if cleaned.get(name) is not None]
            for name in given:
                self.add_error(
                    name, gettext("Indiquez d'abord la date de la réponse, ou laissez vide.")
                )
        return cleaned


# --- reference data ----------------------------------------------------------------------------


class ReferenceForm(forms.ModelForm):
    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", gettext("Enregistrer")))

    def validate_unique(self) -> None:
        """Also check the names unique within the organisation, which the form does not
        show (ModelForm leaves out the constraints on fields it does not hold)."""
        super().validate_unique()
        shown = {*self.fields, "organisation"}
        exclude = {f.name for f in self.instance._meta.fields if f.name not in shown}
        exclude |= set(self.errors)
        try:
            self.instance.validate_constraints(exclude=exclude)
        except forms.ValidationError as error:
            self.add_error(None, error)


class MysteryServiceForm(ReferenceForm):
    class Meta:
        model = MysteryService
        fields = ["name", "phone_number", "opening_hours", "order", "is_active"]


class EmailThemeForm(ReferenceForm):
    class Meta:
        model = EmailTheme
        fields = ["name", "order", "is_active"]


class MailboxForm(ReferenceForm):
    class Meta:
        model = Mailbox
        fields = ["address", "label", "order", "is_active"]


class ThresholdsForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["mystery_rings", "mystery_working_days"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False  # the page writes the form and its large button
