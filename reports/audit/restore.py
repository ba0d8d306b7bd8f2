"""The restore of an evidence pack into an empty database (``reports.audit.reproduce`` runs it in a
scratch database of its own): the snapshot ``donnees/campagne-<year>.json`` first (the
campaign, its organisation, its questionnaires and everything the report reads beyond
the answers, see ``reports.audit.snapshot``), then the pack's CSV files: the questionnaires filled
in, the remarks' codes, the mystery logs. All or nothing; a French ``RestoreError`` says
what cannot be restored.

Models are imported inside the functions (not for a layer's sake): the child process
``python -m reports.audit.reproduce`` imports this module before it configures Django.
"""

from __future__ import annotations

import datetime
import json
import uuid as uuid_module
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from survey.models import Campaign

SNAPSHOT_PREFIX = "donnees/campagne-"
SEPARATOR = "|"  # between the codes of a multiple-choice answer (survey.services.exchange)
OUTSIDE = "hors:"  # a commune outside the département (survey.services.exchange)
CODES_SEPARATOR = " | "  # between the categories of a coded remark (reports.audit.evidence)


class RestoreError(Exception):
    """The pack's data cannot be restored (message in French)."""


def _moment(value: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(value) if value else None


def _day(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _decimal(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


def _table(files: Mapping[str, bytes], name: str) -> list[dict[str, str]]:
    """A CSV of the pack as rows, read as the imports read it."""
    from django.core.files.base import ContentFile

    from survey.read_limits import UNLIMITED
    from survey.spreadsheet_files import read_table

    if name not in files:
        raise RestoreError(f"Le dossier ne contient pas le fichier {name}.")
    return read_table(ContentFile(files[name], name=name), limits=UNLIMITED)


def restore(files: Mapping[str, bytes]) -> Campaign:
    """Write the pack's data into the (empty) database: the campaign, its previous one if
    the comparisons read it, and everything their report reads. All or nothing."""
    from django.db import transaction

    names = [n for n in files if n.startswith(SNAPSHOT_PREFIX) and n.endswith(".json")]
    if len(names) != 1:
        raise RestoreError("Le dossier ne contient pas les données de la campagne.")
    try:
        snapshot = json.loads(files[names[0]].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise RestoreError(f"{names[0]} n'est pas un fichier JSON lisible.") from None
    from .snapshot import FORMAT, VERSION

    if snapshot.get("format") != FORMAT or snapshot.get("version") != VERSION:
        raise RestoreError(f"{names[0]} n'est pas au format attendu ({FORMAT}, version {VERSION}).")
    with transaction.atomic():
        return _Restorer(snapshot, files).run()


class _Restorer:
    def __init__(self, snapshot: dict[str, Any], files: Mapping[str, bytes]) -> None:
        from django.contrib.auth import get_user_model

        self.snapshot, self.files = snapshot, files
        self.organisation_id: int = snapshot["organisation"]["pk"]
        user = get_user_model()(username="reproduction")
        user.set_unusable_password()
        user.save()
        self.user = user

    def run(self) -> Campaign:
        from survey.tallies import rebuild

        data = self.snapshot
        self._reference()
        previous = data.get("previous_campaign")
        if previous is not None:
            self._previous(previous)
        campaign = self._campaign(data["campaign"])
        self._questionnaires(campaign.pk, data["questionnaires"])
        year = campaign.year
        for questionnaire in sorted(data["questionnaires"], key=lambda q: q["channel"]):
            self._responses(campaign, questionnaire, f"reponses/questionnaires-{year}-")
        rebuild(campaign)
        self._remark_codes(campaign, f"remarques/remarques-codees-{year}.csv")
        self._mystery_logs(
            campaign,
            _table(self.files, f"mysteres/appels-mysteres-{year}.csv"),
            _table(self.files, f"mysteres/courriels-mysteres-{year}.csv"),
        )
        self._report(campaign)
        self._close(campaign, data["campaign"])
        return campaign

    # --- what the organisation keeps from year to year ---------------------------------------

    def _reference(self) -> None:
        from mystery.models import EmailTheme, MysteryService
        from reports.models import PublishedFigure, RemarkCategory, WebFigure
        from survey.models import (
            Arrondissement,
            Commune,
            Engagement,
            Epci,
            Framework,
            Organisation,
            Site,
            fold,
        )

        data, org = self.snapshot, self.organisation_id
        Organisation.objects.create(
            pk=org,
            name=data["organisation"]["name"],
            departement_code=data["organisation"]["departement_code"],
        )
        Site.objects.bulk_create(Site(organisation_id=org, **site) for site in data["sites"])
        Arrondissement.objects.bulk_create(Arrondissement(**a) for a in data["arrondissements"])
        Epci.objects.bulk_create(Epci(**e) for e in data["epcis"])
        Commune.objects.bulk_create(
            Commune(search_name=fold(c["name"]), **c) for c in data["communes"]
        )
        for framework in data["frameworks"]:
            engagements = framework.pop("engagements")
            Framework.objects.create(**framework)
            Engagement.objects.bulk_create(
                Engagement(framework_id=framework["pk"], **e) for e in engagements
            )
        RemarkCategory.objects.bulk_create(
            RemarkCategory(organisation_id=org, **c) for c in data["remark_categories"]
        )
        MysteryService.objects.bulk_create(
            MysteryService(organisation_id=org, **s) for s in data["mystery_services"]
        )
        EmailTheme.objects.bulk_create(
            EmailTheme(organisation_id=org, **t) for t in data["email_themes"]
        )
        PublishedFigure.objects.bulk_create(
            PublishedFigure(organisation_id=org, **{**f, "rate": _decimal(f["rate"])})
            for f in data["published_figures"]
        )
        WebFigure.objects.bulk_create(
            WebFigure(organisation_id=org, **f) for f in data["web_figures"]
        )

    def _campaign(self, data: Mapping[str, Any]) -> Campaign:
        """The campaign, open for its logs to be imported; closed by ``_close``."""
        from survey.models import Campaign, CampaignStatus

        return Campaign.objects.create(
            pk=data["pk"],
            organisation_id=self.organisation_id,
            year=data["year"],
            title=data["title"],
            start_date=datetime.date.fromisoformat(data["start_date"]),
            end_date=datetime.date.fromisoformat(data["end_date"]),
            objective=Decimal(data["objective"]),
            orange_band=Decimal(data["orange_band"]),
            mystery_rings=data["mystery_rings"],
            mystery_working_days=data["mystery_working_days"],
            status=CampaignStatus.OPEN,
            opened_at=_moment(data["opened_at"]),
        )

    def _close(self, campaign: Campaign, data: Mapping[str, Any]) -> None:
        from survey.models import Campaign

        Campaign.objects.filter(pk=campaign.pk).update(
            status=data["status"], closed_at=_moment(data["closed_at"])
        )

    def _questionnaires(
        self, campaign_id: int, questionnaires: Sequence[Mapping[str, Any]]
    ) -> None:
        """Questionnaires, sections, questions, choices and engagements, with their keys.
        Written in bulk: a model's ``save`` would bump the revision the snapshot gives."""
        from survey.models import Choice, Question, Questionnaire, Section

        through = Question.engagements.through
        links, questions, choices, sections = [], [], [], []
        for data in questionnaires:
            Questionnaire.objects.bulk_create(
                [
                    Questionnaire(
                        pk=data["pk"],
                        campaign_id=campaign_id,
                        channel=data["channel"],
                        title=data["title"],
                        introduction=data["introduction"],
                        revision=data["revision"],
                    )
                ]
            )
            sections += [Section(questionnaire_id=data["pk"], **s) for s in data["sections"]]
            for question in data["questions"]:
                fields = {k: v for k, v in question.items() if k not in ("choices", "engagements")}
                questions.append(Question(questionnaire_id=data["pk"], **fields))
                choices += [Choice(question_id=question["pk"], **c) for c in question["choices"]]
                links += [
                    through(question_id=question["pk"], engagement_id=engagement)
                    for engagement in question.get("engagements", [])
                ]
        Section.objects.bulk_create(sections)
        Question.objects.bulk_create(questions)
        Choice.objects.bulk_create(choices)
        through.objects.bulk_create(links)

    # --- the questionnaires filled in ---------------------------------------------------------

    def _responses(self, campaign: Campaign, questionnaire: Mapping[str, Any], stem: str) -> None:
        """One questionnaire's responses and answers from its raw answers' CSV."""
        from survey.models import CHOICE_KINDS, Answer, QuestionKind, Response, Site
        from survey.spreadsheets import parse_moment

        channel = questionnaire["channel"]
        rows = _table(self.files, f"{stem}{channel}.csv")
        sites = {s.name: s.pk for s in Site.objects.filter(organisation_id=self.organisation_id)}
        questions = {q["code"]: q for q in questionnaire["questions"]}
        choices = {
            (q["code"], c["code"]): c["pk"]
            for q in questionnaire["questions"]
            for c in q["choices"]
        }
        received = self.snapshot["responses"]["received_at"]
        voided = self.snapshot["responses"]["voided_at"]
        responses: list[Response] = []
        answers: list[list[Answer]] = []
        for line, row in enumerate(rows, start=2):
            key = row.get("uuid", "")
            if row.get("site", "") not in sites:
                raise RestoreError(f"{stem}{channel}.csv, ligne {line} : site inconnu.")
            submitted = parse_moment(row.get("envoye_le", ""))
            if submitted is None:
                raise RestoreError(f"{stem}{channel}.csv, ligne {line} : envoye_le illisible.")
            cancelled = row.get("annule", "")
            responses.append(
                Response(
                    uuid=uuid_module.UUID(key),
                    campaign_id=campaign.pk,
                    questionnaire_id=questionnaire["pk"],
                    channel=channel,
                    site_id=sites[row["site"]],
                    mode=row.get("mode", ""),
                    started_at=parse_moment(row.get("recueilli_le", "")),
                    submitted_at=submitted,
                    voided_at=(_moment(voided.get(key)) or submitted) if cancelled else None,
                    void_reason=cancelled,
                )
            )
            given: list[Answer] = []
            for code, question in questions.items():
                value = row.get(code, "")
                if not value:
                    continue
                if question["kind"] in CHOICE_KINDS:
                    for part in value.split(SEPARATOR):
                        if (code, part) not in choices:
                            raise RestoreError(
                                f"{stem}{channel}.csv, ligne {line}, colonne {code} : "
                                f"« {part} » n'est pas un choix de la question."
                            )
                        given.append(
                            Answer(question_id=question["pk"], choice_id=choices[(code, part)])
                        )
                elif question["kind"] == QuestionKind.COMMUNE and value.startswith(OUTSIDE):
                    given.append(Answer(question_id=question["pk"], text=value[len(OUTSIDE) :]))
                elif question["kind"] == QuestionKind.COMMUNE:
                    given.append(Answer(question_id=question["pk"], commune_id=value))
                else:
                    given.append(Answer(question_id=question["pk"], text=value))
            answers.append(given)
        Response.objects.bulk_create(responses, batch_size=500)
        # The receipt moment is set on insert; the collection day of a questionnaire
        # without a start is that of its receipt.
        for response in responses:
            response.received_at = (
                _moment(received.get(str(response.uuid))) or response.submitted_at
            )
        Response.objects.bulk_update(responses, ["received_at"], batch_size=500)
        for response, given in zip(responses, answers, strict=True):
            for answer in given:
                answer.response_id = response.pk
        Answer.objects.bulk_create([a for given in answers for a in given], batch_size=2000)

    def _remark_codes(self, campaign: Campaign, name: str) -> None:
        from reports.models import RemarkCode
        from reports.remarks import REMARK_QUESTION
        from survey.models import Answer

        remarks = dict(
            Answer.objects.filter(
                response__campaign=campaign, question__code=REMARK_QUESTION
            ).values_list("response__uuid", "pk")
        )
        codes = []
        for line, row in enumerate(_table(self.files, name), start=2):
            ids = [
                c for c in row.get("id_categories", "").split(CODES_SEPARATOR.strip()) if c.strip()
            ]
            if not ids:
                continue
            try:
                answer = remarks[uuid_module.UUID(row["uuid_questionnaire"])]
            except (KeyError, ValueError):
                raise RestoreError(
                    f"{name}, ligne {line} : aucune remarque de ce questionnaire."
                ) from None
            codes += [RemarkCode(answer_id=answer, category_id=int(c)) for c in ids]
        RemarkCode.objects.bulk_create(codes)

    def _mystery_logs(
        self,
        campaign: Campaign,
        calls: list[dict[str, str]],
        emails: list[dict[str, str]],
    ) -> None:
        """The logs, read by their own import (the senders' mailboxes left out)."""
        from django.core.exceptions import ValidationError

        from mystery.exchange_calls import import_calls
        from mystery.exchange_emails import import_emails

        emails = [{**row, "boite_envoi": ""} for row in emails]
        try:
            if any(any(v.strip() for v in row.values()) for row in calls):
                import_calls(campaign, calls, user=self.user)
            if any(any(v.strip() for v in row.values()) for row in emails):
                import_emails(campaign, emails, user=self.user)
        except ValidationError as error:
            raise RestoreError(
                f"Les tests mystères de la campagne {campaign.year} ne se restaurent pas : "
                + " ".join(str(m) for m in error.messages[:3])
            ) from None

    # --- the report's own data ---------------------------------------------------------------

    def _report(self, campaign: Campaign) -> None:
        from .models import ImprovementAction, SectionText

        data = self.snapshot
        SectionText.objects.bulk_create(
            SectionText(campaign_id=campaign.pk, **t) for t in data["section_texts"]
        )
        ImprovementAction.objects.bulk_create(
            ImprovementAction(
                organisation_id=self.organisation_id, **{**a, "due_date": _day(a["due_date"])}
            )
            for a in data["improvement_actions"]
        )

    # --- the previous campaign ---------------------------------------------------------------

    def _previous(self, data: Mapping[str, Any]) -> None:
        """The previous campaign: its questionnaires, its tallies, its mystery logs."""
        from django.db.models import DateField

        from survey.models import AnswerTally

        campaign = self._campaign(data["campaign"])
        self._questionnaires(campaign.pk, data["questionnaires"])
        header = data["tallies"]["header"]
        dates = {f.attname for f in AnswerTally._meta.concrete_fields if isinstance(f, DateField)}
        AnswerTally.objects.bulk_create(
            (
                AnswerTally(
                    campaign_id=campaign.pk,
                    **{
                        name: _day(value) if name in dates else value
                        for name, value in zip(header, row, strict=True)
                    },
                )
                for row in data["tallies"]["rows"]
            ),
            batch_size=2000,
        )
        self._mystery_logs(
            campaign,
            [dict(zip(data["calls"]["header"], row, strict=True)) for row in data["calls"]["rows"]],
            [
                dict(zip(data["emails"]["header"], row, strict=True))
                for row in data["emails"]["rows"]
            ],
        )
        self._close(campaign, data["campaign"])
