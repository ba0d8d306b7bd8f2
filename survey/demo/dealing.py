"""Dealing a question's answer counts out to the planned respondents.

Within a segment (``survey.demo.data``), out-of-base answers go to respondents drawn at
random; the others are dealt at random, except on satisfaction and agreement scales, where
they go in scale order to the respondents sorted by a per-respondent mood (plus noise):
someone pleased with one service tends to be pleased with the next.
"""

from __future__ import annotations

import random
from typing import Any

from survey.models import Polarity, Question, QuestionKind
from survey.services.responses import QuestionnaireSpec

from .data import MOOD_NOISE, NOT_GIVEN, ORDINAL, REMAINDER, Respondent, segments


def deal(
    question: Question,
    spec: QuestionnaireSpec,
    channel: str,
    entry: Any,
    group: list[Respondent],
    problems: list[str],
) -> None:
    """Give ``question``'s answers to ``group`` (one channel's respondents), segment by
    segment; what does not add up is told in ``problems``."""
    where = f"{question.code} ({channel})"
    remaining = [r for r in group if question.is_asked(r.codes)]
    for number, segment in enumerate(segments(entry)):
        when = segment.get("when", {})
        members = [r for r in remaining if all(r.answered(q) & set(c) for q, c in when.items())]
        taken = {id(r) for r in members}
        remaining = [r for r in remaining if id(r) not in taken]
        rng = random.Random(f"{question.code}/{channel}/{number}")
        _fill(
            question,
            spec,
            members,
            segment["counts"],
            rng,
            f"{where}, segment {number + 1}",
            problems,
        )
    if remaining:
        problems.append(f"{where} : {len(remaining)} usagers interrogés sans segment.")


def _fill(
    question: Question,
    spec: QuestionnaireSpec,
    members: list[Respondent],
    counts: dict[str, Any],
    rng: random.Random,
    where: str,
    problems: list[str],
) -> None:
    is_commune = question.kind == QuestionKind.COMMUNE
    choices = {} if is_commune else spec.choices[question.pk]
    foreign = [key for key in counts if not is_commune and key not in choices]
    if foreign:
        problems.append(f"{where} : choix inconnus {', '.join(foreign)}.")
        return
    stars = [key for key, count in counts.items() if count == REMAINDER]
    fixed = sum(count for count in counts.values() if count != REMAINDER)
    wanted = {key: count for key, count in counts.items() if count != REMAINDER}
    if len(stars) > 1 or (not stars and fixed != len(members)) or fixed > len(members):
        problems.append(
            f"{where} : {fixed} réponses réparties pour {len(members)} usagers interrogés."
        )
        return
    for key in stars:
        wanted[key] = len(members) - fixed

    def outside(key: str) -> bool:
        return key == NOT_GIVEN if is_commune else choices[key].polarity == Polarity.OUTSIDE

    pool = list(members)
    rng.shuffle(pool)
    keys = [key for key in wanted if outside(key)]
    inside = [key for key in wanted if not outside(key)]
    held = sum(wanted[key] for key in keys)
    rest = pool[held:]
    if question.kind in ORDINAL:
        noise = {id(r): rng.gauss(0, MOOD_NOISE) for r in rest}
        rest.sort(key=lambda r: -(r.mood + noise[id(r)]))
        inside.sort(key=lambda key: choices[key].order)
    ordered = pool[:held] + rest
    position = 0
    for key in keys + inside:
        for respondent in ordered[position : position + wanted[key]]:
            _answer(respondent, question, key)
        position += wanted[key]


def _answer(respondent: Respondent, question: Question, key: str) -> None:
    if question.kind == QuestionKind.COMMUNE:
        if key != NOT_GIVEN:
            respondent.answers[question.code] = {"insee": key.partition(" ")[0]}
        return
    respondent.answers[question.code] = [key] if question.kind == QuestionKind.MULTIPLE else key
    respondent.codes[question.code] = {key}
