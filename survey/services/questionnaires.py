"""Questionnaires as data: load a framework and questionnaire definitions, copy a campaign's.

A definition is the JSON of ``fixtures/questionnaires/`` (its "notes" describe the format).
It is checked whole before anything is written, so that a bad file yields one French
message per mistake and an untouched database.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from survey import scales
from survey.models import (
    SCALE_KINDS,
    Campaign,
    Channel,
    Choice,
    Engagement,
    Framework,
    Polarity,
    Question,
    QuestionKind,
    Questionnaire,
    Section,
)
from survey.models.questionnaires import code_validator

CUSTOM_CHOICE_KINDS = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE})

DEFINITION_KEYS = frozenset({"format", "title", "framework", "notes", "questionnaires"})
QUESTIONNAIRE_KEYS = frozenset({"channel", "title", "introduction", "sections"})
SECTION_KEYS = frozenset({"code", "title", "questions"})
QUESTION_KEYS = frozenset(
    {
        "code",
        "number",
        "text",
        "help_text",
        "kind",
        "required",
        "choices",
        "groups",
        "not_concerned",
        "no_answer",
        "condition",
        "engagements",
        "counts_in_satisfaction",
    }
)
SLUG = re.compile(r"[-a-zA-Z0-9_]+")
FRAMEWORK_KEYS = frozenset({"code", "name", "year", "notes", "engagements"})


# --- reading files --------------------------------------------------------------------


def read_json(path: str | Path) -> Any:
    """The parsed content of a JSON file, or a French ValidationError."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError as error:
        raise ValidationError(f"Fichier introuvable : {path}.") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValidationError(f"{path.name} n'est pas un fichier JSON valide : {error}.") from error


# --- frameworks -----------------------------------------------------------------------


@transaction.atomic
def load_framework(path: str | Path, *, update_texts: bool = False) -> Framework:
    """Create or update a framework and its engagements from a JSON file.

    Idempotent. An engagement that already exists keeps its text unless ``update_texts``:
    texts are reference data the quality manager completes in the application (the file
    marks some "à compléter"), and reloading the file must not undo that work.
    """
    data = read_json(path)
    errors: list[str] = []
    if not isinstance(data, dict):
        raise ValidationError("Le référentiel doit être un objet JSON.")
    _check_keys(data, FRAMEWORK_KEYS, "Référentiel", errors)
    code, name, year = data.get("code"), data.get("name"), data.get("year")
    if not isinstance(code, str) or len(code) > 40 or not SLUG.fullmatch(code):
        errors.append(f"Référentiel : code invalide ({code!r}).")
    if not _is_text(name, 100):
        errors.append("Référentiel : nom manquant ou trop long (100 caractères au plus).")
    if year is not None and not (isinstance(year, int) and 1900 <= year <= 2100):
        errors.append(f"Référentiel : année invalide ({year!r}).")
    entries = data.get("engagements")
    if not isinstance(entries, list) or not entries:
        errors.append("Référentiel : la liste « engagements » est vide ou absente.")
        entries = []
    seen: set[str] = set()
    for entry in entries:
        number = entry.get("number") if isinstance(entry, dict) else None
        if not _is_text(number, 10) or not _is_text(entry.get("text"), None):
            errors.append(f"Engagement invalide (numéro et texte requis) : {entry!r}.")
        elif number in seen:
            errors.append(f"Engagement « {number} » en double.")
        else:
            seen.add(number)
    if errors:
        raise ValidationError(errors)

    framework, _ = Framework.objects.update_or_create(
        code=code, defaults={"name": str(name), "year": year}
    )
    existing = {e.number: e for e in framework.engagements.all()}
    for order, entry in enumerate(entries, start=1):
        engagement = existing.get(entry["number"])
        if engagement is None:
            Engagement.objects.create(
                framework=framework, number=entry["number"], text=entry["text"], order=order
            )
            continue
        fields = ["order"]
        engagement.order = order
        if update_texts and engagement.text != entry["text"]:
            engagement.text = entry["text"]
            fields.append("text")
        engagement.save(update_fields=fields)
    return framework


# --- questionnaire definitions ----------------------------------------------------------


@dataclass(frozen=True)
class ChoiceDef:
    code: str
    label: str
    polarity: str


@dataclass(frozen=True)
class QuestionDef:
    code: str
    number: str
    text: str
    help_text: str
    kind: str
    required: bool
    choices: tuple[ChoiceDef, ...]
    condition_question: str | None
    condition_codes: tuple[str, ...]
    engagements: tuple[str, ...]
    counts_in_satisfaction: bool
    choice_groups: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class SectionDef:
    code: str
    title: str
    questions: tuple[QuestionDef, ...]


@dataclass(frozen=True)
class QuestionnaireDef:
    channel: str
    title: str
    introduction: str
    sections: tuple[SectionDef, ...]

    @property
    def question_codes(self) -> list[str]:
        return [q.code for s in self.sections for q in s.questions]


def parse_definition(definition: Any) -> tuple[str | None, list[QuestionnaireDef]]:
    """The framework code and the questionnaires of a definition; ValidationError listing
    every mistake otherwise. Reads nothing from the database."""
    if not isinstance(definition, Mapping):
        raise ValidationError("La définition doit être un objet JSON.")
    errors: list[str] = []
    _check_keys(definition, DEFINITION_KEYS, "Définition", errors)
    if definition.get("format", 1) != 1:
        errors.append(f"Format de définition inconnu : {definition.get('format')!r}.")
    framework = definition.get("framework")
    if framework is not None and not isinstance(framework, str):
        errors.append("« framework » doit être le code d'un référentiel.")
        framework = None
    entries = definition.get("questionnaires")
    if not isinstance(entries, list) or not entries:
        errors.append("La définition ne contient aucun questionnaire.")
        entries = []
    questionnaires: list[QuestionnaireDef] = []
    channels: set[str] = set()
    for entry in entries:
        questionnaire = _parse_questionnaire(entry, errors)
        if questionnaire is None:
            continue
        if questionnaire.channel in channels:
            errors.append(f"Deux questionnaires pour le canal « {questionnaire.channel} ».")
        channels.add(questionnaire.channel)
        questionnaires.append(questionnaire)
    if errors:
        raise ValidationError(errors)
    return framework, questionnaires


def _parse_questionnaire(entry: Any, errors: list[str]) -> QuestionnaireDef | None:
    if not isinstance(entry, dict):
        errors.append(f"Questionnaire invalide : {entry!r}.")
        return None
    channel = entry.get("channel")
    if channel not in Channel.values:
        errors.append(
            f"Canal inconnu : {channel!r} (attendu : {', '.join(map(str, Channel.values))})."
        )
        return None
    where = f"Questionnaire « {channel} »"
    _check_keys(entry, QUESTIONNAIRE_KEYS, where, errors)
    title = entry.get("title")
    if not _is_text(title, 200):
        errors.append(f"{where} : intitulé manquant ou trop long (200 caractères au plus).")
    introduction = entry.get("introduction", "")
    if not isinstance(introduction, str):
        errors.append(f"{where} : l'introduction doit être un texte.")
    sections: list[SectionDef] = []
    # Questions parsed so far, by code: a condition may only name an earlier question.
    earlier: dict[str, QuestionDef] = {}
    section_codes: set[str] = set()
    for section_entry in _list(entry.get("sections"), f"{where} : « sections »", errors):
        section = _parse_section(section_entry, where, earlier, errors)
        if section is None:
            continue
        if section.code in section_codes:
            errors.append(f"{where} : section « {section.code} » en double.")
        section_codes.add(section.code)
        sections.append(section)
    if not earlier:
        errors.append(f"{where} : aucune question.")
    return QuestionnaireDef(
        channel=channel,
        title=title if isinstance(title, str) else "",
        introduction=introduction if isinstance(introduction, str) else "",
        sections=tuple(sections),
    )


def _parse_section(
    entry: Any, where: str, earlier: dict[str, QuestionDef], errors: list[str]
) -> SectionDef | None:
    if not isinstance(entry, dict):
        errors.append(f"{where} : section invalide : {entry!r}.")
        return None
    code = entry.get("code")
    if not _is_code(code):
        errors.append(f"{where} : code de section invalide ({code!r}).")
        return None
    in_section = f"{where}, section « {code} »"
    _check_keys(entry, SECTION_KEYS, in_section, errors)
    title = entry.get("title")
    if not _is_text(title, 200):
        errors.append(f"{in_section} : titre manquant ou trop long (200 caractères au plus).")
    questions = []
    for question_entry in _list(entry.get("questions"), f"{in_section} : « questions »", errors):
        question = _parse_question(question_entry, in_section, where, earlier, errors)
        if question is None:
            continue
        if question.code in earlier:
            errors.append(f"{in_section} : question « {question.code} » en double.")
            continue
        earlier[question.code] = question
        questions.append(question)
    return SectionDef(
        code=code, title=title if isinstance(title, str) else "", questions=tuple(questions)
    )


def _parse_question(
    entry: Any,
    in_section: str,
    in_questionnaire: str,
    earlier: Mapping[str, QuestionDef],
    errors: list[str],
) -> QuestionDef | None:
    if not isinstance(entry, dict):
        errors.append(f"{in_section} : question invalide : {entry!r}.")
        return None
    code = entry.get("code")
    if not _is_code(code):
        errors.append(f"{in_section} : code de question invalide ({code!r}).")
        return None
    where = f"{in_questionnaire}, question « {code} »"
    count = len(errors)
    _check_keys(entry, QUESTION_KEYS, where, errors)

    kind = entry.get("kind")
    if kind not in QuestionKind.values:
        errors.append(f"{where} : type inconnu ({kind!r}).")
        return None
    number = entry.get("number", "")
    if not isinstance(number, str) or len(number) > 10:
        errors.append(f"{where} : le numéro doit être un texte de 10 caractères au plus.")
    if not _is_text(entry.get("text"), None):
        errors.append(f"{where} : libellé manquant.")
    if not isinstance(entry.get("help_text", ""), str):
        errors.append(f"{where} : l'aide doit être un texte.")
    for flag in ("required", "not_concerned", "no_answer", "counts_in_satisfaction"):
        if not isinstance(entry.get(flag, False), bool):
            errors.append(f"{where} : « {flag} » doit valoir true ou false.")

    choices = _parse_choices(entry, kind, where, errors)
    if entry.get("counts_in_satisfaction") and kind not in SCALE_KINDS:
        errors.append(
            f"{where} : seules les questions de satisfaction ou d'accord comptent dans "
            "les indicateurs de satisfaction."
        )
    condition_question, condition_codes = _parse_condition(entry, where, earlier, errors)
    engagements = entry.get("engagements", [])
    if not isinstance(engagements, list) or not all(isinstance(n, str) and n for n in engagements):
        errors.append(f"{where} : « engagements » doit être une liste de numéros (textes).")
        engagements = []
    if len(errors) > count:
        return None
    return QuestionDef(
        code=code,
        number=number,
        text=entry["text"],
        help_text=entry.get("help_text", ""),
        kind=kind,
        required=entry.get("required", False),
        choices=choices,
        condition_question=condition_question,
        condition_codes=condition_codes,
        engagements=tuple(dict.fromkeys(engagements)),
        counts_in_satisfaction=entry.get("counts_in_satisfaction", False),
        choice_groups={
            str(name): [str(code) for code in members]
            for name, members in (entry.get("groups") or {}).items()
        },
    )


def _parse_choices(
    entry: dict[str, Any], kind: str, where: str, errors: list[str]
) -> tuple[ChoiceDef, ...]:
    not_concerned = entry.get("not_concerned") is True
    no_answer = entry.get("no_answer") is True
    if scales.has_scale(kind):
        if "choices" in entry:
            errors.append(
                f"{where} : les choix d'une échelle viennent de survey/scales.py, "
                "retirez « choices »."
            )
        specs = scales.scale_choices(kind, not_concerned=not_concerned, no_answer=no_answer)
        choices = tuple(ChoiceDef(s.code, s.label, s.polarity) for s in specs)
    elif kind in CUSTOM_CHOICE_KINDS:
        own = []
        for item in _list(entry.get("choices"), f"{where} : « choices »", errors):
            code = item.get("code") if isinstance(item, dict) else None
            if not _is_code(code) or not _is_text(item.get("label"), 200):
                errors.append(f"{where} : choix invalide (code et libellé requis) : {item!r}.")
            elif code in scales.RESERVED_CODES:
                errors.append(
                    f"{where} : le choix « {code} » s'obtient avec « not_concerned » ou "
                    "« no_answer », pas dans « choices »."
                )
            else:
                own.append(ChoiceDef(code, item["label"], Polarity.NEUTRAL))
        outside = scales.outside_choices(not_concerned=not_concerned, no_answer=no_answer)
        choices = (*own, *(ChoiceDef(s.code, s.label, s.polarity) for s in outside))
    else:
        if {"choices", "groups"} & entry.keys() or not_concerned or no_answer:
            errors.append(f"{where} : une question de type « {kind} » n'a pas de choix.")
        return ()
    codes = [c.code for c in choices]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        errors.append(f"{where} : choix en double : {', '.join(duplicates)}.")
    groups = entry.get("groups", {})
    if not isinstance(groups, dict):
        errors.append(f"{where} : « groups » doit associer un nom à une liste de codes.")
        return choices
    for name, members in groups.items():
        if not isinstance(members, list) or not members:
            errors.append(f"{where} : le regroupement « {name} » est vide.")
            continue
        unknown = sorted(set(map(str, members)) - set(codes))
        if unknown:
            errors.append(
                f"{where} : le regroupement « {name} » cite des choix inconnus : "
                f"{', '.join(unknown)}."
            )
    return choices


def _parse_condition(
    entry: dict[str, Any], where: str, earlier: Mapping[str, QuestionDef], errors: list[str]
) -> tuple[str | None, tuple[str, ...]]:
    condition = entry.get("condition")
    if condition is None:
        return None, ()
    if not isinstance(condition, dict) or set(condition) != {"question", "codes"}:
        errors.append(f"{where} : la condition doit avoir la forme {{question, codes}}.")
        return None, ()
    target, codes = condition["question"], condition["codes"]
    if not isinstance(codes, list) or not codes or not all(isinstance(c, str) for c in codes):
        errors.append(f"{where} : la condition doit citer au moins un code de réponse.")
        return None, ()
    source = earlier.get(target) if isinstance(target, str) else None
    if source is None:
        errors.append(
            f"{where} : la question-condition « {target} » est inconnue ou n'est pas "
            "posée avant celle-ci."
        )
        return None, ()
    if not source.choices:
        errors.append(
            f"{where} : la question-condition « {target} » n'est pas une question à choix."
        )
        return None, ()
    unknown = sorted(set(codes) - {c.code for c in source.choices})
    if unknown:
        errors.append(
            f"{where} : codes de réponse inconnus pour la question « {target} » : "
            f"{', '.join(unknown)}."
        )
        return None, ()
    return target, tuple(codes)


# --- loading ----------------------------------------------------------------------------


@transaction.atomic
def load_questionnaires(campaign: Campaign, definition: Mapping[str, Any]) -> list[Questionnaire]:
    """Create the definition's questionnaires in ``campaign``; all or nothing.

    Idempotent per channel: a questionnaire already there with the same question codes,
    in the same order, is left as it is (answers may point at it); one that differs is an
    error, never silently rebuilt. A closed campaign raises CampaignClosed.
    """
    # Locking the campaign row keeps a concurrent close() from slipping in between the
    # check and the writes (SQLite ignores the lock; it serialises writers anyway).
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    campaign.check_editable()
    framework_code, definitions = parse_definition(definition)
    engagements = _resolve_engagements(framework_code, definitions)

    existing = {q.channel: q for q in campaign.questionnaires.all()}
    errors = []
    for questionnaire_def in definitions:
        current = existing.get(questionnaire_def.channel)
        if current is None:
            continue
        codes = list(current.questions.order_by("order").values_list("code", flat=True))
        if codes != questionnaire_def.question_codes:
            errors.append(_difference_message(campaign, current, codes, questionnaire_def))
    if errors:
        raise ValidationError(errors)

    return [
        existing.get(d.channel) or _create_questionnaire(campaign, d, engagements)
        for d in definitions
    ]


def _resolve_engagements(
    framework_code: str | None, definitions: Sequence[QuestionnaireDef]
) -> dict[str, Engagement]:
    """The framework's engagements by number; ValidationError for any the definition cites
    that the database does not hold. Costs two queries at most."""
    cited = {
        (d.channel, q.code): q.engagements
        for d in definitions
        for s in d.sections
        for q in s.questions
        if q.engagements
    }
    if not cited:
        return {}
    if framework_code is None:
        raise ValidationError(
            "La définition cite des engagements sans indiquer son référentiel (« framework »)."
        )
    framework = Framework.objects.filter(code=framework_code).first()
    if framework is None:
        raise ValidationError(
            f"Référentiel inconnu : « {framework_code} ». Chargez-le d'abord "
            "(fixtures/frameworks/)."
        )
    engagements = {e.number: e for e in framework.engagements.all()}
    errors = [
        f"Questionnaire « {channel} », question « {code} » : engagement(s) inconnu(s) dans "
        f"{framework.name} : {', '.join(sorted(set(numbers) - engagements.keys()))}."
        for (channel, code), numbers in cited.items()
        if set(numbers) - engagements.keys()
    ]
    if errors:
        raise ValidationError(errors)
    return engagements


def _difference_message(
    campaign: Campaign, current: Questionnaire, codes: list[str], wanted: QuestionnaireDef
) -> str:
    extra = sorted(set(codes) - set(wanted.question_codes))
    missing = sorted(set(wanted.question_codes) - set(codes))
    details = []
    if missing:
        details.append(f"absentes de la campagne : {', '.join(missing)}")
    if extra:
        details.append(f"absentes de la définition : {', '.join(extra)}")
    if not details:
        details.append("mêmes questions dans un autre ordre")
    return (
        f"La campagne « {campaign} » a déjà un questionnaire « {current.channel} » différent "
        f"de la définition ({' ; '.join(details)}). Il n'a pas été modifié."
    )


def _create_questionnaire(
    campaign: Campaign, definition: QuestionnaireDef, engagements: Mapping[str, Engagement]
) -> Questionnaire:
    """Costs a handful of queries per question: fine for a one-off setup."""
    questionnaire = Questionnaire.objects.create(
        campaign=campaign,
        channel=definition.channel,
        title=definition.title,
        introduction=definition.introduction,
    )
    created: dict[str, Question] = {}
    order = 0
    for section_order, section_def in enumerate(definition.sections, start=1):
        section = Section.objects.create(
            questionnaire=questionnaire,
            code=section_def.code,
            title=section_def.title,
            order=section_order,
        )
        for question_def in section_def.questions:
            order += 1
            question = Question(
                questionnaire=questionnaire,
                section=section,
                code=question_def.code,
                number=question_def.number,
                order=order,
                text=question_def.text,
                help_text=question_def.help_text,
                kind=question_def.kind,
                required=question_def.required,
                condition_question=(
                    created[question_def.condition_question]
                    if question_def.condition_question
                    else None
                ),
                condition_codes=list(question_def.condition_codes),
                counts_in_satisfaction=question_def.counts_in_satisfaction,
                choice_groups=question_def.choice_groups,
            )
            # save() runs clean(), which reads the condition question's choices: they were
            # created with it, just before.
            question.save()
            Choice.objects.bulk_create(
                Choice(question=question, code=c.code, label=c.label, order=i, polarity=c.polarity)
                for i, c in enumerate(question_def.choices, start=1)
            )
            if question_def.engagements:
                question.engagements.set([engagements[n] for n in question_def.engagements])
            created[question.code] = question
    return questionnaire


# --- duplicating a campaign ---------------------------------------------------------------


@transaction.atomic
def duplicate_campaign(
    source: Campaign,
    *,
    year: int,
    title: str,
    start_date: datetime.date,
    end_date: datetime.date,
) -> Campaign:
    """A new draft campaign of the same organisation with copies of ``source``'s questionnaires.

    Same question codes, numbers and order, so that next year's indicators compare with
    this year's. ``source`` is only read: it may be closed. Costs about 25 queries on
    PostgreSQL, half of them full_clean()'s, whatever the number of questions; SQLite
    splits the larger inserts into a few batches.
    """
    if Campaign.objects.filter(organisation_id=source.organisation_id, year=year).exists():
        raise ValidationError(
            gettext("%(organisation)s a déjà une campagne %(year)s.")
            % {"organisation": source.organisation, "year": year},
            code="campaign_exists",
        )
    copy = Campaign(
        organisation_id=source.organisation_id,
        year=year,
        title=title,
        start_date=start_date,
        end_date=end_date,
        objective=source.objective,
        orange_band=source.orange_band,
    )
    copy.full_clean()
    copy.save()

    # bulk_create bypasses save() and so Question.clean(): this relies on the source being
    # valid (each of its questions passed clean() when saved) and on the copy keeping every
    # relation inside the same copied questionnaire, condition codes with the choices they
    # name. A new draft campaign cannot be closed, so the CampaignClosed check is moot too.
    questionnaires = list(source.questionnaires.order_by("pk"))
    copies = Questionnaire.objects.bulk_create(
        Questionnaire(campaign=copy, channel=q.channel, title=q.title, introduction=q.introduction)
        for q in questionnaires
    )
    questionnaire_ids = _id_map(questionnaires, copies)

    sections = list(Section.objects.filter(questionnaire__campaign=source).order_by("pk"))
    section_copies = Section.objects.bulk_create(
        Section(
            questionnaire_id=questionnaire_ids[s.questionnaire_id],
            code=s.code,
            title=s.title,
            order=s.order,
        )
        for s in sections
    )
    section_ids = _id_map(sections, section_copies)

    questions = list(Question.objects.filter(questionnaire__campaign=source).order_by("pk"))
    question_copies = Question.objects.bulk_create(
        Question(
            questionnaire_id=questionnaire_ids[q.questionnaire_id],
            section_id=section_ids[q.section_id],
            code=q.code,
            number=q.number,
            order=q.order,
            text=q.text,
            help_text=q.help_text,
            kind=q.kind,
            required=q.required,
            condition_codes=list(q.condition_codes),
            counts_in_satisfaction=q.counts_in_satisfaction,
            choice_groups=dict(q.choice_groups),
        )
        for q in questions
    )
    question_ids = _id_map(questions, question_copies)
    # A condition names another question of the same questionnaire: its copy only has a
    # primary key once every question is inserted.
    conditioned = []
    for original, question_copy in zip(questions, question_copies, strict=True):
        if original.condition_question_id is not None:
            question_copy.condition_question_id = question_ids[original.condition_question_id]
            conditioned.append(question_copy)
    Question.objects.bulk_update(conditioned, ["condition_question"])

    Choice.objects.bulk_create(
        Choice(
            question_id=question_ids[c.question_id],
            code=c.code,
            label=c.label,
            order=c.order,
            polarity=c.polarity,
        )
        for c in Choice.objects.filter(question__questionnaire__campaign=source).order_by("pk")
    )
    link = Question.engagements.through
    link.objects.bulk_create(
        link(question_id=question_ids[row.question_id], engagement_id=row.engagement_id)
        for row in link.objects.filter(question__questionnaire__campaign=source).order_by("pk")
    )
    return copy


def _id_map(originals: Sequence[Any], copies: Sequence[Any]) -> dict[int, int]:
    return {o.pk: c.pk for o, c in zip(originals, copies, strict=True)}


# --- small checks -----------------------------------------------------------------------


def _check_keys(
    entry: Mapping[str, Any], allowed: frozenset[str], where: str, errors: list[str]
) -> None:
    # A misspelt key ("conditon") would otherwise be ignored without a word.
    unknown = sorted(set(entry) - allowed)
    if unknown:
        errors.append(f"{where} : clé(s) inconnue(s) : {', '.join(unknown)}.")


def _list(value: Any, where: str, errors: list[str]) -> list[Any]:
    if not isinstance(value, list) or not value:
        errors.append(f"{where} doit être une liste non vide.")
        return []
    return value


def _is_code(value: Any) -> TypeGuard[str]:
    if not isinstance(value, str) or len(value) > 40:
        return False
    try:
        code_validator(value)
    except ValidationError:
        return False
    return True


def _is_text(value: Any, max_length: int | None) -> TypeGuard[str]:
    return (
        isinstance(value, str)
        and bool(value.strip())
        and (max_length is None or len(value) <= max_length)
    )
