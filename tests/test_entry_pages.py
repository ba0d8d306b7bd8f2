"""The entry pages: the shift picker, the questionnaire form (hall, phone, paper), the
devices page and the service worker that keeps them working offline."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from survey.models import (
    Campaign,
    CampaignStatus,
    Channel,
    DeviceQueue,
    Organisation,
    Questionnaire,
    Role,
)

from .factories import (
    CampaignFactory,
    QuestionnaireFactory,
    ResponseFactory,
    SiteFactory,
    UserFactory,
)
from .helpers import client_for, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_campaign(organisation: Organisation) -> Campaign:
    campaign: Campaign = CampaignFactory(
        organisation=organisation, title="Enquête ouverte", status=CampaignStatus.OPEN
    )
    QuestionnaireFactory(campaign=campaign, channel=Channel.HALL, title="Questionnaire du hall")
    QuestionnaireFactory(
        campaign=campaign, channel=Channel.PHONE, title="Questionnaire au téléphone"
    )
    return campaign


@pytest.fixture
def hall(open_campaign: Campaign) -> Questionnaire:
    return open_campaign.questionnaires.get(channel=Channel.HALL)


class Assets(HTMLParser):
    """The addresses of the scripts, stylesheets, icons and images a page loads."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.modules: list[str] = []
        self.manifests: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script" and attributes.get("src"):
            self.urls.append(attributes["src"] or "")
            if attributes.get("type") == "module":
                self.modules.append(attributes["src"] or "")
        elif tag == "link" and attributes.get("rel") == "manifest":
            self.manifests.append(attributes.get("href") or "")
        elif tag == "link" and attributes.get("href"):
            self.urls.append(attributes["href"] or "")
        elif tag == "img" and attributes.get("src"):
            self.urls.append(attributes["src"] or "")


def assets_of(html: str) -> Assets:
    parser = Assets()
    parser.feed(html)
    return parser


def assert_local_static(url: str) -> None:
    assert url.startswith("/static/"), url
    assert finders.find(url.removeprefix("/static/")), f"{url} is not a static file"


# --- the shift picker ----------------------------------------------------------------------


def test_the_shift_picker_lists_only_open_campaigns_and_active_sites_of_the_users_organisation(
    interviewer_client: Client,
    organisation: Organisation,
    other_organisation: Organisation,
    open_campaign: Campaign,
) -> None:
    CampaignFactory(organisation=organisation, title="Enquête en préparation")
    CampaignFactory(organisation=organisation, title="Enquête close", status=CampaignStatus.CLOSED)
    CampaignFactory(
        organisation=other_organisation, title="Enquête de la Gironde", status=CampaignStatus.OPEN
    )
    SiteFactory(organisation=organisation, name="Sous-préfecture de Cognac")
    SiteFactory(organisation=organisation, name="Ancienne antenne", is_active=False)
    SiteFactory(organisation=other_organisation, name="Sous-préfecture de Libourne")

    page = interviewer_client.get(reverse("survey:entry")).content.decode()

    assert "Enquête ouverte" in page
    assert "Sous-préfecture de Cognac" in page
    for absent in (
        "Enquête en préparation",
        "Enquête close",
        "Enquête de la Gironde",
        "Ancienne antenne",
        "Sous-préfecture de Libourne",
    ):
        assert absent not in page, absent
    hall, phone = open_campaign.questionnaires.order_by("channel")
    for questionnaire in (hall, phone):
        assert f'name="questionnaire" value="{questionnaire.pk}"' in page
    assert "Accueil physique" in page
    assert "Téléphone" in page


def test_the_shift_picker_says_when_no_campaign_is_open(interviewer_client: Client) -> None:
    page = interviewer_client.get(reverse("survey:entry")).content.decode()

    assert "Aucune campagne n'est ouverte" in page
    assert 'name="site"' not in page


def test_the_entry_page_counts_what_the_interviewer_entered_today(
    interviewer_client: Client, hall: Questionnaire, organisation: Organisation
) -> None:
    site = SiteFactory(organisation=organisation)
    ResponseFactory.create_batch(
        2,
        questionnaire=hall,
        site=site,
        interviewer=interviewer_client.user,  # type: ignore[attr-defined]
    )
    ResponseFactory(questionnaire=hall, site=site, interviewer=UserFactory())

    page = interviewer_client.get(reverse("survey:entry")).content.decode()

    assert 'data-today="2"' in page
    assert re.search(r"<strong data-today-count>2</strong>", page)


def test_paper_entry_is_offered_to_quality_managers_only(
    interviewer_client: Client, manager_client: Client, hall: Questionnaire
) -> None:
    SiteFactory(organisation=hall.campaign.organisation)

    interviewer_page = interviewer_client.get(reverse("survey:entry")).content.decode()
    manager_page = manager_client.get(reverse("survey:entry")).content.decode()

    assert "Ressaisir des questionnaires papier" not in interviewer_page
    assert "Ressaisir des questionnaires papier" in manager_page
    assert reverse("survey:entry_devices") in manager_page


# --- the questionnaire form ----------------------------------------------------------------


def test_the_form_page_of_a_hall_questionnaire_is_for_the_tablet(
    interviewer_client: Client, hall: Questionnaire
) -> None:
    response = interviewer_client.get(reverse("survey:entry_form", args=[hall.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-mode="tablet"' in page
    assert 'data-layout="paged"' in page
    assert f'data-questionnaire-url="{reverse("survey:api_questionnaire", args=[hall.pk])}"' in page
    assert f'data-submit-url="{reverse("survey:api_submit")}"' in page
    assert 'class="fr-stepper"' in page
    assert "Réponse obligatoire" in page  # the scripts' sentences are in the page, translated


def test_the_form_page_of_a_phone_questionnaire_records_the_interview_time(
    interviewer_client: Client, open_campaign: Campaign
) -> None:
    phone = open_campaign.questionnaires.get(channel=Channel.PHONE)

    page = interviewer_client.get(reverse("survey:entry_form", args=[phone.pk])).content.decode()

    assert 'data-mode="phone"' in page
    assert 'type="datetime-local"' in page
    assert "Date et heure de l'entretien" in page


def test_an_interviewer_of_another_organisation_gets_404_on_its_questionnaire_page(
    hall: Questionnaire, other_organisation: Organisation
) -> None:
    stranger = client_for(Role.INTERVIEWER, other_organisation)

    assert stranger.get(reverse("survey:entry_form", args=[hall.pk])).status_code == 404


def test_a_quality_manager_of_another_organisation_gets_404_on_its_paper_page(
    hall: Questionnaire, other_organisation: Organisation
) -> None:
    stranger = client_for(Role.QUALITY_MANAGER, other_organisation)

    assert stranger.get(reverse("survey:entry_paper", args=[hall.pk])).status_code == 404


def test_a_questionnaire_of_a_campaign_that_is_not_open_has_no_form(
    interviewer_client: Client, organisation: Organisation
) -> None:
    draft = QuestionnaireFactory(campaign=CampaignFactory(organisation=organisation))

    assert interviewer_client.get(reverse("survey:entry_form", args=[draft.pk])).status_code == 404


def test_paper_mode_is_for_quality_managers_only(
    interviewer_client: Client, manager_client: Client, hall: Questionnaire
) -> None:
    url = reverse("survey:entry_paper", args=[hall.pk])

    refused = interviewer_client.get(url)
    allowed = manager_client.get(url)

    assert refused.status_code == 403
    assert allowed.status_code == 200
    page = allowed.content.decode()
    assert 'data-mode="paper"' in page
    assert 'data-layout="single"' in page
    assert 'type="date"' in page
    assert "Enregistrer et saisir le suivant" in page


def _entry_urls(hall: Questionnaire) -> list[tuple[str, str]]:
    return [
        ("get", reverse("survey:entry")),
        ("get", reverse("survey:entry_form", args=[hall.pk])),
        ("get", reverse("survey:entry_paper", args=[hall.pk])),
        ("get", reverse("survey:entry_devices")),
        ("post", reverse("survey:entry_device_report")),
    ]


def test_staff_get_403_on_entry_pages(staff_client: Client, hall: Questionnaire) -> None:
    for method, url in _entry_urls(hall):
        assert getattr(staff_client, method)(url).status_code == 403, url


def test_anonymous_visitors_are_sent_to_the_login_page_from_entry_pages(
    client: Client, hall: Questionnaire
) -> None:
    for method, url in _entry_urls(hall):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert reverse("login") in response["Location"], url


# --- devices that hold unsent questionnaires ---------------------------------------------


def test_a_device_reports_its_queue_and_the_quality_manager_sees_it(
    interviewer_client: Client, manager_client: Client, organisation: Organisation
) -> None:
    response = report(
        interviewer_client,
        {"device_id": "tablette-hall-1", "pending": 3, "oldest": "2016-10-04T09:30:00+02:00"},
    )

    assert response.status_code == 200
    assert response.json() == {"today": 0}
    queue = DeviceQueue.objects.get(organisation=organisation, device_id="tablette-hall-1")
    assert queue.pending == 3
    assert queue.user == interviewer_client.user  # type: ignore[attr-defined]
    page = manager_client.get(reverse("survey:entry_devices")).content.decode()
    assert "tablette…" in page
    assert interviewer_client.user.username in page  # type: ignore[attr-defined]
    assert "4 octobre 2016 09:30" in page


def test_a_device_that_sent_everything_leaves_the_list(
    interviewer_client: Client, manager_client: Client
) -> None:
    report(interviewer_client, {"device_id": "tablette-hall-1", "pending": 2, "oldest": None})
    report(interviewer_client, {"device_id": "tablette-hall-1", "pending": 0, "oldest": None})

    page = manager_client.get(reverse("survey:entry_devices")).content.decode()

    assert DeviceQueue.objects.count() == 1
    assert "Aucun appareil n'a signalé de questionnaire en attente." in page


@pytest.mark.parametrize(
    "payload",
    [
        [],
        {"pending": 1},
        {"device_id": "", "pending": 1},
        {"device_id": "x" * 65, "pending": 1},
        {"device_id": "tablette", "pending": -1},
        {"device_id": "tablette", "pending": "3"},
        {"device_id": "tablette", "pending": True},
    ],
)
def test_an_unreadable_device_report_is_refused(interviewer_client: Client, payload: Any) -> None:
    response = report(interviewer_client, payload)

    assert response.status_code == 400
    assert DeviceQueue.objects.count() == 0


def test_the_devices_page_shows_only_the_managers_organisation(
    manager_client: Client, other_organisation: Organisation
) -> None:
    report(
        client_for(Role.INTERVIEWER, other_organisation), {"device_id": "gironde-1", "pending": 5}
    )

    page = manager_client.get(reverse("survey:entry_devices")).content.decode()

    assert "gironde-1" not in page


# --- the service worker and the offline shell ---------------------------------------------


def test_the_service_worker_is_served_as_javascript_for_the_entry_scope(client: Client) -> None:
    response = client.get(reverse("survey:entry_sw"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == reverse("survey:entry")
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    config = json.loads(re.match(r"self\.ENTRY_CONFIG = (\{.*?\});\n", body, re.S).group(1))  # type: ignore[union-attr]
    assert config["scope"] == reverse("survey:entry") == "/saisie/"
    assert 'self.addEventListener("fetch"' in body


def test_the_service_worker_precaches_the_shell_from_local_static_files(client: Client) -> None:
    body = client.get(reverse("survey:entry_sw")).content.decode()
    config = json.loads(re.match(r"self\.ENTRY_CONFIG = (\{.*?\});\n", body, re.S).group(1))  # type: ignore[union-attr]

    precache = config["precache"]
    for url in precache:
        assert_local_static(url)
    for needed in (
        "/static/entry/form.js",
        "/static/entry/shift.js",
        "/static/entry/queue.js",
        "/static/css/entry.css",
        "/static/dsfr/dist/dsfr/dsfr.min.css",
        "/static/dsfr/dist/dsfr/dsfr.module.min.js",
        "/static/dsfr/dist/fonts/Marianne-Regular.woff2",
        "/static/dsfr/dist/icons/system/logout-box-r-line.svg",  # an icon of the header
        "/static/dsfr/dist/icons/arrows/arrow-right-line.svg",  # the "Suivant" button
    ):
        assert needed in precache, needed
    assert "/static/entry/sw.js" not in precache
    assert not any(url.endswith(".woff") for url in precache)


def test_the_service_worker_keeps_only_entry_pages_and_never_touches_submissions(
    client: Client,
) -> None:
    body = client.get(reverse("survey:entry_sw")).content.decode()
    config = json.loads(re.match(r"self\.ENTRY_CONFIG = (\{.*?\});\n", body, re.S).group(1))  # type: ignore[union-attr]

    pages = [re.compile(pattern) for pattern in config["pagePatterns"]]
    for kept in ("/saisie/", "/saisie/remplir/12/", "/saisie/papier/3/"):
        assert any(p.search(kept) for p in pages), kept
    for other in ("/saisie/appareils/", "/saisie/questionnaires/1/export.csv", "/saisie/remplir/"):
        assert not any(p.search(other) for p in pages), other
    assert reverse("survey:api_submit") in config["never"]
    assert reverse("survey:entry_device_report") in config["never"]


@pytest.mark.parametrize("page", ["entry", "form", "paper"])
def test_the_entry_pages_reference_only_local_static_files(
    page: str, manager_client: Client, hall: Questionnaire
) -> None:
    url = {
        "entry": reverse("survey:entry"),
        "form": reverse("survey:entry_form", args=[hall.pk]),
        "paper": reverse("survey:entry_paper", args=[hall.pk]),
    }[page]

    html = manager_client.get(url).content.decode()

    assets = assets_of(html)
    assert assets.urls
    for asset in assets.urls:
        assert_local_static(asset)
    assert "/static/css/entry.css" in assets.urls
    script = "/static/entry/shift.js" if page == "entry" else "/static/entry/form.js"
    assert script in assets.modules
    # One manifest, the entry app's (not the DSFR's, which a browser would read first).
    assert assets.manifests == [reverse("survey:entry_manifest")]


def test_the_entry_scripts_import_only_local_modules_and_load_nothing_from_elsewhere() -> None:
    for name in ("form.js", "shift.js", "queue.js", "status.js", "questions.js", "commune.js"):
        found = finders.find(f"entry/{name}")
        assert found, name
        source = Path(str(found)).read_text()
        for imported in re.findall(r'from "([^"]+)"', source):
            assert imported.startswith("./"), (name, imported)
            assert finders.find(f"entry/{imported.removeprefix('./')}"), (name, imported)
        assert not re.search(r"https?://", source), name
