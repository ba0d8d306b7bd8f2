"""A tablet in the hall passes from one trainee to the next, in one browser profile: every
questionnaire is credited to the trainee who entered it, whoever's session is open when the
network comes back, and the page says whose session it is."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from survey.models import Response

from .entry import (
    choose_shift,
    fill_short_hall_questionnaire,
    interviewer,
    log_in_and_start,
    open_survey,
)
from .helpers import go_offline, go_online, log_in, wait_until_queue_empty

pytestmark = pytest.mark.django_db(transaction=True)

LOGOUT_FORM = "form[action$='/compte/deconnexion/']"


def log_out(page: Any) -> None:
    """Send the header's "Se déconnecter" form, as its button does (the button itself sits in
    the DSFR's menu at tablet width)."""
    page.locator(LOGOUT_FORM).first.evaluate("(form) => form.requestSubmit()")


def test_questionnaires_queued_by_one_trainee_are_never_stored_under_the_next_ones_session(
    tablet_context: Any, tablet: Any, live_server: Any, organisation: Any
) -> None:
    survey = open_survey(organisation)
    first = interviewer(organisation, "stagiaire")
    second = interviewer(organisation, "stagiaire2")
    tab_a = tablet
    submissions: list[tuple[int, str]] = []
    tablet_context.on(
        "response",
        lambda response: (
            submissions.append((response.status, response.request.post_data_json["interviewer"]))
            if response.request.method == "POST" and response.url.endswith("/saisie/api/reponses/")
            else None
        ),
    )

    # Tab A: stagiaire queues two questionnaires offline.
    log_in_and_start(tab_a, live_server, survey, first.username)
    expect(tab_a.locator("[data-session-user]")).to_contain_text(
        "Connecté(e) en tant que stagiaire"
    )
    go_offline(tablet_context)
    fill_short_hall_questionnaire(tab_a)
    tab_a.get_by_role("button", name="Nouveau questionnaire").tap()
    fill_short_hall_questionnaire(tab_a)
    expect(tab_a.locator("[data-queue-count]")).to_have_text("2 questionnaires en attente d'envoi")

    # The session ends (its 12 hours are over); the network returns: tab A asks to log in.
    Session.objects.all().delete()
    go_online(tablet_context)
    expect(tab_a.locator("[data-queue-auth]")).to_be_visible()
    assert not Response.objects.exists()

    # Tab B: stagiaire2 logs in; those two are not theirs and wait for their owner.
    tab_b = tablet_context.new_page()
    log_in(tab_b, live_server, second.username)
    tab_b.goto(f"{live_server.url}/saisie/")  # the shift is the device's: already chosen
    expect(tab_b.locator("[data-shift-summary]")).to_be_visible()
    expect(tab_b.locator("[data-session-user]")).to_contain_text(
        "Connecté(e) en tant que stagiaire2"
    )
    expect(tab_b.locator("[data-queue-detail]")).to_contain_text(
        "Dont 2 saisis sous un autre compte (stagiaire) : ils partiront quand ce compte se "
        "reconnectera sur cet appareil."
    )

    # Tab A tries again (every 15 s) under stagiaire2's session: the server refuses without
    # storing, and tab A says why and keeps them for stagiaire.
    expect(tab_a.locator("[data-queue-other-session]")).to_contain_text(
        "La session ouverte sur cet appareil est celle de stagiaire2", timeout=20_000
    )
    expect(tab_a.locator("[data-queue-count]")).to_have_text("2 questionnaires en attente d'envoi")
    assert (409, "stagiaire") in submissions
    assert not Response.objects.exists()
    expect(tab_a.locator("[data-queue-invalid]")).to_be_hidden()  # not "à corriger"

    # stagiaire logs back in (in tab B): the two leave, credited to stagiaire.
    log_out(tab_b)
    tab_b.wait_for_url("**/compte/connexion/**")
    log_in(tab_b, live_server, first.username)
    tab_b.goto(f"{live_server.url}/saisie/")
    wait_until_queue_empty(tab_b)
    expect(tab_b.locator("[data-queue-pending]")).to_be_hidden()
    assert Response.objects.count() == 2
    assert set(Response.objects.values_list("interviewer", flat=True)) == {first.pk}
    assert all(interviewer == "stagiaire" for _, interviewer in submissions)


def test_logging_out_offline_says_it_needs_the_network_and_the_session_stays_named(
    tablet_context: Any, tablet: Any, live_server: Any, organisation: Any
) -> None:
    survey = open_survey(organisation)
    user = interviewer(organisation, "stagiaire")
    page = tablet
    log_in(page, live_server, user.username)
    choose_shift(page, live_server, survey, survey.hall)
    session = page.locator("[data-session-user]")
    expect(session).to_contain_text("Connecté(e) en tant que stagiaire")
    expect(session).to_contain_text("la déconnexion demande le réseau")

    go_offline(tablet_context)
    with page.expect_event("dialog") as shown:
        log_out(page)
    dialog = shown.value
    assert "Déconnexion impossible sans réseau : la session de stagiaire reste ouverte" in (
        dialog.message
    )
    dialog.accept()
    # No browser error page: the entry page stays, and says so.
    expect(page.locator("[data-logout-offline]")).to_contain_text(
        "Déconnexion impossible sans réseau"
    )
    expect(session).to_be_visible()
    assert page.url.endswith("/saisie/")

    go_online(tablet_context)
    log_out(page)
    page.wait_for_url("**/compte/connexion/**")
    page.goto(f"{live_server.url}/saisie/")
    page.wait_for_url("**/compte/connexion/**")  # logged out for real
