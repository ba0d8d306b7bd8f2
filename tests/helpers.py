"""What several test modules build the same way: filed questionnaires, the entry API's
requests, import files, coded remarks. One definition each, so that no test module imports
another (importing one drags its fixtures and module-level state along, and an edit made
for its own tests silently changes the tests of the modules that borrow from it).

Mystery calls and e-mails: tests/helpers_mystery.py; what a tablet sends, free of Django:
tests/helpers_answers.py; fixtures: tests/conftest.py."""

from __future__ import annotations

import datetime
import html
import json
import uuid
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_tasks_db.management.commands.db_worker import Worker

from reports import remarks
from reports.models import RemarkCategory
from survey.communes import load_communes
from survey.models import Answer, Campaign, Channel, Organisation, Questionnaire, Response, Site
from survey.services.campaigns import FIXTURES, create_campaign
from survey.services.responses import QuestionnaireSpec, Submission, submit_response
from survey.spreadsheets import write_csv, write_xlsx

from .factories import MembershipFactory, ResponseFactory, SiteFactory, UserFactory
from .helpers_answers import cells, complete_answers, tablet_payload

PARIS_SUMMER = datetime.timezone(datetime.timedelta(hours=2))
MONDAY = datetime.datetime(2016, 10, 3, 10, 0, tzinfo=PARIS_SUMMER)
WRITERS = {"csv": write_csv, "xlsx": write_xlsx}


def text(response: Any) -> str:
    """A page's HTML with its entities decoded, as a reader sees its words."""
    return html.unescape(response.content.decode())


# --- questionnaires filed on the server ------------------------------------------------------


def open_canonical_campaign(organisation: Organisation, year: int = 2016) -> Campaign:
    """An open campaign with the canonical questionnaires, and the Charente communes."""
    load_communes(FIXTURES / "communes" / "charente_communes_cog2026.csv")
    campaign = create_campaign(
        organisation=organisation,
        year=year,
        title=f"Enquête {year}",
        start_date=datetime.date(year, 10, 3),
        end_date=datetime.date(year, 10, 14),
        objective=Decimal(75),
        orange_band=Decimal(5),
        canonical=True,
    )
    campaign.open()
    return campaign


class Survey:
    """A campaign with its two questionnaires, and a helper to file questionnaires."""

    def __init__(self, organisation: Organisation, year: int = 2016) -> None:
        self.campaign = open_canonical_campaign(organisation, year)
        self.hall = self.campaign.questionnaires.get(channel=Channel.HALL)
        self.phone = self.campaign.questionnaires.get(channel=Channel.PHONE)
        self.site, _ = Site.objects.get_or_create(organisation=organisation, name="Préfecture")

    def file(
        self,
        questionnaire: Questionnaire | None = None,
        *,
        at: datetime.datetime | None = None,
        site: Site | None = None,
        interviewer: Any = None,
        **answers: Any,
    ) -> Any:
        questionnaire = questionnaire or self.hall
        values = complete_answers(QuestionnaireSpec.load(questionnaire))
        values.update(answers)
        for code in [code for code, value in values.items() if value is None]:
            del values[code]
        response, _ = submit_response(
            Submission(
                uuid=uuid.uuid4(),
                questionnaire=questionnaire,
                site=site or self.site,
                answers=values,
                interviewer=interviewer,
                # The first Monday of the survey, whatever the campaign's year.
                started_at=at or MONDAY.replace(year=self.campaign.year),
            )
        )
        return response


def submission(questionnaire: Questionnaire, answers: dict[str, Any], **kwargs: Any) -> Submission:
    site = kwargs.pop("site", None) or SiteFactory(organisation=questionnaire.campaign.organisation)
    return Submission(
        uuid=kwargs.pop("uuid", uuid.uuid4()),
        questionnaire=questionnaire,
        site=site,
        answers=answers,
        **kwargs,
    )


# --- the entry API ---------------------------------------------------------------------------


def post(client: Client, payload: dict[str, Any]) -> Any:
    return client.post(
        reverse("survey:api_submit"), json.dumps(payload), content_type="application/json"
    )


def payload_for(hall: Questionnaire, **overrides: Any) -> dict[str, Any]:
    site = SiteFactory(organisation=hall.campaign.organisation)
    payload = tablet_payload(
        uuid=str(uuid.uuid4()),
        questionnaire=hall.pk,
        site=site.pk,
        device_id="tablette-1",
        started_at="2016-10-10T09:00:00+02:00",
        submitted_at="2016-10-10T09:07:00+02:00",
        answers=complete_answers(QuestionnaireSpec.load(hall)),
    )
    payload.update(overrides)
    return payload


def report(client: Client, payload: Any) -> Any:
    """A device reports the questionnaires it still holds."""
    return client.post(
        reverse("survey:entry_device_report"),
        json.dumps(payload),
        content_type="application/json",
    )


# --- import files ----------------------------------------------------------------------------


def new_rows(hall: Questionnaire, count: int, site: Site) -> list[dict[str, str]]:
    answers = cells(complete_answers(QuestionnaireSpec.load(hall)))
    return [
        {"uuid": "", "site": site.name, "recueilli_le": "2016-10-10", **answers}
        for _ in range(count)
    ]


def phone_rows(phone: Questionnaire, count: int, site: Site) -> list[dict[str, str]]:
    answers = cells(complete_answers(QuestionnaireSpec.load(phone)))
    return [{"site": site.name, "recueilli_le": "2016-10-10", **answers} for _ in range(count)]


def upload(rows: list[dict[str, str]], fmt: str = "csv") -> SimpleUploadedFile:
    header = list(dict.fromkeys(column for row in rows for column in row))
    data = WRITERS[fmt](header, [[row.get(c, "") for c in header] for row in rows])
    return SimpleUploadedFile(f"questionnaires.{fmt}", data)


def import_url(questionnaire: Questionnaire) -> str:
    return reverse("survey:import", args=[questionnaire.pk])


# --- remarks (Q40) ---------------------------------------------------------------------------

ESPACE = (
    "Espace d'accueil (agrandissement du hall, manque de places assises, indication des "
    "toilettes peu visible, gestionnaire file d'attente peu visible en cas de forte "
    "affluence, absence d'une machine à café)"
)

_sent = [datetime.datetime(2016, 10, 3, 9, 0, tzinfo=datetime.UTC)]


def make_response(campaign: Campaign, channel: str = "hall") -> Response:
    _sent[0] += datetime.timedelta(minutes=7)
    response: Response = ResponseFactory(
        questionnaire=campaign.questionnaires.get(channel=channel),
        site=SiteFactory(organisation=campaign.organisation),
        submitted_at=_sent[0],
    )
    return response


def make_remark(campaign: Campaign, text: str = "Trop d'attente.", channel: str = "hall") -> Answer:
    response = make_response(campaign, channel)
    return Answer.objects.create(
        response=response,
        question=response.questionnaire.questions.get(code=remarks.REMARK_QUESTION),
        text=text,
    )


def category(organisation: Organisation, *labels: str) -> RemarkCategory:
    """The category at the end of a label path ("Accueil physique", "Personnel")."""
    node = None
    for label in labels:
        node = RemarkCategory.objects.get(organisation=organisation, parent=node, label=label)
    assert node is not None
    return node


def attente(organisation: Organisation) -> RemarkCategory:
    return category(
        organisation, "Accueil physique", "Horaires et attente", "Temps d'attente trop long"
    )


def drain_queue(worker_id: str = "test-worker") -> None:
    """What a `db_worker` does, in this thread: run the tasks waiting in the queue, then
    stop (django-tasks-db's loop, without the command's heartbeat)."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    ).run()


def client_for(role: str | None, organisation: Organisation, *, superuser: bool = False) -> Client:
    user = UserFactory(is_superuser=superuser, is_staff=superuser)
    if role is not None:
        MembershipFactory(user=user, organisation=organisation, role=role)
    client = Client()
    client.force_login(user)
    client.user = user  # type: ignore[attr-defined]
    return client


def grant(client: Client, organisation: Organisation, role: str) -> Client:
    """``client``'s user also holds ``role`` in ``organisation``."""
    MembershipFactory(user=client.user, organisation=organisation, role=role)  # type: ignore[attr-defined]
    return client


def edit_demo_report(campaign: Campaign, *, introduction: str) -> Any:
    """What a quality manager adds to the demo before printing its report: this year's
    action (in progress) and last year's (done), and an edited introduction. Returns the
    manager's account."""
    from django.contrib.auth import get_user_model

    from reports.audit.models import ActionStatus, ImprovementAction, SectionText

    manager = get_user_model().objects.get(username="responsable")
    organisation = campaign.organisation
    ImprovementAction.objects.create(
        organisation=organisation,
        year=2016,
        title="Campagne d'information sur les nouvelles procédures PPNG",
        owner="Bureau de la communication",
        due_date=datetime.date(2017, 3, 31),
        status=ActionStatus.IN_PROGRESS,
    )
    ImprovementAction.objects.create(
        organisation=organisation,
        year=2015,
        title="Places de stationnement PMR autour de la préfecture",
        status=ActionStatus.DONE,
    )
    SectionText.objects.create(campaign=campaign, key="1", text=introduction, edited_by=manager)
    return manager
