"""Questionnaires as data: sections, questions with stable codes, choices with a polarity.

A question's ``code`` is its identity across years (the seed renumbers questions from one
year to the next); ``number`` is only what the paper form prints.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from .campaigns import Campaign
from .reference import Engagement

code_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9_]*$", "Un code ne contient que des minuscules, chiffres et « _ »."
)


class Channel(models.TextChoices):
    HALL = "hall", "Accueil physique"
    PHONE = "phone", "Téléphone"


class CampaignChild(models.Model):
    """A part of a campaign's questionnaires: refuses writes once the campaign is closed."""

    class Meta:
        abstract = True

    def save(self, **kwargs: Any) -> None:
        self.owning_campaign().check_editable()
        super().save(**kwargs)

    def delete(self, using: Any = None, keep_parents: bool = False) -> tuple[int, dict[str, int]]:
        self.owning_campaign().check_editable()
        return super().delete(using=using, keep_parents=keep_parents)

    def owning_campaign(self) -> Campaign:
        raise NotImplementedError


class Questionnaire(CampaignChild):
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="questionnaires", verbose_name="campagne"
    )
    channel = models.CharField("canal", max_length=10, choices=Channel.choices)
    title = models.CharField("intitulé", max_length=200)
    introduction = models.TextField("texte d'introduction", blank=True)

    organisation_path = "campaign__organisation"

    class Meta:
        ordering = ["campaign", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "channel"], name="questionnaire_one_per_channel"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def owning_campaign(self) -> Campaign:
        return self.campaign


class Section(CampaignChild):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="sections"
    )
    code = models.CharField("code", max_length=40, validators=[code_validator])
    title = models.CharField("titre", max_length=200)
    order = models.PositiveSmallIntegerField("ordre")

    organisation_path = "questionnaire__campaign__organisation"

    class Meta:
        ordering = ["questionnaire", "order"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="section_unique_code"),
        ]

    def __str__(self) -> str:
        return self.title

    def owning_campaign(self) -> Campaign:
        return self.questionnaire.campaign


class QuestionKind(models.TextChoices):
    SINGLE = "single", "Choix unique"
    MULTIPLE = "multiple", "Choix multiple"
    SATISFACTION = "satisfaction", "Échelle de satisfaction"
    AGREEMENT = "agreement", "Échelle d'accord"
    YES_NO = "yes_no", "Oui / non"
    FREE_TEXT = "free_text", "Texte libre"
    COMMUNE = "commune", "Commune"


CHOICE_KINDS = frozenset(
    {
        QuestionKind.SINGLE,
        QuestionKind.MULTIPLE,
        QuestionKind.SATISFACTION,
        QuestionKind.AGREEMENT,
        QuestionKind.YES_NO,
    }
)
SCALE_KINDS = frozenset({QuestionKind.SATISFACTION, QuestionKind.AGREEMENT})


class Question(CampaignChild):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(
        "code",
        max_length=40,
        validators=[code_validator],
        help_text="Identité stable de la question d'une année sur l'autre.",
    )
    number = models.CharField("numéro", max_length=10, blank=True, help_text="« 19 », « 29bis »…")
    order = models.PositiveSmallIntegerField("ordre")
    text = models.TextField("libellé")
    help_text = models.TextField("aide", blank=True)
    kind = models.CharField("type", max_length=20, choices=QuestionKind.choices)
    required = models.BooleanField("réponse obligatoire", default=False)
    condition_question = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dependent_questions",
        verbose_name="posée seulement si la question",
    )
    condition_codes = models.JSONField(
        "a pour réponse l'un des codes",
        default=list,
        blank=True,
        help_text="Codes des choix de la question-condition qui ouvrent cette question.",
    )
    engagements = models.ManyToManyField(
        Engagement, blank=True, related_name="questions", verbose_name="engagements mesurés"
    )
    counts_in_satisfaction = models.BooleanField(
        "compte dans les indicateurs de satisfaction", default=False
    )

    organisation_path = "questionnaire__campaign__organisation"

    class Meta:
        ordering = ["questionnaire", "order"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="question_unique_code"),
            models.UniqueConstraint(
                fields=["questionnaire", "order"], name="question_unique_order"
            ),
            models.CheckConstraint(
                condition=~models.Q(condition_question=models.F("pk")),
                name="question_condition_not_itself",
                violation_error_message="Une question ne peut pas dépendre d'elle-même.",
            ),
        ]

    def __str__(self) -> str:
        return f"Q{self.number} {self.text}" if self.number else self.text

    def save(self, **kwargs: Any) -> None:
        # The invariants on the condition span rows, so no database constraint can hold
        # them: every save checks them.
        self.clean()
        super().save(**kwargs)

    def owning_campaign(self) -> Campaign:
        return self.questionnaire.campaign

    @property
    def has_choices(self) -> bool:
        return self.kind in CHOICE_KINDS

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if (
            self.section_id
            and self.questionnaire_id
            and self.section.questionnaire_id != self.questionnaire_id
        ):
            errors.setdefault("section", []).append(
                "La section appartient à un autre questionnaire."
            )
        condition = self.condition_question
        if condition is None:
            if self.condition_codes:
                errors.setdefault("condition_codes", []).append(
                    "Des réponses sont indiquées sans question-condition."
                )
        else:
            if self.pk is not None and condition.pk == self.pk:
                errors.setdefault("condition_question", []).append(
                    "Une question ne peut pas dépendre d'elle-même."
                )
            elif condition.questionnaire_id != self.questionnaire_id:
                errors.setdefault("condition_question", []).append(
                    "La question-condition appartient à un autre questionnaire."
                )
            elif condition.order >= self.order:
                errors.setdefault("condition_question", []).append(
                    "La question-condition doit être posée avant celle-ci."
                )
            elif not condition.has_choices:
                errors.setdefault("condition_question", []).append(
                    "La question-condition doit être une question à choix."
                )
            else:
                errors.update(self._condition_code_errors(condition))
        if errors:
            raise ValidationError(errors)

    def _condition_code_errors(self, condition: Question) -> dict[str, list[str]]:
        codes = self.condition_codes
        if not isinstance(codes, list) or not codes or not all(isinstance(c, str) for c in codes):
            return {"condition_codes": ["Indiquez au moins un code de réponse."]}
        known = set(condition.choices.values_list("code", flat=True))
        unknown = sorted(set(codes) - known)
        if unknown:
            return {
                "condition_codes": [
                    f"Codes inconnus pour la question {condition.code} : {', '.join(unknown)}."
                ]
            }
        return {}

    def is_asked(self, answer_codes: dict[str, set[str]]) -> bool:
        """Whether this question is asked, given the choice codes answered so far by code."""
        if self.condition_question is None:
            return True
        given = answer_codes.get(self.condition_question.code, set())
        return bool(given & set(self.condition_codes))


class Polarity(models.TextChoices):
    FAVOURABLE = "favourable", "Favorable"
    UNFAVOURABLE = "unfavourable", "Défavorable"
    NEUTRAL = "neutral", "Dans la base, sans polarité"
    OUTSIDE = "outside", "Hors base (non concerné, sans réponse)"


class Choice(CampaignChild):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    code = models.CharField("code", max_length=40, validators=[code_validator])
    label = models.CharField("libellé", max_length=200)
    order = models.PositiveSmallIntegerField("ordre")
    polarity = models.CharField(
        "polarité", max_length=20, choices=Polarity.choices, default=Polarity.NEUTRAL
    )

    organisation_path = "question__questionnaire__campaign__organisation"

    class Meta:
        ordering = ["question", "order"]
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="choice_unique_code"),
        ]

    def __str__(self) -> str:
        return self.label

    def owning_campaign(self) -> Campaign:
        return self.question.questionnaire.campaign
