"""The demo's 266 filled questionnaires and the 2015 figures they are compared with.

``fixtures/demo/charente_2016_figures.json`` holds both the figures the Charente 2016
report publishes (sections 3 and 4: counts, rates, "contre X % en 2015") and, per
question and channel, how many respondents gave each answer. The questionnaires are
built from those counts, deterministically (fixed seeds), every one checked by the entry
validation (``build_answers``: skip logic, required answers), and every published figure
is computed back from them before anything is written: a file whose counts no longer give
the published k/n is refused (ImproperlyConfigured), so the figures and the data cannot
drift apart. The README beside the file explains each base and the report's
inconsistencies.

Answer counts, per question and channel, are either one ``{choice: count}`` or a list of
segments ``{"when": {question: [codes]}, "counts": {...}}``: a respondent asked the
question falls in the first segment whose condition holds (``"@site"`` tests the site;
``"-"`` stands for "no answer to that question"); the last segment usually has no
condition. ``"*"`` is the remainder of a segment. A commune is given as
``"16015 Angoulême"`` (INSEE code, then the name, checked) and ``"-"`` is "no commune".
Within a segment, out-of-base answers go to respondents drawn at random; the others are
dealt at random, except on satisfaction and agreement scales, where they go in scale
order to the respondents sorted by a per-respondent mood (plus noise): someone pleased
with one service tends to be pleased with the next.

Idempotent: nothing is created when the campaign already holds one of the demo's
questionnaires (their uuids are derived from the file), nor when it no longer accepts
questionnaires; a 2015 figure already entered is left as it is.
"""

from __future__ import annotations

import datetime
import json
import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.db.models import F
from simple_history.utils import bulk_create_with_history

from reports.models import FigureChannel, PublishedFigure
from survey.communes import known_insee_codes
from survey.models import (
    Answer,
    Campaign,
    Channel,
    Commune,
    Organisation,
    Polarity,
    Question,
    QuestionKind,
    Response,
    Site,
)
from survey.services.responses import QuestionnaireSpec, build_answers
from survey.tallies import tally_responses

DEMO_FILE = Path(settings.BASE_DIR) / "fixtures" / "demo" / "charente_2016_figures.json"

# Q40 remarks are added to the stored questionnaires later, by their own loader.
LEFT_OUT = frozenset({"remarques"})
ORDINAL = frozenset({QuestionKind.SATISFACTION, QuestionKind.AGREEMENT})
NOT_GIVEN = "-"
SITE_KEY = "@site"
REMAINDER = "*"
FAVOURABLE = "favourable"
MOOD_NOISE = 0.35
CHANNELS: tuple[str, ...] = (Channel.HALL, Channel.PHONE)
PUBLISHED_SOURCE = "Rapport d'enquête 2016 de la préfecture de la Charente"


@dataclass(eq=False)  # compared by identity
class Respondent:
    channel: str
    index: int
    site: str
    interviewer: str
    started_at: datetime.datetime
    submitted_at: datetime.datetime
    mood: float
    answers: dict[str, Any] = field(default_factory=dict)  # question code -> value (API format)
    codes: dict[str, set[str]] = field(default_factory=dict)  # question code -> choice codes
    rows: list[Answer] = field(default_factory=list)  # unsaved, once validated

    def answered(self, code: str) -> set[str]:
        if code == SITE_KEY:
            return {self.site}
        if code in self.codes:
            return self.codes[code]
        return set() if code in self.answers else {NOT_GIVEN}


@dataclass
class Measure:
    """One published figure computed back from the planned questionnaires."""

    figure: dict[str, Any]
    k: int
    n: int

    @property
    def percent(self) -> Decimal:
        return percent_of(self.k, self.n)


@dataclass
class Plan:
    respondents: list[Respondent]
    specs: dict[str, QuestionnaireSpec]
    communes: dict[str, Commune]
    measures: list[Measure]
    data: dict[str, Any]


@dataclass
class DemoResponsesResult:
    responses: int = 0
    answers: int = 0
    published_figures: int = 0


def percent_of(k: int, n: int) -> Decimal:
    """100·k/n rounded half up to one decimal, as the report prints it ("65,8 %")."""
    return (Decimal(100 * k) / Decimal(n)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def read_demo_file(path: Path | None = None) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((path or DEMO_FILE).read_text(encoding="utf-8"))
    return data


def response_uuids(data: dict[str, Any]) -> list[uuid.UUID]:
    """The uuids of the demo's questionnaires, in channel then time order."""
    namespace = uuid.UUID(data["uuid_namespace"])
    return [
        uuid.uuid5(namespace, f"{channel}/{index:03d}")
        for channel in CHANNELS
        for index in range(data["collection"][channel]["total"])
    ]


def load_demo_responses(campaign: Campaign, *, path: Path | None = None) -> DemoResponsesResult:
    """Create the demo's questionnaires in ``campaign`` and the 2015 figures of its
    organisation. Costs a dozen queries and the bulk inserts of 266 questionnaires and
    about 8,600 answers (some fifty batches on SQLite); about 0.6 s."""
    data = read_demo_file(path)
    with transaction.atomic():
        result = DemoResponsesResult(
            published_figures=load_published_figures(campaign.organisation, data)
        )
        if not campaign.is_open:
            return result
        uuids = response_uuids(data)
        if Response.objects.filter(uuid__in=uuids).exists():
            return result
        plan = plan_responses(campaign, data)
        result.responses, result.answers = _store(campaign, plan, uuids)
    return result


# --- the plan -----------------------------------------------------------------------------


def plan_responses(campaign: Campaign, data: dict[str, Any]) -> Plan:
    """Every questionnaire of the file, answers included, checked but not stored.

    Raises ImproperlyConfigured when the file's counts do not add up, when a questionnaire
    fails the entry validation, or when a published figure does not come back exactly.
    """
    specs = {
        q.channel: QuestionnaireSpec.load(q)
        for q in campaign.questionnaires.filter(channel__in=CHANNELS)
    }
    missing = [channel for channel in CHANNELS if channel not in specs]
    if missing:
        raise ImproperlyConfigured(f"La campagne n'a pas de questionnaire {', '.join(missing)}.")
    problems: list[str] = []
    respondents = _schedule(data["collection"], problems)
    communes = _communes(data["answers"], problems)
    for code in _answer_order(specs, data["answers"], problems):
        for channel in CHANNELS:
            spec = specs[channel]
            if code not in spec.by_code:
                continue
            entry = data["answers"].get(code, {}).get(channel)
            if entry is None:
                problems.append(f"{code} ({channel}) : aucune répartition des réponses.")
                continue
            group = [r for r in respondents if r.channel == channel]
            _deal(spec.by_code[code], spec, channel, entry, group, problems)
    if not problems:
        known_insee_codes(communes)  # one query, then every questionnaire finds them cached
        for respondent in respondents:
            try:
                respondent.rows = build_answers(specs[respondent.channel], respondent.answers)
            except ValidationError as error:
                problems.append(f"{respondent.channel} n° {respondent.index} : {error.messages}")
    measures = (
        [] if problems else [measure(f, respondents, specs, communes) for f in data["figures"]]
    )
    for m in measures:
        f = m.figure
        if (m.k, m.n) != (f["k"], f["n"]) or m.percent != Decimal(f["percent"]):
            problems.append(
                f"Chiffre {f['id']} : {m.k}/{m.n} = {m.percent} % dans les réponses, "
                f"{f['k']}/{f['n']} = {f['percent']} % dans le fichier."
            )
    if problems:
        raise ImproperlyConfigured(
            "Réponses de démonstration incohérentes :\n" + "\n".join(problems)
        )
    return Plan(respondents, specs, communes, measures, data)


def measure(
    figure: dict[str, Any],
    respondents: Iterable[Respondent],
    specs: dict[str, QuestionnaireSpec],
    communes: dict[str, Commune],
) -> Measure:
    """k and n of ``figure`` among planned questionnaires: the base holds those asked the
    question who gave an answer in the base (not "non concerné(e)", not "sans réponse")."""
    code = figure["question"]
    channels = CHANNELS if figure["scope"] == FigureChannel.ALL else (figure["scope"],)
    k = n = 0
    for respondent in respondents:
        if respondent.channel not in channels or code not in respondent.answers:
            continue
        if "arrondissement" in figure or "epci" in figure:
            commune = communes[respondent.answers[code]["insee"]]
            n += 1
            k += (
                commune.arrondissement_id == figure["arrondissement"]
                if "arrondissement" in figure
                else commune.epci_id == figure["epci"]
            )
            continue
        spec = specs[respondent.channel]
        choices = spec.choices[spec.by_code[code].pk]
        given = respondent.codes[code]
        in_base = {c for c in given if choices[c].polarity != Polarity.OUTSIDE}
        if not in_base:
            continue
        n += 1
        k += bool(in_base & _targets(figure, choices))
    return Measure(figure, k, n)


def _targets(figure: dict[str, Any], choices: dict[str, Any]) -> set[str]:
    if figure["choice"] == FAVOURABLE:
        return {code for code, c in choices.items() if c.polarity == Polarity.FAVOURABLE}
    return set(figure.get("choices") or [figure["choice"]])


def _schedule(collection: dict[str, Any], problems: list[str]) -> list[Respondent]:
    """The respondents, with their site, interviewer and times, in time order per channel."""
    zone = ZoneInfo(settings.TIME_ZONE)
    moods = random.Random("humeur")
    respondents: list[Respondent] = []
    total = 0
    for channel in CHANNELS:
        plan = collection[channel]
        low, high = plan["minutes"]
        group: list[Respondent] = []
        for day in plan["days"]:
            date = datetime.date.fromisoformat(day["date"])
            windows = [
                (datetime.time.fromisoformat(start), datetime.time.fromisoformat(end))
                for start, end in day["hours"]
            ]
            lengths = [_minutes(end) - _minutes(start) for start, end in windows]
            slot = sum(lengths) / day["count"]
            rng = random.Random(f"{channel}/{day['date']}/{day['site']}")
            for i in range(day["count"]):
                offset = (i + 0.5 + rng.uniform(-0.35, 0.35)) * slot
                window = 0
                while offset >= lengths[window]:
                    offset -= lengths[window]
                    window += 1
                start = datetime.datetime.combine(date, windows[window][0], tzinfo=zone)
                started = start + datetime.timedelta(minutes=int(offset), seconds=rng.randrange(60))
                took = datetime.timedelta(minutes=rng.randint(low, high), seconds=rng.randrange(60))
                who = day["interviewers"][i % len(day["interviewers"])]
                group.append(Respondent(channel, 0, day["site"], who, started, started + took, 0.0))
        group.sort(key=lambda r: r.started_at)
        for index, respondent in enumerate(group):
            respondent.index = index
            respondent.mood = moods.random()
        if len(group) != plan["total"]:
            problems.append(
                f"{channel} : {len(group)} questionnaires planifiés, {plan['total']} publiés."
            )
        for week in plan.get("weeks", []):
            first, last = (datetime.date.fromisoformat(week[key]) for key in ("from", "to"))
            count = sum(first <= r.started_at.date() <= last for r in group)
            if count != week["count"]:
                problems.append(
                    f"{channel}, semaine du {week['from']} : {count} au lieu de {week['count']}."
                )
        respondents.extend(group)
        total += len(group)
    if total != collection["total"]:
        problems.append(f"{total} questionnaires planifiés, {collection['total']} publiés.")
    return respondents


def _minutes(moment: datetime.time) -> int:
    return moment.hour * 60 + moment.minute


def _communes(answers: dict[str, Any], problems: list[str]) -> dict[str, Commune]:
    """The communes the file names, by INSEE code; their names are checked. One query."""
    named: dict[str, str] = {}
    for entry in answers.get("profil_commune", {}).values():
        for segment in _segments(entry):
            for key in segment["counts"]:
                if key != NOT_GIVEN:
                    code, _, name = key.partition(" ")
                    named[code] = name
    communes = {c.insee_code: c for c in Commune.objects.filter(insee_code__in=named)}
    for code, name in named.items():
        if code not in communes:
            problems.append(f"Commune inconnue : {code} {name}.")
        elif communes[code].name != name:
            problems.append(f"Commune {code} : {communes[code].name}, pas {name}.")
    return communes


def _segments(entry: Any) -> list[dict[str, Any]]:
    return entry if isinstance(entry, list) else [{"counts": entry}]


def _answer_order(
    specs: dict[str, QuestionnaireSpec], answers: dict[str, Any], problems: list[str]
) -> list[str]:
    """Question codes in questionnaire order, each after the questions it depends on
    (its skip condition and the conditions of its segments)."""
    codes: list[str] = []
    for channel in CHANNELS:
        codes += [q.code for q in specs[channel].questions if q.code not in codes]
    unknown = sorted(set(answers) - set(codes))
    if unknown:
        problems.append(f"Questions inconnues : {', '.join(unknown)}.")
    depends: dict[str, set[str]] = {code: set() for code in codes}
    for channel in CHANNELS:
        for question in specs[channel].questions:
            if question.condition_question is not None:
                depends[question.code].add(question.condition_question.code)
    for code, entry in answers.items():
        for channel_entry in entry.values():
            for segment in _segments(channel_entry):
                depends.setdefault(code, set()).update(
                    key for key in segment.get("when", {}) if key != SITE_KEY
                )
    order: list[str] = []
    visiting: set[str] = set()

    def visit(code: str) -> None:
        if code in order:
            return
        if code in visiting:
            problems.append(f"Dépendance circulaire autour de {code}.")
            return
        visiting.add(code)
        for dependency in sorted(depends.get(code, ())):
            visit(dependency)
        visiting.discard(code)
        order.append(code)

    for code in codes:
        visit(code)
    return [code for code in order if code not in LEFT_OUT and code in depends]


def _deal(
    question: Question,
    spec: QuestionnaireSpec,
    channel: str,
    entry: Any,
    group: list[Respondent],
    problems: list[str],
) -> None:
    where = f"{question.code} ({channel})"
    remaining = [r for r in group if question.is_asked(r.codes)]
    for number, segment in enumerate(_segments(entry)):
        when = segment.get("when", {})
        members = [r for r in remaining if all(r.answered(q) & set(c) for q, c in when.items())]
        taken = {id(r) for r in members}
        remaining = [r for r in remaining if id(r) not in taken]
        rng = random.Random(f"{question.code}/{channel}/{number}")
        _fill(
            question,
            spec,
            members,
            segment["counts"],
            rng,
            f"{where}, segment {number + 1}",
            problems,
        )
    if remaining:
        problems.append(f"{where} : {len(remaining)} usagers interrogés sans segment.")


def _fill(
    question: Question,
    spec: QuestionnaireSpec,
    members: list[Respondent],
    counts: dict[str, Any],
    rng: random.Random,
    where: str,
    problems: list[str],
) -> None:
    is_commune = question.kind == QuestionKind.COMMUNE
    choices = {} if is_commune else spec.choices[question.pk]
    foreign = [key for key in counts if not is_commune and key not in choices]
    if foreign:
        problems.append(f"{where} : choix inconnus {', '.join(foreign)}.")
        return
    stars = [key for key, count in counts.items() if count == REMAINDER]
    fixed = sum(count for count in counts.values() if count != REMAINDER)
    wanted = {key: count for key, count in counts.items() if count != REMAINDER}
    if len(stars) > 1 or (not stars and fixed != len(members)) or fixed > len(members):
        problems.append(
            f"{where} : {fixed} réponses réparties pour {len(members)} usagers interrogés."
        )
        return
    for key in stars:
        wanted[key] = len(members) - fixed

    def outside(key: str) -> bool:
        return key == NOT_GIVEN if is_commune else choices[key].polarity == Polarity.OUTSIDE

    pool = list(members)
    rng.shuffle(pool)
    keys = [key for key in wanted if outside(key)]
    inside = [key for key in wanted if not outside(key)]
    held = sum(wanted[key] for key in keys)
    rest = pool[held:]
    if question.kind in ORDINAL:
        noise = {id(r): rng.gauss(0, MOOD_NOISE) for r in rest}
        rest.sort(key=lambda r: -(r.mood + noise[id(r)]))
        inside.sort(key=lambda key: choices[key].order)
    ordered = pool[:held] + rest
    position = 0
    for key in keys + inside:
        for respondent in ordered[position : position + wanted[key]]:
            _answer(respondent, question, key)
        position += wanted[key]


def _answer(respondent: Respondent, question: Question, key: str) -> None:
    if question.kind == QuestionKind.COMMUNE:
        if key != NOT_GIVEN:
            respondent.answers[question.code] = {"insee": key.partition(" ")[0]}
        return
    respondent.answers[question.code] = [key] if question.kind == QuestionKind.MULTIPLE else key
    respondent.codes[question.code] = {key}


# --- storing ------------------------------------------------------------------------------


def _store(campaign: Campaign, plan: Plan, uuids: list[uuid.UUID]) -> tuple[int, int]:
    """Insert the planned questionnaires and their answers in bulk. The responses get
    their "received" history record (dated when sent, by their interviewer), as a
    submission does; the answers none, as a submission's. The indicators' tallies follow
    in the same transaction (reports/tallies.py)."""
    campaign.check_accepts_responses()
    site_names: dict[str, str] = plan.data["sites"]
    devices: dict[str, str] = plan.data["devices"]
    modes = {channel: plan.data["collection"][channel]["mode"] for channel in CHANNELS}
    sites = {s.name: s for s in Site.objects.filter(organisation_id=campaign.organisation_id)}
    usernames = {r.interviewer for r in plan.respondents}
    users = {u.get_username(): u for u in get_user_model().objects.filter(username__in=usernames)}
    unknown = sorted(
        ({site_names.get(r.site, r.site) for r in plan.respondents} - set(sites))
        | (usernames - set(users))
    )
    if unknown:
        raise ImproperlyConfigured(
            f"Sites ou comptes de démonstration absents : {', '.join(unknown)}."
        )
    responses: list[Response] = []
    rows: list[list[Answer]] = []
    for respondent, key in zip(plan.respondents, uuids, strict=True):
        spec = plan.specs[respondent.channel]
        user = users[respondent.interviewer]
        response = Response(
            uuid=key,
            campaign=campaign,
            questionnaire=spec.questionnaire,
            channel=respondent.channel,
            site=sites[site_names[respondent.site]],
            interviewer=user,
            mode=modes[respondent.channel],
            device_id=devices.get(respondent.interviewer, ""),
            started_at=respondent.started_at,
            submitted_at=respondent.submitted_at,
        )
        response._history_user = user  # type: ignore[attr-defined]
        response._history_date = respondent.submitted_at  # type: ignore[attr-defined]
        responses.append(response)
        rows.append(respondent.rows)
    bulk_create_with_history(responses, Response, batch_size=500)
    created = [r.pk for r in responses]
    Response.objects.filter(pk__in=created).update(received_at=F("submitted_at"))
    answers = []
    for response, response_rows in zip(responses, rows, strict=True):
        for row in response_rows:
            row.response_id = response.pk
            answers.append(row)
    Answer.objects.bulk_create(answers, batch_size=2000)
    tally_responses(created)  # the indicators' roll-ups, once the received times are set
    return len(responses), len(answers)


# --- 2015 figures -------------------------------------------------------------------------


def load_published_figures(organisation: Organisation, data: dict[str, Any]) -> int:
    """The report's "contre X % en 2015" as PublishedFigure rows (rate only: the report
    gives no 2015 base), and the 2015 questionnaire counts per channel. Returns how many
    were created; a figure already entered is left untouched."""
    wanted: list[PublishedFigure] = []
    for figure in data["figures"]:
        previous = figure.get("previous")
        if not previous:
            continue
        note = f" ; {previous['note']}" if previous.get("note") else ""
        if previous.get("derived"):
            note += f" ; déduit : {previous['derived']}"
        wanted.append(
            PublishedFigure(
                organisation=organisation,
                year=previous["year"],
                code=figure["question"],
                choice_code="" if figure["choice"] == FAVOURABLE else figure["choice"],
                channel=figure["scope"],
                rate=Decimal(previous["percent"]),
                source=f"{PUBLISHED_SOURCE}, § {figure['section']}{note}"[:200],
            )
        )
    for channel in CHANNELS:
        collected = data["collection"][channel]
        wanted.append(
            PublishedFigure(
                organisation=organisation,
                year=collected["previous"]["year"],
                code=PublishedFigure.QUESTIONNAIRES,
                choice_code="",
                channel=channel,
                base=collected["previous"]["count"],
                source=f"{PUBLISHED_SOURCE}, § 3 (représentativité)",
            )
        )
    existing = set(
        PublishedFigure.objects.filter(organisation=organisation).values_list(
            "year", "code", "choice_code", "channel"
        )
    )
    new = [f for f in wanted if (f.year, f.code, f.choice_code, f.channel) not in existing]
    for figure in new:  # the unique and check constraints are the database's
        figure.clean_fields(exclude=["organisation"])
        figure.clean()
    PublishedFigure.objects.bulk_create(new)
    return len(new)
