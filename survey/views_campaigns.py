"""The quality manager's campaign pages: create, follow, open and close."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from . import access
from .forms import CampaignForm, GraceForm
from .models import Campaign, CampaignStatus, Channel, Response
from .services.campaigns import campaign_problems, create_campaign, open_campaign


@access.role_required(access.MANAGEMENT)
def campaign_create(request: HttpRequest) -> HttpResponse:
    organisation = access.work_organisation(request, access.MANAGEMENT)
    if organisation is None:
        raise Http404(_("Aucune organisation"))
    form = CampaignForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        choice = form.cleaned_data["questionnaires_from"]
        try:
            campaign = create_campaign(
                organisation=organisation,
                copy_from=form.source_campaign(),
                canonical=choice == CampaignForm.QUESTIONNAIRES_CANONICAL,
                **{k: form.cleaned_data[k] for k in form.Meta.fields},
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("La campagne « %(campaign)s » est créée, en préparation.")
                % {"campaign": campaign},
            )
            return redirect("survey:campaign_detail", pk=campaign.pk)
    return render(request, "survey/campaign_form.html", {"form": form})


@access.role_required(access.MANAGEMENT)
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = access.get_scoped_or_404(
        Campaign.objects.select_related("organisation"), request.user, access.MANAGEMENT, pk=pk
    )
    questionnaires = campaign.questionnaires.annotate(
        question_count=Count("questions", distinct=True),
        response_count=Count("responses", distinct=True),
    )
    by_site = (
        Response.objects.counted()
        .filter(campaign=campaign)
        .values("site__name")
        .annotate(
            hall=Count("pk", filter=Q(channel=Channel.HALL)),
            phone=Count("pk", filter=Q(channel=Channel.PHONE)),
            total=Count("pk"),
        )
        .order_by("site__name")
    )
    # Shown before the quality manager tries to open the campaign.
    checks = campaign_problems(campaign) if campaign.status == CampaignStatus.DRAFT else []
    return render(
        request,
        "survey/campaign_detail.html",
        {
            "campaign": campaign,
            "questionnaires": questionnaires,
            "by_site": by_site,
            "previous": campaign.previous(),
            "grace_form": GraceForm(instance=campaign),
            "checks": checks,
        },
    )


@access.role_required(access.MANAGEMENT)
@require_POST
def campaign_grace(request: HttpRequest, pk: int) -> HttpResponse:
    """Set how many days after the end of the survey a questionnaire may still start."""
    campaign = access.get_scoped_or_404(
        Campaign.objects.all(), request.user, access.MANAGEMENT, pk=pk
    )
    form = GraceForm(request.POST, instance=campaign)
    try:
        campaign.check_editable()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("survey:campaign_detail", pk=campaign.pk)
    if form.is_valid():
        form.save()
        messages.success(
            request,
            ngettext(
                "Délai de saisie enregistré : %(days)s jour après la fin de l'enquête.",
                "Délai de saisie enregistré : %(days)s jours après la fin de l'enquête.",
                campaign.late_entry_grace_days,
            )
            % {"days": campaign.late_entry_grace_days},
        )
    else:
        messages.error(
            request, " ".join(str(e) for e in form.errors.get("late_entry_grace_days", []))
        )
    return redirect("survey:campaign_detail", pk=campaign.pk)


@access.role_required(access.MANAGEMENT)
@require_POST
def campaign_transition(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = access.get_scoped_or_404(
        Campaign.objects.all(), request.user, access.MANAGEMENT, pk=pk
    )
    action = request.POST.get("action")
    transitions = {"open": lambda: open_campaign(campaign=campaign), "close": campaign.close}
    if action not in transitions:
        messages.error(request, _("Action inconnue."))
    else:
        try:
            transitions[action]()
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            done = (
                _("La campagne « %(campaign)s » est ouverte.")
                if action == "open"
                else _("La campagne « %(campaign)s » est clôturée.")
            )
            messages.success(request, done % {"campaign": campaign})
    return redirect("survey:campaign_detail", pk=campaign.pk)
