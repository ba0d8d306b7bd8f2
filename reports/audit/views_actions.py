"""The improvement actions ("axes d'amélioration") of the organisation: the list of a
report year's actions beside the previous year's (their follow-up), creation, change,
deletion and the quick change of an action's state (written by
``reports.audit.services.actions``).

The quality manager only (``access.role_required``); the list works in the organisation
of the request (``access.work_organisation``) and an action is read through
``access.get_scoped_or_404``: another organisation's action is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from survey import access
from survey.models import Campaign, Organisation
from survey.payloads import whole_number

from .forms import FIRST_YEAR, LAST_YEAR, ActionStatusForm, ImprovementActionForm
from .models import ActionStatus, ImprovementAction
from .services.actions import delete_action, save_action, set_action_status

CLOSED_STATUSES = frozenset({ActionStatus.DONE, ActionStatus.DROPPED})


def _organisation(request: HttpRequest) -> Organisation:
    organisation = access.work_organisation(request, access.MANAGEMENT)
    if organisation is None:  # a national administrator, with no organisation yet
        raise Http404(gettext("Aucune organisation"))
    return organisation


def _year(value: str | None) -> int | None:
    year = whole_number(value or "")
    return year if year is not None and FIRST_YEAR <= year <= LAST_YEAR else None


def _default_year(organisation: Organisation) -> int:
    """The latest campaign's year, else the current year."""
    latest = (
        Campaign.objects.filter(organisation=organisation)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    return latest or timezone.localdate().year


def _list_url(year: int) -> str:
    return f"{reverse('audit:actions')}?annee={year}"


def _scoped_action(request: HttpRequest, pk: int) -> ImprovementAction:
    return access.get_scoped_or_404(
        ImprovementAction.objects.select_related("organisation"),
        request.user,
        access.MANAGEMENT,
        pk=pk,
    )


@access.role_required(access.MANAGEMENT)
def action_list(request: HttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    year = _year(request.GET.get("annee")) or _default_year(organisation)
    actions = list(
        ImprovementAction.objects.filter(organisation=organisation, year__in=[year, year - 1])
    )
    today = timezone.localdate()
    groups = [
        {
            "year": shown,
            "actions": [
                {
                    "action": action,
                    "overdue": bool(
                        action.due_date
                        and action.due_date < today
                        and action.status not in CLOSED_STATUSES
                    ),
                    "status_form": ActionStatusForm(
                        initial={"status": action.status}, auto_id=f"status-{action.pk}-%s"
                    ),
                }
                for action in actions
                if action.year == shown
            ],
        }
        for shown in (year, year - 1)
    ]
    return render(
        request,
        "reports/audit/actions/list.html",
        {
            "organisation": organisation,
            "year": year,
            "groups": groups,
            "previous_year": year - 1 if year > FIRST_YEAR else None,
            "next_year": year + 1 if year < LAST_YEAR else None,
        },
    )


def _edit(
    request: HttpRequest, organisation: Organisation, action: ImprovementAction | None
) -> HttpResponse:
    initial = {}
    if action is None:
        initial = {
            "year": _year(request.GET.get("annee")) or _default_year(organisation),
            "status": ActionStatus.PLANNED,
        }
    form = ImprovementActionForm(
        request.POST or None, instance=action, initial=initial, organisation=organisation
    )
    if request.method == "POST" and form.is_valid():
        saved = save_action(action=form.save(commit=False), order=form.cleaned_data["order"])
        messages.success(
            request,
            (
                gettext("L'action « %(title)s » est enregistrée.")
                if action is None
                else gettext("L'action « %(title)s » est modifiée.")
            )
            % {"title": saved.title},
        )
        return redirect(_list_url(saved.year))
    return render(
        request,
        "reports/audit/actions/form.html",
        {"organisation": organisation, "form": form, "action": action},
        status=400 if form.is_bound and form.errors else 200,
    )


@access.role_required(access.MANAGEMENT)
def action_create(request: HttpRequest) -> HttpResponse:
    return _edit(request, _organisation(request), None)


@access.role_required(access.MANAGEMENT)
def action_update(request: HttpRequest, pk: int) -> HttpResponse:
    action = _scoped_action(request, pk)
    return _edit(request, action.organisation, action)


@access.role_required(access.MANAGEMENT)
def action_delete(request: HttpRequest, pk: int) -> HttpResponse:
    action = _scoped_action(request, pk)
    if request.method == "POST":
        title, year = action.title, action.year
        delete_action(action=action)
        messages.success(
            request, gettext("L'action « %(title)s » est supprimée.") % {"title": title}
        )
        return redirect(_list_url(year))
    return render(
        request,
        "reports/audit/actions/delete.html",
        {"organisation": action.organisation, "action": action},
    )


@access.role_required(access.MANAGEMENT)
@require_POST
def action_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an action's state from the list; back to the year the list showed."""
    action = _scoped_action(request, pk)
    back = _year(request.POST.get("annee")) or action.year
    form = ActionStatusForm(request.POST)
    if form.is_valid():
        status = form.cleaned_data["status"]
        if set_action_status(action=action, status=status):
            messages.success(
                request,
                gettext("L'action « %(title)s » est maintenant : %(status)s.")
                % {"title": action.title, "status": str(ActionStatus(status).label).lower()},
            )
        else:
            messages.info(request, gettext("L'état de l'action n'a pas changé."))
    else:
        messages.error(request, " ".join(str(e) for e in form.errors.get("status", [])))
    return redirect(f"{_list_url(back)}#action-{action.pk}")
