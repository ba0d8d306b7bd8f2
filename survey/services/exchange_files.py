"""A file dropped on the wrong import page: another questionnaire's responses, or another
kind of file (a mystery log, ``OTHER_FILES``). ``check_belongs_here`` tells it by the
columns and raises ``WrongFile``, which names the right page for the refusal to link to."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from survey.models import Question, Questionnaire

from .exchange_rows import META_COLUMNS
from .responses import QuestionnaireSpec


class WrongFile(ValidationError):
    """A file meant for another import page (another questionnaire's, a mystery log):
    refused once, saying whose it is, rather than column by column. ``link()`` is that
    page, for the refusal to link to: its URL name, the pk it takes, the link's text."""

    def __init__(self, message: str, *, view: str, pk: int, label: str) -> None:
        super().__init__(message, code="wrong_file")
        self.view, self.pk, self.label = view, pk, label

    def link(self) -> dict[str, Any]:
        return {"view": self.view, "pk": self.pk, "label": self.label}


@dataclass(frozen=True)
class OtherFile:
    """A kind of file a quality manager may drop on a responses import page by mistake,
    told by its columns: ``name`` says what it is ("le journal des appels mystères"),
    ``view`` is its import page (a URL name taking the campaign's pk), ``label`` that
    page's title."""

    name: Any
    columns: frozenset[str]
    view: str
    label: Any


# By import page, filled by the apps whose files these are (mystery/apps.py): survey may
# not import them.
OTHER_FILES: dict[str, OtherFile] = {}
SHOWN_COLUMNS = 5  # columns a refusal names at most


def check_belongs_here(
    questionnaire: Questionnaire,
    spec: QuestionnaireSpec,
    columns: Iterable[str],
    lines: Sequence[tuple[int, Mapping[str, str]]],
) -> None:
    """Raise WrongFile if the file is another questionnaire's or another kind of file.

    Another questionnaire of the organisation fits the file better when fewer of its
    question columns are unknown to it, or as few and its channel is the one the ``canal``
    column names (a phone questionnaire's file shares all but one of its columns with the
    hall's, and says canal=phone); at equal fit, one of this campaign, then the latest.
    Another campaign's questionnaire is compared only if of another channel (question codes
    stay from one year to the next: last year's file of this channel fits here). A file
    none of whose columns is a question here may be one of ``OTHER_FILES`` (a mystery log).
    No query when every column is a question of this questionnaire and ``canal`` names its
    channel; else 2.
    """
    columns = list(columns)
    asked = [c for c in columns if c not in META_COLUMNS]
    channels = {row.get("canal", "") for _, row in lines} - {""}

    def fit(codes: Collection[str], channel: str) -> tuple[int, bool]:
        return (
            sum(column not in codes for column in asked),
            bool(channels) and channels != {channel},
        )

    here = fit(spec.by_code, questionnaire.channel)
    if here == (0, False):
        return
    if here[0] == len(asked):  # not one question of this questionnaire
        _check_other_files(questionnaire, columns)
    organisation_id = questionnaire.campaign.organisation_id
    codes: dict[int, set[str]] = {}
    for questionnaire_id, code in (
        Question.objects.filter(questionnaire__campaign__organisation_id=organisation_id)
        .exclude(questionnaire=questionnaire)
        .values_list("questionnaire_id", "code")
    ):
        codes.setdefault(questionnaire_id, set()).add(code)
    candidates = [
        other
        for other in Questionnaire.objects.filter(pk__in=codes).select_related("campaign")
        if other.campaign_id == questionnaire.campaign_id or other.channel != questionnaire.channel
    ]
    better = [
        (score, other.campaign_id != questionnaire.campaign_id, -other.campaign.year, other.pk)
        for other in candidates
        if (score := fit(codes[other.pk], other.channel)) < here and score[0] < len(asked)
    ]
    if not better:
        return
    best = next(o for o in candidates if o.pk == min(better)[3])
    theirs = [c for c in asked if c in codes[best.pk] and c not in spec.by_code]
    evidence = []
    if theirs:
        evidence.append(
            gettext("colonnes %(columns)s") % {"columns": _shown(theirs)}
            if len(theirs) > 1
            else gettext("colonne %(columns)s") % {"columns": theirs[0]}
        )
    if here[1]:
        evidence.append(gettext("canal %(channel)s") % {"channel": ", ".join(sorted(channels))})
    campaign = (
        ""
        if best.campaign_id == questionnaire.campaign_id
        else gettext(" de la campagne « %(campaign)s »") % {"campaign": best.campaign.title}
    )
    raise WrongFile(
        gettext(
            "Ce fichier est celui du questionnaire « %(other)s »%(campaign)s (%(evidence)s), "
            "pas de « %(here)s » : importez-le depuis la page d'import du questionnaire "
            "« %(other)s »."
        )
        % {
            "other": best.title,
            "campaign": campaign,
            "evidence": " ; ".join(evidence),
            "here": questionnaire.title,
        },
        view="survey:import",
        pk=best.pk,
        label=gettext("Importer dans « %(title)s »") % {"title": best.title},
    )


def _check_other_files(questionnaire: Questionnaire, columns: Sequence[str]) -> None:
    """Raise WrongFile if most of the file's columns are those of one of ``OTHER_FILES``
    (the one with the most of them)."""
    matches = [
        ([c for c in columns if c in other.columns], other) for other in OTHER_FILES.values()
    ]
    theirs, other = max(matches, key=lambda match: len(match[0]), default=([], None))
    if other is None or len(theirs) < max(3, (len(columns) + 1) // 2):
        return
    raise WrongFile(
        gettext(
            "Ce fichier est %(name)s (colonnes %(columns)s), pas un fichier de "
            "questionnaires : importez-le depuis la page « %(page)s » de la campagne."
        )
        % {"name": other.name, "columns": _shown(theirs), "page": other.label},
        view=other.view,
        pk=questionnaire.campaign_id,
        label=str(other.label),
    )


def _shown(columns: Sequence[str]) -> str:
    shown = ", ".join(columns[:SHOWN_COLUMNS])
    return shown + ("…" if len(columns) > SHOWN_COLUMNS else "")
