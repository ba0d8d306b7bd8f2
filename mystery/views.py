"""Staff's mystery-test pages: the logs of calls and e-mails, and the report's tables.

Staff and quality managers log; only the quality manager sets the thresholds. Every page
reads the campaign through ``access.get_scoped_or_404``: another organisation's campaign
or log is a 404, an interviewer gets a 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from survey import access
from survey.models import Campaign, CampaignStatus, Role

from . import tables
from .forms import LogForm, MysteryCallForm, MysteryEmailForm, ThresholdsForm
from .models import MysteryCall, MysteryEmail, MysteryLog, MysteryService


@access.role_required(access.MYSTERY)
def index(request: HttpRequest) -> HttpResponse:
    """The campaigns whose mystery calls and e-mails staff log."""
    organisation, campaigns = access.in_work_organisation(
        request, Campaign.objects.exclude(status=CampaignStatus.DRAFT), access.MYSTERY
    )
    is_manager = organisation is not None and access.holds_role(
        request.user, organisation.pk, access.MANAGEMENT
    )
    return render(
        request,
        "mystery/index.html",
        {"campaigns": campaigns, "organisation": organisation, "is_manager": is_manager},
    )


def _campaign(request: HttpRequest, pk: int, roles: frozenset[str] = access.MYSTERY) -> Campaign:
    return access.get_scoped_or_404(
        Campaign.objects.select_related("organisation").exclude(status=CampaignStatus.DRAFT),
        request.user,
        roles,
        pk=pk,
    )


def _is_manager(request: HttpRequest, campaign: Campaign) -> bool:
    return access.holds_role(request.user, campaign.organisation_id, {Role.QUALITY_MANAGER})


@access.role_required(access.MYSTERY)
def campaign_tables(request: HttpRequest, pk: int) -> HttpResponse:
    """The report's tables 4.7 and 4.8, the totals sentences, last year beside."""
    campaign = _campaign(request, pk)
    calls, emails = tables.call_table(campaign), tables.email_table(campaign)
    return render(
        request,
        "mystery/tables.html",
        {
            "campaign": campaign,
            "calls": calls,
            "emails": emails,
            "comparison": tables.comparison(campaign, calls, emails),
            "is_manager": _is_manager(request, campaign),
            "thresholds_form": ThresholdsForm(instance=campaign),
        },
    )


@access.role_required(access.MANAGEMENT)
@require_POST
def campaign_thresholds(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk, access.MANAGEMENT)
    form = ThresholdsForm(request.POST, instance=campaign)
    try:
        campaign.check_editable()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if form.is_valid():
            form.save()
            messages.success(request, gettext("Les seuils sont enregistrés."))
        else:
            for errors in form.errors.values():
                messages.error(request, " ".join(str(e) for e in errors))
    return redirect("mystery:tables", pk=campaign.pk)


# --- the two logs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogKind:
    """What differs between the call log and the e-mail log."""

    model: type[MysteryLog]
    form: type[LogForm]
    slug: str  # URL names: <slug>_list, <slug>_create…
    title: Any
    new_title: Any
    edit_title: Any
    created: Any  # after "Enregistrer"
    created_next: Any  # after "Enregistrer et saisir l'appel suivant"
    saved: Any
    deleted: Any


KINDS = {
    "call": LogKind(
        MysteryCall,
        MysteryCallForm,
        "call",
        _("Appels mystères"),
        _("Nouvel appel mystère"),
        _("Modifier un appel mystère"),
        _("Appel enregistré."),
        _("Appel enregistré. Le suivant ?"),
        _("Appel modifié."),
        _("Appel supprimé."),
    ),
    "email": LogKind(
        MysteryEmail,
        MysteryEmailForm,
        "email",
        _("Courriels mystères"),
        _("Nouveau courriel mystère"),
        _("Modifier un courriel mystère"),
        _("Courriel enregistré."),
        _("Courriel enregistré."),  # the e-mail form has no "and the next one" button
        _("Courriel modifié."),
        _("Courriel supprimé."),
    ),
}


@access.role_required(access.MYSTERY)
def call_list(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    calls = MysteryCall.objects.filter(campaign=campaign).select_related("service", "logged_by")
    return render(
        request,
        "mystery/call_list.html",
        {"campaign": campaign, "calls": calls, "kind": KINDS["call"]},
    )


@access.role_required(access.MYSTERY)
def email_list(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    return render(
        request,
        "mystery/email_list.html",
        {"campaign": campaign, "timings": tables.email_timings(campaign), "kind": KINDS["email"]},
    )


@access.role_required(access.MYSTERY)
def log_create(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    campaign = _campaign(request, pk)
    log_kind = KINDS[kind]
    form = log_kind.form(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid() and _save(form, request, campaign):
        if kind == "call" and "again" in request.POST:
            messages.success(request, str(log_kind.created_next))
            return redirect("mystery:call_create", pk=campaign.pk)
        messages.success(request, str(log_kind.created))
        return redirect(f"mystery:{kind}_list", pk=campaign.pk)
    return _form_page(request, campaign, log_kind, form, log=None)


def _log(request: HttpRequest, log_kind: LogKind, pk: int) -> MysteryLog:
    log = access.get_scoped_or_404(
        log_kind.model._default_manager.select_related("campaign__organisation"),
        request.user,
        access.MYSTERY,
        pk=pk,
    )
    assert isinstance(log, MysteryLog)
    return log


@access.role_required(access.MYSTERY)
def log_update(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    log_kind = KINDS[kind]
    log = _log(request, log_kind, pk)
    campaign = log.campaign
    form = log_kind.form(request.POST or None, instance=log, campaign=campaign)
    if request.method == "POST" and form.is_valid() and _save(form, request, campaign):
        messages.success(request, str(log_kind.saved))
        return redirect(f"mystery:{kind}_list", pk=campaign.pk)
    return _form_page(request, campaign, log_kind, form, log=log)


@access.role_required(access.MYSTERY)
def log_delete(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The quality manager, or whoever logged it, may delete a log (history keeps it)."""
    log_kind = KINDS[kind]
    log = _log(request, log_kind, pk)
    campaign = log.campaign
    if log.logged_by_id != request.user.pk and not _is_manager(request, campaign):
        raise PermissionDenied(
            gettext("Seuls son auteur et le responsable qualité peuvent le supprimer.")
        )
    if request.method == "POST":
        try:
            with transaction.atomic():
                log._change_reason = "suppression"  # type: ignore[attr-defined]
                log.delete()
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, str(log_kind.deleted))
        return redirect(f"mystery:{kind}_list", pk=campaign.pk)
    return render(
        request,
        "mystery/log_delete.html",
        {"campaign": campaign, "log": log, "kind": log_kind},
    )


def _save(form: LogForm, request: HttpRequest, campaign: Campaign) -> bool:
    """Save the log; a campaign closed meanwhile becomes a form error, nothing saved."""
    log = form.instance
    if log.pk is None:
        log.logged_by = request.user
    try:
        with transaction.atomic():
            form.save()
    except ValidationError as error:
        form.add_error(None, error.messages)
        return False
    return True


def _form_page(
    request: HttpRequest,
    campaign: Campaign,
    log_kind: LogKind,
    form: LogForm,
    *,
    log: Model | None,
) -> HttpResponse:
    history = log.history.select_related("history_user")[:20] if log is not None else []  # type: ignore[attr-defined]
    return render(
        request,
        "mystery/log_form.html",
        {
            "campaign": campaign,
            "form": form,
            "kind": log_kind,
            "log": log,
            "history": history,
            "services": _service_numbers(campaign) if log_kind.slug == "call" else {},
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _service_numbers(campaign: Campaign) -> dict[int, str]:
    """Each service's number, which the call form fills in when a service is picked."""
    return dict(
        MysteryService.objects.filter(organisation_id=campaign.organisation_id).values_list(
            "pk", "phone_number"
        )
    )
