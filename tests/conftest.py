from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from survey.models import Organisation, Role

from .factories import CampaignFactory, MembershipFactory, OrganisationFactory, UserFactory


@pytest.fixture
def organisation(db: Any) -> Organisation:
    return OrganisationFactory(name="Préfecture de la Charente", departement_code="16")


@pytest.fixture
def other_organisation(db: Any) -> Organisation:
    return OrganisationFactory(name="Préfecture de la Gironde", departement_code="33")


def client_for(role: str | None, organisation: Organisation, *, superuser: bool = False) -> Client:
    user = UserFactory(is_superuser=superuser, is_staff=superuser)
    if role is not None:
        MembershipFactory(user=user, organisation=organisation, role=role)
    client = Client()
    client.force_login(user)
    client.user = user  # type: ignore[attr-defined]
    return client


@pytest.fixture
def interviewer_client(organisation: Organisation) -> Client:
    return client_for(Role.INTERVIEWER, organisation)


@pytest.fixture
def staff_client(organisation: Organisation) -> Client:
    return client_for(Role.STAFF, organisation)


@pytest.fixture
def manager_client(organisation: Organisation) -> Client:
    return client_for(Role.QUALITY_MANAGER, organisation)


@pytest.fixture
def campaign(organisation: Organisation) -> Any:
    return CampaignFactory(organisation=organisation, year=2016, title="Enquête 2016")
