"""The annex: the questionnaires as they were asked, merged into one listing (each
question once, what only one of them asks or offers marked). ``asked_questionnaires`` reads
them, prefetched, once for the annex and for the engagements the sections quote.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from survey.models import (
    Campaign,
    Channel,
    Choice,
    Engagement,
    Question,
    QuestionKind,
    Questionnaire,
)


@dataclass(frozen=True)
class AnnexChoice:
    label: str
    only: str = ""  # the questionnaire that alone offers it, when they differ


@dataclass(frozen=True)
class AnnexQuestion:
    number: str
    text: str
    kind: str
    choices: tuple[AnnexChoice, ...]
    condition: str
    only: str = ""  # the questionnaire that alone asks it
    other_text: str = ""  # the other questionnaire's wording, when it differs


@dataclass(frozen=True)
class AnnexSection:
    title: str
    questions: tuple[AnnexQuestion, ...]


@dataclass(frozen=True)
class AnnexQuestionnaire:
    channel: str
    label: str
    title: str
    introduction: str


@dataclass(frozen=True)
class Annex:
    """The questionnaires as they were asked, merged: each question once, with what only
    one of them asks or offers marked (the phone questionnaire repeats the hall's, with
    "non concerné" for those who did not come)."""

    questionnaires: tuple[AnnexQuestionnaire, ...]
    sections: tuple[AnnexSection, ...]


KIND_NOTES = {
    QuestionKind.SINGLE: "une réponse",
    QuestionKind.MULTIPLE: "plusieurs réponses possibles",
    QuestionKind.SATISFACTION: "échelle de satisfaction",
    QuestionKind.AGREEMENT: "échelle d'accord",
    QuestionKind.YES_NO: "oui / non",
    QuestionKind.FREE_TEXT: "réponse libre",
    QuestionKind.COMMUNE: "commune",
}


def asked_questionnaires(campaign: Campaign) -> list[Questionnaire]:
    """The campaign's questionnaires with their sections, questions, choices and
    engagements. Five queries."""
    questions = Question.objects.order_by("order").prefetch_related(
        Prefetch("choices", queryset=Choice.objects.order_by("order")),
        Prefetch("engagements", queryset=Engagement.objects.select_related("framework")),
    )
    return list(
        Questionnaire.objects.filter(campaign=campaign)
        .order_by("channel")
        .prefetch_related("sections", Prefetch("questions", queryset=questions))
    )


def merged_annex(questionnaires: list[Questionnaire]) -> Annex:
    """Both questionnaires in one listing: sections by code, questions by code, in the
    hall's order (a question the phone alone asks comes at its own rank)."""
    rank: dict[str, int] = {Channel.HALL: 0, Channel.PHONE: 1}
    ordered = sorted(questionnaires, key=lambda q: (rank.get(q.channel, 9), q.channel))
    several = len(ordered) > 1
    labels = {q.channel: str(Channel(q.channel).label) for q in ordered}
    sections: dict[str, tuple[tuple[int, int], str]] = {}  # code -> sort key, title
    asked: dict[str, dict[str, Question]] = {}  # question code -> channel -> question
    keys: dict[str, tuple[int, int, int]] = {}  # question code -> sort key
    section_of: dict[str, str] = {}
    by_pk: dict[int, Question] = {}
    for index, questionnaire in enumerate(ordered):
        own_sections = {section.pk: section for section in questionnaire.sections.all()}
        for section in own_sections.values():
            sections.setdefault(section.code, ((section.order, index), section.title))
        for question in questionnaire.questions.all():
            by_pk[question.pk] = question
            asked.setdefault(question.code, {})[questionnaire.channel] = question
            section = own_sections[question.section_id]
            keys.setdefault(question.code, (section.order, question.order, index))
            section_of.setdefault(question.code, section.code)
    rows: dict[str, list[tuple[tuple[int, int, int], AnnexQuestion]]] = {}
    for code, versions in asked.items():
        channels = list(versions)
        first = versions[channels[0]]
        only = labels[channels[0]] if several and len(channels) == 1 else ""
        other = versions[channels[1]] if len(channels) > 1 else None
        rows.setdefault(section_of[code], []).append(
            (
                keys[code],
                AnnexQuestion(
                    number=first.number,
                    text=first.text,
                    kind=KIND_NOTES.get(QuestionKind(first.kind), first.kind),
                    choices=_annex_choices(versions, labels),
                    condition=_condition(first, by_pk),
                    only=only,
                    other_text=other.text if other is not None and other.text != first.text else "",
                ),
            )
        )
    listed = []
    for code, (_, title) in sorted(sections.items(), key=lambda item: item[1][0]):
        questions = [question for _, question in sorted(rows.get(code, []), key=lambda r: r[0])]
        if questions:
            listed.append(AnnexSection(title, tuple(questions)))
    return Annex(
        questionnaires=tuple(
            AnnexQuestionnaire(q.channel, labels[q.channel], q.title, q.introduction)
            for q in ordered
        ),
        sections=tuple(listed),
    )


def _annex_choices(
    versions: dict[str, Question], labels: dict[str, str]
) -> tuple[AnnexChoice, ...]:
    """The choices of every version of a question, each once, in order; a choice only one
    version offers names it."""
    offered: dict[str, tuple[str, list[str]]] = {}  # code -> label, channels
    for channel, question in versions.items():
        for choice in question.choices.all():
            offered.setdefault(choice.code, (choice.label, []))[1].append(channel)
    everyone = len(versions)
    return tuple(
        AnnexChoice(label, labels[channels[0]] if len(channels) < everyone else "")
        for label, channels in offered.values()
    )


def _condition(question: Question, by_pk: dict[int, Question]) -> str:
    """ "Posée si « Avez-vous appelé … » : Oui." from the prefetched questions."""
    if question.condition_question_id is None:
        return ""
    condition = by_pk.get(question.condition_question_id)
    if condition is None:
        return ""
    wanted = set(question.condition_codes or [])
    labels = [c.label for c in condition.choices.all() if c.code in wanted]
    target = f"Q{condition.number}" if condition.number else f"« {condition.text} »"
    return f"Posée si {target} : {' ou '.join(labels)}."
