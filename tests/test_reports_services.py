"""The writes of the figures, texts and actions pages, called directly: what they store, and
that a write failing half-way leaves the database as it was (each is one transaction)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from reports.audit.models import ActionStatus, ImprovementAction, SectionText
from reports.audit.services.actions import delete_action, save_action, set_action_status
from reports.audit.services.texts import (
    TextConflict,
    revert_section_text,
    save_section_text,
    version_of,
)
from reports.models import FigureChannel, PublishedFigure, WebFigure, WebMetric
from reports.services.figures import (
    delete_published_figure,
    save_published_figure,
    save_web_figures,
)
from survey.models import Campaign, CampaignStatus, Organisation

from .factories import UserFactory

pytestmark = pytest.mark.django_db

VISITS, IMPRESSIONS = WebMetric.SITE_VISITS, WebMetric.SOCIAL_IMPRESSIONS


def stored(organisation: Organisation, year: int = 2016) -> dict[tuple[int, str], int]:
    return {
        (month, metric): value
        for month, metric, value in WebFigure.objects.filter(
            organisation=organisation, year=year
        ).values_list("month", "metric", "value")
    }


def close(campaign: Campaign) -> None:
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.CLOSED)


# --- monthly figures ----------------------------------------------------------------------


def test_a_year_of_web_figures_is_created_updated_and_emptied_in_one_call(
    organisation: Organisation,
) -> None:
    first = save_web_figures(
        organisation=organisation,
        year=2016,
        values={(1, VISITS): 23603, (2, VISITS): 20000, (1, IMPRESSIONS): 95435},
    )
    assert (first.created, first.updated, first.deleted) == (3, 0, 0)
    again = save_web_figures(
        organisation=organisation,
        year=2016,
        values={(1, VISITS): 23603, (2, VISITS): 21000, (1, IMPRESSIONS): None},
    )
    assert (again.created, again.updated, again.deleted) == (0, 1, 1)
    assert stored(organisation) == {(1, VISITS): 23603, (2, VISITS): 21000}
    unchanged = save_web_figures(
        organisation=organisation, year=2016, values={(1, VISITS): 23603, (2, VISITS): 21000}
    )
    assert not unchanged.changed


def test_a_failing_grid_save_changes_nothing(
    organisation: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_web_figures(organisation=organisation, year=2016, values={(1, VISITS): 1, (2, VISITS): 2})

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the database went away")

    # The deletion and the update are done when the creation fails: all are undone.
    monkeypatch.setattr(WebFigure.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        save_web_figures(
            organisation=organisation, year=2016, values={(2, VISITS): 20, (3, VISITS): 3}
        )
    assert stored(organisation) == {(1, VISITS): 1, (2, VISITS): 2}


# --- published figures --------------------------------------------------------------------


def _published(organisation: Organisation, **kwargs: Any) -> PublishedFigure:
    return PublishedFigure(
        organisation=organisation,
        year=2015,
        code="Q1",
        choice_code="",
        channel=FigureChannel.ALL,
        rate=Decimal("65.8"),
        **kwargs,
    )


def test_a_published_figure_entered_twice_is_refused_in_french_and_stored_once(
    organisation: Organisation,
) -> None:
    saved = save_published_figure(figure=_published(organisation))
    assert saved.pk is not None
    with pytest.raises(ValidationError) as refused:
        save_published_figure(figure=_published(organisation, source="rapport 2015"))
    assert refused.value.messages == ["Ce chiffre est déjà saisi pour cette année."]
    assert list(PublishedFigure.objects.values_list("pk", "source")) == [(saved.pk, "")]
    delete_published_figure(figure=saved)
    assert not PublishedFigure.objects.exists()


# --- the report's texts -------------------------------------------------------------------


def test_a_text_is_saved_then_reverted_to_the_draft(campaign: Campaign) -> None:
    user = UserFactory()
    text = save_section_text(
        campaign=campaign, key="introduction", text="Bonjour.", version="", user=user
    )
    assert (text.text, text.edited_by) == ("Bonjour.", user)
    again = save_section_text(
        campaign=campaign,
        key="introduction",
        text="Bonsoir.",
        version=version_of(text),
        user=None,
    )
    assert (again.pk, again.text, again.edited_by) == (text.pk, "Bonsoir.", None)
    assert revert_section_text(campaign=campaign, key="introduction") is True
    assert revert_section_text(campaign=campaign, key="introduction") is False
    assert not SectionText.objects.exists()


def test_a_text_saved_meanwhile_is_not_overwritten(campaign: Campaign) -> None:
    first = save_section_text(
        campaign=campaign, key="introduction", text="Premier.", version="", user=None
    )
    # The page showed the draft (version ""): someone saved since.
    with pytest.raises(TextConflict) as conflict:
        save_section_text(
            campaign=campaign, key="introduction", text="Second.", version="", user=None
        )
    assert conflict.value.current == first
    # The page showed a version reverted since.
    revert_section_text(campaign=campaign, key="introduction")
    with pytest.raises(TextConflict) as reverted:
        save_section_text(
            campaign=campaign,
            key="introduction",
            text="Second.",
            version=version_of(first),
            user=None,
        )
    assert reverted.value.current is None
    assert not SectionText.objects.exists()


def test_a_closed_campaign_refuses_a_text_and_its_revert(campaign: Campaign) -> None:
    save_section_text(campaign=campaign, key="introduction", text="Gardé.", version="", user=None)
    close(campaign)
    with pytest.raises(ValidationError):
        save_section_text(campaign=campaign, key="4.3", text="Refusé.", version="", user=None)
    with pytest.raises(ValidationError):
        revert_section_text(campaign=campaign, key="introduction")
    assert list(SectionText.objects.values_list("key", "text")) == [("introduction", "Gardé.")]


def test_a_failing_text_save_changes_nothing(
    campaign: Campaign, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = save_section_text(
        campaign=campaign, key="introduction", text="Gardé.", version="", user=None
    )

    def broken(self: SectionText, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(SectionText, "save", broken)
    with pytest.raises(RuntimeError):
        save_section_text(
            campaign=campaign,
            key="introduction",
            text="Perdu.",
            version=version_of(text),
            user=None,
        )
    assert SectionText.objects.get().text == "Gardé."


# --- improvement actions ------------------------------------------------------------------


def _action(organisation: Organisation, title: str, year: int = 2016) -> ImprovementAction:
    return ImprovementAction(organisation=organisation, year=year, title=title)


def test_an_action_without_rank_goes_last_of_its_year(organisation: Organisation) -> None:
    first = save_action(action=_action(organisation, "Accueil"), order=None)
    ranked = save_action(action=_action(organisation, "Téléphone"), order=7)
    other_year = save_action(action=_action(organisation, "Courriels", 2017), order=None)
    last = save_action(action=_action(organisation, "Signalétique"), order=None)
    assert [first.order, ranked.order, other_year.order, last.order] == [1, 7, 1, 8]
    # Its rank emptied, an action goes after the others, not counting itself.
    assert save_action(action=ranked, order=None).order == 9


def test_an_action_state_is_written_only_when_it_changes(organisation: Organisation) -> None:
    action = save_action(action=_action(organisation, "Accueil"), order=None)
    assert set_action_status(action=action, status=ActionStatus.PLANNED) is False
    assert set_action_status(action=action, status=ActionStatus.DONE) is True
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    delete_action(action=action)
    assert not ImprovementAction.objects.exists()


def test_a_failing_action_save_changes_nothing(
    organisation: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    action = save_action(action=_action(organisation, "Accueil"), order=3)
    action.due_date = datetime.date(2017, 6, 30)

    def broken(self: ImprovementAction, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(ImprovementAction, "save", broken)
    with pytest.raises(RuntimeError):
        save_action(action=action, order=None)
    assert ImprovementAction.objects.values_list("order", "due_date").get() == (3, None)
