"""factory_boy factories for the survey models."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

from mystery.models import (
    CallOutcome,
    EmailTheme,
    MysteryCall,
    MysteryEmail,
    MysteryService,
)
from survey.models import (
    Campaign,
    CampaignStatus,
    Channel,
    Choice,
    Membership,
    Organisation,
    Polarity,
    Question,
    QuestionKind,
    Questionnaire,
    Response,
    Role,
    Section,
    Site,
)


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Préfecture n° {n}")
    # 40 to 99: never the Charente (16) nor the Gironde (33) of the conftest fixtures.
    departement_code = factory.Sequence(lambda n: f"{40 + n % 60:02d}")


class SiteFactory(factory.django.DjangoModelFactory[Site]):
    class Meta:
        model = Site

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Site {n}")


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("secret")


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.QUALITY_MANAGER


class CampaignFactory(factory.django.DjangoModelFactory[Campaign]):
    class Meta:
        model = Campaign

    organisation = factory.SubFactory(OrganisationFactory)
    year = factory.Sequence(lambda n: 2016 + n)
    title = factory.LazyAttribute(lambda c: f"Enquête {c.year}")
    start_date = factory.LazyAttribute(lambda c: datetime.date(c.year, 10, 3))
    end_date = factory.LazyAttribute(lambda c: datetime.date(c.year, 10, 14))

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Campaign:
        # status is not editable through forms; tests may still ask for any state.
        status = kwargs.pop("status", CampaignStatus.DRAFT)
        campaign: Campaign = super()._create(model_class, *args, **kwargs)
        if status != CampaignStatus.DRAFT:
            Campaign.objects.filter(pk=campaign.pk).update(status=status)
            campaign.status = status
        return campaign


class QuestionnaireFactory(factory.django.DjangoModelFactory[Questionnaire]):
    class Meta:
        model = Questionnaire

    campaign = factory.SubFactory(CampaignFactory)
    channel = Channel.HALL
    title = "Questionnaire accueil physique"


class SectionFactory(factory.django.DjangoModelFactory[Section]):
    class Meta:
        model = Section

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    code = factory.Sequence(lambda n: f"section_{n}")
    title = factory.Sequence(lambda n: f"Section {n}")
    order = factory.Sequence(lambda n: n)


class QuestionFactory(factory.django.DjangoModelFactory[Question]):
    class Meta:
        model = Question

    section = factory.SubFactory(SectionFactory)
    questionnaire = factory.SelfAttribute("section.questionnaire")
    code = factory.Sequence(lambda n: f"q_{n}")
    number = factory.Sequence(str)
    order = factory.Sequence(lambda n: n)
    text = factory.Sequence(lambda n: f"Question {n} ?")
    kind = QuestionKind.YES_NO


class ChoiceFactory(factory.django.DjangoModelFactory[Choice]):
    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory)
    code = factory.Sequence(lambda n: f"c_{n}")
    label = factory.Sequence(lambda n: f"Choix {n}")
    order = factory.Sequence(lambda n: n)
    polarity = Polarity.NEUTRAL


def yes_no_question(**kwargs: Any) -> Question:
    question: Question = QuestionFactory(kind=QuestionKind.YES_NO, **kwargs)
    ChoiceFactory(question=question, code="oui", label="Oui", order=1, polarity=Polarity.FAVOURABLE)
    ChoiceFactory(
        question=question, code="non", label="Non", order=2, polarity=Polarity.UNFAVOURABLE
    )
    return question


class ResponseFactory(factory.django.DjangoModelFactory[Response]):
    class Meta:
        model = Response

    uuid = factory.LazyFunction(uuid.uuid4)
    questionnaire = factory.SubFactory(QuestionnaireFactory, campaign__status=CampaignStatus.OPEN)
    site = factory.SubFactory(
        SiteFactory, organisation=factory.SelfAttribute("..questionnaire.campaign.organisation")
    )


# --- mystery tests ----------------------------------------------------------------------------


class MysteryServiceFactory(factory.django.DjangoModelFactory[MysteryService]):
    class Meta:
        model = MysteryService

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Bureau n° {n}")
    phone_number = "05 45 00 00 00"


class EmailThemeFactory(factory.django.DjangoModelFactory[EmailTheme]):
    class Meta:
        model = EmailTheme

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Thème n° {n}")


class MysteryCallFactory(factory.django.DjangoModelFactory[MysteryCall]):
    """A call that got through and passed every criterion; override to fail one."""

    class Meta:
        model = MysteryCall

    campaign = factory.SubFactory(CampaignFactory, status=CampaignStatus.OPEN)
    service = factory.SubFactory(
        MysteryServiceFactory, organisation=factory.SelfAttribute("..campaign.organisation")
    )
    number_dialled = factory.SelfAttribute("service.phone_number")
    called_at = factory.LazyFunction(
        lambda: datetime.datetime(2016, 10, 4, 10, 0, tzinfo=datetime.UTC)
    )
    outcome = CallOutcome.REACHED
    rings = 3
    greeting_complete = True
    courteous = True
    answer_content_ok = True
    answer_form_ok = True


class MysteryEmailFactory(factory.django.DjangoModelFactory[MysteryEmail]):
    """An e-mail sent on Monday 3 October 2016, acknowledged at once, not yet answered."""

    class Meta:
        model = MysteryEmail

    campaign = factory.SubFactory(CampaignFactory, status=CampaignStatus.OPEN)
    theme = factory.SubFactory(
        EmailThemeFactory, organisation=factory.SelfAttribute("..campaign.organisation")
    )
    sent_at = factory.LazyFunction(
        lambda: datetime.datetime(2016, 10, 3, 9, 0, tzinfo=datetime.UTC)
    )
    acknowledged_at = factory.SelfAttribute("sent_at")
