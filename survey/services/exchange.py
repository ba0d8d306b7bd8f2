"""Responses to and from spreadsheets (CSV, XLSX): one row per questionnaire, one column per
question code. The format is described in docs/formats.md.

An import is all or nothing: every row goes through the entry validation (``build_answers``)
before anything is written, so a file is refused for the same reasons, with the same French
messages, as a questionnaire typed on a tablet.
"""

from __future__ import annotations

import csv
import datetime
import io
import uuid as uuid_module
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from simple_history.utils import bulk_create_with_history

from survey.models import (
    Answer,
    Campaign,
    EntryMode,
    QuestionKind,
    Questionnaire,
    Response,
    Site,
)

from .responses import NON_FIELD, QuestionnaireSpec, build_answers

META_COLUMNS = ("uuid", "site", "canal", "mode", "recueilli_le", "envoye_le", "enqueteur", "annule")
SEPARATOR = "|"  # between the codes of a multiple-choice answer
OUTSIDE = "hors:"  # prefix of a commune outside the département
CSV_DELIMITER = ";"  # what Excel expects under a French locale; "," is read too
PARIS = ZoneInfo("Europe/Paris")
NOON = datetime.time(12)
FRENCH_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M")
MAX_ROWS = 20_000
MAX_ERRORS = 500
# A cell starting with one of these is a formula for a spreadsheet opening a CSV file:
# written with a leading apostrophe, which the import removes.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Row = dict[str, str]


@dataclass(frozen=True)
class RowError:
    line: int  # as the spreadsheet numbers it: 1 is the header
    column: str  # "" when the error is about the whole row
    message: str

    def __str__(self) -> str:
        where = f"ligne {self.line}" + (f", colonne {self.column}" if self.column else "")
        return f"{where} : {self.message}"


class ImportRefused(ValidationError):
    """The file imports nothing; ``row_errors`` says where and why, row by row."""

    def __init__(self, row_errors: Sequence[RowError], *, truncated: bool = False) -> None:
        super().__init__([str(error) for error in row_errors], code="import_refused")
        self.row_errors = list(row_errors)
        self.truncated = truncated


@dataclass(frozen=True)
class ImportResult:
    created: int
    already_present: int
    # Usernames of the `enqueteur` column that are no member of the organisation: their
    # questionnaires are attributed to the importing user.
    unknown_interviewers: tuple[str, ...] = ()


# --- export ----------------------------------------------------------------------------


def export_rows(questionnaire: Questionnaire) -> tuple[list[str], list[list[str]]]:
    """Header and one row per response, voided ones included (``annule`` gives the reason).

    Costs 3 queries whatever the number of responses: questions, responses, answers.
    """
    questions = list(questionnaire.questions.order_by("order").values_list("pk", "code", "kind"))
    responses = list(
        Response.objects.filter(questionnaire=questionnaire)
        .select_related("site", "interviewer")
        .order_by("submitted_at", "pk")
    )
    cells: dict[int, dict[int, list[str]]] = {}
    kinds = {pk: kind for pk, _, kind in questions}
    # Question ids belong to this questionnaire alone: no join on Response is needed.
    answers = (
        Answer.objects.filter(question_id__in=kinds)
        .order_by("response_id", "question_id", "choice__order")
        .values_list("response_id", "question_id", "choice__code", "commune_id", "text")
    )
    for response_id, question_id, choice_code, commune_id, text in answers:
        if choice_code is not None:
            value = choice_code
        elif commune_id is not None:
            value = commune_id
        elif kinds[question_id] == QuestionKind.COMMUNE:
            value = OUTSIDE + text
        else:
            value = text
        cells.setdefault(response_id, {}).setdefault(question_id, []).append(value)
    header = [*META_COLUMNS, *(code for _, code, _ in questions)]
    rows = []
    for response in responses:
        given = cells.get(response.pk, {})
        rows.append(
            [
                str(response.uuid),
                response.site.name,
                response.channel,
                response.mode,
                _moment(response.started_at),
                _moment(response.submitted_at),
                response.interviewer.get_username() if response.interviewer else "",
                (response.void_reason or "annulé") if response.voided_at else "",
                *(SEPARATOR.join(given.get(pk, [])) for pk, _, _ in questions),
            ]
        )
    return header, rows


def _moment(value: datetime.datetime | None) -> str:
    return timezone.localtime(value, PARIS).isoformat(timespec="seconds") if value else ""


def write_csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """UTF-8 with a BOM (so that Excel reads the accents), ``;``-separated."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_defuse(cell) for cell in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _defuse(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def write_xlsx(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Réponses")
    sheet.freeze_panes = "A2"
    titles = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        titles.append(cell)
    sheet.append(titles)
    for row in rows:
        sheet.append([_text_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text_cell(sheet: Any, value: str) -> WriteOnlyCell | None:
    if not value:
        return None
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"  # a remark starting with "=" stays a text, not a formula
    return cell


# --- reading a file --------------------------------------------------------------------


def read_table(file: File[Any]) -> list[Row]:
    """The rows of a CSV or XLSX file as {column: cell}; empty cells are "".

    ``rows[i]`` is line ``i + 2`` of the spreadsheet (line 1 is the header): blank rows are
    kept so that error messages give the line numbers the user sees.
    """
    name = (file.name or "").lower()
    data = file.read()
    if name.endswith(".csv"):
        table = _csv_cells(data)
    elif name.endswith(".xlsx"):
        table = _xlsx_cells(data)
    else:
        extension = name.rsplit(".", 1)[-1] if "." in name else ""
        raise ValidationError(
            f"Format non pris en charge{f' (.{extension})' if extension else ''} : "
            "enregistrez le fichier au format CSV ou XLSX."
        )
    while table and not any(cell.strip() for cell in table[-1]):
        table.pop()
    if not table:
        raise ValidationError("Le fichier est vide.")
    if len(table) > MAX_ROWS + 1:
        raise ValidationError(
            f"Le fichier dépasse {MAX_ROWS} questionnaires : découpez-le en plusieurs fichiers."
        )
    header = [title.strip().lower() for title in table[0]]
    kept = [i for i, title in enumerate(header) if title]
    for i, title in enumerate(header):
        if not title and any(i < len(row) and row[i].strip() for row in table[1:]):
            raise ValidationError(f"La colonne {i + 1} a des valeurs mais pas de titre.")
    doubles = sorted({header[i] for i in kept if header.count(header[i]) > 1})
    if doubles:
        raise ValidationError(f"Colonnes en double : {', '.join(doubles)}.")
    return [
        {header[i]: _undefuse(row[i]) if i < len(row) else "" for i in kept} for row in table[1:]
    ]


def _undefuse(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


UNREADABLE = "Fichier illisible : enregistrez-le de nouveau au format CSV ou XLSX."


def _csv_cells(data: bytes) -> list[list[str]]:
    if b"\x00" in data:
        raise ValidationError(UNREADABLE)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:  # Excel's "CSV (séparateur : point-virgule)" on Windows
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise ValidationError(UNREADABLE) from None
    first_line = text.split("\n", 1)[0]
    try:
        delimiter = csv.Sniffer().sniff(first_line, delimiters=";,").delimiter
    except csv.Error:
        delimiter = "," if first_line.count(",") > first_line.count(";") else ";"
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise ValidationError(UNREADABLE) from None


def _xlsx_cells(data: bytes) -> list[list[str]]:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # a damaged or foreign file raises any of a dozen kinds
        raise ValidationError(UNREADABLE) from None
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        return [[_cell_text(value) for value in row] for row in rows]
    except Exception:
        raise ValidationError(UNREADABLE) from None
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    """A typed cell as text: Excel turns "16015" into a number and "2016-10-10" into a date."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- import ----------------------------------------------------------------------------


@transaction.atomic
def import_responses(
    questionnaire: Questionnaire, rows: Sequence[Mapping[str, str]], *, user: User
) -> ImportResult:
    """Store every row of ``rows`` (as read by ``read_table``), or nothing.

    Raises ImportRefused with every row error (up to MAX_ERRORS), CampaignClosed or another
    ValidationError. A row whose uuid this questionnaire already holds is skipped unread,
    so re-importing an export creates nothing. Costs about 10 queries plus one per row
    naming a commune (``build_answers`` looks the row's communes up).
    """
    campaign = questionnaire.campaign
    campaign.check_accepts_responses()
    lines = [(i + 2, row) for i, row in enumerate(rows) if any(v.strip() for v in row.values())]
    if not lines:
        raise ValidationError("Le fichier ne contient aucun questionnaire.")
    spec = QuestionnaireSpec.load(questionnaire)
    columns = dict.fromkeys(column for _, row in lines for column in row)
    unknown = [c for c in columns if c not in META_COLUMNS and c not in spec.by_code]
    if unknown or "site" not in columns:
        raise ImportRefused(
            [
                RowError(
                    1,
                    c,
                    "ni une colonne commune (uuid, site…) ni une question de ce "
                    f"questionnaire ({questionnaire.title}).",
                )
                for c in unknown
            ]
            + ([] if "site" in columns else [RowError(1, "site", "colonne obligatoire absente.")])
        )
    reader = _RowReader(questionnaire, spec, lines, user)
    for line, row in lines:
        reader.read(line, row)
        if len(reader.errors) >= MAX_ERRORS:
            raise ImportRefused(reader.errors, truncated=True)
    if reader.errors:
        raise ImportRefused(reader.errors)
    try:
        with transaction.atomic():
            # Read again under a lock: the campaign may have been closed meanwhile.
            Campaign.objects.select_for_update().get(pk=campaign.pk).check_accepts_responses()
            bulk_create_with_history(reader.responses, Response, default_user=user)
            for response, answers in zip(reader.responses, reader.answers, strict=True):
                for answer in answers:
                    answer.response = response
            Answer.objects.bulk_create([a for answers in reader.answers for a in answers])
    except IntegrityError:
        raise ValidationError(
            "Un questionnaire de ce fichier a été enregistré par ailleurs pendant l'import : "
            "rien n'a été importé. Recommencez l'import."
        ) from None
    return ImportResult(
        created=len(reader.responses),
        already_present=reader.already_present,
        unknown_interviewers=tuple(sorted(reader.unknown_interviewers)),
    )


class _RowReader:
    """Turns rows into unsaved responses and answers, collecting errors. 4 queries."""

    def __init__(
        self,
        questionnaire: Questionnaire,
        spec: QuestionnaireSpec,
        lines: Sequence[tuple[int, Mapping[str, str]]],
        user: User,
    ) -> None:
        self.questionnaire, self.spec, self.user = questionnaire, spec, user
        organisation_id = questionnaire.campaign.organisation_id
        self.sites = {
            s.name.casefold(): s for s in Site.objects.filter(organisation_id=organisation_id)
        }
        names = {row.get("enqueteur", "").strip() for _, row in lines} - {""}
        self.members = {
            u.get_username(): u
            for u in get_user_model().objects.filter(
                username__in=names, memberships__organisation_id=organisation_id
            )
        }
        self.stored = dict(
            Response.objects.filter(
                uuid__in=[u for _, row in lines if (u := _uuid(row.get("uuid", ""))) is not None]
            ).values_list("uuid", "questionnaire_id")
        )
        self.now = timezone.now()
        self.seen: dict[uuid_module.UUID, int] = {}
        self.errors: list[RowError] = []
        self.responses: list[Response] = []
        self.answers: list[list[Answer]] = []
        self.already_present = 0
        self.unknown_interviewers: set[str] = set()

    def read(self, line: int, row: Mapping[str, str]) -> None:
        cell = {column: value.strip() for column, value in row.items()}
        errors_before = len(self.errors)

        def error(column: str, message: str) -> None:
            self.errors.append(RowError(line, column, message))

        key = _uuid(cell.get("uuid", "")) if cell.get("uuid") else uuid_module.uuid4()
        if key is None:
            error("uuid", f"« {cell['uuid']} » n'est pas un identifiant lisible.")
        elif key in self.stored:
            if self.stored[key] == self.questionnaire.pk:
                self.already_present += 1
                return
            error("uuid", "Cet identifiant est déjà pris par un autre questionnaire.")
        elif key in self.seen:
            error("uuid", f"le même identifiant figure déjà ligne {self.seen[key]}.")
        else:
            self.seen[key] = line
        channel = cell.get("canal", "")
        if channel and channel != self.questionnaire.channel:
            expected = self.questionnaire.channel
            error("canal", f"« {channel} » : ce questionnaire est celui du canal {expected}.")
        if cell.get("annule"):
            error(
                "annule",
                "un questionnaire annulé n'est pas importé : retirez la ligne du fichier "
                "(ou videz la cellule si ce questionnaire doit être compté).",
            )
        site = self.sites.get(cell.get("site", "").casefold())
        if site is None:
            error(
                "site",
                f"« {cell.get('site', '')} » n'est pas un site de l'organisation"
                if cell.get("site")
                else "le site est obligatoire.",
            )
        started = self._moment(cell, "recueilli_le", error)
        submitted = self._moment(cell, "envoye_le", error) or started or self.now
        if started and submitted and started > submitted:
            error("recueilli_le", "le questionnaire commence après son envoi (envoye_le).")
        name = cell.get("enqueteur", "")
        interviewer = self.members.get(name, self.user)
        if name and name not in self.members:
            self.unknown_interviewers.add(name)
        try:
            answers = build_answers(self.spec, self._answers(cell))
        except ValidationError as invalid:
            for code, messages in invalid.message_dict.items():
                for message in messages:
                    error("" if code == NON_FIELD else code, message)
            return
        if len(self.errors) > errors_before or key is None or site is None:
            return
        self.responses.append(
            Response(
                uuid=key,
                questionnaire=self.questionnaire,
                campaign_id=self.questionnaire.campaign_id,
                channel=self.questionnaire.channel,
                site=site,
                interviewer=interviewer,
                mode=EntryMode.IMPORT,
                started_at=started,
                submitted_at=submitted,
            )
        )
        self.answers.append(answers)

    def _answers(self, cell: Mapping[str, str]) -> dict[str, Any]:
        """Cells as ``build_answers`` reads them; an empty cell is no answer."""
        answers: dict[str, Any] = {}
        for code, question in self.spec.by_code.items():
            value = cell.get(code, "")
            if not value:
                continue
            if question.kind == QuestionKind.MULTIPLE:
                answers[code] = [part.strip() for part in value.split(SEPARATOR) if part.strip()]
            elif question.kind == QuestionKind.COMMUNE:
                if value.casefold().startswith(OUTSIDE):
                    answers[code] = {"outside": value[len(OUTSIDE) :].strip()}
                else:  # a spreadsheet drops the leading zero of 01001
                    answers[code] = {"insee": value.zfill(5) if value.isdigit() else value}
            else:
                answers[code] = value
        return answers

    @staticmethod
    def _moment(
        cell: Mapping[str, str], column: str, error: Callable[[str, str], None]
    ) -> datetime.datetime | None:
        raw = cell.get(column, "")
        if not raw:
            return None
        moment = parse_moment(raw)
        if moment is None:
            error(
                column,
                f"« {raw} » n'est pas une date lisible : écrivez par exemple 2016-10-10, "
                "2016-10-10T09:30 ou 10/10/2016 09:30.",
            )
        return moment


def parse_moment(raw: str) -> datetime.datetime | None:
    """An ISO 8601 (or French dd/mm/yyyy [hh:mm]) date or date-time; None if unreadable.

    A date alone means that day at noon, and a time without offset is Paris time.
    """
    try:
        day = parse_date(raw)  # before parse_datetime, which reads a date alone as midnight
        moment = datetime.datetime.combine(day, NOON) if day else parse_datetime(raw)
    except ValueError:
        return None
    if moment is None:
        moment = next((m for f in FRENCH_FORMATS if (m := _strptime(raw, f))), None)
    if moment is None and (french_day := _strptime(raw, "%d/%m/%Y")) is not None:
        moment = datetime.datetime.combine(french_day.date(), NOON)
    if moment is None:
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, PARIS)


def _strptime(raw: str, pattern: str) -> datetime.datetime | None:
    try:
        return datetime.datetime.strptime(raw, pattern)  # noqa: DTZ007 (made aware by caller)
    except ValueError:
        return None


def _uuid(raw: str) -> uuid_module.UUID | None:
    try:
        return uuid_module.UUID(raw.strip())
    except ValueError:
        return None
