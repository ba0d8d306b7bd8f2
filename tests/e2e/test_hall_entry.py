"""An interviewer fills a whole hall questionnaire on a tablet, by tapping the answer tiles."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from survey.models import Channel, EntryMode, Response

from .entry import (
    HALL_SECTIONS,
    SHORT_HALL,
    fill_section,
    interviewer,
    log_in_and_start,
    next_section,
    open_survey,
    question,
    section_title,
    send,
    stored_answers,
    tap_answer,
    tile,
)
from .helpers import SMALL_TABLET

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_interviewer_fills_a_hall_questionnaire_with_its_skip_logic_and_sends_it(
    tablet: Any, live_server: Any, organisation: Any
) -> None:
    survey = open_survey(organisation)
    user = interviewer(organisation)
    page = tablet

    log_in_and_start(page, live_server, survey, user.username)
    assert page.url == f"{live_server.url}/saisie/remplir/{survey.hall.pk}/"
    expect(page.locator("[data-today-count]")).to_have_text("0")

    # 1. The visitor: four tiles, then the commune typed without its accent.
    expect(section_title(page)).to_have_text(HALL_SECTIONS[0])
    fill_section(page, SHORT_HALL[0])
    commune = page.locator("#q-profil_commune-input")
    commune.tap()
    commune.press_sequentially("angouleme")
    angouleme = page.locator("#q-profil_commune-list").get_by_role("option", name="Angoulême")
    expect(angouleme).to_be_visible()
    expect(page.locator("#q-profil_commune-list [role=option]").first).to_have_text("Angoulême")
    angouleme.tap()
    expect(commune).to_have_value("Angoulême")
    expect(page.locator("#q-profil_commune-list")).to_be_hidden()

    # 2. Q6 "Oui" asks Q7; "Non" hides it again and forgets the boxes ticked meanwhile.
    next_section(page, HALL_SECTIONS[1])
    expect(question(page, "info_source")).to_be_hidden()
    tap_answer(page, "info_renseigne", "Oui")
    expect(question(page, "info_source")).to_be_visible()
    tile(page, "info_source", "Par téléphone").tap()
    tap_answer(page, "info_renseigne", "Non")
    expect(question(page, "info_source")).to_be_hidden()
    expect(question(page, "info_source").locator("input:checked")).to_have_count(0)
    tap_answer(page, "info_facilite", "Peu satisfaisant")

    # 3. The hall itself.
    next_section(page, HALL_SECTIONS[2])
    fill_section(page, SHORT_HALL[2] | {"hall_badge": "Plutôt pas d'accord"})

    # 4. "Oui" to the phone filter asks its questions; "Non" to the voice server skips Q28.
    next_section(page, HALL_SECTIONS[3])
    phone_questions = [
        "tel_coordonnees",
        "tel_joignabilite_standard",
        "tel_joignabilite_sart",
        "tel_joignabilite_service",
        "tel_courtoisie",
        "tel_information_obtenue",
        "tel_termes_simples",
        "tel_transfert",
    ]
    for code in [*phone_questions, "tel_svi_utilise", "tel_satisfaction_globale"]:
        expect(question(page, code)).to_be_hidden()
    tap_answer(page, "tel_a_appele", "Oui")
    for code in [*phone_questions, "tel_svi_utilise", "tel_satisfaction_globale"]:
        expect(question(page, code)).to_be_visible()
    expect(question(page, "tel_svi")).to_be_hidden()
    fill_section(page, dict.fromkeys(phone_questions, "Plutôt d'accord"))
    tap_answer(page, "tel_svi_utilise", "Non")
    expect(question(page, "tel_svi")).to_be_hidden()
    tap_answer(page, "tel_satisfaction_globale", "Satisfaisant")
    tap_answer(page, "tel_appel_avant_venue", "Oui")

    # 5. No website; social networks known and used: both "rs" questions are asked.
    next_section(page, HALL_SECTIONS[4])
    tap_answer(page, "web_a_consulte", "Non")
    expect(question(page, "web_adresse")).to_be_hidden()
    tap_answer(page, "rs_connait", "Oui")
    expect(question(page, "rs_a_echange")).to_be_visible()
    expect(question(page, "rs_satisfaction_globale")).to_be_hidden()
    tap_answer(page, "rs_a_echange", "Oui")
    expect(question(page, "rs_satisfaction_globale")).to_be_visible()
    tap_answer(page, "rs_satisfaction_globale", "Très satisfaisant")

    # 6. A remark, typed on the tablet's keyboard.
    next_section(page, HALL_SECTIONS[5])
    remarks = page.locator("#q-remarques-input")
    remarks.tap()
    remarks.fill("Accueil rapide, merci.")

    # 7. The last section has the send button instead of "Suivant".
    next_section(page, HALL_SECTIONS[6])
    expect(page.locator("[data-next]")).to_be_hidden()
    tap_answer(page, "label_qualipref", "Non")
    send(page)

    expect(page.locator("[data-done-status]")).to_have_text("Envoyé au serveur.")
    expect(page.locator("[data-today-count]")).to_have_text("1")

    response = Response.objects.get()
    assert (response.channel, response.mode, response.site, response.interviewer) == (
        Channel.HALL,
        EntryMode.TABLET,
        survey.site,
        user,
    )
    assert stored_answers(response) == {
        "profil_statut": "particulier",
        "profil_motif": "cni_passeport",
        "profil_frequence": "premiere_visite",
        "profil_transport": "a_pied_velo",
        "profil_commune": "16015",
        "info_renseigne": "non",
        "info_facilite": "peu_satisfaisant",
        "hall_signaletique": "tout_a_fait_d_accord",
        "hall_proprete": "tout_a_fait_d_accord",
        "hall_badge": "plutot_pas_d_accord",
        "hall_courtoisie": "tout_a_fait_d_accord",
        "hall_ecoute": "tout_a_fait_d_accord",
        "hall_confidentialite": "tout_a_fait_d_accord",
        "hall_conseils": "tout_a_fait_d_accord",
        "hall_termes_simples": "tout_a_fait_d_accord",
        "hall_orientation": "tout_a_fait_d_accord",
        "hall_pmr": "satisfaisant",
        "hall_satisfaction_globale": "tres_satisfaisant",
        "tel_a_appele": "oui",
        **dict.fromkeys(phone_questions, "plutot_d_accord"),
        "tel_svi_utilise": "non",
        "tel_satisfaction_globale": "satisfaisant",
        "tel_appel_avant_venue": "oui",
        "web_a_consulte": "non",
        "rs_connait": "oui",
        "rs_a_echange": "oui",
        "rs_satisfaction_globale": "tres_satisfaisant",
        "remarques": "Accueil rapide, merci.",
        "label_qualipref": "non",
    }

    # Back on the entry page, the server counts it among today's questionnaires.
    page.get_by_role("link", name="Changer de poste").tap()
    expect(page.locator("[data-shift-summary]")).to_be_visible()
    expect(page.locator(".app-entry__today")).to_have_text(
        "Questionnaires saisis aujourd'hui : 1", use_inner_text=True
    )


def test_on_a_small_tablet_every_answer_tile_is_at_least_44_px_high(
    tablet: Any, live_server: Any, organisation: Any
) -> None:
    survey = open_survey(organisation)
    user = interviewer(organisation)
    page = tablet
    page.set_viewport_size(SMALL_TABLET)
    log_in_and_start(page, live_server, survey, user.username)

    measured = 0
    for index, title in enumerate(HALL_SECTIONS):
        if index:
            next_section(page, title)
        # The first tile of every question: "Oui" to each filter, so every question shows.
        questions = page.locator(".app-section:not([hidden]) fieldset.app-question:not([hidden])")
        while unanswered := questions.filter(has_not=page.locator("input:checked")).all():
            unanswered[0].locator(".app-tile label").first.tap()
        # One round trip for the section's bounding boxes (locator.bounding_box() per tile
        # would cost one each).
        boxes = questions.locator(".app-tile label").evaluate_all(
            """labels => labels.map(label => {
                const box = label.getBoundingClientRect();
                return {text: label.textContent.trim(), left: box.left, right: box.right,
                        height: box.height};
            })"""
        )
        too_small = [box for box in boxes if box["height"] < 44]
        assert too_small == [], f"{title}: tuiles de moins de 44 px"
        cut = [box for box in boxes if box["left"] < 0 or box["right"] > SMALL_TABLET["width"]]
        assert cut == [], f"{title}: tuiles qui dépassent l'écran"
        measured += len(boxes)
    # Every question with tiles was on screen once (209 tiles in the canonical questionnaire).
    assert measured >= 200
    send(page)

    expect(page.locator("[data-done-status]")).to_have_text("Envoyé au serveur.")
    assert Response.objects.get().answers.filter(question__code="rs_satisfaction_globale").exists()
