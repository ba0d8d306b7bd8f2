"""Reading an XLSForm workbook back into a questionnaire's structure (issue 16, part 4).

The subset understood is what ``survey.xlsform`` writes: ``begin group`` / ``end group``
around the questions (a section each, not nested), ``select_one LIST``,
``select_multiple LIST`` and ``text``; ``required`` (yes / no); ``relevant`` written as
``${code} = 'choice'`` or ``selected(${code}, 'choice')`` joined with ``or``, on one
question asked before; the ``qualiprefs::`` columns (and ``qualiprefs_polarity`` in
``choices``). Anything else (another type, a calculation, a constraint, a repeat, another
expression, an unknown list, a duplicate name) is refused with its sheet, row and column,
and the reader gives nothing: the import is all or nothing, as the other imports.

Nothing here reads or writes the database: the engagements are given as the
``framework:number`` the file holds, with their row, for the service to resolve.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from openpyxl import load_workbook

from survey.models import SCALE_KINDS, Polarity, QuestionKind
from survey.models.questionnaires import code_validator
from survey.read_limits import MIB, Limits, unreadable
from survey.spreadsheets import ImportRefused, RowError
from survey.xlsform import (
    CHOICES_HEADER,
    COUNTS_COLUMN,
    ENGAGEMENTS_COLUMN,
    GROUPS_COLUMN,
    INTRODUCTION_COLUMN,
    KIND_COLUMN,
    NUMBER_COLUMN,
    SETTINGS_HEADER,
    SURVEY_HEADER,
)
from survey.xlsx_archive import open_archive

from .questionnaire_definitions import ChoiceDef, QuestionDef, SectionDef

MAX_SHEET_ROWS = 5_000  # a questionnaire has some hundred rows
MAX_LABEL = 200  # a section's title, a choice's label (survey.models.questionnaires)
# openpyxl holds what it reads: the archive's directory is checked first against these
# (a sheet of some hundred rows unpacks to a few hundred KiB), as survey.xlsx_reader does.
LIMITS = Limits(rows=MAX_SHEET_ROWS, columns=100, part_bytes=16 * MIB)
SELECT_ONE_KINDS = frozenset(
    {QuestionKind.SINGLE, QuestionKind.SATISFACTION, QuestionKind.AGREEMENT, QuestionKind.YES_NO}
)
TEXT_KINDS = frozenset({QuestionKind.FREE_TEXT, QuestionKind.COMMUNE})
YES = {"yes", "true", "true()", "oui", "1"}
NO = {"no", "false", "false()", "non", "0", ""}
EQUALS = re.compile(r"^\$\{([a-z0-9_]+)\}\s*=\s*'([^']*)'$")
SELECTED = re.compile(r"^selected\(\s*\$\{([a-z0-9_]+)\}\s*,\s*'([^']*)'\s*\)$")
# Settings the import ignores: they change nothing in the structure (the channel is the
# target questionnaire's own).
IGNORED_SETTINGS = frozenset({"form_id", "version", "default_language", "style"})


@dataclass(frozen=True)
class XLSFormQuestionnaire:
    """What the file holds: the title and introduction, the sections with their
    questions, and each question's engagements as ``framework:number`` with their row."""

    title: str
    introduction: str
    sections: tuple[SectionDef, ...]
    engagements: dict[str, tuple[int, tuple[str, ...]]]


class _Sheet:
    """A sheet's rows as {column: text}, with their line numbers (1 is the header)."""

    def __init__(self, name: str, rows: list[tuple[Any, ...]]) -> None:
        self.name = name
        header = [str(cell).strip().lower() if cell is not None else "" for cell in rows[0]]
        self.header = [title for title in header if title]
        self.rows = [
            (line, {h: _text(cell) for h, cell in zip(header, row, strict=False) if h})
            for line, row in enumerate(rows[1:], start=2)
            if any(_text(cell) for cell in row)
        ]


def _text(cell: Any) -> str:
    return "" if cell is None else str(cell).strip()


class _Errors:
    def __init__(self) -> None:
        self.found: list[RowError] = []

    def add(self, sheet: str, line: int, column: str, message: str) -> None:
        where = gettext("%(column)s (feuille « %(sheet)s »)") % {
            "column": column or gettext("toutes"),
            "sheet": sheet,
        }
        self.found.append(RowError(line, where, message))


def read_xlsform(source: IO[bytes]) -> XLSFormQuestionnaire:
    """The file's questionnaire, or ImportRefused listing every refused thing."""
    sheets = _sheets(source)
    errors = _Errors()
    for name in ("survey", "choices"):
        if name not in sheets:
            errors.add(name, 1, "", gettext("Feuille absente."))
    if errors.found:
        raise ImportRefused(errors.found)
    choices = _choice_lists(sheets["choices"], errors)
    title, introduction = _settings(sheets.get("settings"), errors)
    sections, engagements = _survey(sheets["survey"], choices, errors)
    if errors.found:
        raise ImportRefused(errors.found)
    return XLSFormQuestionnaire(title, introduction, tuple(sections), engagements)


def _sheets(source: IO[bytes]) -> dict[str, _Sheet]:
    """The workbook's sheets, refused if too large or unreadable."""
    open_archive(source, LIMITS).close()  # a bomb or a protected file is refused unread
    source.seek(0)
    try:
        workbook = load_workbook(source, read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds on a file that is no workbook
        raise unreadable() from error
    sheets: dict[str, _Sheet] = {}
    try:
        for sheet in workbook.worksheets:
            rows: list[tuple[Any, ...]] = []
            for row in sheet.iter_rows(values_only=True, max_col=LIMITS.columns):
                rows.append(tuple(row))
                if len(rows) > MAX_SHEET_ROWS:
                    raise ValidationError(
                        gettext("La feuille « %(sheet)s » a plus de %(rows)s lignes.")
                        % {"sheet": sheet.title, "rows": MAX_SHEET_ROWS}
                    )
            if rows:
                sheets[sheet.title.strip().lower()] = _Sheet(sheet.title.strip().lower(), rows)
    finally:
        workbook.close()
    return sheets


def _unknown_columns(sheet: _Sheet, known: tuple[str, ...], errors: _Errors) -> None:
    """A column the subset does not know is refused on the first row that fills it."""
    for column in sheet.header:
        if column in known:
            continue
        line = next((line for line, row in sheet.rows if row.get(column)), None)
        if line is not None:
            errors.add(sheet.name, line, column, gettext("Colonne non prise en charge."))


def _choice_lists(sheet: _Sheet, errors: _Errors) -> dict[str, list[ChoiceDef]]:
    _unknown_columns(sheet, CHOICES_HEADER, errors)
    lists: dict[str, list[ChoiceDef]] = {}
    for line, row in sheet.rows:
        list_name, name, label = row.get("list_name", ""), row.get("name", ""), row.get("label")
        polarity = row.get(CHOICES_HEADER[3]) or Polarity.NEUTRAL
        if not _is_code(name):
            errors.add(sheet.name, line, "name", gettext("Code de choix invalide."))
        elif any(choice.code == name for choice in lists.get(list_name, [])):
            errors.add(sheet.name, line, "name", gettext("Choix en double dans sa liste."))
        if not label:
            errors.add(sheet.name, line, "label", gettext("Libellé manquant."))
        elif len(label) > MAX_LABEL:
            errors.add(sheet.name, line, "label", _too_long())
        if polarity not in Polarity.values:
            errors.add(sheet.name, line, CHOICES_HEADER[3], gettext("Polarité inconnue."))
        lists.setdefault(list_name, []).append(ChoiceDef(name, label or "", polarity))
    return lists


def _settings(sheet: _Sheet | None, errors: _Errors) -> tuple[str, str]:
    if sheet is None or not sheet.rows:
        return "", ""
    _unknown_columns(sheet, (*SETTINGS_HEADER, *IGNORED_SETTINGS), errors)
    line, row = sheet.rows[0]
    if len(row.get("form_title", "")) > MAX_LABEL:
        errors.add(sheet.name, line, "form_title", _too_long())
    return row.get("form_title", ""), row.get(INTRODUCTION_COLUMN, "")


def _too_long() -> str:
    return gettext("Libellé trop long (%(max)s caractères au plus).") % {"max": MAX_LABEL}


def _is_code(value: str) -> bool:
    try:
        code_validator(value)
    except ValidationError:
        return False
    return len(value) <= 40


def _flag(value: str) -> bool | None:
    lowered = value.lower()
    return True if lowered in YES else False if lowered in NO else None


class _SurveyReader:
    """Walks the ``survey`` sheet, a section at a time."""

    def __init__(self, sheet: _Sheet, choices: dict[str, list[ChoiceDef]], errors: _Errors) -> None:
        self.sheet, self.choices, self.errors = sheet, choices, errors
        self.sections: list[SectionDef] = []
        self.questions: dict[str, QuestionDef] = {}
        self.engagements: dict[str, tuple[int, tuple[str, ...]]] = {}

    def error(self, line: int, column: str, message: str) -> None:
        self.errors.add(self.sheet.name, line, column, message)

    def read(self) -> None:
        _unknown_columns(self.sheet, SURVEY_HEADER, self.errors)
        current: tuple[str, str] | None = None
        questions: list[QuestionDef] = []
        section_codes: set[str] = set()
        for line, row in self.sheet.rows:
            kind = " ".join(row.get("type", "").replace("_group", " group").split())
            name = row.get("name", "")
            if kind == "begin group":
                if current is not None:
                    self.error(line, "type", gettext("Groupes imbriqués non pris en charge."))
                elif not _is_code(name) or name in section_codes:
                    self.error(line, "name", gettext("Nom de section invalide ou en double."))
                if len(row.get("label", "")) > MAX_LABEL:
                    self.error(line, "label", _too_long())
                current = (name, row.get("label", "") or name)
                section_codes.add(name)
                questions = []
            elif kind == "end group":
                if current is None:
                    self.error(line, "type", gettext("Fin de groupe sans début."))
                else:
                    self.sections.append(SectionDef(current[0], current[1], tuple(questions)))
                current = None
            elif current is None:
                self.error(line, "type", gettext("Question hors de toute section (groupe)."))
            else:
                question = self.question(line, row)
                if question is not None:
                    questions.append(question)
                    self.questions[question.code] = question
        if current is not None:
            self.error(len(self.sheet.rows) + 1, "type", gettext("Groupe jamais fermé."))

    def question(self, line: int, row: dict[str, str]) -> QuestionDef | None:
        count = len(self.errors.found)
        code = row.get("name", "")
        if not _is_code(code):
            self.error(line, "name", gettext("Code de question invalide."))
        elif code in self.questions:
            self.error(line, "name", gettext("Code de question en double."))
        kind, choices = self.kind(line, row)
        if not row.get("label"):
            self.error(line, "label", gettext("Libellé manquant."))
        required = _flag(row.get("required", ""))
        counts = _flag(row.get(COUNTS_COLUMN, ""))
        for column, value in (("required", required), (COUNTS_COLUMN, counts)):
            if value is None:
                self.error(line, column, gettext("Valeur attendue : yes ou no."))
        if counts and kind not in SCALE_KINDS:
            self.error(
                line,
                COUNTS_COLUMN,
                gettext("Seule une échelle de satisfaction ou d'accord compte dans le taux."),
            )
        condition, codes = self.condition(line, row.get("relevant", ""))
        groups = self.groups(line, row.get(GROUPS_COLUMN, ""))
        engagements = tuple(row.get(ENGAGEMENTS_COLUMN, "").split())
        if len(self.errors.found) > count:
            return None
        if engagements:
            self.engagements[code] = (line, engagements)
        return QuestionDef(
            code=code,
            number=row.get(NUMBER_COLUMN, "")[:10],
            text=row.get("label", ""),
            help_text=row.get("hint", ""),
            kind=kind,
            required=bool(required),
            choices=tuple(choices),
            condition_question=condition,
            condition_codes=codes,
            engagements=engagements,
            counts_in_satisfaction=bool(counts),
            choice_groups=groups,
        )

    def kind(self, line: int, row: dict[str, str]) -> tuple[str, list[ChoiceDef]]:
        """Our kind (``qualiprefs::kind`` chooses among the ones XLSForm merges) and the
        question's choices."""
        words = row.get("type", "").split()
        ours = row.get(KIND_COLUMN, "")
        if words[:1] == ["text"] and len(words) == 1:
            if ours and ours not in TEXT_KINDS:
                self.error(line, KIND_COLUMN, gettext("Type incompatible avec « text »."))
            return ours or QuestionKind.FREE_TEXT, []
        if len(words) == 2 and words[0] in ("select_one", "select_multiple"):
            allowed = SELECT_ONE_KINDS if words[0] == "select_one" else {QuestionKind.MULTIPLE}
            kind = ours or (
                QuestionKind.SINGLE if words[0] == "select_one" else QuestionKind.MULTIPLE
            )
            if kind not in allowed:
                self.error(line, KIND_COLUMN, gettext("Type incompatible avec « %s ».") % words[0])
            if words[1] not in self.choices:
                self.error(line, "type", gettext("Liste de choix inconnue : %s.") % words[1])
                return kind, []
            return kind, self.choices[words[1]]
        self.error(line, "type", gettext("Type non pris en charge : %s.") % row.get("type", ""))
        return QuestionKind.FREE_TEXT, []

    def condition(self, line: int, expression: str) -> tuple[str | None, tuple[str, ...]]:
        """The question and choice codes of a ``relevant`` in the subset, or an error."""
        if not expression:
            return None, ()
        parts = [part.strip() for part in re.split(r"\s+or\s+", expression)]
        matches = [(EQUALS.match(p), SELECTED.match(p)) for p in parts]
        refused = gettext(
            "Expression non prise en charge (attendu : ${code} = 'choix' ou "
            "selected(${code}, 'choix'), joints par « or »)."
        )
        if not all(equals or selected for equals, selected in matches):
            self.error(line, "relevant", refused)
            return None, ()
        found = [(equals or selected) for equals, selected in matches]
        targets = {m.group(1) for m in found if m is not None}
        multiple = {selected is not None for _, selected in matches}
        if len(targets) != 1 or len(multiple) != 1:
            self.error(line, "relevant", gettext("Une condition porte sur une seule question."))
            return None, ()
        target = self.questions.get(targets.pop())
        codes = tuple(m.group(2) for m in found if m is not None)
        if target is None:
            self.error(line, "relevant", gettext("La question-condition doit être posée avant."))
            return None, ()
        if (target.kind == QuestionKind.MULTIPLE) != multiple.pop() or not target.choices:
            self.error(line, "relevant", gettext("Forme d'expression inadaptée à sa question."))
            return None, ()
        unknown = sorted(set(codes) - {choice.code for choice in target.choices})
        if unknown:
            self.error(line, "relevant", gettext("Choix inconnus : %s.") % ", ".join(unknown))
            return None, ()
        return target.code, codes

    def groups(self, line: int, text: str) -> dict[str, list[str]]:
        if not text:
            return {}
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            value = None
        if not isinstance(value, dict) or not all(
            isinstance(members, list) and all(isinstance(m, str) for m in members)
            for members in value.values()
        ):
            self.error(line, GROUPS_COLUMN, gettext("Regroupements illisibles (JSON attendu)."))
            return {}
        return {str(name): list(members) for name, members in value.items()}


def _survey(
    sheet: _Sheet, choices: dict[str, list[ChoiceDef]], errors: _Errors
) -> tuple[list[SectionDef], dict[str, tuple[int, tuple[str, ...]]]]:
    reader = _SurveyReader(sheet, choices, errors)
    reader.read()
    return reader.sections, reader.engagements
