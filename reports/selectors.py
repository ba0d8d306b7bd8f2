"""Reads of the figures pages: the question codes a published figure may name, and whether
a year's campaign gives a figure itself."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.text import Truncator

from survey.models import CHOICE_KINDS, Answer, Choice, Organisation, Polarity, Question, Response

from .models import FigureChannel, PublishedFigure


@dataclass
class QuestionCatalogue:
    """The question codes of an organisation's campaigns, with their latest text, and the
    codes of their choices; two queries."""

    labels: dict[str, str] = field(default_factory=dict)
    choices: dict[str, dict[str, str]] = field(default_factory=dict)
    with_favourable: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, organisation: Organisation) -> QuestionCatalogue:
        catalogue = cls()
        questions = (
            Question.objects.filter(
                questionnaire__campaign__organisation=organisation, kind__in=CHOICE_KINDS
            )
            .order_by("-questionnaire__campaign__year", "questionnaire__channel", "order")
            .values_list("code", "number", "text")
        )
        for code, number, text in questions:
            if code not in catalogue.labels:
                text = Truncator(text).chars(90)
                catalogue.labels[code] = f"Q{number} — {text}" if number else text
        choices = (
            Choice.objects.filter(question__questionnaire__campaign__organisation=organisation)
            .order_by("-question__questionnaire__campaign__year", "question__order", "order")
            .values_list("question__code", "code", "label", "polarity")
        )
        for question_code, code, label, polarity in choices:
            catalogue.choices.setdefault(question_code, {}).setdefault(code, label)
            if polarity == Polarity.FAVOURABLE:
                catalogue.with_favourable.add(question_code)
        return catalogue

    def options(self) -> list[tuple[str, str]]:
        return [(code, f"{label} ({code})") for code, label in self.labels.items()]

    def all_choice_codes(self) -> dict[str, str]:
        codes: dict[str, str] = {}
        for choices in self.choices.values():
            for code, label in choices.items():
                codes.setdefault(code, label)
        return dict(sorted(codes.items()))


def has_raw_answers(organisation: Organisation, year: int, code: str, channel: str) -> bool:
    """Whether the organisation's campaign of ``year`` holds counted answers to ``code`` (or,
    for ``questionnaires``, counted questionnaires) on ``channel``: those then give the
    figure, and a published one would never be used."""
    if code == PublishedFigure.QUESTIONNAIRES:
        responses = Response.objects.counted().filter(
            campaign__organisation=organisation, campaign__year=year
        )
        if channel != FigureChannel.ALL:
            responses = responses.filter(channel=channel)
        return responses.exists()
    answers = Answer.objects.filter(
        response__campaign__organisation=organisation,
        response__campaign__year=year,
        response__voided_at__isnull=True,
        question__code=code,
    )
    if channel != FigureChannel.ALL:
        answers = answers.filter(response__channel=channel)
    return answers.exists()
