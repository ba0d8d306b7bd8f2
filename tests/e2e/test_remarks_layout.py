"""The remarks coding screen draws its categories as a tree: every category of the first
level (a heading with sub-categories, or a category ticked itself such as « Espace
d'accueil ») starts at the same left offset, and sub-categories are further right."""

from __future__ import annotations

from typing import Any

import pytest

from reports import remarks
from survey.models import Organisation, Role

from ..helpers import make_remark, open_canonical_campaign
from .entry import member
from .helpers import log_in

pytestmark = pytest.mark.django_db(transaction=True)

# Where each category's text starts: the label of a checkbox (its key first), or the text
# of a heading.
OFFSETS = """() => [...document.querySelectorAll('fieldset [data-depth]')].map(e => {
  const text = e.querySelector('label') || e.querySelector('span');
  return {
    depth: Number(e.dataset.depth),
    label: e.textContent.trim().replace(/\\s+/g, ' ').slice(0, 40),
    left: Math.round(text.getBoundingClientRect().left),
    fieldset: e.closest('fieldset').id,
  };
})"""


@pytest.mark.parametrize("width", [1280, 810])
def test_first_level_categories_start_at_the_same_left_offset(
    page: Any, live_server: Any, organisation: Organisation, width: int
) -> None:
    campaign = open_canonical_campaign(organisation)
    remarks.load_taxonomy(organisation)
    make_remark(campaign, "Trop d'attente.")
    member(organisation, Role.QUALITY_MANAGER, "responsable")
    log_in(page, live_server, "responsable")
    page.set_viewport_size({"width": width, "height": 1000})
    page.goto(f"{live_server.url}/tableau-de-bord/campagne/{campaign.pk}/remarques/")
    page.wait_for_function("() => document.querySelectorAll('fieldset [data-depth]').length > 10")

    rows = page.evaluate(OFFSETS)

    first = [r for r in rows if r["depth"] == 2]
    second = [r for r in rows if r["depth"] == 3]
    assert any("Espace d'accueil" in r["label"] for r in first)
    assert any(not r["label"][0].isdigit() for r in first)  # headings are there too
    assert {r["left"] for r in first} == {first[0]["left"]}, first
    # Every sub-category's text is to the right of its heading's.
    assert second
    assert min(r["left"] for r in second) > first[0]["left"]
