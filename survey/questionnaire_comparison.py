"""Which of a questionnaire's questions will have a comparison with last year (issue 16, 2).

Codes are a question's identity across years: the indicators compare a question's rate
with the rate of the question of the same code in the comparison campaign. That campaign
is the one ``reports.indicators.comparison.comparison_year`` picks: the organisation's
latest earlier campaign (``Campaign.previous``); survey cannot import reports (it is the
room below), so the same rule is read here from the model. A question is comparable when
that campaign's questionnaire of the same channel has its code with the same kind and the
same choices (codes and polarities: a rate counts its favourable choices); labels and
order may change freely.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from survey.models import Campaign, Choice, Question, Questionnaire


class Comparability(enum.StrEnum):
    COMPARABLE = "comparable"
    NEW_CODE = "new_code"
    KIND_CHANGED = "kind_changed"
    CHOICES_CHANGED = "choices_changed"


@dataclass(frozen=True)
class QuestionComparison:
    status: Comparability
    message: str

    @property
    def comparable(self) -> bool:
        return self.status == Comparability.COMPARABLE


@dataclass(frozen=True)
class YearComparison:
    """The previous campaign (None if there is none), why nothing compares (``note``,
    or ""), and each question's comparison by code."""

    previous: Campaign | None
    note: str = ""
    by_code: dict[str, QuestionComparison] = field(default_factory=dict)


Signature = tuple[str, frozenset[tuple[str, str]]]


def _signatures(questionnaire: Questionnaire) -> dict[str, Signature]:
    """Each question's kind and (choice code, polarity) pairs, by code. Two queries."""
    questions = questionnaire.questions.only("code", "kind").prefetch_related(
        Prefetch("choices", queryset=Choice.objects.only("question_id", "code", "polarity"))
    )
    return {q.code: _signature(q) for q in questions}


def _signature(question: Question) -> Signature:
    return question.kind, frozenset((c.code, c.polarity) for c in question.choices.all())


def compare_with_previous_year(questionnaire: Questionnaire) -> YearComparison:
    """Each question of ``questionnaire`` against the previous campaign's questionnaire
    of the same channel. At most five queries."""
    previous = questionnaire.campaign.previous()
    if previous is None:
        return YearComparison(
            None, _("Aucune campagne antérieure : aucun taux n'aura de comparaison.")
        )
    before = previous.questionnaires.filter(channel=questionnaire.channel).first()
    if before is None:
        return YearComparison(
            previous,
            _(
                "La campagne %(year)s n'a pas de questionnaire pour ce canal : "
                "aucun taux n'aura de comparaison."
            )
            % {"year": previous.year},
        )
    then = _signatures(before)
    now = _signatures(questionnaire)
    by_code: dict[str, QuestionComparison] = {}
    for code, (kind, choices) in now.items():
        if code not in then:
            by_code[code] = QuestionComparison(
                Comparability.NEW_CODE, _("code nouveau : pas de comparaison")
            )
        elif then[code][0] != kind:
            by_code[code] = QuestionComparison(
                Comparability.KIND_CHANGED, _("même code mais type changé : comparaison rompue")
            )
        elif then[code][1] != choices:
            by_code[code] = QuestionComparison(
                Comparability.CHOICES_CHANGED,
                _("même code mais choix changés : comparaison rompue"),
            )
        else:
            by_code[code] = QuestionComparison(
                Comparability.COMPARABLE,
                _("comparable avec %(year)s") % {"year": previous.year},
            )
    return YearComparison(previous, "", by_code)
