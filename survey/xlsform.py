"""A questionnaire written as an XLSForm workbook (issue 16, part 4).

XLSForm (sheets ``survey``, ``choices``, ``settings``) is how ODK, KoboToolbox and Enketo
users write questionnaires; exporting ours in it is what "questionnaire as data" means to
that ecosystem. Every question is one row of ``survey``, every section a ``begin group`` /
``end group`` pair, every question with choices a list of its own in ``choices`` (its
list name is the question's code: choice codes are unique within a question only).

XLSForm has no place for what our indicators need, so it travels in extra columns, which
XLSForm tools ignore (pyxform accepts them): ``qualiprefs::kind`` (our kind: a scale, a
yes/no question and a single choice are all ``select_one`` in XLSForm), ``qualiprefs::number``
(the paper form's number), ``qualiprefs::counts_in_satisfaction``,
``qualiprefs::engagements`` (``framework:number`` separated by spaces),
``qualiprefs::choice_groups`` (JSON) and, in ``choices``, ``qualiprefs_polarity``: an
extra column of ``choices`` becomes a child of each item in the XForm, and pyxform fails
on a ``::`` there (it reads it as a language), so that one is written with ``_``.

The commune question is written as ``text`` with ``qualiprefs::kind`` = ``commune``: a
``select_one`` over the 36,000 communes would make the form unusable in ODK, and the list
belongs to the national reference data, not to the questionnaire.

Written with openpyxl: a questionnaire has some hundred rows, so its speed does not matter
(``survey.workbook`` exists for the responses' exports, which have tens of thousands).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence

from openpyxl import Workbook

from .models import Question, QuestionKind, Questionnaire

# Our kinds as XLSForm types; the choice kinds' type is completed with the list name.
XLSFORM_TYPES: dict[str, str] = {
    QuestionKind.SINGLE: "select_one",
    QuestionKind.MULTIPLE: "select_multiple",
    QuestionKind.SATISFACTION: "select_one",
    QuestionKind.AGREEMENT: "select_one",
    QuestionKind.YES_NO: "select_one",
    QuestionKind.FREE_TEXT: "text",
    QuestionKind.COMMUNE: "text",
}

EXTRA = "qualiprefs::"
KIND_COLUMN = f"{EXTRA}kind"
NUMBER_COLUMN = f"{EXTRA}number"
COUNTS_COLUMN = f"{EXTRA}counts_in_satisfaction"
ENGAGEMENTS_COLUMN = f"{EXTRA}engagements"
GROUPS_COLUMN = f"{EXTRA}choice_groups"
POLARITY_COLUMN = "qualiprefs_polarity"
CHANNEL_COLUMN = f"{EXTRA}channel"
INTRODUCTION_COLUMN = f"{EXTRA}introduction"

SURVEY_HEADER = (
    "type",
    "name",
    "label",
    "hint",
    "required",
    "relevant",
    KIND_COLUMN,
    NUMBER_COLUMN,
    COUNTS_COLUMN,
    ENGAGEMENTS_COLUMN,
    GROUPS_COLUMN,
)
CHOICES_HEADER = ("list_name", "name", "label", POLARITY_COLUMN)
SETTINGS_HEADER = ("form_title", "form_id", "version", CHANNEL_COLUMN, INTRODUCTION_COLUMN)

Row = Sequence[str]


def form_id(questionnaire: Questionnaire) -> str:
    """A stable identifier: the same campaign year and channel always give the same id,
    so that an ODK server sees next year's export as another form, and this year's
    re-export as a new version (``version``) of the same one."""
    return f"qualiprefs_{questionnaire.campaign.year}_{questionnaire.channel}"


def relevant(question: Question) -> str:
    """The question's condition as an XLSForm expression, empty when it is always asked:
    ``${q} = 'a' or ${q} = 'b'`` for a single choice, ``selected(${q}, 'a') or …`` for a
    multiple one (the only two forms the import understands)."""
    condition = question.condition_question
    if condition is None:
        return ""
    if condition.kind == QuestionKind.MULTIPLE:
        parts = [f"selected(${{{condition.code}}}, '{code}')" for code in question.condition_codes]
    else:
        parts = [f"${{{condition.code}}} = '{code}'" for code in question.condition_codes]
    return " or ".join(parts)


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _question_row(question: Question) -> list[str]:
    kind = question.kind
    xls_type = XLSFORM_TYPES[kind]
    if question.has_choices:
        xls_type = f"{xls_type} {question.code}"
    engagements = " ".join(
        f"{engagement.framework.code}:{engagement.number}"
        for engagement in question.engagements.all()
    )
    groups = question.choice_groups
    groups_text = json.dumps(groups, ensure_ascii=False) if groups else ""
    return [
        xls_type,
        question.code,
        question.text,
        question.help_text,
        _yes_no(question.required),
        relevant(question),
        kind,
        question.number,
        _yes_no(question.counts_in_satisfaction),
        engagements,
        groups_text,
    ]


def survey_rows(questionnaire: Questionnaire) -> list[list[str]]:
    """The ``survey`` sheet's rows under its header: groups for sections, a row a question."""
    blank = [""] * (len(SURVEY_HEADER) - 3)
    rows: list[list[str]] = []
    sections = questionnaire.sections.order_by("order").prefetch_related(
        "questions__engagements__framework", "questions__condition_question"
    )
    for section in sections:
        rows.append(["begin group", section.code, section.title, *blank])
        rows.extend(_question_row(question) for question in section.questions.order_by("order"))
        rows.append(["end group", section.code, "", *blank])
    return rows


def choice_rows(questionnaire: Questionnaire) -> list[list[str]]:
    """The ``choices`` sheet's rows: one list per question with choices, in question order."""
    questions = questionnaire.questions.order_by("order").prefetch_related("choices")
    return [
        [question.code, choice.code, choice.label, choice.polarity]
        for question in questions
        if question.has_choices
        for choice in question.choices.all()
    ]


def settings_row(questionnaire: Questionnaire) -> list[str]:
    return [
        questionnaire.title,
        form_id(questionnaire),
        str(questionnaire.revision),
        questionnaire.channel,
        questionnaire.introduction,
    ]


def _sheet(workbook: Workbook, title: str, header: Row, rows: Iterable[Row]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))


def export_xlsform(questionnaire: Questionnaire) -> bytes:
    """The questionnaire as an XLSForm workbook (the bytes of an .xlsx file)."""
    workbook = Workbook()
    default = workbook.active
    if default is not None:
        workbook.remove(default)
    _sheet(workbook, "survey", SURVEY_HEADER, survey_rows(questionnaire))
    _sheet(workbook, "choices", CHOICES_HEADER, choice_rows(questionnaire))
    _sheet(workbook, "settings", SETTINGS_HEADER, [settings_row(questionnaire)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def filename(questionnaire: Questionnaire) -> str:
    return f"xlsform-{questionnaire.campaign.year}-{questionnaire.channel}.xlsx"
