"""The demo's mystery tests give back the seed's tables 4.7 and 4.8, cell by cell.

The expected tables are transcribed from the seed report (Charente, October 2016), with
the reading written in fixtures/mystery/README.md: "got through" and "picked up within
5 rings" out of the calls made; greeting, courtesy and answer out of the calls that got
through. A bare "OUI" is k/k, "NON" 0/k.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings

from mystery.demo import load_mystery_demo
from mystery.models import EmailTheme, Mailbox, MysteryCall, MysteryEmail, MysteryService
from mystery.tables import call_table, email_table
from survey.models import Campaign

pytestmark = pytest.mark.django_db

# Seed table 4.7: service, calls, got through, within 5 rings, greeting, courtesy, answer.
SEED_CALLS = [
    ("Standard", 10, "10/10", "10/10", "10/10", "10/10", "8/10"),
    ("Service d'accueil et de renseignement téléphoniques", 4, "1/4", "1/4", "1/1", "1/1", "1/1"),
    ("Bureau des étrangers", 2, "1/2", "0/2", "1/1", "1/1", "1/1"),
    ("Bureau des élections et de la réglementation générale", 3, "3/3", "3/3", "1/3", "3/3", "3/3"),
    ("Bureau du conseil et du contrôle de légalité", 2, "1/2", "1/2", "1/1", "1/1", "1/1"),
    ("Bureau de l'urbanisme", 1, "1/1", "1/1", "1/1", "1/1", "1/1"),
    ("Bureau des ressources humaines et des finances", 1, "1/1", "1/1", "0/1", "1/1", "1/1"),
]
SEED_CALL_TOTAL = ("Total", 23, "18/23", "17/23", "15/18", "18/18", "16/18")

# Seed table 4.8: theme, sent, acknowledged, answered, within 5 working days, answer quality.
SEED_EMAILS = [
    ("Police administrative et réglementation générale", 2, "2/2", "2/2", "1/2", "2/2"),
    ("Médaille du travail", 1, "1/1", "1/1", "1/1", "1/1"),
    ("Permis de conduire", 1, "1/1", "1/1", "1/1", "1/1"),
    ("Certificat d'immatriculation véhicule", 1, "1/1", "1/1", "1/1", "1/1"),
    ("Demande d'emploi", 1, "1/1", "1/1", "1/1", "1/1"),
    ("Sécurité routière", 1, "1/1", "0/1", "0/1", "0/0"),
    ("Sécurité civile", 1, "1/1", "0/1", "0/1", "0/0"),
    ("Procédure environnementale", 1, "1/1", "1/1", "1/1", "1/1"),
    ("Budget communal", 1, "1/1", "1/1", "1/1", "1/1"),
    ("Association", 1, "1/1", "1/1", "1/1", "1/1"),
]
SEED_EMAIL_TOTAL = ("Total", 11, "11/11", "9/11", "8/11", "9/9")

ROUTIERE = (
    "courriel de l'utilisateur non reçu par la cellule « sécurité routière » "
    "d'où l'absence de réponse"
)


@pytest.fixture
def campaign() -> Campaign:
    with override_settings(DEBUG=True):  # the demo is for a DEBUG instance
        call_command("load_demo", stdout=StringIO())
    return Campaign.objects.get(organisation__departement_code="16", year=2016)


def _call_cells(row: object) -> tuple[object, ...]:
    return (
        row.label,  # type: ignore[attr-defined]
        row.calls,  # type: ignore[attr-defined]
        *(
            str(getattr(row, name))
            for name in ("reached", "within_rings", "greeting", "courtesy", "answer")
        ),
    )


def _email_cells(row: object) -> tuple[object, ...]:
    return (
        row.label,  # type: ignore[attr-defined]
        row.sent,  # type: ignore[attr-defined]
        *(
            str(getattr(row, name))
            for name in ("acknowledged", "answered", "within_delay", "answer")
        ),
    )


def test_the_call_table_is_the_seeds_table_4_7(campaign: Campaign) -> None:
    table = call_table(campaign)

    assert table.rings == 5
    assert [_call_cells(row) for row in table.rows] == SEED_CALLS
    assert _call_cells(table.total) == SEED_CALL_TOTAL
    assert (
        table.sentence == "18 appels sur 23 ont abouti, dont 17 décrochés en 5 sonneries au plus."
    )


def test_saturated_lines_show_in_the_observations(campaign: Campaign) -> None:
    observations = {row.label: row.observations for row in call_table(campaign).rows}

    for service in ["Service d'accueil et de renseignement téléphoniques", "Bureau des étrangers"]:
        assert any("ligne saturée" in note for note in observations[service]), service
    assert not any("ligne saturée" in note for note in observations["Standard"])


def test_the_email_table_is_the_seeds_table_4_8(campaign: Campaign) -> None:
    table = email_table(campaign)

    assert table.working_days == 5
    assert [_email_cells(row) for row in table.rows] == SEED_EMAILS
    assert _email_cells(table.total) == SEED_EMAIL_TOTAL
    assert table.total.waiting == 0
    observations = {row.label: row.observations for row in table.rows}
    assert ROUTIERE in observations["Sécurité routière"]
    assert table.sentence == (
        "9 courriels sur 11 ont reçu une réponse, dont 8 dans le délai de 5 jours ouvrés."
    )


def test_the_late_answer_came_on_the_sixth_working_day(campaign: Campaign) -> None:
    delays = sorted(
        timing.delay
        for timing in email_table(campaign).timings
        if timing.email.theme.name == "Police administrative et réglementation générale"
    )

    assert len(delays) == 2
    assert delays[0] <= 5
    assert delays[1] == 6


def test_the_logs_are_the_agents_and_the_reference_data_keeps_the_tables_order(
    campaign: Campaign,
) -> None:
    agent = get_user_model().objects.get(username="agent")

    assert MysteryCall.objects.filter(campaign=campaign, logged_by=agent).count() == 23
    assert MysteryEmail.objects.filter(campaign=campaign, logged_by=agent).count() == 11
    organisation = campaign.organisation
    assert list(
        MysteryService.objects.filter(organisation=organisation).values_list("name", flat=True)
    ) == [row[0] for row in SEED_CALLS]
    assert list(
        EmailTheme.objects.filter(organisation=organisation).values_list("name", flat=True)
    ) == [row[0] for row in SEED_EMAILS]
    assert all(
        address.endswith(("@example.org", "@example.net"))
        for address in Mailbox.objects.filter(organisation=organisation).values_list(
            "address", flat=True
        )
    )


def test_loading_twice_creates_nothing_more(campaign: Campaign) -> None:
    counts = (
        MysteryCall.objects.count(),
        MysteryEmail.objects.count(),
        MysteryService.objects.count(),
        EmailTheme.objects.count(),
        Mailbox.objects.count(),
    )

    assert load_mystery_demo(campaign) == (0, 0)
    with override_settings(DEBUG=True):
        call_command("load_demo", stdout=StringIO())

    assert (
        MysteryCall.objects.count(),
        MysteryEmail.objects.count(),
        MysteryService.objects.count(),
        EmailTheme.objects.count(),
        Mailbox.objects.count(),
    ) == counts
    assert counts == (23, 11, 7, 10, 2)
