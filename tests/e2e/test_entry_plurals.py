"""The entry scripts count in the page's language: in French 0 and 1 take the singular
("0 questionnaire repris du fichier"), in English 1 only."""

from __future__ import annotations

from typing import Any

import pytest

from survey.models import Organisation

from .entry import interviewer
from .helpers import log_in

pytestmark = pytest.mark.django_db(transaction=True)

COUNTED = """async () => {
  const script = document.querySelector('script[type=module][src*="/entry/"]');
  const { tn } = await import(script.src.replace(/[^/]+\\.js.*$/, "messages.js"));
  return [0, 1, 2].flatMap((n) => [
    tn("imported", n),
    tn("others_pending", n, { names: "agent" }).split(" :")[0],
  ]);
}"""


def test_the_entry_scripts_count_in_french(
    page: Any, live_server: Any, organisation: Organisation
) -> None:
    interviewer(organisation)
    log_in(page, live_server, "stagiaire")
    page.goto(f"{live_server.url}/saisie/")

    assert page.evaluate(COUNTED) == [
        "0 questionnaire repris du fichier.",
        "Dont 0 saisi sous un autre compte (agent)",
        "1 questionnaire repris du fichier.",
        "Dont 1 saisi sous un autre compte (agent)",
        "2 questionnaires repris du fichier.",
        "Dont 2 saisis sous un autre compte (agent)",
    ]
