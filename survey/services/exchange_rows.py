"""One row of a responses file (CSV, XLSX) read into an unsaved response and its answers,
or into errors: the cells' formats (``META_COLUMNS``, ``SEPARATOR``, ``OUTSIDE``) and
``RowReader``, used by ``survey.services.exchange.import_responses``. The format is described
in docs/formats.md."""

from __future__ import annotations

import datetime
import uuid as uuid_module
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext

from survey.communes import OUTSIDE_PREFIX, commune_cell
from survey.models import (
    Answer,
    EntryMode,
    Question,
    QuestionKind,
    Questionnaire,
    Response,
    Site,
)
from survey.spreadsheets import RowError, parse_moment, parse_uuid
from survey.vocabulary import AmbiguousName, Vocabulary, ambiguous_message

from .responses import NON_FIELD, QuestionnaireSpec, build_answers, question_label

META_COLUMNS = ("uuid", "site", "canal", "mode", "recueilli_le", "envoye_le", "enqueteur", "annule")
SEPARATOR = "|"  # between the codes of a multiple-choice answer
OUTSIDE = OUTSIDE_PREFIX  # prefix of a commune outside the département (survey.communes)


class RowReader:
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
