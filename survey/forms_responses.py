"""The forms of the quality manager's pages on filled questionnaires
(``survey.views_responses``): the list's filters, a correction, a reason to void or restore.
They validate formats and turn the fields into the values ``build_answers`` reads, which
alone decides what is valid."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .communes import OUTSIDE_PREFIX, commune_cell
from .models import Answer, Campaign, Channel, Question, QuestionKind, Response, Site
from .services import corrections
from .services.responses import QuestionnaireSpec

# Question codes are lower-case letters, digits and "_": no question field can take this name.
REASON_FIELD = "correction-reason"


class ResponseFilterForm(forms.Form):
    """The list's filters, read from the query string: its names are French like the
    paths (``canal``, ``statut``, ``choix``); the old English ones redirect."""

    COUNTED = "counted"
    VOIDED = "voided"

    canal = forms.ChoiceField(
        label=_("Canal"), required=False, choices=[("", _("Tous")), *Channel.choices]
    )
    site = forms.ModelChoiceField(
        label=_("Site"), required=False, queryset=Site.objects.none(), empty_label=_("Tous")
    )
    statut = forms.ChoiceField(
        label=_("Statut"),
        required=False,
        choices=[
            ("", _("Tous")),
            (COUNTED, _("Comptés dans les indicateurs")),
            (VOIDED, _("Annulés")),
        ],
    )
    # Set by the dashboard's links: "the answers behind this rate".
    question = forms.SlugField(required=False, widget=forms.HiddenInput)
    choix = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site = self.fields["site"]
        assert isinstance(site, forms.ModelChoiceField)
        site.queryset = campaign.organisation.sites.order_by("name")
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(Column("canal"), Column("site"), Column("statut")), "question", "choix"
        )
        self.helper.add_input(Submit("", gettext("Filtrer")))

    def filter(self, responses: QuerySet[Response]) -> QuerySet[Response]:
        if not self.is_valid():
            return responses
        data = self.cleaned_data
        if data["canal"]:
            responses = responses.filter(channel=data["canal"])
        if data["site"]:
            responses = responses.filter(site=data["site"])
        if data["statut"] == self.COUNTED:
            responses = responses.counted()  # type: ignore[attr-defined]
        elif data["statut"] == self.VOIDED:
            responses = responses.filter(voided_at__isnull=False)
        if data["question"]:
            answers = Answer.objects.filter(question__code=data["question"])
            if self.answer_codes:
                answers = answers.filter(choice__code__in=self.answer_codes)
            responses = responses.filter(pk__in=answers.values("response_id"))
        return responses

    @property
    def answer_codes(self) -> list[str]:
        raw = self.cleaned_data.get("choix") or "" if self.is_valid() else ""
        return [code for code in raw.split(",") if code]


class CorrectionForm(forms.Form):
    """One field per question of the questionnaire, named by its code, and the reason.

    Every question field is optional here: whether a question must be answered depends on
    the other answers, which ``build_answers`` checks through the correction service.
    """

    def __init__(
        self,
        *args: Any,
        spec: QuestionnaireSpec,
        section_titles: Mapping[int, str],
        current: Mapping[str, Any],
        **kwargs: Any,
    ) -> None:
        kwargs["initial"] = {code: _initial(value) for code, value in current.items()}
        super().__init__(*args, **kwargs)
        self.spec = spec
        self.section_titles = section_titles
        for question in spec.questions:
            self.fields[question.code] = _question_field(spec, question)
        self.fields[REASON_FIELD] = forms.CharField(
            label=_("Motif de la correction"),
            max_length=corrections.HISTORY_REASON_LENGTH,
            help_text=_("Gardé dans l'historique du questionnaire (100 caractères au plus)."),
            error_messages={"required": _("Indiquez le motif de la correction.")},
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not set(self.changed_data) - {REASON_FIELD}:
            raise ValidationError(gettext("Aucune réponse n'a été modifiée."))
        return cleaned

    def answers(self) -> dict[str, Any]:
        """The cleaned fields as question code -> value, in the formats of the API."""
        values: dict[str, Any] = {}
        for question in self.spec.questions:
            value = self.cleaned_data.get(question.code)
            if question.kind == QuestionKind.COMMUNE and value:
                value = commune_cell(value)  # read once already by the field's validator
            if value not in (None, "", []):
                values[question.code] = value
        return values

    def add_service_error(self, error: ValidationError) -> None:
        """Show the service's errors beside the fields they name, the others above the form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, messages_ in error.message_dict.items():
            if key in self.spec.by_code:
                self.add_error(key, messages_)
            elif key == corrections.REASON:
                self.add_error(REASON_FIELD, messages_)
            else:
                self.add_error(None, messages_)

    def reason_field(self) -> forms.BoundField:
        return self[REASON_FIELD]

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The question fields grouped by section title, in the questionnaire's order."""
        grouped: dict[int, tuple[str, list[forms.BoundField]]] = {}
        for question in self.spec.questions:
            section = question.section_id
            _title, fields = grouped.setdefault(section, (self.section_titles[section], []))
            fields.append(self[question.code])
        return list(grouped.values())


def _question_field(spec: QuestionnaireSpec, question: Question) -> forms.Field:
    label = f"Q{question.number} — {question.text}" if question.number else question.text
    hints = [question.help_text] if question.help_text else []
    condition = question.condition_question
    if condition is not None:
        labels = [
            choice.label
            for code, choice in spec.choices[condition.pk].items()
            if code in question.condition_codes
        ]
        hints.append(
            gettext("Posée seulement si la réponse à « %(question)s » est : %(answers)s.")
            % {"question": condition.text, "answers": gettext(" ou ").join(labels)}
        )
    help_text = " ".join(hints)
    choices = [(code, choice.label) for code, choice in spec.choices[question.pk].items()]
    if question.kind == QuestionKind.MULTIPLE:
        return forms.MultipleChoiceField(
            label=label,
            help_text=help_text,
            required=False,
            choices=choices,
            widget=forms.CheckboxSelectMultiple,
        )
    if question.has_choices:
        return forms.ChoiceField(
            label=label,
            help_text=help_text,
            required=False,
            choices=[("", gettext("Pas de réponse")), *choices],
            widget=forms.RadioSelect,
        )
    if question.kind == QuestionKind.COMMUNE:
        return forms.CharField(
            label=label,
            required=False,
            max_length=200,
            validators=[_check_commune],  # "Hors Charente" is told the hors: form it needs
            help_text=" ".join(
                [
                    *hints,
                    gettext(
                        "Code INSEE de la commune (16015), ou « hors:Nom » pour une commune "
                        "hors du département."
                    ),
                ]
            ),
        )
    return forms.CharField(
        label=label, help_text=help_text, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


def _check_commune(value: str) -> None:
    commune_cell(value)


def _initial(value: Any) -> Any:
    if isinstance(value, dict):
        return value.get("insee") or f"{OUTSIDE_PREFIX}{value.get('outside', '')}"
    return value


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Motif"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, required_message: str, submit_label: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = required_message
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", submit_label))
