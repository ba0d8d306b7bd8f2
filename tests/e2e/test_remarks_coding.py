"""The quality manager codes remarks with the keyboard alone: keys, Enter, the next remark.
axe-core finds nothing serious on the remarks pages."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from reports import remarks
from reports.models import RemarkCode
from survey.models import Organisation, Role

from ..helpers import ESPACE, attente, category, make_remark, open_canonical_campaign
from .entry import member
from .helpers import log_in, serious_violations

pytestmark = pytest.mark.django_db(transaction=True)


def test_keys_typed_on_the_coding_screen_code_two_remarks(
    page: Any, live_server: Any, organisation: Organisation
) -> None:
    campaign = open_canonical_campaign(organisation)
    remarks.load_taxonomy(organisation)
    first = make_remark(campaign, "Trop d'attente, et fermé l'après-midi.")
    second = make_remark(campaign, "Pas de chaises dans le hall.", channel="phone")
    member(organisation, Role.QUALITY_MANAGER, "responsable")
    log_in(page, live_server, "responsable")
    page.goto(f"{live_server.url}/tableau-de-bord/campagne/{campaign.pk}/remarques/")

    expect(page.locator("#remarks-left")).to_contain_text("2 remarques à coder")
    expect(page.locator("#remark-text")).to_have_text("Trop d'attente, et fermé l'après-midi.")
    keys = page.locator("input[name=keys]")
    expect(keys).to_be_focused()
    page.keyboard.type("1 2")
    expect(page.locator("[data-key='1']")).to_be_checked()
    expect(page.locator("[data-key='2']")).to_be_checked()
    expect(page.locator("#keys-preview")).to_contain_text("Temps d'attente trop long")
    page.keyboard.press("Enter")

    expect(page.locator("#remark-text")).to_have_text("Pas de chaises dans le hall.")
    expect(page.locator("#remarks-left")).to_contain_text("1 remarque à coder")
    page.keyboard.type("4")
    page.keyboard.press("Enter")

    expect(page.locator("#all-coded")).to_be_visible()
    hall = category(organisation, "Accueil physique")
    expect(page.locator(f"[data-total='{hall.pk}']")).to_have_text("2")
    coded = {
        (code.answer_id, code.category.label)
        for code in RemarkCode.objects.select_related("category")
    }
    assert coded == {
        (first.pk, attente(organisation).label),
        (first.pk, "Horaires d'ouverture au public insuffisants"),
        (second.pk, ESPACE),
    }


def test_a_box_ticked_by_hand_writes_its_key(
    page: Any, live_server: Any, organisation: Organisation
) -> None:
    campaign = open_canonical_campaign(organisation)
    remarks.load_taxonomy(organisation)
    make_remark(campaign, "Personne ne décroche.")
    member(organisation, Role.QUALITY_MANAGER, "responsable")
    log_in(page, live_server, "responsable")
    page.goto(f"{live_server.url}/tableau-de-bord/campagne/{campaign.pk}/remarques/")

    page.get_by_text("Difficulté pour joindre le service souhaité").click()

    key = page.locator("input[name=categories]:checked").get_attribute("data-key")
    expect(page.locator("input[name=keys]")).to_have_value(key or "?")


def test_the_remarks_pages_have_no_serious_violation(
    page: Any, live_server: Any, organisation: Organisation
) -> None:
    campaign = open_canonical_campaign(organisation)
    remarks.load_taxonomy(organisation)
    make_remark(campaign, "Trop d'attente.")
    member(organisation, Role.QUALITY_MANAGER, "responsable")
    log_in(page, live_server, "responsable")
    for path in (
        f"/tableau-de-bord/campagne/{campaign.pk}/remarques/",
        f"/tableau-de-bord/campagne/{campaign.pk}/remarques/tableau/",
        "/tableau-de-bord/remarques/rubriques/",
        f"/tableau-de-bord/remarques/rubriques/{attente(organisation).pk}/",
    ):
        page.goto(f"{live_server.url}{path}")
        assert serious_violations(page) == [], path
