"""The tables of the audit report's sections 4.7 (calls) and 4.8 (e-mails).

Every criterion is a ``Ratio`` whose base is explicit:

- calls: got through, and picked up within the campaign's rings, out of the calls made;
  greeting, courtesy and answer quality out of the calls that got through (the seed's
  "OUI (1 appel/1)" for a service where one call in four got through);
- e-mails: acknowledgement and answer out of the e-mails sent; answer within the campaign's
  working days out of the e-mails whose outcome is known (answered, or unanswered past
  their deadline: an e-mail still waiting is counted apart); answer quality out of the
  answers received.

Calls are counted by the database (three queries whatever their number). E-mails are few
(a dozen a campaign) and their delays need the working-day calendar: they are read once
and counted here.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from common.ratios import Ratio
from survey.models import Campaign

from .models import CallOutcome, MysteryCall, MysteryEmail
from .workdays import WorkingCalendar


def rings(n: int) -> str:
    """« 1 sonnerie », « 5 sonneries »: a threshold inside a sentence."""
    return ngettext("%(n)d sonnerie", "%(n)d sonneries", n) % {"n": n}


def working_days(n: int) -> str:
    """« 1 jour ouvré », « 5 jours ouvrés »: a delay inside a sentence."""
    return ngettext("%(n)d jour ouvré", "%(n)d jours ouvrés", n) % {"n": n}


# --- calls -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallRow:
    label: str
    calls: int
    reached: Ratio
    within_rings: Ratio
    greeting: Ratio
    courtesy: Ratio
    answer: Ratio
    observations: tuple[str, ...] = ()

    def __add__(self, other: CallRow) -> CallRow:
        return CallRow(
            gettext("Total"),
            self.calls + other.calls,
            self.reached + other.reached,
            self.within_rings + other.within_rings,
            self.greeting + other.greeting,
            self.courtesy + other.courtesy,
            self.answer + other.answer,
        )


@dataclass(frozen=True)
class CallTable:
    rings: int
    rows: tuple[CallRow, ...]
    total: CallRow

    @property
    def sentence(self) -> str:
        """« 18 appels sur 23 ont abouti, dont 17 décrochés en 5 sonneries au plus. »"""
        total = self.total
        if not total.calls:
            return gettext("Aucun appel mystère n'a été passé.")
        reached = ngettext(
            "%(k)d appel sur %(n)d a abouti",
            "%(k)d appels sur %(n)d ont abouti",
            total.reached.k,
        ) % {"k": total.reached.k, "n": total.calls}
        within = ngettext(
            "dont %(k)d décroché en %(rings)s au plus",
            "dont %(k)d décrochés en %(rings)s au plus",
            total.within_rings.k,
        ) % {"k": total.within_rings.k, "rings": rings(self.rings)}
        return f"{reached}, {within}."


def call_table(campaign: Campaign) -> CallTable:
    """One row per service called, in the services' order. Three queries."""
    calls = MysteryCall.objects.filter(campaign=campaign)
    reached = Q(outcome=CallOutcome.REACHED)
    counts = (
        calls.values("service", "service__name", "service__order")
        .annotate(
            calls=Count("pk"),
            got_through=Count("pk", filter=reached),
            within=Count("pk", filter=reached & Q(rings__lte=campaign.mystery_rings)),
            greeting=Count("pk", filter=Q(greeting_complete=True)),
            courtesy=Count("pk", filter=Q(courteous=True)),
            answer=Count("pk", filter=Q(answer_content_ok=True, answer_form_ok=True)),
        )
        .order_by("service__order", "service__name", "service")
    )
    failures = (
        calls.exclude(reached)
        .values_list("service", "outcome")
        .annotate(n=Count("pk"))
        .order_by("service", "outcome")
    )
    notes = calls.exclude(observations="").values_list("service", "observations")
    observations = _observations(
        ((service, _failure_note(outcome, n)) for service, outcome, n in failures),
        ((service, text.strip()) for service, text in notes),
    )
    rows = tuple(
        CallRow(
            label=c["service__name"],
            calls=c["calls"],
            reached=Ratio(c["got_through"], c["calls"]),
            within_rings=Ratio(c["within"], c["calls"]),
            greeting=Ratio(c["greeting"], c["got_through"]),
            courtesy=Ratio(c["courtesy"], c["got_through"]),
            answer=Ratio(c["answer"], c["got_through"]),
            observations=tuple(observations[c["service"]]),
        )
        for c in counts
    )
    return CallTable(campaign.mystery_rings, rows, _total(rows, _EMPTY_CALL_ROW))


def _failure_note(outcome: str, n: int) -> str:
    label = str(CallOutcome(outcome).label).lower()
    return ngettext("%(label)s (%(n)d appel)", "%(label)s (%(n)d appels)", n) % {
        "label": label,
        "n": n,
    }


# --- e-mails ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmailTiming:
    """Where one e-mail stands against its deadline."""

    email: MysteryEmail
    deadline: datetime.date
    delay: int | None  # working days to the answer; None without answer
    within: bool | None  # None: no answer yet, deadline not past

    @property
    def waiting(self) -> bool:
        return self.within is None

    @property
    def overdue(self) -> bool:
        return self.email.answered_at is None and self.within is False


@dataclass(frozen=True)
class EmailRow:
    label: str
    sent: int
    acknowledged: Ratio
    answered: Ratio
    within_delay: Ratio
    answer: Ratio
    waiting: int = 0
    observations: tuple[str, ...] = ()

    def __add__(self, other: EmailRow) -> EmailRow:
        return EmailRow(
            gettext("Total"),
            self.sent + other.sent,
            self.acknowledged + other.acknowledged,
            self.answered + other.answered,
            self.within_delay + other.within_delay,
            self.answer + other.answer,
            self.waiting + other.waiting,
        )


@dataclass(frozen=True)
class EmailTable:
    working_days: int
    rows: tuple[EmailRow, ...]
    total: EmailRow
    timings: tuple[EmailTiming, ...] = field(default=())

    @property
    def sentence(self) -> str:
        """« 9 courriels sur 11 ont reçu une réponse, dont 8 dans le délai de 5 jours ouvrés. »"""
        total = self.total
        if not total.sent:
            return gettext("Aucun courriel mystère n'a été envoyé.")
        answered = ngettext(
            "%(k)d courriel sur %(n)d a reçu une réponse",
            "%(k)d courriels sur %(n)d ont reçu une réponse",
            total.answered.k,
        ) % {"k": total.answered.k, "n": total.sent}
        within = ngettext(
            "dont %(k)d dans le délai de %(days)s",
            "dont %(k)d dans le délai de %(days)s",
            total.within_delay.k,
        ) % {"k": total.within_delay.k, "days": working_days(self.working_days)}
        sentence = f"{answered}, {within}."
        if total.waiting:
            sentence += " " + ngettext(
                "%(n)d attend encore sa réponse, dans le délai.",
                "%(n)d attendent encore leur réponse, dans le délai.",
                total.waiting,
            ) % {"n": total.waiting}
        return sentence


def email_timings(
    campaign: Campaign, *, today: datetime.date | None = None
) -> tuple[EmailTiming, ...]:
    """Every e-mail of the campaign with its deadline and delay, in sending order. An
    e-mail still unanswered is judged at ``today``: by default the campaign's closing
    day once it is closed (its report then reads the same whenever it is printed), else
    the current day."""
    calendar = WorkingCalendar.for_organisation(campaign.organisation)
    if today is None:
        closed = campaign.closed_at
        today = timezone.localdate(closed or timezone.now(), calendar.zone)
    days = campaign.mystery_working_days
    emails = MysteryEmail.objects.filter(campaign=campaign).select_related(
        "theme", "service", "mailbox", "logged_by"
    )
    return tuple(
        EmailTiming(
            email=email,
            deadline=calendar.deadline(email.sent_at, days),
            delay=calendar.delay(email.sent_at, email.answered_at),
            within=calendar.answered_within(email.sent_at, email.answered_at, days, today=today),
        )
        for email in emails
    )


def email_table(campaign: Campaign, *, today: datetime.date | None = None) -> EmailTable:
    """One row per theme written on, in the themes' order. Two queries."""
    timings = email_timings(campaign, today=today)
    by_theme: dict[int, list[EmailTiming]] = defaultdict(list)
    for timing in timings:
        by_theme[timing.email.theme_id].append(timing)
    themes = sorted(
        (group[0].email.theme for group in by_theme.values()), key=lambda t: (t.order, t.name)
    )
    rows = tuple(_email_row(theme.name, by_theme[theme.pk]) for theme in themes)
    return EmailTable(campaign.mystery_working_days, rows, _total(rows, _EMPTY_EMAIL_ROW), timings)


def _email_row(label: str, timings: list[EmailTiming]) -> EmailRow:
    sent = len(timings)
    answered = [t for t in timings if t.email.answered_at is not None]
    decided = [t for t in timings if t.within is not None]
    observations = [t.email.observations.strip() for t in timings if t.email.observations.strip()]
    overdue = sum(t.overdue for t in timings)
    if overdue:
        observations.insert(
            0,
            ngettext(
                "%(n)d sans réponse, délai dépassé", "%(n)d sans réponse, délai dépassé", overdue
            )
            % {"n": overdue},
        )
    return EmailRow(
        label=label,
        sent=sent,
        acknowledged=Ratio(sum(t.email.acknowledged_at is not None for t in timings), sent),
        answered=Ratio(len(answered), sent),
        within_delay=Ratio(sum(bool(t.within) for t in decided), len(decided)),
        answer=Ratio(sum(bool(t.email.answer_ok) for t in answered), len(answered)),
        waiting=sent - len(decided),
        observations=tuple(dict.fromkeys(observations)),
    )


# --- both ------------------------------------------------------------------------------------


_EMPTY_CALL_ROW = CallRow("", 0, *(Ratio(0, 0),) * 5)
_EMPTY_EMAIL_ROW = EmailRow("", 0, *(Ratio(0, 0),) * 4)
Row = TypeVar("Row", CallRow, EmailRow)


def _total(rows: Iterable[Row], empty: Row) -> Row:
    total = empty
    for row in rows:
        total = total + row
    return total


def _observations(*notes: Iterable[tuple[int, str]]) -> dict[int, list[str]]:
    """Group notes by key, dropping repeats but keeping their order."""
    grouped: dict[int, Counter[str]] = defaultdict(Counter)
    for source in notes:
        for key, text in source:
            grouped[key][text] += 1
    return defaultdict(list, {key: list(texts) for key, texts in grouped.items()})


@dataclass(frozen=True)
class Comparison:
    """The totals of this campaign beside the previous one's, criterion by criterion."""

    previous: Campaign
    calls: tuple[tuple[str, Ratio, Ratio], ...]
    emails: tuple[tuple[str, Ratio, Ratio], ...]
    # The previous campaign counted with other thresholds: its figures are its own.
    thresholds_differ: bool = False


def comparison(campaign: Campaign, calls: CallTable, emails: EmailTable) -> Comparison | None:
    """None when there is no earlier campaign, or it logged no mystery test."""
    previous = campaign.previous()
    if previous is None:
        return None
    before_calls, before_emails = call_table(previous), email_table(previous)
    if not before_calls.total.calls and not before_emails.total.sent:
        return None
    now_c, then_c = calls.total, before_calls.total
    now_e, then_e = emails.total, before_emails.total
    return Comparison(
        previous,
        calls=(
            (gettext("Appels ayant abouti"), now_c.reached, then_c.reached),
            (
                gettext("Décrochés en %(rings)s au plus") % {"rings": rings(calls.rings)},
                now_c.within_rings,
                then_c.within_rings,
            ),
            (gettext("Formule d'accueil complète"), now_c.greeting, then_c.greeting),
            (gettext("Courtoisie, amabilité"), now_c.courtesy, then_c.courtesy),
            (gettext("Qualité de la réponse (fond et forme)"), now_c.answer, then_c.answer),
        ),
        emails=(
            (gettext("Accusé de réception"), now_e.acknowledged, then_e.acknowledged),
            (gettext("Réponse reçue"), now_e.answered, then_e.answered),
            (
                gettext("Réponse dans le délai de %(days)s")
                % {"days": working_days(emails.working_days)},
                now_e.within_delay,
                then_e.within_delay,
            ),
            (gettext("Qualité de la réponse (fond et forme)"), now_e.answer, then_e.answer),
        ),
        thresholds_differ=(before_calls.rings, before_emails.working_days)
        != (calls.rings, emails.working_days),
    )
