"""The quality manager edits the report's commentary section by section and keeps the
improvement actions; nobody else reaches these pages, and no manager reaches another
organisation's campaign or action."""

from __future__ import annotations

import datetime
import html
import re
from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from reports.audit import pdf
from reports.audit.drafting import KEYS, draft
from reports.audit.models import ActionStatus, ImprovementAction, SectionText
from reports.indicators import compute
from survey.models import Campaign, CampaignStatus, Organisation, Role

from .helpers import Survey, client_for

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
ACTIONS = reverse("audit:actions")
CREATE = reverse("audit:action_create")


def text(response: Any) -> str:
    return html.unescape(response.content.decode()).replace(NBSP, " ")


@pytest.fixture
def survey(organisation: Organisation) -> Survey:
    survey = Survey(organisation)
    for value in ["satisfaisant"] * 3 + ["peu_satisfaisant"]:
        survey.file(hall_satisfaction_globale=value)
    return survey


@pytest.fixture
def campaign(survey: Survey) -> Campaign:
    return survey.campaign


def texts_url(campaign: Campaign) -> str:
    return reverse("audit:texts", args=[campaign.pk])


def save(client: Client, campaign: Campaign, key: str, body: str, version: str = "") -> Any:
    prefix = "s" + key.replace(".", "-")
    return client.post(
        texts_url(campaign),
        {"section": key, "action": "save", f"{prefix}-text": body, f"{prefix}-version": version},
    )


def action(organisation: Organisation, **kwargs: Any) -> ImprovementAction:
    values: dict[str, Any] = {"year": 2016, "title": "Signalétique du hall", "order": 1}
    values.update(kwargs)
    return ImprovementAction.objects.create(organisation=organisation, **values)


def valid_action(**overrides: str) -> dict[str, str]:
    data = {
        "year": "2016",
        "title": "Places de stationnement pour les PMR",
        "description": "Deux places demandées à la mairie d'Angoulême.",
        "owner": "Secrétariat général",
        "due_date": "2017-06-30",
        "status": "planned",
        "order": "",
    }
    data.update(overrides)
    return data


# --- access --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.INTERVIEWER, Role.STAFF])
def test_only_the_quality_manager_reaches_the_report_pages(
    role: str, organisation: Organisation, campaign: Campaign
) -> None:
    client = client_for(role, organisation)
    mine = action(organisation)
    for url in [
        texts_url(campaign),
        ACTIONS,
        CREATE,
        reverse("audit:action_update", args=[mine.pk]),
        reverse("audit:action_delete", args=[mine.pk]),
    ]:
        assert client.get(url).status_code == 403, url
    assert save(client, campaign, "4.1", "Texte").status_code == 403
    response = client.post(reverse("audit:action_status", args=[mine.pk]), {"status": "done"})
    assert response.status_code == 403
    assert not SectionText.objects.exists()
    mine.refresh_from_db()
    assert mine.status == ActionStatus.PLANNED


def test_an_anonymous_visitor_is_sent_to_log_in(campaign: Campaign) -> None:
    response = Client().get(texts_url(campaign))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_another_organisations_campaign_and_actions_do_not_exist(
    organisation: Organisation, other_organisation: Organisation, campaign: Campaign
) -> None:
    stranger = client_for(Role.QUALITY_MANAGER, other_organisation)
    theirs = action(organisation)

    assert stranger.get(texts_url(campaign)).status_code == 404
    assert save(stranger, campaign, "4.1", "Intrusion").status_code == 404
    for name in ("audit:action_update", "audit:action_delete"):
        assert stranger.get(reverse(name, args=[theirs.pk])).status_code == 404
        assert stranger.post(reverse(name, args=[theirs.pk]), valid_action()).status_code == 404
    response = stranger.post(reverse("audit:action_status", args=[theirs.pk]), {"status": "done"})
    assert response.status_code == 404
    assert "Signalétique du hall" not in text(stranger.get(f"{ACTIONS}?annee=2016"))

    assert not SectionText.objects.exists()
    theirs.refresh_from_db()
    assert (theirs.title, theirs.status) == ("Signalétique du hall", ActionStatus.PLANNED)


# --- the preview ---------------------------------------------------------------------------------


def test_the_preview_is_a_page_with_its_main_landmark_viewport_and_icon(
    manager_client: Client, campaign: Campaign
) -> None:
    response = manager_client.get(reverse("audit:report_preview", args=[campaign.pk]))
    page = response.content.decode()
    icons = re.findall(r'<link rel="(?:shortcut )?icon"\s+href="([^"]+)"', page)

    assert response.status_code == 200
    assert page.count("<main") == 1
    assert '<main id="content">' in page
    assert page.index('<main id="content">') < page.index("Sommaire") < page.index("</main>")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert icons
    for href in icons:  # DSFR's Marianne icon, served from the static files
        assert href.startswith(settings.STATIC_URL), href
        assert finders.find(href.removeprefix(settings.STATIC_URL)), href
    # The PDF's source (same template) asks WeasyPrint for no icon.
    source = pdf.render_html(campaign, stylesheet_url="report.css", chart_images=True)
    assert 'rel="icon"' not in source
    assert '<main id="content">' in source


# --- the commentary ------------------------------------------------------------------------------


def test_the_page_shows_every_section_with_its_draft(
    manager_client: Client, campaign: Campaign
) -> None:
    response = manager_client.get(texts_url(campaign))

    assert response.status_code == 200
    page = text(response)
    for key in KEYS:
        assert f'id="section-{key.replace(".", "-")}"' in page
    assert "4.3. Accueil physique" in page
    assert "Brouillon" in page
    expected = draft(campaign, compute(campaign), "4.3").replace(NBSP, " ")
    assert expected.split("\n")[0] in page  # the draft fills the text box
    assert "s'élève à 75 % ; ce taux ne porte que sur 4 réponses" in page


def test_saving_a_section_stores_the_edited_text(
    manager_client: Client, campaign: Campaign
) -> None:
    response = save(manager_client, campaign, "4.3", "Accueil jugé très satisfaisant : 75 %.")

    assert response.status_code == 302
    assert response["Location"].endswith(f"{texts_url(campaign)}#section-4-3")
    stored = SectionText.objects.get(campaign=campaign, key="4.3")
    assert stored.text == f"Accueil jugé très satisfaisant{NBSP}: 75{NBSP}%."
    assert stored.edited_by == manager_client.user  # type: ignore[attr-defined]

    page = text(manager_client.get(texts_url(campaign)))
    assert "Texte modifié" in page
    assert "Accueil jugé très satisfaisant : 75 %." in page
    assert "Brouillon d'après les chiffres actuels" in page  # the draft beside
    assert "s'élève à 75 % ; ce taux ne porte que sur 4 réponses" in page


def test_saving_again_replaces_the_text(manager_client: Client, campaign: Campaign) -> None:
    save(manager_client, campaign, "1", "Première version.")
    stored = SectionText.objects.get(campaign=campaign, key="1")

    response = save(manager_client, campaign, "1", "Seconde version.", stored.edited_at.isoformat())

    assert response.status_code == 302
    assert list(SectionText.objects.values_list("key", "text")) == [("1", "Seconde version.")]


def test_an_empty_text_is_refused_in_french(manager_client: Client, campaign: Campaign) -> None:
    response = save(manager_client, campaign, "4.1", "   ")

    assert response.status_code == 400
    assert "Saisissez le texte de la section, ou revenez au brouillon" in text(response)
    assert not SectionText.objects.exists()


def test_a_text_saved_meanwhile_is_not_overwritten(
    manager_client: Client, organisation: Organisation, campaign: Campaign
) -> None:
    colleague = client_for(Role.QUALITY_MANAGER, organisation)
    save(colleague, campaign, "4.2", "Texte du collègue.")

    response = save(manager_client, campaign, "4.2", "Mon texte, écrit sur la page d'avant.")

    assert response.status_code == 400
    assert "Ce texte a été modifié par" in text(response)
    assert "votre version n'est pas enregistrée" in text(response)
    assert SectionText.objects.get(key="4.2").text == "Texte du collègue."
    # The page now carries the stored version: saving again replaces it knowingly.
    stored = SectionText.objects.get(key="4.2")
    assert stored.edited_at.isoformat() in response.content.decode()


def test_reverting_to_the_draft_deletes_the_edited_text(
    manager_client: Client, campaign: Campaign
) -> None:
    save(manager_client, campaign, "4.1", "Texte à effacer.")

    confirmation = text(manager_client.get(f"{texts_url(campaign)}?revenir=4.1"))
    assert "Revenir au brouillon ?" in confirmation
    response = manager_client.post(texts_url(campaign), {"section": "4.1", "action": "revert"})

    assert response.status_code == 302
    assert not SectionText.objects.exists()
    page = text(manager_client.get(texts_url(campaign)))
    assert "revient au brouillon" in page
    assert "Texte à effacer." not in page


def test_an_unknown_section_saves_nothing(manager_client: Client, campaign: Campaign) -> None:
    response = manager_client.post(
        texts_url(campaign), {"section": "9.9", "action": "save", "s9-9-text": "Texte"}
    )

    assert response.status_code == 302
    assert not SectionText.objects.exists()


def test_a_closed_campaigns_texts_are_read_only(manager_client: Client, campaign: Campaign) -> None:
    SectionText.objects.create(campaign=campaign, key="4.1", text="Texte figé.")
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.CLOSED)

    page = manager_client.get(texts_url(campaign))
    assert page.status_code == 200
    assert "<textarea" not in page.content.decode()
    assert "ses commentaires ne peuvent plus être modifiés" in text(page)
    assert "Texte figé." in text(page)

    save(manager_client, campaign, "4.2", "Trop tard.")
    manager_client.post(texts_url(campaign), {"section": "4.1", "action": "revert"})
    assert list(SectionText.objects.values_list("key", "text")) == [("4.1", "Texte figé.")]
    assert "clôturée" in text(manager_client.get(texts_url(campaign)))


# --- the improvement actions ---------------------------------------------------------------------


def test_the_list_shows_this_years_actions_and_last_years_follow_up(
    manager_client: Client, organisation: Organisation, other_organisation: Organisation
) -> None:
    action(organisation, year=2016, title="Réforme de l'accueil", status=ActionStatus.IN_PROGRESS)
    action(organisation, year=2015, title="Signalétique du hall", status=ActionStatus.DONE)
    action(organisation, year=2014, title="Action trop ancienne")
    action(other_organisation, year=2016, title="Action de la Gironde")

    response = manager_client.get(f"{ACTIONS}?annee=2016")

    assert response.status_code == 200
    page = text(response)
    assert "Actions décidées en 2016" in page
    assert "Suivi des actions décidées en 2015" in page
    assert "Réforme de l'accueil" in page
    assert "Signalétique du hall" in page
    assert "Action trop ancienne" not in page
    assert "Action de la Gironde" not in page


def test_the_list_defaults_to_the_latest_campaigns_year(
    manager_client: Client, organisation: Organisation, campaign: Campaign
) -> None:
    action(organisation, year=2016, title="Réforme de l'accueil")

    page = text(manager_client.get(ACTIONS))

    assert "Axes d'amélioration — rapport 2016" in page
    assert "Réforme de l'accueil" in page


def test_creating_actions_puts_each_after_the_others(
    manager_client: Client, organisation: Organisation
) -> None:
    assert 'value="2017"' in manager_client.get(f"{CREATE}?annee=2017").content.decode()

    first = manager_client.post(CREATE, valid_action())
    second = manager_client.post(CREATE, valid_action(title="Campagne d'information PPNG"))

    assert first.status_code == second.status_code == 302
    assert first["Location"] == f"{ACTIONS}?annee=2016"
    saved = list(ImprovementAction.objects.values_list("organisation", "title", "order"))
    assert saved == [
        (organisation.pk, "Places de stationnement pour les PMR", 1),
        (organisation.pk, "Campagne d'information PPNG", 2),
    ]
    stored = ImprovementAction.objects.get(order=1)
    assert stored.due_date == datetime.date(2017, 6, 30)
    assert stored.owner == "Secrétariat général"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": "  "}, "Saisissez l'intitulé de l'action."),
        ({"year": "16"}, "Saisissez une année entre 2000 et 2100."),
        ({"year": "deux mille"}, "Saisissez une année, par exemple 2016."),
        ({"due_date": "31/02/2017"}, "Saisissez une date valide, par exemple 31/12/2017."),
        ({"due_date": "2015-12-31"}, "L'échéance précède l'année du rapport (2016)."),
        ({"status": "oubliee"}, "Choisissez un état de la liste."),
        ({"order": "0"}, "Le rang est un nombre de 1 à 999."),
    ],
)
def test_an_invalid_action_is_refused_in_french_and_nothing_is_saved(
    manager_client: Client, overrides: dict[str, str], message: str
) -> None:
    response = manager_client.post(CREATE, valid_action(**overrides))

    assert response.status_code == 400
    assert message in text(response)
    assert not ImprovementAction.objects.exists()


def test_updating_an_action_keeps_its_rank(
    manager_client: Client, organisation: Organisation
) -> None:
    mine = action(organisation, order=3)

    response = manager_client.post(
        reverse("audit:action_update", args=[mine.pk]),
        valid_action(title="Signalétique refaite", status="done", order="3"),
    )

    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.title, mine.status, mine.order) == ("Signalétique refaite", "done", 3)


def test_an_invalid_update_changes_nothing(
    manager_client: Client, organisation: Organisation
) -> None:
    mine = action(organisation)

    response = manager_client.post(
        reverse("audit:action_update", args=[mine.pk]), valid_action(title="")
    )

    assert response.status_code == 400
    mine.refresh_from_db()
    assert mine.title == "Signalétique du hall"


def test_deleting_an_action_asks_first(manager_client: Client, organisation: Organisation) -> None:
    mine = action(organisation)
    url = reverse("audit:action_delete", args=[mine.pk])

    assert "Supprimer l'action « Signalétique du hall » ?" in text(manager_client.get(url))
    assert ImprovementAction.objects.exists()
    response = manager_client.post(url)

    assert response.status_code == 302
    assert response["Location"] == f"{ACTIONS}?annee=2016"
    assert not ImprovementAction.objects.exists()


def test_the_state_changes_from_the_list(
    manager_client: Client, organisation: Organisation
) -> None:
    mine = action(organisation, year=2015)
    url = reverse("audit:action_status", args=[mine.pk])

    response = manager_client.post(url, {"status": "in_progress", "annee": "2016"})

    assert response.status_code == 302
    assert response["Location"] == f"{ACTIONS}?annee=2016#action-{mine.pk}"
    mine.refresh_from_db()
    assert mine.status == ActionStatus.IN_PROGRESS
    assert "est maintenant : en cours" in text(manager_client.get(f"{ACTIONS}?annee=2016"))


def test_an_unknown_state_changes_nothing(
    manager_client: Client, organisation: Organisation
) -> None:
    mine = action(organisation)
    url = reverse("audit:action_status", args=[mine.pk])

    assert manager_client.get(url).status_code == 405
    manager_client.post(url, {"status": "oubliee"})

    mine.refresh_from_db()
    assert mine.status == ActionStatus.PLANNED
    assert "Choisissez un état de la liste." in text(manager_client.get(ACTIONS))
