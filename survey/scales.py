"""The answer scales of the survey, as data.

A scale question (satisfaction, agreement, yes/no) never lists its choices in a
questionnaire definition: it names its kind and the loader takes the choices from here,
so that every question of a kind, in every campaign, has the same codes and polarities
and the indicators can compare them across questions, channels and years.
"""

from __future__ import annotations

from dataclasses import dataclass

from survey.models import Polarity, QuestionKind


@dataclass(frozen=True)
class ChoiceSpec:
    code: str
    label: str
    polarity: Polarity


SATISFACTION: tuple[ChoiceSpec, ...] = (
    ChoiceSpec("tres_satisfaisant", "Très satisfaisant", Polarity.FAVOURABLE),
    ChoiceSpec("satisfaisant", "Satisfaisant", Polarity.FAVOURABLE),
    ChoiceSpec("peu_satisfaisant", "Peu satisfaisant", Polarity.UNFAVOURABLE),
    ChoiceSpec("pas_du_tout_satisfaisant", "Pas du tout satisfaisant", Polarity.UNFAVOURABLE),
)

AGREEMENT: tuple[ChoiceSpec, ...] = (
    ChoiceSpec("tout_a_fait_d_accord", "Tout à fait d'accord", Polarity.FAVOURABLE),
    ChoiceSpec("plutot_d_accord", "Plutôt d'accord", Polarity.FAVOURABLE),
    ChoiceSpec("plutot_pas_d_accord", "Plutôt pas d'accord", Polarity.UNFAVOURABLE),
    ChoiceSpec("pas_du_tout_d_accord", "Pas du tout d'accord", Polarity.UNFAVOURABLE),
)

# "Oui" is the favourable pole only so that a yes/no question's rate, computed like any
# other (favourable / (favourable + unfavourable)), is the share of "oui" the report quotes
# ("42,8 % se sont renseignés"); it says nothing about oui being good news.
YES_NO: tuple[ChoiceSpec, ...] = (
    ChoiceSpec("oui", "Oui", Polarity.FAVOURABLE),
    ChoiceSpec("non", "Non", Polarity.UNFAVOURABLE),
)

# Outside the base of every rate: the seed never counts them in a percentage.
NOT_CONCERNED = ChoiceSpec("non_concerne", "Non concerné(e)", Polarity.OUTSIDE)
NO_ANSWER = ChoiceSpec("sans_reponse", "Sans réponse", Polarity.OUTSIDE)

SCALES: dict[str, tuple[ChoiceSpec, ...]] = {
    QuestionKind.SATISFACTION: SATISFACTION,
    QuestionKind.AGREEMENT: AGREEMENT,
    QuestionKind.YES_NO: YES_NO,
}

RESERVED_CODES = frozenset({NOT_CONCERNED.code, NO_ANSWER.code})


def has_scale(kind: str) -> bool:
    """Whether a question of this kind takes its choices from this module."""
    return kind in SCALES


def outside_choices(*, not_concerned: bool = False, no_answer: bool = False) -> list[ChoiceSpec]:
    """The out-of-base choices a question offers, always after its own choices."""
    specs = []
    if not_concerned:
        specs.append(NOT_CONCERNED)
    if no_answer:
        specs.append(NO_ANSWER)
    return specs


def scale_choices(
    kind: str, *, not_concerned: bool = False, no_answer: bool = False
) -> list[ChoiceSpec]:
    """The choices of a scale kind, in display order. KeyError if the kind has no scale."""
    return [*SCALES[kind], *outside_choices(not_concerned=not_concerned, no_answer=no_answer)]
