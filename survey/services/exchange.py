"""Responses to and from spreadsheets (CSV, XLSX): one row per questionnaire, one column per
question code. The format is described in docs/formats.md.

An import is all or nothing: every row goes through the entry validation (``build_answers``)
before anything is written, so a file is refused for the same reasons, with the same
messages (in the user's language), as a questionnaire typed on a tablet.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext
from simple_history.utils import bulk_create_with_history

from survey.models import (
    Answer,
    Campaign,
    QuestionKind,
    Questionnaire,
    Response,
)
from survey.spreadsheets import (
    ImportRefused,
    RowError,
    format_moment,
    non_blank_lines,
    read_every_line,
)
from survey.tallies import tally_responses

from .exchange_files import check_belongs_here
from .exchange_rows import META_COLUMNS, OUTSIDE, SEPARATOR, RowReader
from .responses import QuestionnaireSpec


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
    reader = RowReader(questionnaire, spec, lines, user)
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
