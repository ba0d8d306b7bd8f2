"""Sections 4.7 and 4.8: the mystery calls and e-mails, from the tables the report prints,
compared with the comparison year's totals."""

from __future__ import annotations

from django.utils.translation import gettext, ngettext

from common.ratios import Ratio
from mystery import tables

from .context import DraftContext
from .phrasing import out_of, ratio_versus, sentence


def mystery_calls(context: DraftContext) -> list[str]:
    """Section 4.7: the calls that got through, their quality, the services missed."""
    table = context.calls
    total = table.total
    if not total.calls:
        return [table.sentence]
    services = ngettext(
        "%(n)d appel mystère a été passé auprès de %(services)s.",
        "%(n)d appels mystères ont été passés auprès de %(services)s.",
        total.calls,
    ) % {
        "n": total.calls,
        "services": ngettext("%(n)d service", "%(n)d services", len(table.rows))
        % {"n": len(table.rows)},
    }
    paragraphs = [f"{services} {table.sentence}"]
    if total.reached.k:
        paragraphs.append(
            sentence(
                ngettext(
                    "parmi les %(n)d appel ayant abouti : formule d'accueil complète "
                    "%(greeting)s ; courtoisie et amabilité %(courtesy)s ; qualité de la "
                    "réponse (fond et forme) %(answer)s",
                    "parmi les %(n)d appels ayant abouti : formule d'accueil complète "
                    "%(greeting)s ; courtoisie et amabilité %(courtesy)s ; qualité de la "
                    "réponse (fond et forme) %(answer)s",
                    total.reached.k,
                )
                % {
                    "n": total.reached.k,
                    "greeting": out_of(total.greeting),
                    "courtesy": out_of(total.courtesy),
                    "answer": out_of(total.answer),
                }
            )
        )
    missed = [row for row in table.rows if row.reached.k < row.calls]
    if missed:
        lines = [gettext("Les appels n'ont pas tous abouti pour les services suivants :")]
        for row in missed:
            detail = ngettext(
                "%(k)d appel abouti sur %(n)d",
                "%(k)d appels aboutis sur %(n)d",
                row.reached.k,
            ) % {"k": row.reached.k, "n": row.calls}
            lines.append(f"- {row.label} : {', '.join([detail, *row.observations])}")
        paragraphs.append("\n".join(lines))
    slow = [row for row in table.rows if row.within_rings.k < row.reached.k]
    if slow:
        items = [
            gettext("%(service)s (%(k)d sur %(n)d)")
            % {
                "service": row.label,
                "k": row.reached.k - row.within_rings.k,
                "n": row.reached.k,
            }
            for row in slow
        ]
        paragraphs.append(
            sentence(
                gettext("appels aboutis décrochés après plus de %(rings)s : %(list)s")
                % {"rings": tables.rings(table.rings), "list": ", ".join(items)}
            )
        )
    comparison = context.mystery_comparison
    if comparison is not None and comparison.calls:
        paragraphs.append(_compared(comparison, comparison.calls[0]))
    return paragraphs


def mystery_emails(context: DraftContext) -> list[str]:
    """Section 4.8: the e-mails answered, in time or not, by theme."""
    table = context.emails
    total = table.total
    if not total.sent:
        return [table.sentence]
    themes = ngettext(
        "%(n)d courriel mystère a été envoyé sur %(themes)s.",
        "%(n)d courriels mystères ont été envoyés sur %(themes)s.",
        total.sent,
    ) % {
        "n": total.sent,
        "themes": ngettext("%(n)d thème", "%(n)d thèmes", len(table.rows)) % {"n": len(table.rows)},
    }
    paragraphs = [f"{themes} {table.sentence}"]
    paragraphs.append(
        sentence(
            gettext(
                "accusé de réception reçu : %(ack)s ; qualité de la réponse (fond et "
                "forme) : %(answer)s"
            )
            % {
                "ack": out_of(total.acknowledged),
                "answer": out_of(total.answer) if total.answer.n else "—",
            }
        )
    )
    late = [
        row
        for row in table.rows
        if row.answered.k < row.sent or row.within_delay.k < row.within_delay.n
    ]
    if late:
        lines = [gettext("Courriels sans réponse ou hors délai, par thème :")]
        for row in late:
            details = []
            if not row.answered.k:
                details.append(gettext("sans réponse"))
            elif row.answered.k < row.sent:
                details.append(
                    gettext("%(k)d réponse sur %(n)d") % {"k": row.answered.k, "n": row.sent}
                )
            if row.answered.k and row.within_delay.k < row.within_delay.n:
                details.append(
                    gettext("%(k)d dans le délai sur %(n)d")
                    % {"k": row.within_delay.k, "n": row.within_delay.n}
                )
            unanswered = row.sent - row.answered.k - row.waiting
            overdue = ngettext(
                "%(n)d sans réponse, délai dépassé",
                "%(n)d sans réponse, délai dépassé",
                unanswered,
            ) % {"n": unanswered}
            details += [note for note in row.observations if note != overdue]
            lines.append(f"- {row.label} : {' ; '.join(details)}")
        paragraphs.append("\n".join(lines))
    comparison = context.mystery_comparison
    if comparison is not None and len(comparison.emails) > 2:
        paragraphs.append(_compared(comparison, comparison.emails[2]))
    return paragraphs


def _compared(comparison: tables.Comparison, row: tuple[str, Ratio, Ratio]) -> str:
    """One line of the comparison with last year's tests: this year's ratio against that
    year's, and the note on their thresholds."""
    label, now, before = row
    return sentence(
        gettext("%(what)s : %(now)s %(versus)s")
        % {
            "what": label,
            "now": out_of(now),
            "versus": ratio_versus(now, before, comparison.previous.year),
        },
        _thresholds_note(comparison),
    )


def _thresholds_note(comparison: tables.Comparison) -> str:
    if not comparison.thresholds_differ:
        return ""
    return gettext("les seuils de %(year)s étaient différents") % {"year": comparison.previous.year}
