"""Staff log mystery calls and e-mails; the quality manager keeps the reference lists and
the thresholds; nobody reaches another organisation's logs, interviewers none at all."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from mystery.models import (
    CallOutcome,
    EmailTheme,
    GreetingElement,
    MysteryCall,
    MysteryEmail,
    MysteryService,
)
from survey.models import Campaign, CampaignStatus, Organisation, Role

from .factories import (
    CampaignFactory,
    MysteryCallFactory,
    MysteryEmailFactory,
    MysteryServiceFactory,
)
from .helpers import client_for, text
from .helpers_mystery import email_data, reached_call

pytestmark = pytest.mark.django_db

PARIS = datetime.timezone(datetime.timedelta(hours=2))


@pytest.fixture
def service(organisation: Organisation) -> MysteryService:
    return MysteryServiceFactory(
        organisation=organisation, name="Standard", phone_number="05 45 97 61 00"
    )


# --- calls ------------------------------------------------------------------------------------


def test_staff_log_a_call_and_go_on_to_the_next(
    staff_client: Client, open_campaign: Campaign, service: MysteryService
) -> None:
    url = reverse("mystery:call_create", args=[open_campaign.pk])
    assert staff_client.get(url).status_code == 200

    response = staff_client.post(url, {**reached_call(service), "again": "1"})

    assert response.status_code == 302
    assert response["Location"] == url
    call = MysteryCall.objects.get()
    assert call.logged_by == staff_client.user  # type: ignore[attr-defined]
    assert call.number_dialled == "05 45 97 61 00"  # the service's, left blank in the form
    assert call.called_at == datetime.datetime(2016, 10, 4, 10, 15, tzinfo=PARIS)
    assert (call.rings, call.greeting_complete, call.answer_ok) == (3, True, False)
    assert call.history.count() == 1


def test_a_reached_call_needs_every_criterion(
    staff_client: Client, open_campaign: Campaign, service: MysteryService
) -> None:
    response = staff_client.post(
        reverse("mystery:call_create", args=[open_campaign.pk]),
        reached_call(service, rings="", courteous=None),
    )

    assert response.status_code == 400
    assert text(response).count("À renseigner pour un appel qui a abouti.") == 2
    assert not MysteryCall.objects.exists()


def test_the_choices_are_tiles_in_a_fieldset_named_by_its_legend_and_its_error(
    staff_client: Client, open_campaign: Campaign, service: MysteryService
) -> None:
    response = staff_client.post(
        reverse("mystery:call_create", args=[open_campaign.pk]),
        reached_call(service, courteous=None),
    )

    page = text(response)
    courteous = re.search(r'<fieldset id="div_id_courteous".*?</fieldset>', page, re.S)
    assert courteous is not None
    fieldset = courteous.group()
    assert 'class="fr-fieldset fr-fieldset--error"' in fieldset
    assert 'aria-labelledby="id_courteous_legend id_courteous_error"' in fieldset
    assert re.search(
        r'<legend[^>]*id="id_courteous_legend">\s*Accueil courtois et aimable', fieldset
    )
    assert 'class="app-choices app-choices--grid"' in fieldset
    assert fieldset.count('class="fr-radio-group app-tile"') == 2  # Oui, Non
    assert "À renseigner pour un appel qui a abouti." in fieldset
    # The outcomes, longer, in one or two columns; the missing parts are checkbox tiles.
    assert 'class="app-choices app-choices--list"' in page
    assert page.count('class="fr-checkbox-group app-tile"') == len(GreetingElement.choices)


def test_an_incomplete_greeting_says_what_was_missing(
    staff_client: Client, open_campaign: Campaign, service: MysteryService
) -> None:
    url = reverse("mystery:call_create", args=[open_campaign.pk])

    refused = staff_client.post(url, reached_call(service, greeting_complete="False"))
    accepted = staff_client.post(
        url, reached_call(service, greeting_complete="False", greeting_missing=["agent"])
    )

    assert refused.status_code == 400
    assert "Cochez ce qui manquait." in text(refused)
    assert accepted.status_code == 302
    assert MysteryCall.objects.get().greeting_missing == ["agent"]


def test_a_call_that_did_not_get_through_stores_no_criterion(
    staff_client: Client, open_campaign: Campaign, service: MysteryService
) -> None:
    response = staff_client.post(
        reverse("mystery:call_create", args=[open_campaign.pk]),
        reached_call(service, outcome=CallOutcome.SATURATED, greeting_missing=["agent"]),
    )

    assert response.status_code == 302
    call = MysteryCall.objects.get()
    assert call.outcome == CallOutcome.SATURATED
    assert (call.rings, call.greeting_complete, call.courteous, call.answer_ok) == (
        None,
        None,
        None,
        None,
    )
    assert call.greeting_missing == []


def test_a_service_of_another_organisation_cannot_be_chosen(
    staff_client: Client, open_campaign: Campaign, other_organisation: Organisation
) -> None:
    foreign = MysteryServiceFactory(organisation=other_organisation)

    response = staff_client.post(
        reverse("mystery:call_create", args=[open_campaign.pk]), reached_call(foreign)
    )

    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in text(response)
    assert not MysteryCall.objects.exists()


def test_an_edit_keeps_the_history(staff_client: Client, open_campaign: Campaign) -> None:
    call = MysteryCallFactory(campaign=open_campaign)

    response = staff_client.post(
        reverse("mystery:call_update", args=[call.pk]),
        reached_call(call.service, rings="7", answer_form_ok="True"),
    )

    assert response.status_code == 302
    call.refresh_from_db()
    assert call.rings == 7
    assert [h.rings for h in call.history.order_by("history_date")] == [3, 7]
    page = staff_client.get(reverse("mystery:call_update", args=[call.pk])).content.decode()
    assert "Historique" in page


def test_a_closed_campaign_takes_no_new_log(
    staff_client: Client, organisation: Organisation, service: MysteryService
) -> None:
    closed = CampaignFactory(organisation=organisation, year=2015, status=CampaignStatus.CLOSED)

    response = staff_client.post(
        reverse("mystery:call_create", args=[closed.pk]), reached_call(service)
    )

    assert response.status_code == 400
    assert "est clôturée" in text(response)
    assert not MysteryCall.objects.exists()


def test_only_the_author_or_the_quality_manager_deletes_a_log(
    organisation: Organisation, open_campaign: Campaign
) -> None:
    author, colleague = client_for(Role.STAFF, organisation), client_for(Role.STAFF, organisation)
    manager = client_for(Role.QUALITY_MANAGER, organisation)
    mine = MysteryCallFactory(campaign=open_campaign, logged_by=author.user)  # type: ignore[attr-defined]
    other = MysteryCallFactory(campaign=open_campaign, logged_by=author.user)  # type: ignore[attr-defined]

    assert colleague.post(reverse("mystery:call_delete", args=[mine.pk])).status_code == 403
    assert author.post(reverse("mystery:call_delete", args=[mine.pk])).status_code == 302
    assert manager.post(reverse("mystery:call_delete", args=[other.pk])).status_code == 302
    assert not MysteryCall.objects.exists()
    assert MysteryCall.history.filter(history_type="-").count() == 2


# --- e-mails ---------------------------------------------------------------------------------


def test_staff_log_an_email_and_its_answer(
    staff_client: Client, open_campaign: Campaign, theme: EmailTheme
) -> None:
    response = staff_client.post(
        reverse("mystery:email_create", args=[open_campaign.pk]), email_data(theme)
    )

    assert response.status_code == 302
    email = MysteryEmail.objects.get()
    assert email.answer_ok is True
    page = staff_client.get(reverse("mystery:email_list", args=[open_campaign.pk]))
    # Sent Monday 3 October: the fifth working day after it is Monday 10 October.
    assert "lundi 10 octobre 2016" in text(page)
    assert "4 jours ouvrés" in text(page)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"answered_at": "2016-10-02T09:00"}, "Cette date précède l'envoi du courriel."),
        (
            {"answered_at": "", "answer_content_ok": "True", "answer_form_ok": None},
            "Indiquez d'abord la date de la réponse",
        ),
        ({"answer_form_ok": None}, "À renseigner quand la réponse est arrivée."),
        ({"sent_at": "3 octobre"}, "Saisissez une date et une heure valides."),
    ],
)
def test_an_inconsistent_email_is_refused_in_french(
    staff_client: Client,
    open_campaign: Campaign,
    theme: EmailTheme,
    overrides: dict[str, Any],
    message: str,
) -> None:
    response = staff_client.post(
        reverse("mystery:email_create", args=[open_campaign.pk]), email_data(theme, **overrides)
    )

    assert response.status_code == 400
    assert message in text(response)
    assert not MysteryEmail.objects.exists()


def test_an_email_waiting_shows_its_deadline_and_one_past_it_is_late(
    staff_client: Client, open_campaign: Campaign
) -> None:
    MysteryEmailFactory(campaign=open_campaign)  # sent 3 October 2016, never answered

    page = staff_client.get(reverse("mystery:email_list", args=[open_campaign.pk]))

    # Today is long after 10 October 2016: the e-mail counts as late.
    assert "lundi 10 octobre 2016" in text(page)
    assert "sans réponse, en retard" in text(page)


# --- tables and thresholds ---------------------------------------------------------------------


def test_the_tables_show_each_criterion_with_its_base(
    staff_client: Client, open_campaign: Campaign, service: MysteryService
) -> None:
    MysteryCallFactory(campaign=open_campaign, service=service)
    MysteryCallFactory(campaign=open_campaign, service=service, rings=8)
    MysteryCallFactory(
        campaign=open_campaign,
        service=service,
        outcome=CallOutcome.SATURATED,
        rings=None,
        greeting_complete=None,
        courteous=None,
        answer_content_ok=None,
        answer_form_ok=None,
    )

    page = text(staff_client.get(reverse("mystery:tables", args=[open_campaign.pk])))

    assert "2 appels sur 3 ont abouti, dont 1 décroché en 5 sonneries au plus." in page
    # Each cell is labelled with its criterion and its base (shown when the table stacks).
    assert 'data-label="Appels ayant abouti (sur les appels passés)">2/3</td>' in page
    assert 'data-label="Décroché en 5 sonneries au plus (sur les appels passés)">1/3</td>' in page
    assert "Formule d'accueil complète (sur les appels aboutis)\">2/2</td>" in page
    assert "ligne saturée (1 appel)" in page


def test_the_quality_manager_sets_the_thresholds_and_staff_cannot(
    manager_client: Client, staff_client: Client, open_campaign: Campaign
) -> None:
    url = reverse("mystery:thresholds", args=[open_campaign.pk])

    assert staff_client.post(url, {"mystery_rings": 3}).status_code == 403
    response = manager_client.post(url, {"mystery_rings": 4, "mystery_working_days": 3})
    refused = manager_client.post(url, {"mystery_rings": 0, "mystery_working_days": 3})

    assert response.status_code == refused.status_code == 302
    open_campaign.refresh_from_db()
    assert (open_campaign.mystery_rings, open_campaign.mystery_working_days) == (4, 3)


def test_a_previous_campaign_with_logs_is_compared(
    staff_client: Client, organisation: Organisation, open_campaign: Campaign
) -> None:
    before = CampaignFactory(organisation=organisation, year=2015, status=CampaignStatus.OPEN)
    MysteryCallFactory(campaign=before, rings=9)
    MysteryCallFactory(campaign=open_campaign)

    page = text(staff_client.get(reverse("mystery:tables", args=[open_campaign.pk])))

    assert "Comparaison avec" in page
    assert "Décrochés en 5 sonneries au plus</th><td>1/1</td><td>0/1</td>" in page


# --- reference data ----------------------------------------------------------------------------


def test_the_quality_manager_keeps_the_reference_lists(
    manager_client: Client, organisation: Organisation
) -> None:
    create = reverse("mystery:reference_create", args=["services"])

    created = manager_client.post(
        create, {"name": "Bureau des étrangers", "phone_number": "05 45 97 62 00", "order": 3}
    )
    duplicate = manager_client.post(create, {"name": "Bureau des étrangers", "order": 4})

    assert created.status_code == 302
    assert duplicate.status_code == 400
    assert "Ce service existe déjà." in text(duplicate)
    assert MysteryService.objects.filter(organisation=organisation).count() == 1
    assert (
        "Bureau des étrangers" in manager_client.get(reverse("mystery:reference")).content.decode()
    )


def test_an_item_in_use_is_deactivated_not_deleted(
    manager_client: Client, open_campaign: Campaign
) -> None:
    call = MysteryCallFactory(campaign=open_campaign)

    response = manager_client.post(
        reverse("mystery:reference_delete", args=["services", call.service.pk]), follow=True
    )

    assert "ne peut pas être supprimé" in text(response)
    assert MysteryService.objects.filter(pk=call.service.pk).exists()


def test_a_deactivated_service_is_no_longer_offered(
    staff_client: Client, open_campaign: Campaign, organisation: Organisation
) -> None:
    MysteryServiceFactory(organisation=organisation, name="Bureau fermé", is_active=False)
    MysteryServiceFactory(organisation=organisation, name="Bureau ouvert")

    page = staff_client.get(reverse("mystery:call_create", args=[open_campaign.pk]))

    assert "Bureau ouvert" in text(page)
    assert "Bureau fermé" not in text(page)


# --- access --------------------------------------------------------------------------------------


def _urls(campaign: Campaign) -> list[tuple[str, str]]:
    call = MysteryCallFactory(campaign=campaign)
    email = MysteryEmailFactory(campaign=campaign)
    return [
        ("get", reverse("mystery:tables", args=[campaign.pk])),
        ("get", reverse("mystery:call_list", args=[campaign.pk])),
        ("get", reverse("mystery:email_list", args=[campaign.pk])),
        ("get", reverse("mystery:call_create", args=[campaign.pk])),
        ("post", reverse("mystery:call_create", args=[campaign.pk])),
        ("get", reverse("mystery:email_create", args=[campaign.pk])),
        ("get", reverse("mystery:call_update", args=[call.pk])),
        ("post", reverse("mystery:call_update", args=[call.pk])),
        ("post", reverse("mystery:call_delete", args=[call.pk])),
        ("get", reverse("mystery:email_update", args=[email.pk])),
        ("post", reverse("mystery:email_delete", args=[email.pk])),
    ]


def test_staff_of_one_organisation_neither_see_nor_edit_anothers_logs(
    organisation: Organisation, other_organisation: Organisation
) -> None:
    theirs = CampaignFactory(organisation=other_organisation, status=CampaignStatus.OPEN)
    urls = _urls(theirs)
    for role in (Role.STAFF, Role.QUALITY_MANAGER):
        client = client_for(role, organisation)
        for method, url in urls:
            assert getattr(client, method)(url).status_code == 404, (role, url)
    assert MysteryCall.objects.count() == MysteryEmail.objects.count() == 1


def test_an_interviewer_cannot_reach_the_logs_at_all(
    interviewer_client: Client, open_campaign: Campaign
) -> None:
    urls = [*_urls(open_campaign), ("get", reverse("mystery:index"))]
    urls += [("get", reverse("mystery:reference"))]
    for method, url in urls:
        assert getattr(interviewer_client, method)(url).status_code == 403, url
    assert MysteryCall.objects.count() == 1


def test_staff_cannot_edit_the_reference_lists(
    staff_client: Client, service: MysteryService
) -> None:
    assert staff_client.get(reverse("mystery:reference")).status_code == 403
    assert (
        staff_client.post(
            reverse("mystery:reference_update", args=["services", service.pk]), {"name": "X"}
        ).status_code
        == 403
    )


def test_a_quality_manager_cannot_edit_another_organisations_reference_item(
    manager_client: Client, other_organisation: Organisation
) -> None:
    foreign = MysteryServiceFactory(organisation=other_organisation, name="Leur standard")

    response = manager_client.post(
        reverse("mystery:reference_update", args=["services", foreign.pk]), {"name": "Pris"}
    )
    deleted = manager_client.post(
        reverse("mystery:reference_delete", args=["services", foreign.pk])
    )

    assert response.status_code == deleted.status_code == 404
    foreign.refresh_from_db()
    assert foreign.name == "Leur standard"
