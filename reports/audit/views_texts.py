"""The quality manager edits the commentary of a campaign's report, section by section.

Every section shows the text the report will print: the manager's edited text, or else the
draft written from the figures (``reports.audit.drafting``); beside an edited text, the draft of
today's figures. Saving stores a ``SectionText``; "revenir au brouillon" deletes it (both
through ``reports.audit.services.texts``). A closed campaign's texts are read-only.

The quality manager only (``access.role_required``); the campaign is read through
``access.get_scoped_or_404``: another organisation's campaign is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from reports.indicators import compute
from survey import access
from survey.models import Campaign

from .drafting import KEYS, Drafter, Section, section
from .forms import SectionTextForm
from .models import SectionText
from .services.texts import TextConflict, revert_section_text, save_section_text, version_of


@dataclass
class SectionRow:
    section: Section
    anchor: str
    draft: str
    edited: SectionText | None
    form: SectionTextForm | None

    @property
    def text(self) -> str:
        """What the report prints."""
        return self.edited.text if self.edited is not None else self.draft

    @property
    def differs(self) -> bool:
        return self.edited is not None and self.edited.text != self.draft


def anchor(key: str) -> str:
    return "section-" + key.replace(".", "-")


def _prefix(key: str) -> str:
    return "s" + key.replace(".", "-")


def _label(item: Section) -> str:
    return gettext("Texte de la section %(key)s — %(title)s") % {
        "key": item.key,
        "title": item.title,
    }


def _rows(text: str) -> int:
    """Room for the whole text, within reason: a line per 90 characters and per line end."""
    lines = sum(1 + len(line) // 90 for line in text.split("\n"))
    return min(30, max(6, lines + 1))


def _form(item: Section, edited: SectionText | None, draft: str) -> SectionTextForm:
    text = edited.text if edited is not None else draft
    return SectionTextForm(
        prefix=_prefix(item.key),
        label=_label(item),
        rows=_rows(text),
        initial={"text": text, "version": version_of(edited)},
    )


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return access.get_scoped_or_404(
        Campaign.objects.select_related("organisation"), request.user, access.MANAGEMENT, pk=pk
    )


def _back(campaign: Campaign, key: str | None = None) -> HttpResponse:
    url = reverse("audit:texts", args=[campaign.pk])
    return redirect(f"{url}#{anchor(key)}" if key else url)


@access.role_required(access.MANAGEMENT)
def texts(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    bound: SectionTextForm | None = None
    bound_key: str | None = None
    if request.method == "POST":
        key = request.POST.get("section", "")
        if key not in KEYS:
            messages.error(request, gettext("Cette section du rapport n'existe pas."))
            return _back(campaign)
        try:
            campaign.check_editable()
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return _back(campaign, key)
        if request.POST.get("action") == "revert":
            return _revert(request, campaign, key)
        bound, bound_key = (
            SectionTextForm(request.POST, prefix=_prefix(key), label=_label(section(key))),
            key,
        )
        if bound.is_valid() and _save(request, campaign, key, bound):
            messages.success(
                request,
                gettext("Le texte de la section %(key)s est enregistré.") % {"key": key},
            )
            return _back(campaign, key)

    edited = {
        text.key: text
        for text in SectionText.objects.filter(campaign=campaign).select_related("edited_by")
    }
    drafter = Drafter(campaign, compute(campaign))
    editable = not campaign.is_closed
    rows = []
    for item in [section(key) for key in KEYS]:
        draft = drafter.draft(item.key)
        current = edited.get(item.key)
        form = None
        if editable:
            form = bound if item.key == bound_key and bound is not None else None
            form = form or _form(item, current, draft)
        rows.append(SectionRow(item, anchor(item.key), draft, current, form))
    return render(
        request,
        "reports/audit/texts/index.html",
        {
            "campaign": campaign,
            "rows": rows,
            "editable": editable,
            "edited_count": len(edited),
            "now": timezone.now(),
        },
        status=400 if bound is not None and bound.errors else 200,
    )


def _save(request: HttpRequest, campaign: Campaign, key: str, form: SectionTextForm) -> bool:
    """Store the text, unless the campaign was closed or the text saved by someone else
    since the page was shown: then the form says so and nothing is saved."""
    try:
        save_section_text(
            campaign=campaign,
            key=key,
            text=form.cleaned_data["text"],
            version=form.cleaned_data.get("version", ""),
            user=request.user if isinstance(request.user, User) else None,
        )
    except ValidationError as error:
        form.add_error(None, error.messages)
        return False
    except TextConflict as conflict:
        _conflict(form, conflict.current)
        return False
    return True


def _conflict(form: SectionTextForm, current: SectionText | None) -> None:
    """Someone saved or reverted this section since the page was shown: say who and
    when, and let a new save overwrite it knowingly."""
    if current is None:
        message = gettext(
            "Ce texte est revenu au brouillon depuis l'affichage de la page : votre version "
            "n'est pas enregistrée. Relisez le brouillon, puis enregistrez à nouveau si "
            "vous le souhaitez."
        )
    else:
        who = current.edited_by.get_username() if current.edited_by is not None else "—"
        message = gettext(
            "Ce texte a été modifié par %(user)s le %(when)s depuis l'affichage de la page : "
            "votre version n'est pas enregistrée. Relisez le texte enregistré, puis "
            "enregistrez à nouveau si vous souhaitez le remplacer."
        ) % {
            "user": who,
            "when": date_format(timezone.localtime(current.edited_at), "SHORT_DATETIME_FORMAT"),
        }
    form.add_error(None, message)
    form.data = {**form.data, form.add_prefix("version"): version_of(current)}


def _revert(request: HttpRequest, campaign: Campaign, key: str) -> HttpResponse:
    try:
        deleted = revert_section_text(campaign=campaign, key=key)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back(campaign, key)
    if deleted:
        messages.success(
            request,
            gettext("La section %(key)s revient au brouillon rédigé d'après les chiffres.")
            % {"key": key},
        )
    else:
        messages.info(
            request,
            gettext("La section %(key)s n'était pas modifiée : elle reste au brouillon.")
            % {"key": key},
        )
    return _back(campaign, key)
