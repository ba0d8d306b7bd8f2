from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from demo.loader import DemoResult, load_demo
from mystery.models import EmailTheme, MysteryService
from reports.indicators import clear_structure_cache
from survey.models import Campaign, CampaignStatus, Organisation, Questionnaire, Role, Site
from survey.services.responses import clear_spec_cache

from .factories import (
    CampaignFactory,
    EmailThemeFactory,
    MysteryServiceFactory,
    OrganisationFactory,
    SiteFactory,
)
from .helpers import Survey, client_for, open_canonical_campaign

IMMEDIATE_BACKEND = "django_tasks.backends.immediate.ImmediateBackend"


@pytest.fixture(autouse=True)
def _fresh_questionnaire_cache() -> Any:
    """Rolled-back tests may reuse ids (SQLite): no spec or structure survives a test."""
    clear_spec_cache()
    clear_structure_cache()
    yield
    clear_spec_cache()
    clear_structure_cache()


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    """Background tasks run inside the request that queues them (no worker in the tests);
    the ``queue`` fixture puts the database queue back where a test needs it."""
    settings.TASKS = {"default": {"BACKEND": IMMEDIATE_BACKEND}}


@pytest.fixture
def queue(settings: Any) -> None:
    """Tasks wait in the database until a worker claims them, as in production."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


@pytest.fixture
def organisation(db: Any) -> Organisation:
    return OrganisationFactory(name="Préfecture de la Charente", departement_code="16")


@pytest.fixture
def other_organisation(db: Any) -> Organisation:
    return OrganisationFactory(name="Préfecture de la Gironde", departement_code="33")


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


# --- what several modules start from (a module may still define its own, which wins) ---------


@pytest.fixture
def open_campaign(organisation: Organisation) -> Campaign:
    return CampaignFactory(organisation=organisation, year=2016, status=CampaignStatus.OPEN)


@pytest.fixture
def hall(organisation: Organisation) -> Questionnaire:
    """The canonical hall questionnaire of an open campaign (3 to 14 October 2016)."""
    return open_canonical_campaign(organisation).questionnaires.get(channel="hall")


@pytest.fixture
def site(organisation: Organisation) -> Site:
    return SiteFactory(organisation=organisation, name="Préfecture d'Angoulême")


@pytest.fixture
def survey(organisation: Organisation) -> Survey:
    return Survey(organisation)


@pytest.fixture
def service(organisation: Organisation) -> MysteryService:
    return MysteryServiceFactory(organisation=organisation, name="Standard")


@pytest.fixture
def theme(organisation: Organisation) -> EmailTheme:
    return EmailThemeFactory(organisation=organisation, name="Permis de conduire")


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[DemoResult]:
    """The Charente demo, loaded once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo()
        transaction.set_rollback(True)
