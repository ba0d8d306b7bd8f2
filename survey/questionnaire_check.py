"""The check of a whole questionnaire before a campaign may use it (issue 16, point 1).

A questionnaire saved question by question can still be wrong as a whole: a condition
whose question moved after it, whose choice was removed, or whose question became a free
text; a choice question left without choices; a scale where no answer is favourable (its
rate would be 0 % whatever the answers). Each of these is a ``Problem`` with a stable code
(``ProblemKind``), so that the campaign page, the questionnaire page and the opening of a
campaign (``survey.services.campaigns.open_campaign``) say the same thing.

The rules read plain shapes (``QuestionShape``), not models: an import can check what it
is about to save (duplicate codes, which the database refuses anyway, only happen there).
Reachability follows the submission's skip logic (``survey.services.responses
.build_answers``): questions are read in order, and a question is asked only when an
earlier, asked question was answered with one of its condition's choices.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from survey.models import CHOICE_KINDS, SCALE_KINDS, Choice, Polarity, Questionnaire


class ProblemKind(enum.StrEnum):
    UNREACHABLE = "unreachable"
    REQUIRED_NEVER_SHOWN = "required_never_shown"
    UNKNOWN_CONDITION_CHOICE = "unknown_condition_choice"
    DUPLICATE_CODE = "duplicate_code"
    NO_CHOICES = "no_choices"
    SCALE_WITHOUT_FAVOURABLE = "scale_without_favourable"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one question: which, what (a stable code), and a sentence."""

    number: str
    code: str
    kind: ProblemKind
    message: str

    @property
    def question(self) -> str:
        """How the problem names its question: "Q12 (code)", or the code alone."""
        return f"Q{self.number} ({self.code})" if self.number else self.code

    def __str__(self) -> str:
        return f"{self.question} : {self.message}"


@dataclass(frozen=True)
class QuestionShape:
    """What the check needs of a question. ``key`` identifies it among the others (a
    primary key, or a position before saving); ``condition`` is the key of the question
    its condition names; ``choices`` are (code, polarity) pairs."""

    key: int
    code: str
    number: str
    kind: str
    required: bool
    condition: int | None = None
    condition_codes: tuple[str, ...] = ()
    choices: tuple[tuple[str, str], ...] = ()


def shapes_of(questionnaire: Questionnaire) -> list[QuestionShape]:
    """The questionnaire's questions in the order they are asked. Two queries."""
    questions = questionnaire.questions.order_by("order").prefetch_related(
        Prefetch("choices", queryset=Choice.objects.order_by("order"))
    )
    return [
        QuestionShape(
            key=q.pk,
            code=q.code,
            number=q.number,
            kind=q.kind,
            required=q.required,
            condition=q.condition_question_id,
            condition_codes=tuple(q.condition_codes if isinstance(q.condition_codes, list) else ()),
            choices=tuple((c.code, c.polarity) for c in q.choices.all()),
        )
        for q in questions
    ]


def check_questionnaire(questionnaire: Questionnaire) -> list[Problem]:
    """Every problem of the questionnaire, in question order; empty when it is ready."""
    return check_shapes(shapes_of(questionnaire))


def check_shapes(questions: Sequence[QuestionShape]) -> list[Problem]:
    """Every problem of these questions (given in the order they are asked)."""
    problems: list[Problem] = []
    counts = Counter(q.code for q in questions)
    reported: set[str] = set()
    asked: dict[int, QuestionShape] = {}  # the questions before this one that can be asked
    position = {q.key: index for index, q in enumerate(questions)}
    by_key = {q.key: q for q in questions}
    for index, question in enumerate(questions):
        if counts[question.code] > 1 and question.code not in reported:
            reported.add(question.code)
            problems.append(
                _problem(
                    question,
                    ProblemKind.DUPLICATE_CODE,
                    _("le code « %(code)s » est donné à %(count)s questions.")
                    % {"code": question.code, "count": counts[question.code]},
                )
            )
        problems.extend(_choice_problems(question))
        reason = _why_never_shown(question, index, asked, position, by_key)
        if reason is None:
            asked[question.key] = question
            unknown = _unknown_codes(question, by_key)
            if unknown:
                problems.append(
                    _problem(
                        question,
                        ProblemKind.UNKNOWN_CONDITION_CHOICE,
                        _("sa condition cite des choix qui n'existent plus : %(codes)s.")
                        % {"codes": ", ".join(unknown)},
                    )
                )
        elif question.required:
            problems.append(
                _problem(
                    question,
                    ProblemKind.REQUIRED_NEVER_SHOWN,
                    _("réponse obligatoire, mais la question n'est jamais posée : %(reason)s")
                    % {"reason": reason},
                )
            )
        else:
            problems.append(
                _problem(
                    question,
                    ProblemKind.UNREACHABLE,
                    _("la question n'est jamais posée : %(reason)s") % {"reason": reason},
                )
            )
    return problems


def _problem(question: QuestionShape, kind: ProblemKind, message: str) -> Problem:
    return Problem(number=question.number, code=question.code, kind=kind, message=message)


def _choice_problems(question: QuestionShape) -> list[Problem]:
    if question.kind not in CHOICE_KINDS:
        return []
    if not question.choices:
        return [
            _problem(
                question, ProblemKind.NO_CHOICES, _("question à choix sans aucun choix proposé.")
            )
        ]
    favourable = any(polarity == Polarity.FAVOURABLE for _code, polarity in question.choices)
    if question.kind in SCALE_KINDS and not favourable:
        return [
            _problem(
                question,
                ProblemKind.SCALE_WITHOUT_FAVOURABLE,
                _("échelle sans aucun choix favorable : son taux serait toujours nul."),
            )
        ]
    return []


def _why_never_shown(
    question: QuestionShape,
    index: int,
    asked: dict[int, QuestionShape],
    position: dict[int, int],
    by_key: dict[int, QuestionShape],
) -> str | None:
    """Why the question can never be asked, or None if some answers ask it."""
    if question.condition is None:
        return None
    source = by_key.get(question.condition)
    if source is None:
        return _("sa question-condition n'appartient pas au questionnaire.")
    label = source.code
    if position[source.key] >= index:
        return _("sa question-condition « %(code)s » est posée après elle.") % {"code": label}
    if source.kind not in CHOICE_KINDS:
        return _("sa question-condition « %(code)s » n'est pas une question à choix.") % {
            "code": label
        }
    if source.key not in asked:
        return _("sa question-condition « %(code)s » n'est elle-même jamais posée.") % {
            "code": label
        }
    known = {code for code, _polarity in source.choices}
    if not known & set(question.condition_codes):
        return _("sa condition ne cite aucun choix de la question « %(code)s ».") % {"code": label}
    return None


def _unknown_codes(question: QuestionShape, by_key: dict[int, QuestionShape]) -> list[str]:
    if question.condition is None:
        return []
    known = {code for code, _polarity in by_key[question.condition].choices}
    return sorted(set(question.condition_codes) - known)
