"""The quality manager's remarks pages: the coding screen, the counts table (the seed's
tables 5.1 to 5.3) and the taxonomy.

The coding screen shows one remark at a time. The quality manager types the keys of its
categories and Enter (or ticks them): the form posts, the remark is coded and the next
uncoded one comes. Everything works as plain form posts; ``static/reports/remarks.js``
only makes the keys and the boxes follow each other. Every page is the quality manager's
and reads its objects through ``access.get_scoped_or_404`` (another organisation's
campaign, remark or category is a 404).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from survey import access
from survey.models import Answer, Campaign, Organisation
from survey.payloads import whole_number

from . import remarks
from .forms_remarks import CategoryForm, CodingForm, RenameForm
from .models import RemarkCategory

ALL = "toutes"  # ?filtre=toutes: every remark, not only the uncoded ones


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return access.get_scoped_or_404(
        Campaign.objects.select_related("organisation"), request.user, access.MANAGEMENT, pk=pk
    )


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # role_required has logged them in
    return user


def _screen_url(campaign: Campaign, remark: Answer | None, uncoded_only: bool) -> str:
    query = {} if uncoded_only else {"filtre": ALL}
    if remark is not None:
        query["remarque"] = str(remark.pk)
    url = reverse("reports:remarks", args=[campaign.pk])
    return f"{url}?{urlencode(query)}" if query else url


# --- coding ----------------------------------------------------------------------------------


@access.role_required(access.MANAGEMENT)
def coding(request: HttpRequest, pk: int) -> HttpResponse:
    """One remark (``?remarque=``, else the first of the queue) and its categories."""
    campaign = _campaign(request, pk)
    uncoded_only = request.GET.get("filtre") != ALL
    queue = remarks.remark_queue(campaign, uncoded_only=uncoded_only)
    chosen = request.GET.get("remarque", "")
    remark: Answer | None
    if chosen:
        if (chosen_pk := whole_number(chosen)) is None:
            raise Http404
        remark = access.get_scoped_or_404(
            remarks.remark_answers(campaign).select_related("response__site"),
            request.user,
            access.MANAGEMENT,
            pk=chosen_pk,
        )
    else:
        remark = queue.first()
    return _render_coding(request, campaign, remark, uncoded_only)


def _render_coding(
    request: HttpRequest,
    campaign: Campaign,
    remark: Answer | None,
    uncoded_only: bool,
    form: CodingForm | None = None,
) -> HttpResponse:
    taxonomy = remarks.Taxonomy.load(campaign.organisation_id)
    queue = remarks.remark_queue(campaign, uncoded_only=uncoded_only)
    context: dict[str, Any] = {
        "campaign": campaign,
        "remark": remark,
        "uncoded_only": uncoded_only,
        "tally": remarks.tally(campaign),
        "taxonomy": taxonomy,
        "all_url": _screen_url(campaign, remark, uncoded_only=False),
        "uncoded_url": _screen_url(campaign, None, uncoded_only=True),
    }
    if remark is None:
        # Nothing left to code (or no remark at all): the counts table.
        context["counts"] = remarks.counts(campaign)
    else:
        current = remarks.codes_of(remark)
        form = form or CodingForm(taxonomy=taxonomy, current=current)
        previous = remarks.previous_remark(queue, remark)
        following = remarks.next_remark(queue, remark, wrap=False)
        context.update(
            form=form,
            checked=form.checked(),
            remark_codes=[taxonomy.by_pk[pk] for pk in current if pk in taxonomy.by_pk],
            queue_size=queue.count(),
            position=remarks.position(queue, remark),
            previous_url=previous and _screen_url(campaign, previous, uncoded_only),
            next_url=following and _screen_url(campaign, following, uncoded_only),
        )
    return render(request, "reports/remarks/coding.html", context)


@access.role_required(access.MANAGEMENT)
@require_POST
def code(request: HttpRequest, pk: int) -> HttpResponse:
    """Code the remark (``action`` save, the default), uncode it (clear) or leave it
    (skip); then on to the next remark of the queue."""
    remark = access.get_scoped_or_404(
        remarks.all_remarks().select_related("response__campaign__organisation", "response__site"),
        request.user,
        access.MANAGEMENT,
        pk=pk,
    )
    campaign = remark.response.campaign
    uncoded_only = request.POST.get("filtre") != ALL
    action = request.POST.get("action", "save")
    if action != "skip":
        taxonomy = remarks.Taxonomy.load(campaign.organisation_id)
        current = remarks.codes_of(remark)
        form = CodingForm(request.POST, taxonomy=taxonomy, current=current)
        if action == "clear":
            chosen: set[int] | None = set()
        else:
            chosen = form.category_ids() if form.is_valid() else None
        if chosen is not None:
            try:
                remarks.code_remark(remark, chosen, _user(request))
            except ValidationError as error:
                form.add_error(None, error)
                chosen = None
        if chosen is None:
            return _render_coding(request, campaign, remark, uncoded_only, form)
        labels = [taxonomy.by_pk[pk].path_label for pk in sorted(chosen)]
        messages.success(
            request,
            gettext("Remarque codée : %(labels)s.") % {"labels": " ; ".join(labels)}
            if labels
            else gettext("Les codes de la remarque sont retirés."),
        )
    queue = remarks.remark_queue(campaign, uncoded_only=uncoded_only)
    following = remarks.next_remark(queue, remark, wrap=uncoded_only)
    if following is None and not uncoded_only:
        messages.info(request, gettext("Vous avez parcouru toutes les remarques."))
        return redirect("reports:remark_counts", pk=campaign.pk)
    return redirect(_screen_url(campaign, following, uncoded_only))


@access.role_required(access.MANAGEMENT)
def counts(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    return render(
        request,
        "reports/remarks/counts.html",
        {"campaign": campaign, "counts": remarks.counts(campaign)},
    )


# --- the taxonomy ----------------------------------------------------------------------------


def _organisation(request: HttpRequest) -> Organisation:
    organisation = access.work_organisation(request, access.MANAGEMENT)
    if organisation is None:
        raise Http404
    return organisation


def _category(request: HttpRequest, pk: int) -> RemarkCategory:
    return access.get_scoped_or_404(
        RemarkCategory.objects.all(), request.user, access.MANAGEMENT, pk=pk
    )


@access.role_required(access.MANAGEMENT)
def taxonomy(request: HttpRequest) -> HttpResponse:
    """The work organisation's categories, and the form that adds one (POST)."""
    organisation = _organisation(request)
    tree = remarks.Taxonomy.load(organisation.pk)
    initial = {"parent": request.GET.get("parent")} if request.GET.get("parent") else None
    form = CategoryForm(request.POST or None, taxonomy=tree, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            category = remarks.add_category(
                organisation, label=form.cleaned_data["label"], parent=form.parent_category()
            )
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(
                request, gettext("Rubrique « %(label)s » ajoutée.") % {"label": category.label}
            )
            return redirect("reports:remark_taxonomy")
    used = remarks.usage(organisation)
    nodes = list(tree.walk())
    for node in nodes:
        node.count = used.get(node.pk, 0)  # here: the remarks coded with this very category
    return render(
        request,
        "reports/remarks/taxonomy.html",
        {"organisation": organisation, "taxonomy": tree, "nodes": nodes, "form": form},
    )


def _form_error(form: CategoryForm | RenameForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


@access.role_required(access.MANAGEMENT)
@require_POST
def taxonomy_load(request: HttpRequest) -> HttpResponse:
    """Add the categories of the 2016 report that the organisation lacks."""
    created = remarks.load_taxonomy(_organisation(request))
    messages.success(
        request,
        gettext("%(count)d rubrique(s) du rapport 2016 ajoutée(s).") % {"count": created},
    )
    return redirect("reports:remark_taxonomy")


@access.role_required(access.MANAGEMENT)
def category_edit(request: HttpRequest, pk: int) -> HttpResponse:
    category = _category(request, pk)
    form = RenameForm(request.POST or None, initial={"label": category.label})
    if request.method == "POST" and form.is_valid():
        try:
            remarks.rename_category(category, form.cleaned_data["label"])
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, gettext("Rubrique renommée."))
            return redirect("reports:remark_taxonomy")
    return render(
        request, "reports/remarks/category_form.html", {"category": category, "form": form}
    )


@access.role_required(access.MANAGEMENT)
@require_POST
def category_move(request: HttpRequest, pk: int) -> HttpResponse:
    remarks.move_category(_category(request, pk), up=request.POST.get("direction") == "up")
    return redirect(f"{reverse('reports:remark_taxonomy')}#rubrique-{pk}")


@access.role_required(access.MANAGEMENT)
@require_POST
def category_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    category = _category(request, pk)
    remarks.set_category_active(category, not category.is_active)
    messages.success(
        request,
        (
            gettext("Rubrique « %(label)s » réactivée.")
            if category.is_active
            else gettext(
                "Rubrique « %(label)s » désactivée : elle n'est plus proposée pour coder, "
                "les remarques déjà codées avec elle restent comptées."
            )
        )
        % {"label": category.label},
    )
    return redirect(f"{reverse('reports:remark_taxonomy')}#rubrique-{pk}")


@access.role_required(access.MANAGEMENT)
@require_POST
def category_delete(request: HttpRequest, pk: int) -> HttpResponse:
    category = _category(request, pk)
    try:
        remarks.delete_category(category)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, gettext("Rubrique « %(label)s » supprimée.") % {"label": category.label}
        )
    return redirect("reports:remark_taxonomy")
