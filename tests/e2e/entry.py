"""Driving the entry pages as an interviewer does: tap the shift, tap the answer tiles, move
from section to section, send. Shared by the browser tests of the entry pages."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from playwright.sync_api import expect

from survey.models import (
    Campaign,
    Channel,
    Organisation,
    QuestionKind,
    Questionnaire,
    Response,
    Role,
    Site,
)

from ..factories import MembershipFactory, SiteFactory, UserFactory
from ..helpers import open_canonical_campaign
from .helpers import log_in

# The canonical hall questionnaire (fixtures/questionnaires/qualipref_2016.json), section by
# section: the stepper shows these titles.
HALL_SECTIONS = [
    "Connaissance des usagers",
    "Information sur les conditions d'accès en préfecture",
    "Accueil physique",
    "Accueil téléphonique",
    "Démarches sur Internet et présence sur les réseaux sociaux",
    "Remarques et suggestions",
    "Connaissance du label Qualipref",
]

HALL_AGREEMENT = (
    "hall_signaletique",
    "hall_proprete",
    "hall_badge",
    "hall_courtoisie",
    "hall_ecoute",
    "hall_confidentialite",
    "hall_conseils",
    "hall_termes_simples",
    "hall_orientation",
)

# The shortest complete hall questionnaire: "Non" to every filter, so that every dependent
# question is skipped. One dict per section, question code -> label of the tile to tap.
SHORT_HALL = [
    {
        "profil_statut": "Un particulier",
        "profil_motif": "Carte nationale d'identité, passeport",
        "profil_frequence": "C'est ma première visite",
        "profil_transport": "À pied ou à vélo",
    },
    {"info_renseigne": "Non", "info_facilite": "Satisfaisant"},
    dict.fromkeys(HALL_AGREEMENT, "Tout à fait d'accord")
    | {"hall_pmr": "Satisfaisant", "hall_satisfaction_globale": "Très satisfaisant"},
    {"tel_a_appele": "Non", "tel_appel_avant_venue": "Non"},
    {"web_a_consulte": "Non", "rs_connait": "Non"},
    {},
    {"label_qualipref": "Oui"},
]


@dataclass
class Survey:
    """What an interviewer works with: an open campaign, its site and its questionnaires."""

    campaign: Campaign
    site: Site
    hall: Questionnaire
    phone: Questionnaire


def open_survey(organisation: Organisation) -> Survey:
    """The survey runs today: the tablet dates its questionnaires now, and a moment outside
    the campaign's period is refused (survey.moments)."""
    today = timezone.localdate()
    campaign = open_canonical_campaign(organisation, today.year)
    Campaign.objects.filter(pk=campaign.pk).update(
        start_date=today - datetime.timedelta(days=7), end_date=today + datetime.timedelta(days=7)
    )
    campaign.refresh_from_db()
    site = SiteFactory(organisation=organisation, name="Préfecture d'Angoulême")
    return Survey(
        campaign=campaign,
        site=site,
        hall=campaign.questionnaires.get(channel=Channel.HALL),
        phone=campaign.questionnaires.get(channel=Channel.PHONE),
    )


def member(organisation: Organisation, role: str, username: str) -> Any:
    user = UserFactory(username=username)
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user


def interviewer(organisation: Organisation, username: str = "stagiaire") -> Any:
    return member(organisation, Role.INTERVIEWER, username)


def choose_shift(page: Any, live_server: Any, survey: Survey, questionnaire: Questionnaire) -> None:
    """On the entry page, tap the campaign, the site and the questionnaire, and confirm."""
    page.goto(f"{live_server.url}/saisie/")
    shift = page.locator("[data-shift-form]")
    shift.locator(f"label[for=shift-campaign-{survey.campaign.pk}]").tap()
    shift.locator(f"label[for=shift-site-{survey.site.pk}]").tap()
    shift.locator(f"label[for=shift-questionnaire-{questionnaire.pk}]").tap()
    shift.get_by_role("button", name="Commencer la saisie").tap()
    # The summary shows once the service worker keeps the form for offline use: on a fresh
    # profile it installs first (2.5 s measured here; the page gives it up to 30 s).
    expect(page.locator("[data-shift-summary]")).to_be_visible(timeout=30_000)


def start_questionnaire(page: Any) -> None:
    """Tap "Nouveau questionnaire" on the entry page and wait for the form's first section
    and for the communes of the autocomplete (a name typed before they arrive finds none)."""
    with page.expect_response(lambda response: "/saisie/api/communes/" in response.url) as got:
        page.get_by_role("link", name="Nouveau questionnaire").tap()
    assert got.value.ok
    got.value.finished()
    expect(page.locator("[data-editor]")).to_be_visible()


def log_in_and_start(page: Any, live_server: Any, survey: Survey, username: str) -> None:
    log_in(page, live_server, username)
    choose_shift(page, live_server, survey, survey.hall)
    start_questionnaire(page)


def started_by_an_interviewer(page: Any, live_server: Any, organisation: Organisation) -> Survey:
    """An open survey, and stagiaire at the first section of its hall form."""
    survey = open_survey(organisation)
    log_in_and_start(page, live_server, survey, interviewer(organisation).username)
    return survey


def question(page: Any, code: str) -> Any:
    return page.locator(f"#q-{code}")


def tile(page: Any, code: str, label: str) -> Any:
    """The answer tile (its label, which the whole tile is) of one choice of a question."""
    exactly = re.compile(rf"^\s*{re.escape(label)}\s*$")
    return question(page, code).locator(".app-tile label").filter(has_text=exactly)


def tap_answer(page: Any, code: str, label: str) -> None:
    tile(page, code, label).tap()
    expect(tile(page, code, label).locator("xpath=preceding-sibling::input")).to_be_checked()


def section_title(page: Any) -> Any:
    return page.locator("[data-stepper-section]")


def next_section(page: Any, title: str) -> None:
    page.locator("[data-next]").tap()
    expect(section_title(page)).to_have_text(title)


def fill_section(page: Any, answers: dict[str, str]) -> None:
    for code, label in answers.items():
        tap_answer(page, code, label)


def send(page: Any) -> None:
    """Tap "Envoyer le questionnaire" and wait for the thank-you screen."""
    page.locator("[data-submit]").tap()
    expect(page.locator("[data-done]")).to_be_visible()


def fill_up_to_the_send_button(page: Any) -> None:
    """From the first section of a blank hall form to its last section, answered."""
    expect(section_title(page)).to_have_text(HALL_SECTIONS[0])
    for index, answers in enumerate(SHORT_HALL):
        if index:
            next_section(page, HALL_SECTIONS[index])
        fill_section(page, answers)


def fill_short_hall_questionnaire(page: Any) -> None:
    """From the first section of a blank hall form to the thank-you screen."""
    fill_up_to_the_send_button(page)
    send(page)


# The submission API, as Playwright's routes and events see it.
SUBMIT = "**/saisie/api/reponses/"


def is_submission(request: Any) -> bool:
    return bool(request.method == "POST" and request.url.endswith("/saisie/api/reponses/"))


def stored_answers(response: Response) -> dict[str, Any]:
    """A stored response's answer rows by question code: the chosen choice code (a sorted
    list for a multiple choice), the commune's INSEE code, or the text."""
    answers: dict[str, Any] = {}
    for answer in response.answers.select_related("question", "choice"):
        question = answer.question
        if question.kind == QuestionKind.MULTIPLE:
            answers[question.code] = sorted([*answers.get(question.code, []), answer.choice.code])
        elif answer.choice_id:
            assert question.code not in answers, f"deux réponses à {question.code}"
            answers[question.code] = answer.choice.code
        else:
            answers[question.code] = answer.commune_id or answer.text
    return answers
