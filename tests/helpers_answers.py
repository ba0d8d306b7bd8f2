"""What a tablet sends and what a file's cells hold, built from a questionnaire's spec.

Free of Django at import time (the spec's type is only named for the type checker): the
benchmarks (bench/scenario.py) import it before they configure Django against their
throw-away database, so that they send exactly the questionnaire the tests submit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from survey.services.responses import QuestionnaireSpec


def complete_answers(spec: QuestionnaireSpec) -> dict[str, Any]:
    """A valid hall questionnaire: 'oui' to every filter, a first choice everywhere else."""
    answers: dict[str, Any] = {}
    for question in spec.questions:
        if not question.is_asked({c: {v} for c, v in answers.items() if isinstance(v, str)}):
            continue
        choices = list(spec.choices[question.pk])
        if question.kind == "commune":
            answers[question.code] = {"insee": "16015"}
        elif question.kind == "free_text":
            answers[question.code] = "Très bon accueil."
        elif question.kind == "multiple":
            answers[question.code] = choices[:2]
        elif question.kind == "yes_no":
            answers[question.code] = "oui"
        else:
            answers[question.code] = choices[0]
    return answers


def tablet_payload(
    *,
    uuid: str,
    questionnaire: int,
    site: int,
    device_id: str,
    started_at: str,
    submitted_at: str,
    answers: dict[str, Any],
) -> dict[str, Any]:
    """The JSON a tablet posts to /saisie/api/reponses/ (see survey/api.py), its keys in
    the tablet's order."""
    return {
        "uuid": uuid,
        "questionnaire": questionnaire,
        "site": site,
        "mode": "tablet",
        "device_id": device_id,
        "started_at": started_at,
        "submitted_at": submitted_at,
        "answers": answers,
    }


def cells(answers: dict[str, Any]) -> dict[str, str]:
    """Answers as they are written in a file's cells."""
    out = {}
    for code, value in answers.items():
        if isinstance(value, list):
            out[code] = "|".join(value)
        elif isinstance(value, dict):
            out[code] = value.get("insee") or "hors:" + value["outside"]
        else:
            out[code] = value
    return out
