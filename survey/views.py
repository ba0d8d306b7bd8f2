"""Home, organisation switch, and the questionnaire pages of the entry side."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import access
from .models import Organisation, Questionnaire, Role
from .payloads import whole_number
from .questionnaire_check import check_questionnaire
from .questionnaire_comparison import compare_with_previous_year
from .services.retention import ERASED

HOME_BY_ROLE = {
    Role.INTERVIEWER: "survey:entry",
    Role.STAFF: "mystery:index",
    Role.QUALITY_MANAGER: "reports:dashboard",
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to its work."""
    context = access.current_context(request)
    if context is None:
        if request.user.is_superuser:
            return redirect("admin:index")
        return render(request, "survey/no_membership.html", status=403)
    if context.role is None:  # a national administrator
        return redirect("reports:dashboard")
    return redirect(HOME_BY_ROLE[Role(context.role)])


@login_required
@require_POST
def switch_organisation(request: HttpRequest) -> HttpResponse:
    pk = whole_number(request.POST.get("organisation", ""))
    organisation = (
        access.organisation_ids(request.user).filter(pk=pk).first() if pk is not None else None
    )
    if organisation is None:
        messages.error(request, _("Vous n'êtes pas rattaché(e) à cette organisation."))
    else:
        request.session[access.SESSION_KEY] = organisation.pk
        messages.success(
            request,
            _("Vous travaillez maintenant pour : %(organisation)s.")
            % {"organisation": organisation},
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    return HttpResponseRedirect(target)


@access.role_required(access.ENTRY)
def questionnaire_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The questionnaire as the interviewer reads it: sections, questions, scales, conditions."""
    questionnaire = access.get_scoped_or_404(
        Questionnaire.objects.select_related("campaign"), request.user, access.ENTRY, pk=pk
    )
    sections = questionnaire.sections.prefetch_related(
        "questions__choices",
        "questions__engagements",
        "questions__condition_question__choices",
    )
    context: dict[str, object] = {
        "questionnaire": questionnaire,
        "campaign": questionnaire.campaign,
        "sections": sections,
    }
    # The designer's reading (issue 16): the check and the comparison with last year, for
    # the quality manager only; the interviewer's page stays as it was.
    if access.holds_role(request.user, questionnaire.campaign.organisation_id, access.MANAGEMENT):
        context["problems"] = check_questionnaire(questionnaire)
        context["comparison"] = compare_with_previous_year(questionnaire)
    return render(request, "survey/questionnaire_detail.html", context)


def personal_data(request: HttpRequest) -> HttpResponse:
    """What personal data the application keeps, why and for how long. Public: anyone,
    logged in or not, may read it (the footer links it from every page). One query."""
    return render(
        request,
        "personal_data.html",
        {
            "organisations": Organisation.objects.order_by("name").only(
                "name", "remarks_retention_months"
            ),
            "default_months": Organisation._meta.get_field("remarks_retention_months").default,
            "erased": ERASED,
        },
    )
