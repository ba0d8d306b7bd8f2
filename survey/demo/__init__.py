"""survey's part of the demo: the Charente prefecture, its sites, its 2016 campaign and its
questionnaires, the demo accounts, and the campaign's 266 filled questionnaires
(``survey.demo.responses``).

The whole demo is composed above the apps, by ``demo.loader.load_demo``: this part first,
then ``mystery.demo`` and ``reports.demo``, which find the campaign and the accounts here.
Idempotent: a second run finds everything in place and creates nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from survey.communes import load_communes
from survey.models import Campaign, CampaignStatus, Membership, Organisation, Role, Site
from survey.services.campaigns import FIXTURES, create_campaign, open_campaign

from .responses import DemoResponsesResult, load_demo_responses

DEPARTEMENT_CODE = "16"
YEAR = 2016

DEMO_PASSWORD = "demo"
DEMO_ACCOUNTS = [
    ("admin", None, "administration nationale (superutilisateur)"),
    ("responsable", Role.QUALITY_MANAGER, "responsable qualité"),
    ("agent", Role.STAFF, "agent (tests mystères)"),
    ("stagiaire", Role.INTERVIEWER, "élève stagiaire (saisie)"),
    # The demo questionnaires' other interviewers (fixtures/demo/charente_2016_figures.json).
    ("stagiaire2", Role.INTERVIEWER, "élève stagiaire (enquête téléphonique)"),
    ("stagiaire3", Role.INTERVIEWER, "élève stagiaire (hall de la préfecture)"),
    ("stagiaire4", Role.INTERVIEWER, "élève stagiaire (sous-préfectures)"),
]
SITES = [
    ("Préfecture de la Charente (Angoulême)", Site.Kind.PREFECTURE),
    ("Sous-préfecture de Cognac", Site.Kind.SOUS_PREFECTURE),
    ("Sous-préfecture de Confolens", Site.Kind.SOUS_PREFECTURE),
]


@dataclass
class SurveyDemo:
    campaign: Campaign
    accounts: list[tuple[str, str, bool]] = field(default_factory=list)  # name, role, created
    responses: DemoResponsesResult = field(default_factory=DemoResponsesResult)


def demo_campaign() -> Campaign:
    """The demo's campaign, once loaded (``python -m reports.audit.pdf --demo`` prints it)."""
    return Campaign.objects.select_related("organisation").get(
        organisation__departement_code=DEPARTEMENT_CODE, year=YEAR
    )


@transaction.atomic
def load_survey_demo() -> SurveyDemo:
    load_communes(FIXTURES / "communes" / "charente_communes_cog2026.csv")
    organisation, _ = Organisation.objects.get_or_create(
        departement_code=DEPARTEMENT_CODE,
        defaults={
            "name": "Préfecture de la Charente",
            "name_in_sentence": "la préfecture de la Charente",
        },
    )
    for name, kind in SITES:
        Site.objects.get_or_create(organisation=organisation, name=name, defaults={"kind": kind})

    campaign = Campaign.objects.filter(organisation=organisation, year=YEAR).first()
    if campaign is None:
        campaign = create_campaign(
            organisation=organisation,
            year=YEAR,
            title="Enquête de satisfaction sur l'accueil en préfecture — octobre 2016",
            start_date=datetime.date(2016, 10, 3),
            end_date=datetime.date(2016, 10, 14),
            objective=Decimal(75),
            orange_band=Decimal(5),
            canonical=True,
        )
    if campaign.status == CampaignStatus.DRAFT:
        open_campaign(campaign=campaign)  # the canonical questionnaires pass the check

    result = SurveyDemo(campaign=campaign)
    user_model = get_user_model()
    password = ""  # hashed once: a hash costs a third of a second, the accounts share it
    for username, role, label in DEMO_ACCOUNTS:
        user, created = user_model.objects.get_or_create(
            username=username,
            defaults={"is_superuser": role is None, "is_staff": role is None},
        )
        if created:
            password = password or make_password(DEMO_PASSWORD)
            user.password = password
            user.save(update_fields=["password"])
        if role is not None:
            Membership.objects.get_or_create(
                user=user, organisation=organisation, defaults={"role": role}
            )
        result.accounts.append((username, label, created))
    result.responses = load_demo_responses(campaign)
    return result
