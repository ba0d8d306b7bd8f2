"""Questionnaires as data: sections, questions with stable codes, choices with a polarity.

A question's ``code`` is its identity across years (the seed renumbers questions from one
year to the next); ``number`` is only what the paper form prints.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .campaigns import Campaign
from .reference import Engagement

code_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9_]*$", _("Un code ne contient que des minuscules, chiffres et « _ ».")
)


class Channel(models.TextChoices):
    HALL = "hall", _("Accueil physique")
    PHONE = "phone", _("Téléphone")


class CampaignChild(models.Model):
    """A part of a campaign's questionnaires: refuses writes once the campaign is closed."""

    class Meta:
        abstract = True

    def save(self, **kwargs: Any) -> None:
        self.owning_campaign().check_editable()
        super().save(**kwargs)
        self._bump_revision()

    def delete(self, using: Any = None, keep_parents: bool = False) -> tuple[int, dict[str, int]]:
        self.owning_campaign().check_editable()
        questionnaire_id = self.owning_questionnaire_id()
        deleted = super().delete(using=using, keep_parents=keep_parents)
        if questionnaire_id is not None:
            Questionnaire.objects.filter(pk=questionnaire_id).update(revision=F("revision") + 1)
        return deleted

    def owning_campaign(self) -> Campaign:
        raise NotImplementedError

    def owning_questionnaire_id(self) -> int | None:
        raise NotImplementedError

    def _bump_revision(self) -> None:
        """Every change to a questionnaire's structure makes a new revision, so that a
        cached copy of it (see survey/services/responses.py) is never used stale."""
        questionnaire_id = self.owning_questionnaire_id()
        if questionnaire_id is not None:
            Questionnaire.objects.filter(pk=questionnaire_id).update(revision=F("revision") + 1)


class Questionnaire(CampaignChild):
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        related_name="questionnaires",
        verbose_name=_("campagne"),
    )
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices)
    title = models.CharField(_("intitulé"), max_length=200)
    introduction = models.TextField(_("texte d'introduction"), blank=True)
    revision = models.PositiveIntegerField(_("révision"), default=0, editable=False)

    organisation_path = "campaign__organisation"

    class Meta:
        ordering = ["campaign", "channel"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "channel"], name="questionnaire_one_per_channel"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def owning_campaign(self) -> Campaign:
        return self.campaign

    def owning_questionnaire_id(self) -> int | None:
        return self.pk


class Section(CampaignChild):
    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.CASCADE,
        related_name="sections",
        verbose_name=_("questionnaire"),
    )
    code = models.CharField(_("code"), max_length=40, validators=[code_validator])
    title = models.CharField(_("titre"), max_length=200)
    order = models.PositiveSmallIntegerField(_("ordre"))

    organisation_path = "questionnaire__campaign__organisation"

    class Meta:
        ordering = ["questionnaire", "order"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="section_unique_code"),
        ]

    def __str__(self) -> str:
        return self.title

    def owning_campaign(self) -> Campaign:
        return self.questionnaire.campaign

    def owning_questionnaire_id(self) -> int | None:
        return self.questionnaire_id


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Choix unique")
    MULTIPLE = "multiple", _("Choix multiple")
    SATISFACTION = "satisfaction", _("Échelle de satisfaction")
    AGREEMENT = "agreement", _("Échelle d'accord")
    YES_NO = "yes_no", _("Oui / non")
    FREE_TEXT = "free_text", _("Texte libre")
    COMMUNE = "commune", _("Commune")


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
        Questionnaire,
        on_delete=models.CASCADE,
        related_name="questions",
        verbose_name=_("questionnaire"),
    )
    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="questions", verbose_name=_("section")
    )
    code = models.CharField(
        _("code"),
        max_length=40,
        validators=[code_validator],
        help_text=_("Identité stable de la question d'une année sur l'autre."),
    )
    number = models.CharField(
        _("numéro"), max_length=10, blank=True, help_text=_("« 19 », « 29bis »…")
    )
    order = models.PositiveSmallIntegerField(_("ordre"))
    text = models.TextField(_("libellé"))
    help_text = models.TextField(_("aide"), blank=True)
    kind = models.CharField(_("type"), max_length=20, choices=QuestionKind.choices)
    required = models.BooleanField(_("réponse obligatoire"), default=False)
    condition_question = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dependent_questions",
        verbose_name=_("posée seulement si la question"),
    )
    condition_codes = models.JSONField(
        _("a pour réponse l'un des codes"),
        default=list,
        blank=True,
        help_text=_("Codes des choix de la question-condition qui ouvrent cette question."),
    )
    engagements = models.ManyToManyField(
        Engagement,
        blank=True,
        related_name="questions",
        verbose_name=_("engagements mesurés"),
    )
    counts_in_satisfaction = models.BooleanField(
        _("compte dans les indicateurs de satisfaction"), default=False
    )
    choice_groups = models.JSONField(
        _("regroupements de choix"),
        default=dict,
        blank=True,
        help_text=_(
            "Des parts publiées ensemble : nom → codes des choix "
            "(titres_de_circulation → certificat_immatriculation, permis_conduire)."
        ),
    )

    organisation_path = "questionnaire__campaign__organisation"

    class Meta:
        ordering = ["questionnaire", "order"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="question_unique_code"),
            models.UniqueConstraint(
                fields=["questionnaire", "order"], name="question_unique_order"
            ),
            models.CheckConstraint(
                condition=~models.Q(condition_question=models.F("pk")),
                name="question_condition_not_itself",
                violation_error_message=_("Une question ne peut pas dépendre d'elle-même."),
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

    def owning_questionnaire_id(self) -> int | None:
        return self.questionnaire_id

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
                gettext("La section appartient à un autre questionnaire.")
            )
        condition = self.condition_question
        if condition is None:
            if self.condition_codes:
                errors.setdefault("condition_codes", []).append(
                    gettext("Des réponses sont indiquées sans question-condition.")
                )
        else:
            if self.pk is not None and condition.pk == self.pk:
                errors.setdefault("condition_question", []).append(
                    gettext("Une question ne peut pas dépendre d'elle-même.")
                )
            elif condition.questionnaire_id != self.questionnaire_id:
                errors.setdefault("condition_question", []).append(
                    gettext("La question-condition appartient à un autre questionnaire.")
                )
            elif condition.order >= self.order:
                errors.setdefault("condition_question", []).append(
                    gettext("La question-condition doit être posée avant celle-ci.")
                )
            elif not condition.has_choices:
                errors.setdefault("condition_question", []).append(
                    gettext("La question-condition doit être une question à choix.")
                )
            else:
                errors.update(self._condition_code_errors(condition))
        if errors:
            raise ValidationError(errors)

    def _condition_code_errors(self, condition: Question) -> dict[str, list[str]]:
        codes = self.condition_codes
        if not isinstance(codes, list) or not codes or not all(isinstance(c, str) for c in codes):
            return {"condition_codes": [gettext("Indiquez au moins un code de réponse.")]}
        known = set(condition.choices.values_list("code", flat=True))
        unknown = sorted(set(codes) - known)
        if unknown:
            return {
                "condition_codes": [
                    gettext("Codes inconnus pour la question %(question)s : %(codes)s.")
                    % {"question": condition.code, "codes": ", ".join(unknown)}
                ]
            }
        return {}

    def condition_labels(self) -> list[str]:
        """Labels of the answers that open this question (uses prefetched choices if any)."""
        if self.condition_question is None:
            return []
        wanted = set(self.condition_codes)
        return [c.label for c in self.condition_question.choices.all() if c.code in wanted]

    def is_asked(self, answer_codes: dict[str, set[str]]) -> bool:
        """Whether this question is asked, given the choice codes answered so far by code."""
        if self.condition_question is None:
            return True
        given = answer_codes.get(self.condition_question.code, set())
        return bool(given & set(self.condition_codes))


class Polarity(models.TextChoices):
    FAVOURABLE = "favourable", _("Favorable")
    UNFAVOURABLE = "unfavourable", _("Défavorable")
    NEUTRAL = "neutral", _("Dans la base, sans polarité")
    OUTSIDE = "outside", _("Hors base (non concerné, sans réponse)")


class Choice(CampaignChild):
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="choices", verbose_name=_("question")
    )
    code = models.CharField(_("code"), max_length=40, validators=[code_validator])
    label = models.CharField(_("libellé"), max_length=200)
    order = models.PositiveSmallIntegerField(_("ordre"))
    polarity = models.CharField(
        _("polarité"), max_length=20, choices=Polarity.choices, default=Polarity.NEUTRAL
    )

    organisation_path = "question__questionnaire__campaign__organisation"

    class Meta:
        ordering = ["question", "order"]
        verbose_name = _("choix")
        verbose_name_plural = pgettext_lazy("pluriel", "choix")
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="choice_unique_code"),
        ]

    def __str__(self) -> str:
        return self.label

    def owning_campaign(self) -> Campaign:
        return self.question.questionnaire.campaign

    def owning_questionnaire_id(self) -> int | None:
        return self.question.questionnaire_id
