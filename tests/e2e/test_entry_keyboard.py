"""The entry pages by keyboard only, as in a phone interview: the skip links reach the
content at once, a section that opens puts the focus on its first question, and the commune
field follows the combobox pattern (ArrowDown lands on the first suggestion)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from .entry import (
    HALL_SECTIONS,
    SHORT_HALL,
    choose_shift,
    fill_section,
    interviewer,
    next_section,
    open_survey,
    start_questionnaire,
    started_by_an_interviewer,
)
from .helpers import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def focused_id(page: Any) -> str:
    return str(page.evaluate("() => document.activeElement && document.activeElement.id"))


def first_input_of_the_first_question(page: Any) -> Any:
    return (
        page.locator(".app-section:not([hidden]) .app-question:not([hidden])")
        .first.locator("input, textarea")
        .first
    )


def test_the_skip_link_reaches_the_username_in_three_key_presses(
    page: Any, live_server: Any
) -> None:
    page.goto(f"{live_server.url}/compte/connexion/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Contenu")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # the DSFR shows the skip links when they have the focus
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")

    expect(page.locator("input[name=username]")).to_be_focused()


def test_every_entry_page_offers_the_skip_links_to_the_content_and_the_menu(
    page: Any, live_server: Any, organisation: Any
) -> None:
    open_survey(organisation)
    log_in(page, live_server, interviewer(organisation).username)
    page.goto(f"{live_server.url}/saisie/")

    links = page.locator(".fr-skiplinks a")
    expect(links).to_have_count(3)
    for name, target in (
        ("Contenu", "#content"),
        ("Menu", "#navigation"),
        ("Pied de page", "#footer"),
    ):
        link = page.get_by_role("link", name=name, exact=True).and_(links)
        expect(link).to_have_attribute("href", target)
        assert page.locator(target).count() == 1, target


def test_the_phone_form_opens_with_the_focus_on_its_first_question(
    tablet: Any, live_server: Any, organisation: Any
) -> None:
    page = tablet
    survey = open_survey(organisation)
    log_in(page, live_server, interviewer(organisation).username)
    choose_shift(page, live_server, survey, survey.phone)
    start_questionnaire(page)

    first = first_input_of_the_first_question(page)
    expect(first).to_be_focused()
    assert page.evaluate("() => window.scrollY") == 0  # no jump down the page
    # The digit keys answer at once, without a Tab.
    page.keyboard.press("1")
    expect(first).to_be_checked()


def test_a_new_section_puts_the_focus_on_its_first_question(
    tablet: Any, live_server: Any, organisation: Any
) -> None:
    started_by_an_interviewer(tablet, live_server, organisation)
    fill_section(tablet, SHORT_HALL[0])
    next_section(tablet, HALL_SECTIONS[1])

    first = first_input_of_the_first_question(tablet)
    expect(first).to_be_focused()
    expect(first).to_have_attribute("name", "info_renseigne")
    expect(first).to_be_in_viewport()


def test_arrow_down_from_the_commune_field_picks_the_first_suggestion(
    tablet: Any, live_server: Any, organisation: Any
) -> None:
    page = tablet
    started_by_an_interviewer(page, live_server, organisation)
    commune = page.locator("#q-profil_commune-input")
    options = page.locator("#q-profil_commune-list [role=option]")
    commune.click()
    commune.press_sequentially("Cognac")
    expect(options.first).to_have_text("Cognac")
    expect(options.nth(1)).to_have_text("Saint-Laurent-de-Cognac")
    # Typing leaves the focus in the field: no option is the active one yet.
    expect(commune).not_to_have_attribute(
        "aria-activedescendant", options.first.get_attribute("id") or ""
    )

    commune.press("ArrowDown")
    expect(commune).to_have_attribute(
        "aria-activedescendant", options.first.get_attribute("id") or ""
    )
    expect(options.first).to_have_attribute("aria-selected", "true")
    commune.press("Enter")

    expect(commune).to_have_value("Cognac")


def test_enter_in_the_commune_field_still_picks_the_first_match_and_arrows_go_on(
    tablet: Any, live_server: Any, organisation: Any
) -> None:
    page = tablet
    started_by_an_interviewer(page, live_server, organisation)
    commune = page.locator("#q-profil_commune-input")
    commune.click()
    commune.press_sequentially("Cognac")
    commune.press("Enter")
    expect(commune).to_have_value("Cognac")

    commune.fill("")
    commune.press_sequentially("Cognac")
    commune.press("ArrowDown")
    commune.press("ArrowDown")
    commune.press("Enter")
    expect(commune).to_have_value("Saint-Laurent-de-Cognac")
