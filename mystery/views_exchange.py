"""Exports and imports of a campaign's mystery call and e-mail logs (CSV, XLSX).

Staff and quality managers (``access.MYSTERY``) may do both; another organisation's
campaign is a 404, an interviewer gets a 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from survey import access
from survey.models import Campaign, CampaignStatus
from survey.spreadsheets import ImportRefused, write_csv, write_xlsx

from .exchange_calls import export_calls, import_calls
from .exchange_emails import export_emails, import_emails
from .exchange_rows import ImportResult
from .forms_exchange import LogImportForm
from .models import CallOutcome, EmailTheme, GreetingElement, Mailbox, MysteryService

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class LogKind:
    """What differs between the call log and the e-mail log."""

    slug: str  # of the log's list page: mystery:<slug>_list
    filename: str
    sheet: Any
    title: Any
    export: Callable[[Campaign], tuple[list[str], list[list[str]]]]
    import_rows: Callable[..., ImportResult]
    imported: Any  # the success message


KINDS = {
    "call": LogKind(
        "call",
        "appels-mysteres",
        _("Appels mystères"),
        _("Importer des appels mystères"),
        export_calls,
        import_calls,
        _("Appels importés : %(created)s ; déjà présents (ignorés) : %(present)s."),
    ),
    "email": LogKind(
        "email",
        "courriels-mysteres",
        _("Courriels mystères"),
        _("Importer des courriels mystères"),
        export_emails,
        import_emails,
        _("Courriels importés : %(created)s ; déjà présents (ignorés) : %(present)s."),
    ),
}


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return access.get_scoped_or_404(
        Campaign.objects.select_related("organisation").exclude(status=CampaignStatus.DRAFT),
        request.user,
        access.MYSTERY,
        pk=pk,
    )


@access.role_required(access.MYSTERY)
@require_GET
def calls_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    return _export(request, pk, fmt, KINDS["call"])


@access.role_required(access.MYSTERY)
@require_GET
def emails_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    return _export(request, pk, fmt, KINDS["email"])


@access.role_required(access.MYSTERY)
def calls_import(request: HttpRequest, pk: int) -> HttpResponse:
    return _import(request, pk, KINDS["call"])


@access.role_required(access.MYSTERY)
def emails_import(request: HttpRequest, pk: int) -> HttpResponse:
    return _import(request, pk, KINDS["email"])


def _export(request: HttpRequest, pk: int, fmt: str, kind: LogKind) -> HttpResponse:
    campaign = _campaign(request, pk)
    if fmt not in CONTENT_TYPES:
        raise Http404(gettext("Format d'export inconnu"))
    header, rows = kind.export(campaign)
    if fmt == "csv":
        content = write_csv(header, rows)
    else:
        content = write_xlsx(header, rows, sheet_title=str(kind.sheet))
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    filename = f"{kind.filename}-{campaign.year}.{fmt}"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _import(request: HttpRequest, pk: int, kind: LogKind) -> HttpResponse:
    campaign = _campaign(request, pk)
    refused: ImportRefused | None = None
    if request.method == "POST":
        form = LogImportForm(request.POST, request.FILES)
        if form.is_valid():
            user = request.user
            assert isinstance(user, User)  # role_required logged them in
            try:
                result = kind.import_rows(campaign, form.cleaned_data["file"], user=user)
            except ImportRefused as error:
                refused = error
                form.add_error(
                    None,
                    gettext("Corrigez les erreurs listées ci-dessous : rien n'a été enregistré."),
                )
            except ValidationError as error:  # the campaign is closed, the file is empty…
                form.add_error(None, error)
            else:
                _report(request, kind, result)
                return redirect(f"mystery:{kind.slug}_list", pk=campaign.pk)
    else:
        form = LogImportForm()
    try:
        campaign.check_editable()
        closed_reason = ""
    except ValidationError as error:
        closed_reason = " ".join(error.messages)
    return render(
        request,
        "mystery/exchange/import.html",
        {
            "campaign": campaign,
            "kind": kind,
            "form": form,
            "refused": refused,
            "closed_reason": closed_reason,
            "reference": _reference(campaign),
            "outcomes": CallOutcome.choices,
            "elements": GreetingElement.choices,
        },
        status=400 if refused is not None or (form.is_bound and form.errors) else 200,
    )


def _report(request: HttpRequest, kind: LogKind, result: ImportResult) -> None:
    messages.success(
        request,
        str(kind.imported) % {"created": result.created, "present": result.already_present},
    )
    if result.unknown_users:
        messages.warning(
            request,
            gettext(
                "Utilisateurs inconnus dans l'organisation (%(names)s) : les lignes qu'ils "
                "ont saisies vous sont attribuées."
            )
            % {"names": ", ".join(result.unknown_users)},
        )


def _reference(campaign: Campaign) -> dict[str, list[str]]:
    """The names the file may use, for the help table of the page. 3 queries."""
    organisation_id = campaign.organisation_id
    return {
        "services": list(
            MysteryService.objects.filter(organisation_id=organisation_id).values_list(
                "name", flat=True
            )
        ),
        "themes": list(
            EmailTheme.objects.filter(organisation_id=organisation_id).values_list(
                "name", flat=True
            )
        ),
        "mailboxes": list(
            Mailbox.objects.filter(organisation_id=organisation_id).values_list(
                "address", flat=True
            )
        ),
    }
