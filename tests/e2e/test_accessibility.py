"""axe-core on the entry pages, in the states people see them: no serious or critical
violation."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from demo.loader import load_demo
from survey.demo import DEMO_PASSWORD
from survey.models import DeviceQueue, EntryMode, ImportJob, Role

from ..factories import ResponseFactory
from .entry import (
    HALL_SECTIONS,
    SHORT_HALL,
    choose_shift,
    fill_section,
    interviewer,
    log_in_and_start,
    member,
    next_section,
    open_survey,
    section_title,
    start_questionnaire,
    tap_answer,
)
from .helpers import close_and_let_the_server_finish, log_in, new_context, serious_violations

pytestmark = pytest.mark.django_db(transaction=True)


def assert_no_serious_violation(page: Any) -> None:
    violations = serious_violations(page)
    assert violations == [], "\n".join(violations)


def test_the_shift_picker(tablet: Any, live_server: Any, organisation: Any) -> None:
    open_survey(organisation)
    log_in(tablet, live_server, interviewer(organisation).username)
    tablet.goto(f"{live_server.url}/saisie/")
    expect(tablet.locator("[data-shift-form]")).to_be_visible()

    assert_no_serious_violation(tablet)


def test_the_shift_summary(tablet: Any, live_server: Any, organisation: Any) -> None:
    survey = open_survey(organisation)
    log_in(tablet, live_server, interviewer(organisation).username)
    choose_shift(tablet, live_server, survey, survey.hall)

    assert_no_serious_violation(tablet)


def test_the_hall_form_at_its_first_section(
    tablet: Any, live_server: Any, organisation: Any
) -> None:
    survey = open_survey(organisation)
    log_in_and_start(tablet, live_server, survey, interviewer(organisation).username)
    expect(section_title(tablet)).to_have_text(HALL_SECTIONS[0])
    fill_section(tablet, SHORT_HALL[0])
    # The commune's suggestions open: the combobox and its listbox are checked too.
    tablet.locator("#q-profil_commune-input").tap()
    tablet.locator("#q-profil_commune-input").press_sequentially("angou")
    expect(tablet.get_by_role("option", name="Angoulême")).to_be_visible()

    assert_no_serious_violation(tablet)


def test_the_hall_form_at_a_later_section_with_its_dependent_questions(
    tablet: Any, live_server: Any, organisation: Any
) -> None:
    survey = open_survey(organisation)
    log_in_and_start(tablet, live_server, survey, interviewer(organisation).username)
    for index in range(3):
        if index:
            next_section(tablet, HALL_SECTIONS[index])
        fill_section(tablet, SHORT_HALL[index])
    next_section(tablet, HALL_SECTIONS[3])
    tap_answer(tablet, "tel_a_appele", "Oui")
    # "Suivant" with unanswered questions: the error messages are part of what is checked.
    tablet.locator("[data-next]").tap()
    expect(tablet.locator("#q-tel_coordonnees .fr-message--error")).to_be_visible()

    assert_no_serious_violation(tablet)


def test_the_thank_you_screen(tablet: Any, live_server: Any, organisation: Any) -> None:
    survey = open_survey(organisation)
    log_in_and_start(tablet, live_server, survey, interviewer(organisation).username)
    for index, answers in enumerate(SHORT_HALL):
        if index:
            next_section(tablet, HALL_SECTIONS[index])
        fill_section(tablet, answers)
    tablet.locator("[data-submit]").tap()
    expect(tablet.locator("[data-done-status]")).to_have_text("Envoyé au serveur.")

    assert_no_serious_violation(tablet)


def test_the_phone_form(tablet: Any, live_server: Any, organisation: Any) -> None:
    survey = open_survey(organisation)
    log_in(tablet, live_server, interviewer(organisation).username)
    choose_shift(tablet, live_server, survey, survey.phone)
    start_questionnaire(tablet)
    assert tablet.url.endswith(f"/saisie/remplir/{survey.phone.pk}/")
    expect(tablet.locator("#entry-started")).to_be_visible()
    expect(tablet.locator(".app-keys-help")).to_be_visible()

    assert_no_serious_violation(tablet)


def test_the_paper_form_of_a_quality_manager(
    page: Any, live_server: Any, organisation: Any
) -> None:
    survey = open_survey(organisation)
    log_in(page, live_server, member(organisation, Role.QUALITY_MANAGER, "qualite").username)
    page.goto(f"{live_server.url}/saisie/papier/{survey.hall.pk}/")
    expect(page.locator("[data-editor]")).to_be_visible()
    expect(page.locator("#q-label_qualipref")).to_be_visible()  # every section on one page

    assert_no_serious_violation(page)


def test_the_devices_page(page: Any, live_server: Any, organisation: Any) -> None:
    survey = open_survey(organisation)
    manager = member(organisation, Role.QUALITY_MANAGER, "qualite")
    DeviceQueue.objects.create(
        organisation=organisation, device_id="tablette-hall-1", user=manager, pending=3
    )
    ResponseFactory(questionnaire=survey.hall, site=survey.site, device_id="tablette-hall-2")
    ResponseFactory(
        questionnaire=survey.hall, site=survey.site, device_id="poste-2", mode=EntryMode.PAPER
    )
    log_in(page, live_server, manager.username)
    page.goto(f"{live_server.url}/saisie/appareils/")
    expect(page.locator("table")).to_have_count(2)

    assert_no_serious_violation(page)


# --- pages added for issue 13 ---------------------------------------------------------------


def test_the_personal_data_page(page: Any, live_server: Any, organisation: Any) -> None:
    page.goto(f"{live_server.url}/donnees-personnelles/")
    expect(page.locator("h1")).to_be_visible()

    assert_no_serious_violation(page)


def test_the_campaign_page_with_its_grace_field(
    page: Any, live_server: Any, organisation: Any
) -> None:
    survey = open_survey(organisation)
    log_in(page, live_server, member(organisation, Role.QUALITY_MANAGER, "qualite").username)
    page.goto(f"{live_server.url}/saisie/campagne/{survey.campaign.pk}/")
    expect(page.locator("#id_late_entry_grace_days")).to_be_visible()

    assert_no_serious_violation(page)


def test_an_import_jobs_page(page: Any, live_server: Any, organisation: Any) -> None:
    survey = open_survey(organisation)
    manager = member(organisation, Role.QUALITY_MANAGER, "qualite")
    job = ImportJob.objects.create(
        questionnaire=survey.hall, requested_by=manager, filename="accueil.csv"
    )
    log_in(page, live_server, manager.username)
    page.goto(f"{live_server.url}/saisie/imports/{job.pk}/")
    expect(page.locator("main")).to_contain_text("accueil.csv")

    assert_no_serious_violation(page)


# --- the report's preview (issue 14, point 16) -----------------------------------------------


def test_the_report_preview_on_a_phone(browser: Any, live_server: Any, db: Any) -> None:
    """The demo's report as a web page: one main landmark, laid out at the phone's width
    (the viewport meta tag; without it a phone lays a page out 980 px wide), its icon."""
    campaign = load_demo().campaign
    context = new_context(
        browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(30_000)  # the demo's whole report, on a busy machine
    try:
        page = context.new_page()
        log_in(page, live_server, "responsable", DEMO_PASSWORD)
        page.goto(f"{live_server.url}/rapport/campagne/{campaign.pk}/apercu/")
        expect(page.get_by_role("main")).to_have_count(1)
        expect(page.get_by_role("main")).to_contain_text("Sommaire")

        # Laid out at the phone's width (980 px without the viewport meta tag), and no
        # wider: no horizontal scroll.
        assert page.evaluate("() => document.documentElement.clientWidth") == 390
        assert page.evaluate("() => document.documentElement.scrollWidth") == 390
        icon = page.locator('link[rel="icon"]').first.get_attribute("href")
        assert icon is not None
        assert page.request.get(live_server.url + icon).ok
        assert_no_serious_violation(page)
    finally:
        close_and_let_the_server_finish(context)
