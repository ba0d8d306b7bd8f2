from __future__ import annotations

from typing import Any

import pytest

from survey.models import Role

from ..factories import MembershipFactory, UserFactory
from .helpers import log_in, serious_violations

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_login_page_has_no_serious_accessibility_violation(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/compte/connexion/")

    assert page.title().startswith("Connexion")
    assert serious_violations(page) == []


def test_an_interviewer_logs_in_and_lands_on_the_entry_page(
    page: Any, live_server: Any, organisation: Any
) -> None:
    user = UserFactory(username="stagiaire1")
    MembershipFactory(user=user, organisation=organisation, role=Role.INTERVIEWER)

    log_in(page, live_server, "stagiaire1")

    assert page.url.endswith("/saisie/")
    assert organisation.name in page.content()
