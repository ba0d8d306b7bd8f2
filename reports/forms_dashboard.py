"""The form of the campaign dashboard's filters, read from the query string."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from survey.models import Campaign, Channel, Site

from . import tallies
from .indicators import Filter


class FilterForm(forms.Form):
    """The dashboard's filters, read from the query string."""

    canal = forms.ChoiceField(
        label=_("Canal"), required=False, choices=[("", _("Les deux")), *Channel.choices]
    )
    site = forms.TypedChoiceField(label=_("Site"), required=False, coerce=int, empty_value=None)
    semaine = forms.DateField(
        label=_("Semaine"),
        required=False,
        widget=forms.Select,
        input_formats=["%Y-%m-%d"],
    )
    enqueteur = forms.TypedChoiceField(
        label=_("Enquêteur"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everyone = [("", gettext("Tous"))]
        site = self.fields["site"]
        assert isinstance(site, forms.TypedChoiceField)
        site.choices = everyone + [
            (str(s.pk), s.name) for s in Site.objects.filter(organisation=campaign.organisation)
        ]
        interviewer = self.fields["enqueteur"]
        assert isinstance(interviewer, forms.TypedChoiceField)
        interviewer.choices = everyone + [
            (str(user.pk), user.get_username()) for user in tallies.counted_interviewers(campaign)
        ]
        mondays = []
        monday = campaign.start_date - datetime.timedelta(days=campaign.start_date.weekday())
        while monday <= campaign.end_date:
            mondays.append(monday)
            monday += datetime.timedelta(days=7)
        week = self.fields["semaine"]
        week.widget.choices = [("", gettext("Toutes"))] + [
            (m.isoformat(), gettext("semaine du %(day)s") % {"day": m.strftime("%d/%m/%Y")})
            for m in mondays
        ]

    def filter(self) -> Filter:
        if not self.is_valid():
            return Filter()
        data = self.cleaned_data
        return Filter(
            channel=data["canal"] or None,
            site_id=data["site"],
            week=data["semaine"],
            interviewer_id=data["enqueteur"],
        )
