"""The demo is composed above the apps (``demo.loader``): its command lives in the ``demo``
app, and survey's part names the report's "all channels" scope without importing reports."""

from __future__ import annotations

from django.core.management import get_commands

from reports.models import FigureChannel
from survey.demo.data import BOTH_CHANNELS


def test_the_load_demo_command_belongs_to_the_demo_app() -> None:
    assert get_commands()["load_demo"] == "demo"


def test_survey_names_the_all_channels_scope_as_reports_stores_it() -> None:
    assert BOTH_CHANNELS == FigureChannel.ALL
