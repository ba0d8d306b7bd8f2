"""Responses to and from spreadsheets (CSV, XLSX): one row per questionnaire, one column per
question code. The format is described in docs/formats.md.

An import is all or nothing: every row goes through the entry validation (``build_answers``)
before anything is written, so a file is refused for the same reasons, with the same
messages (in the user's language), as a questionnaire typed on a tablet.
"""

from __future__ import annotations

import datetime
import uuid as uuid_module
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from simple_history.utils import bulk_create_with_history

from survey.communes import OUTSIDE_PREFIX, commune_cell
from survey.models import (
    Answer,
    Campaign,
    EntryMode,
    Question,
    QuestionKind,
    Questionnaire,
    Response,
    Site,
)
from survey.spreadsheets import (
    AmbiguousName,
    ImportRefused,
    RowError,
    Vocabulary,
    ambiguous_message,
    format_moment,
    non_blank_lines,
    parse_moment,
    parse_uuid,
    read_every_line,
)
from survey.tallies import tally_responses

from .responses import NON_FIELD, QuestionnaireSpec, build_answers, question_label

META_COLUMNS = ("uuid", "site", "canal", "mode", "recueilli_le", "envoye_le", "enqueteur", "annule")
SEPARATOR = "|"  # between the codes of a multiple-choice answer
OUTSIDE = OUTSIDE_PREFIX  # prefix of a commune outside the département (survey.communes)


@dataclass(frozen=True)
class ImportResult:
    created: int
    already_present: int
    # Usernames of the `enqueteur` column that are no member of the organisation: their
    # questionnaires are attributed to the importing user.
    unknown_interviewers: tuple[str, ...] = ()


# --- export ----------------------------------------------------------------------------


EXPORT_CHUNK = 2_000  # responses read at a time by an export: bounds its memory


def export_rows(
    questionnaire: Questionnaire, *, chunk: int = EXPORT_CHUNK
) -> tuple[list[str], ExportRows]:
    """Header and one row per response, voided ones included (``annule`` gives the reason).

    The rows are read lazily, ``chunk`` responses at a time, and may be read again (each
    reading queries again): see ``ExportRows``. Costs 1 query (questions) here.
    """
    questions = list(questionnaire.questions.order_by("order").values_list("pk", "code", "kind"))
    header = [*META_COLUMNS, *(code for _, code, _ in questions)]
    return header, ExportRows(questionnaire.pk, questions, chunk)


class ExportRows:
    """The export's rows, responses ordered by (submitted_at, pk), read ``chunk`` at a time:
    the memory held is bounded by the chunk, not by the number of responses.

    Each iteration reads the database again: 2 queries per chunk (the chunk's responses,
    then their answers), plus one that finds nothing more when the number of responses is
    a multiple of ``chunk`` (none included). The chunks follow each other by keyset
    (``submitted_at``, ``pk``), so a response added while reading is not read twice.
    """

    def __init__(
        self, questionnaire_id: int, questions: Sequence[tuple[int, str, str]], chunk: int
    ) -> None:
        if chunk < 1:
            raise ValueError("chunk must be positive")
        self.questionnaire_id = questionnaire_id
        self.questions = list(questions)
        self.chunk = chunk

    def count(self) -> int:
        """How many rows an iteration gives, now: one query."""
        return Response.objects.filter(questionnaire_id=self.questionnaire_id).count()

    def __iter__(self) -> Iterator[list[str]]:
        kinds = {pk: kind for pk, _, kind in self.questions}
        question_ids = list(kinds)
        none: dict[int, str] = {}
        username = f"interviewer__{get_user_model().USERNAME_FIELD}"
        responses = (
            Response.objects.filter(questionnaire_id=self.questionnaire_id)
            .order_by("submitted_at", "pk")
            .values_list(
                "pk",
                "submitted_at",
                "uuid",
                "site__name",
                "channel",
                "mode",
                "started_at",
                "interviewer_id",
                username,
                "voided_at",
                "void_reason",
            )
        )
        after: Q | None = None
        while True:
            page = list((responses.filter(after) if after else responses)[: self.chunk])
            if not page:
                return
            cells = self._cells([r[0] for r in page], kinds)
            for pk, submitted_at, uuid, site, channel, mode, started_at, *rest in page:
                interviewer_id, interviewer, voided_at, void_reason = rest
                given = cells.get(pk, none)
                yield [
                    str(uuid),
                    site,
                    channel,
                    mode,
                    format_moment(started_at),
                    format_moment(submitted_at),
                    interviewer if interviewer_id is not None else "",
                    (void_reason or "annulé") if voided_at else "",
                    *[given.get(q, "") for q in question_ids],
                ]
            if len(page) < self.chunk:
                return
            last_pk, last_at = page[-1][0], page[-1][1]
            after = Q(submitted_at__gt=last_at) | Q(submitted_at=last_at, pk__gt=last_pk)

    @staticmethod
    def _cells(response_ids: list[int], kinds: Mapping[int, str]) -> dict[int, dict[int, str]]:
        """{response: {question: cell}} for these responses, one query; the codes of a
        multiple-choice answer in the choices' order, joined with SEPARATOR."""
        cells: dict[int, dict[int, str]] = {}
        communes = {pk for pk, kind in kinds.items() if kind == QuestionKind.COMMUNE}
        # Question ids belong to this questionnaire alone: filtering on them as well keeps
        # the answers exactly those the questions of the header read.
        answers = (
            Answer.objects.filter(response_id__in=response_ids, question_id__in=kinds)
            .order_by("response_id", "question_id", "choice__order")
            .values_list("response_id", "question_id", "choice__code", "commune_id", "text")
        )
        given: dict[int, str] = {}
        current = None
        for response_id, question_id, choice_code, commune_id, text in answers:
            if choice_code is not None:
                value = choice_code
            elif commune_id is not None:
                value = commune_id
            elif question_id in communes:
                value = OUTSIDE + text
            else:
                value = text
            if response_id != current:  # a response's answers come together
                current = response_id
                given = cells[response_id] = {}
            before = given.get(question_id)
            given[question_id] = value if before is None else before + SEPARATOR + value
        return cells


# --- import ----------------------------------------------------------------------------


@transaction.atomic
def import_responses(
    questionnaire: Questionnaire, rows: Sequence[Mapping[str, str]], *, user: User
) -> ImportResult:
    """Store every row of ``rows`` (as read by ``read_table``), or nothing.

    Raises ImportRefused with every row error (up to MAX_ERRORS), CampaignClosed or another
    ValidationError. A row whose uuid this questionnaire already holds is skipped unread,
    so re-importing an export creates nothing. Costs about 10 queries plus one per row
    naming a commune (``build_answers`` looks the row's communes up), and the indicators'
    tallies of the new questionnaires, one statement (survey/tallies.py).
    """
    campaign = questionnaire.campaign
    campaign.check_accepts_responses()
    lines = non_blank_lines(rows)
    if not lines:
        raise ValidationError(gettext("Le fichier ne contient aucun questionnaire."))
    spec = QuestionnaireSpec.load(questionnaire)
    columns = dict.fromkeys(column for _, row in lines for column in row)
    check_belongs_here(questionnaire, spec, columns, lines)
    unknown = [c for c in columns if c not in META_COLUMNS and c not in spec.by_code]
    if unknown or "site" not in columns:
        raise ImportRefused(
            [
                RowError(
                    1,
                    c,
                    gettext(
                        "ni une colonne commune (uuid, site…) ni une question de ce "
                        "questionnaire (%(title)s)."
                    )
                    % {"title": questionnaire.title},
                )
                for c in unknown
            ]
            + (
                []
                if "site" in columns
                else [RowError(1, "site", gettext("colonne obligatoire absente."))]
            )
        )
    reader = _RowReader(questionnaire, spec, lines, user)
    read_every_line(lines, reader.read, reader.errors)
    try:
        with transaction.atomic():
            # Read again under a lock: the campaign may have been closed meanwhile.
            Campaign.objects.select_for_update().get(pk=campaign.pk).check_accepts_responses()
            bulk_create_with_history(reader.responses, Response, default_user=user)
            for response, answers in zip(reader.responses, reader.answers, strict=True):
                for answer in answers:
                    answer.response = response
            Answer.objects.bulk_create([a for answers in reader.answers for a in answers])
            # The indicators' tallies, in this transaction: one INSERT … SELECT.
            tally_responses(reader.responses)
    except IntegrityError:
        raise ValidationError(
            gettext(
                "Un questionnaire de ce fichier a été enregistré par ailleurs pendant "
                "l'import : rien n'a été importé. Recommencez l'import."
            )
        ) from None
    return ImportResult(
        created=len(reader.responses),
        already_present=reader.already_present,
        unknown_interviewers=tuple(sorted(reader.unknown_interviewers)),
    )


# --- a file meant for another page ------------------------------------------------------


class WrongFile(ValidationError):
    """A file meant for another import page (another questionnaire's, a mystery log):
    refused once, saying whose it is, rather than column by column. ``link()`` is that
    page, for the refusal to link to: its URL name, the pk it takes, the link's text."""

    def __init__(self, message: str, *, view: str, pk: int, label: str) -> None:
        super().__init__(message, code="wrong_file")
        self.view, self.pk, self.label = view, pk, label

    def link(self) -> dict[str, Any]:
        return {"view": self.view, "pk": self.pk, "label": self.label}


@dataclass(frozen=True)
class OtherFile:
    """A kind of file a quality manager may drop on a responses import page by mistake,
    told by its columns: ``name`` says what it is ("le journal des appels mystères"),
    ``view`` is its import page (a URL name taking the campaign's pk), ``label`` that
    page's title."""

    name: Any
    columns: frozenset[str]
    view: str
    label: Any


# By import page, filled by the apps whose files these are (mystery/apps.py): survey may
# not import them.
OTHER_FILES: dict[str, OtherFile] = {}
SHOWN_COLUMNS = 5  # columns a refusal names at most


def check_belongs_here(
    questionnaire: Questionnaire,
    spec: QuestionnaireSpec,
    columns: Iterable[str],
    lines: Sequence[tuple[int, Mapping[str, str]]],
) -> None:
    """Raise WrongFile if the file is another questionnaire's or another kind of file.

    Another questionnaire of the organisation fits the file better when fewer of its
    question columns are unknown to it, or as few and its channel is the one the ``canal``
    column names (a phone questionnaire's file shares all but one of its columns with the
    hall's, and says canal=phone); at equal fit, one of this campaign, then the latest.
    Another campaign's questionnaire is compared only if of another channel (question codes
    stay from one year to the next: last year's file of this channel fits here). A file
    none of whose columns is a question here may be one of ``OTHER_FILES`` (a mystery log).
    No query when every column is a question of this questionnaire and ``canal`` names its
    channel; else 2.
    """
    columns = list(columns)
    asked = [c for c in columns if c not in META_COLUMNS]
    channels = {row.get("canal", "") for _, row in lines} - {""}

    def fit(codes: Collection[str], channel: str) -> tuple[int, bool]:
        return (
            sum(column not in codes for column in asked),
            bool(channels) and channels != {channel},
        )

    here = fit(spec.by_code, questionnaire.channel)
    if here == (0, False):
        return
    if here[0] == len(asked):  # not one question of this questionnaire
        _check_other_files(questionnaire, columns)
    organisation_id = questionnaire.campaign.organisation_id
    codes: dict[int, set[str]] = {}
    for questionnaire_id, code in (
        Question.objects.filter(questionnaire__campaign__organisation_id=organisation_id)
        .exclude(questionnaire=questionnaire)
        .values_list("questionnaire_id", "code")
    ):
        codes.setdefault(questionnaire_id, set()).add(code)
    candidates = [
        other
        for other in Questionnaire.objects.filter(pk__in=codes).select_related("campaign")
        if other.campaign_id == questionnaire.campaign_id or other.channel != questionnaire.channel
    ]
    better = [
        (score, other.campaign_id != questionnaire.campaign_id, -other.campaign.year, other.pk)
        for other in candidates
        if (score := fit(codes[other.pk], other.channel)) < here and score[0] < len(asked)
    ]
    if not better:
        return
    best = next(o for o in candidates if o.pk == min(better)[3])
    theirs = [c for c in asked if c in codes[best.pk] and c not in spec.by_code]
    evidence = []
    if theirs:
        evidence.append(
            gettext("colonnes %(columns)s") % {"columns": _shown(theirs)}
            if len(theirs) > 1
            else gettext("colonne %(columns)s") % {"columns": theirs[0]}
        )
    if here[1]:
        evidence.append(gettext("canal %(channel)s") % {"channel": ", ".join(sorted(channels))})
    campaign = (
        ""
        if best.campaign_id == questionnaire.campaign_id
        else gettext(" de la campagne « %(campaign)s »") % {"campaign": best.campaign.title}
    )
    raise WrongFile(
        gettext(
            "Ce fichier est celui du questionnaire « %(other)s »%(campaign)s (%(evidence)s), "
            "pas de « %(here)s » : importez-le depuis la page d'import du questionnaire "
            "« %(other)s »."
        )
        % {
            "other": best.title,
            "campaign": campaign,
            "evidence": " ; ".join(evidence),
            "here": questionnaire.title,
        },
        view="survey:import",
        pk=best.pk,
        label=gettext("Importer dans « %(title)s »") % {"title": best.title},
    )


def _check_other_files(questionnaire: Questionnaire, columns: Sequence[str]) -> None:
    """Raise WrongFile if most of the file's columns are those of one of ``OTHER_FILES``
    (the one with the most of them)."""
    matches = [
        ([c for c in columns if c in other.columns], other) for other in OTHER_FILES.values()
    ]
    theirs, other = max(matches, key=lambda match: len(match[0]), default=([], None))
    if other is None or len(theirs) < max(3, (len(columns) + 1) // 2):
        return
    raise WrongFile(
        gettext(
            "Ce fichier est %(name)s (colonnes %(columns)s), pas un fichier de "
            "questionnaires : importez-le depuis la page « %(page)s » de la campagne."
        )
        % {"name": other.name, "columns": _shown(theirs), "page": other.label},
        view=other.view,
        pk=questionnaire.campaign_id,
        label=str(other.label),
    )


def _shown(columns: Sequence[str]) -> str:
    shown = ", ".join(columns[:SHOWN_COLUMNS])
    return shown + ("…" if len(columns) > SHOWN_COLUMNS else "")


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
        self.zone = questionnaire.campaign.zone  # of the moments written without offset
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
                uuid__in=[
                    u for _, row in lines if (u := parse_uuid(row.get("uuid", ""))) is not None
                ]
            ).values_list("uuid", "questionnaire_id")
        )
        # Each choice question's codes and labels: a cell may name a choice by either.
        self.vocabularies = {
            question.code: Vocabulary(
                (choice.code, choice.label) for choice in spec.choices[question.pk].values()
            )
            for question in spec.questions
            if question.has_choices
        }
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

        key = parse_uuid(cell.get("uuid", "")) if cell.get("uuid") else uuid_module.uuid4()
        if key is None:
            error(
                "uuid",
                gettext("« %(value)s » n'est pas un identifiant lisible.")
                % {"value": cell["uuid"]},
            )
        elif key in self.stored:
            if self.stored[key] == self.questionnaire.pk:
                self.already_present += 1
                return
            error("uuid", gettext("Cet identifiant est déjà pris par un autre questionnaire."))
        elif key in self.seen:
            error(
                "uuid",
                gettext("le même identifiant figure déjà ligne %(line)s.")
                % {"line": self.seen[key]},
            )
        else:
            self.seen[key] = line
        channel = cell.get("canal", "")
        if channel and channel != self.questionnaire.channel:
            error(
                "canal",
                gettext("« %(value)s » : ce questionnaire est celui du canal %(channel)s.")
                % {"value": channel, "channel": self.questionnaire.channel},
            )
        if cell.get("annule"):
            error(
                "annule",
                gettext(
                    "un questionnaire annulé n'est pas importé : retirez la ligne du fichier "
                    "(ou videz la cellule si ce questionnaire doit être compté)."
                ),
            )
        site = self.sites.get(cell.get("site", "").casefold())
        if site is None:
            error(
                "site",
                gettext("« %(value)s » n'est pas un site de l'organisation")
                % {"value": cell["site"]}
                if cell.get("site")
                else gettext("le site est obligatoire."),
            )
        started = self._moment(cell, "recueilli_le", error)
        given = self._moment(cell, "envoye_le", error)
        submitted = given or started or self.now
        try:  # a start after the sending is told on recueilli_le
            self.questionnaire.campaign.check_response_moments(
                started_at=started, submitted_at=given, now=self.now
            )
        except ValidationError as invalid:
            columns = {"started_at": "recueilli_le", "submitted_at": "envoye_le"}
            for field, messages in invalid.message_dict.items():
                for message in messages:
                    error(columns.get(field, "recueilli_le"), message)
        name = cell.get("enqueteur", "")
        interviewer = self.members.get(name, self.user)
        if name and name not in self.members:
            self.unknown_interviewers.add(name)
        given_answers, unreadable = self._answers(cell)
        try:
            answers = build_answers(self.spec, given_answers)
        except ValidationError as invalid:
            answers = []
            told = invalid.message_dict
        else:
            told = {}
        # A cell this reader could not read is left out of the answers: what it says
        # replaces what build_answers says of the missing answer ("réponse obligatoire").
        told |= {code: [message] for code, message in unreadable.items()}
        for code, messages in told.items():
            for message in messages:
                error("" if code == NON_FIELD else code, message)
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

    def _answers(self, cell: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
        """Cells as ``build_answers`` reads them (an empty cell is no answer), and the
        message of each cell that cannot be read, by question code."""
        answers: dict[str, Any] = {}
        unreadable: dict[str, str] = {}
        for code, question in self.spec.by_code.items():
            value = cell.get(code, "")
            if not value:
                continue
            if question.has_choices:
                multiple = question.kind == QuestionKind.MULTIPLE
                parts = value.split(SEPARATOR) if multiple else [value]
                try:
                    codes = self._choices(question, [part for part in parts if part.strip()])
                except ValidationError as invalid:
                    unreadable[code] = invalid.messages[0]
                    continue
                answers[code] = codes if multiple else codes[0]
            elif question.kind == QuestionKind.COMMUNE:
                try:
                    answers[code] = commune_cell(value)
                except ValidationError as invalid:
                    unreadable[code] = invalid.messages[0]
            else:
                answers[code] = value
        return answers, unreadable

    def _choices(self, question: Question, parts: Sequence[str]) -> list[str]:
        """The codes of the choices ``parts`` name, each by its code or by its label
        (``Vocabulary``); a ValidationError names the parts that name no choice, or one
        that names several, with the choices and their labels."""
        vocabulary = self.vocabularies[question.code]
        codes, unknown = [], []
        for part in parts:
            try:
                code = vocabulary.find(part)
            except AmbiguousName as ambiguous:
                raise ValidationError(ambiguous_message(part, ambiguous, vocabulary)) from None
            if code is None:
                unknown.append(part.strip())
            else:
                codes.append(code)
        if unknown:
            raise ValidationError(
                gettext(
                    "« %(given)s » n'est pas un choix de %(question)s. Choix possibles : "
                    "%(choices)s."
                )
                % {
                    "given": ", ".join(unknown),
                    "question": question_label(question),
                    "choices": vocabulary.described(),
                }
            )
        return codes

    def _moment(
        self, cell: Mapping[str, str], column: str, error: Callable[[str, str], None]
    ) -> datetime.datetime | None:
        raw = cell.get(column, "")
        if not raw:
            return None
        moment = parse_moment(raw, self.zone)
        if moment is None:
            error(
                column,
                gettext(
                    "« %(value)s » n'est pas une date lisible : écrivez par exemple "
                    "2016-10-10, 2016-10-10T09:30 ou 10/10/2016 09:30."
                )
                % {"value": raw},
            )
        return moment
