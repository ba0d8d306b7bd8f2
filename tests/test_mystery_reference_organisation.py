"""Which organisation's mystery reference lists a page works on: the item's own, or the one
the address names, or the one in force, and the page says which (issue 13, point 5: a
national administrator got 404 on another organisation's items)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from mystery.models import MysteryService
from survey.models import Organisation, Role

from .factories import MysteryServiceFactory
from .helpers import client_for, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def national_client(organisation: Organisation) -> Client:
    """A superuser without any role: the organisation in force is the first by name,
    the Charente (``organisation``)."""
    return client_for(None, organisation, superuser=True)


@pytest.fixture
def theirs(other_organisation: Organisation) -> MysteryService:
    return MysteryServiceFactory(organisation=other_organisation, name="Standard de Bordeaux")


def test_a_national_administrator_edits_another_organisations_item_and_is_told_whose(
    national_client: Client, theirs: MysteryService, other_organisation: Organisation
) -> None:
    url = reverse("mystery:reference_update", args=["services", theirs.pk])

    page = national_client.get(url)
    saved = national_client.post(url, {"name": "Standard de la Gironde", "order": 1})

    assert page.status_code == 200
    assert "Organisation : Préfecture de la Gironde" in page.content.decode()
    assert saved.status_code == 302
    assert (
        saved["Location"] == f"{reverse('mystery:reference')}?organisation={other_organisation.pk}"
    )
    theirs.refresh_from_db()
    assert (theirs.name, theirs.organisation) == ("Standard de la Gironde", other_organisation)


def test_a_national_administrator_deletes_another_organisations_item(
    national_client: Client, theirs: MysteryService
) -> None:
    response = national_client.post(
        reverse("mystery:reference_delete", args=["services", theirs.pk])
    )

    assert response.status_code == 302
    assert not MysteryService.objects.filter(pk=theirs.pk).exists()


def test_a_national_administrator_chooses_whose_lists_and_adds_to_them(
    national_client: Client, theirs: MysteryService, other_organisation: Organisation
) -> None:
    lists = national_client.get(reverse("mystery:reference")).content.decode()
    chosen = national_client.get(
        reverse("mystery:reference"), {"organisation": other_organisation.pk}
    ).content.decode()
    create = reverse("mystery:reference_create", args=["services"])
    created = national_client.post(
        f"{create}?organisation={other_organisation.pk}",
        {"name": "Accueil de Libourne", "order": 2},
    )

    assert "Standard de Bordeaux" not in lists  # the organisation in force is the Charente
    assert f'<option value="{other_organisation.pk}">Préfecture de la Gironde</option>' in lists
    assert "Standard de Bordeaux" in chosen
    assert f"{create}?organisation={other_organisation.pk}" in chosen
    assert created.status_code == 302
    assert MysteryService.objects.get(name="Accueil de Libourne").organisation == other_organisation


def test_a_quality_manager_cannot_name_another_organisation(
    manager_client: Client, theirs: MysteryService, other_organisation: Organisation
) -> None:
    listed = manager_client.get(
        reverse("mystery:reference"), {"organisation": other_organisation.pk}
    )
    create = reverse("mystery:reference_create", args=["services"])
    created = manager_client.post(
        f"{create}?organisation={other_organisation.pk}", {"name": "X", "order": 1}
    )

    assert listed.status_code == created.status_code == 404
    assert not MysteryService.objects.filter(name="X").exists()


def test_a_quality_manager_of_two_prefectures_reaches_both_lists(
    organisation: Organisation, other_organisation: Organisation, theirs: MysteryService
) -> None:
    client = grant(
        client_for(Role.QUALITY_MANAGER, organisation), other_organisation, Role.QUALITY_MANAGER
    )

    page = client.get(reverse("mystery:reference_update", args=["services", theirs.pk]))

    assert page.status_code == 200
    assert "Organisation : Préfecture de la Gironde" in page.content.decode()


@pytest.mark.parametrize("raw", ["x", "-1", "1e400", "9" * 30, "\u0663", "0"])
def test_an_unreadable_organisation_in_the_address_is_a_404(
    national_client: Client, raw: str
) -> None:
    assert (
        national_client.get(reverse("mystery:reference"), {"organisation": raw}).status_code == 404
    )
