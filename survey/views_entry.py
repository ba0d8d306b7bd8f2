"""The interviewer's entry pages: the shift picker, the questionnaire form (hall tablet,
phone interview, paper re-entry), the devices that still hold questionnaires. The service
worker that keeps all of it working offline, and the web app manifest that lets a tablet
keep the entry pages on its home screen, are served by ``survey.views_offline``.

The pages are shells: the form is drawn by static/entry/form.js from the JSON API
(survey/api.py), so that a tablet without network keeps entering questionnaires.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Count, Max, OuterRef, Prefetch, Subquery
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import access
from .models import (
    Campaign,
    CampaignStatus,
    Channel,
    DeviceQueue,
    EntryMode,
    Questionnaire,
    Response,
    Site,
)
from .payloads import UnreadablePayload, parse_iso_moment, read_json


def _entered_today(user: Any) -> int:
    """Questionnaires this user sent that the server received today (local time). One query."""
    return Response.objects.filter(
        interviewer_id=user.pk, received_at__date=timezone.localdate()
    ).count()


@access.role_required(access.ENTRY)
def entry(request: HttpRequest) -> HttpResponse:
    """The shift picker: campaign, site and channel, chosen once and kept on the device."""
    organisation, campaigns = access.in_work_organisation(
        request,
        Campaign.objects.open()
        .select_related("organisation")
        .prefetch_related(
            Prefetch("questionnaires", queryset=Questionnaire.objects.order_by("channel"))
        ),
        access.ENTRY,
    )
    _, sites = access.in_work_organisation(
        request, Site.objects.filter(is_active=True).order_by("kind", "name"), access.ENTRY
    )
    may_enter_paper = (
        organisation is not None
        and access.organisation_ids(request.user, access.MANAGEMENT)
        .filter(pk=organisation.pk)
        .exists()
    )
    return render(
        request,
        "survey/entry.html",
        {
            "organisation": organisation,
            "campaigns": campaigns,
            "sites": sites,
            "today": _entered_today(request.user),
            "may_enter_paper": may_enter_paper,
        },
    )


def _open_questionnaire(request: HttpRequest, pk: int, roles: frozenset[str]) -> Questionnaire:
    """A questionnaire of an open campaign of the user's organisations, else 404."""
    return access.get_scoped_or_404(
        Questionnaire.objects.select_related("campaign__organisation").filter(
            campaign__status=CampaignStatus.OPEN
        ),
        request.user,
        roles,
        pk=pk,
    )


def _form_page(request: HttpRequest, questionnaire: Questionnaire, mode: str) -> HttpResponse:
    sites = Site.objects.filter(
        organisation_id=questionnaire.campaign.organisation_id, is_active=True
    ).order_by("kind", "name")
    return render(
        request,
        "survey/entry_form.html",
        {
            "questionnaire": questionnaire,
            "campaign": questionnaire.campaign,
            "mode": mode,
            "sites": [{"id": site.pk, "name": site.name} for site in sites],
            "today": _entered_today(request.user),
        },
    )


@access.role_required(access.ENTRY)
def entry_form(request: HttpRequest, pk: int) -> HttpResponse:
    """Fill one questionnaire after another: on a tablet in the hall, or during a phone call."""
    questionnaire = _open_questionnaire(request, pk, access.ENTRY)
    mode = EntryMode.PHONE if questionnaire.channel == Channel.PHONE else EntryMode.TABLET
    return _form_page(request, questionnaire, mode)


@access.role_required(access.MANAGEMENT)
def entry_paper(request: HttpRequest, pk: int) -> HttpResponse:
    """Type in paper questionnaires, all sections on one page: quality managers only."""
    questionnaire = _open_questionnaire(request, pk, access.MANAGEMENT)
    return _form_page(request, questionnaire, EntryMode.PAPER)


# --- devices that still hold questionnaires ----------------------------------------------


MAX_PENDING = 1_000_000  # far above what a tablet holds, far below any column's limit


def _bad_report(message: str) -> JsonResponse:
    return JsonResponse({"errors": {"__all__": [message]}}, status=400)


@access.role_required(access.ENTRY)
@require_POST
def device_report(request: HttpRequest) -> JsonResponse:
    """A device says how many questionnaires it still holds; answers today's count."""
    try:
        payload = read_json(request.body)
    except UnreadablePayload as error:
        return _bad_report(error.message)
    if not isinstance(payload, dict):
        return _bad_report("Requête illisible : un objet JSON est attendu.")
    device_id, pending, oldest = (
        payload.get("device_id"),
        payload.get("pending"),
        payload.get("oldest"),
    )
    if not isinstance(device_id, str) or not 0 < len(device_id) <= 64:
        return _bad_report("Identifiant d'appareil manquant.")
    if not isinstance(pending, int) or isinstance(pending, bool) or not 0 <= pending <= MAX_PENDING:
        return _bad_report("Nombre de questionnaires en attente illisible.")
    oldest_at = parse_iso_moment(oldest)
    organisation = access.work_organisation(request, access.ENTRY)
    if organisation is not None:
        # The user's own report of this device, never another account's.
        DeviceQueue.objects.update_or_create(
            organisation=organisation,
            device_id=device_id,
            user_id=cast(int, request.user.pk),
            defaults={"pending": pending, "oldest_pending_at": oldest_at},
        )
    return JsonResponse({"today": _entered_today(request.user)})


@access.role_required(access.MANAGEMENT)
def entry_devices(request: HttpRequest) -> HttpResponse:
    """Which tablets still hold questionnaires, and what each device sent. Costs 2 queries."""
    organisation, queues = access.in_work_organisation(
        request, DeviceQueue.objects.select_related("user"), access.MANAGEMENT
    )
    _, responses = access.in_work_organisation(request, Response.objects.all(), access.MANAGEMENT)
    received = (
        responses.exclude(device_id="")
        .values("device_id")
        .annotate(count=Count("pk"), last_received=Max("received_at"))
        .order_by("-last_received")
    )
    # Each account reports a shared device under its own row: a row is told when another
    # account reported the same device since (what that newer report said).
    newer = DeviceQueue.objects.filter(
        organisation=OuterRef("organisation"),
        device_id=OuterRef("device_id"),
        reported_at__gt=OuterRef("reported_at"),
    ).order_by("-reported_at")
    waiting = (
        queues.filter(pending__gt=0)
        .annotate(
            newer_at=Subquery(newer.values("reported_at")[:1]),
            newer_pending=Subquery(newer.values("pending")[:1]),
        )
        .order_by("oldest_pending_at", "device_id")
    )
    return render(
        request,
        "survey/entry_devices.html",
        {"organisation": organisation, "waiting": waiting, "received": received},
    )
