"""A member of staff logs mystery calls on a tablet: the form shows the criteria only for a
call that got through, the missing parts of the greeting only when it was incomplete, and
goes straight on to the next call. axe-core finds nothing serious on the mystery pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mystery.models import CallOutcome, MysteryCall
from survey.models import CampaignStatus, Organisation, Role

from ..factories import CampaignFactory, MysteryCallFactory, MysteryServiceFactory
from .entry import member
from .helpers import log_in, serious_violations

pytestmark = pytest.mark.django_db(transaction=True)


def tap_option(page: Any, field: str, label: str) -> None:
    """Tap the label of a radio button or checkbox, as a finger would."""
    page.locator(f"#div_id_{field}").get_by_text(label, exact=True).tap()


def test_staff_log_two_calls_by_taps(
    tablet: Any, live_server: Any, organisation: Organisation
) -> None:
    campaign = CampaignFactory(
        organisation=organisation, year=timezone.localdate().year, status=CampaignStatus.OPEN
    )
    standard = MysteryServiceFactory(
        organisation=organisation, name="Standard", phone_number="05 36 49 00 00"
    )
    MysteryServiceFactory(organisation=organisation, name="Bureau des étrangers")
    member(organisation, Role.STAFF, "agent")
    log_in(tablet, live_server, "agent")
    tablet.goto(f"{live_server.url}/mystere/campagne/{campaign.pk}/appels/nouveau/")

    criteria = tablet.locator("#call-criteria")
    missing = tablet.locator("#div_id_greeting_missing")
    tablet.select_option("select[name=service]", str(standard.pk))
    expect(tablet.locator("input[name=number_dialled]")).to_have_value("05 36 49 00 00")
    tap_option(tablet, "outcome", "Ligne saturée")
    expect(criteria).to_be_hidden()
    tablet.get_by_role("button", name="Enregistrer et saisir l'appel suivant").tap()
    expect(tablet.locator(".fr-alert--success")).to_contain_text("Appel enregistré")

    tablet.select_option("select[name=service]", str(standard.pk))
    tap_option(tablet, "outcome", "Abouti : un agent a décroché")
    expect(criteria).to_be_visible()
    expect(missing).to_be_hidden()
    tablet.fill("input[name=rings]", "3")
    tap_option(tablet, "greeting_complete", "Non")
    expect(missing).to_be_visible()
    tap_option(tablet, "greeting_missing", "Nom ou prénom de l'agent")
    for field in ("courteous", "answer_content_ok", "answer_form_ok"):
        tap_option(tablet, field, "Oui")
    tablet.get_by_role("button", name="Enregistrer", exact=True).tap()
    expect(tablet.locator(".fr-alert--success")).to_contain_text("Appel enregistré")

    calls = list(MysteryCall.objects.order_by("pk"))
    assert [c.outcome for c in calls] == [CallOutcome.SATURATED, CallOutcome.REACHED]
    assert (calls[0].rings, calls[0].number_dialled) == (None, "05 36 49 00 00")
    assert (calls[1].rings, calls[1].greeting_missing, calls[1].answer_ok) == (3, ["agent"], True)


def test_the_mystery_pages_have_no_serious_violation(
    tablet: Any, live_server: Any, organisation: Organisation
) -> None:
    campaign = CampaignFactory(
        organisation=organisation, year=timezone.localdate().year, status=CampaignStatus.OPEN
    )
    call = MysteryCallFactory(campaign=campaign)
    member(organisation, Role.QUALITY_MANAGER, "responsable")
    log_in(tablet, live_server, "responsable")
    for path in (
        f"/mystere/campagne/{campaign.pk}/",
        f"/mystere/campagne/{campaign.pk}/appels/",
        f"/mystere/campagne/{campaign.pk}/appels/nouveau/",
        f"/mystere/appels/{call.pk}/",
        f"/mystere/campagne/{campaign.pk}/courriels/nouveau/",
        "/mystere/referentiel/",
    ):
        tablet.goto(f"{live_server.url}{path}")
        violations = serious_violations(tablet)
        assert violations == [], f"{path}\n" + "\n".join(violations)
