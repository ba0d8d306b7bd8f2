"""The quality manager's lists behind the mystery logs: services, e-mail themes, mailboxes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import ProtectedError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from survey import access
from survey.models import Organisation

from .forms import EmailThemeForm, MailboxForm, MysteryServiceForm, ReferenceForm
from .models import EmailTheme, Mailbox, MysteryService, ReferenceItem


@dataclass(frozen=True)
class ReferenceKind:
    slug: str
    model: type[ReferenceItem]
    form: type[ReferenceForm]
    title: Any
    new_title: Any
    columns: tuple[str, ...]  # fields shown in the list


KINDS = {
    kind.slug: kind
    for kind in (
        ReferenceKind(
            "services",
            MysteryService,
            MysteryServiceForm,
            _("Services testés"),
            _("Nouveau service"),
            ("name", "phone_number", "opening_hours"),
        ),
        ReferenceKind(
            "themes",
            EmailTheme,
            EmailThemeForm,
            _("Thèmes des courriels"),
            _("Nouveau thème"),
            ("name",),
        ),
        ReferenceKind(
            "boites",
            Mailbox,
            MailboxForm,
            _("Boîtes d'envoi des courriels"),
            _("Nouvelle boîte d'envoi"),
            ("address", "label"),
        ),
    )
}


def _organisation(request: HttpRequest) -> Organisation:
    organisation = access.work_organisation(request, access.MANAGEMENT)
    if organisation is None:
        raise Http404(gettext("Aucune organisation"))
    return organisation


def _verbose_name(model: type[ReferenceItem], column: str) -> str:
    field = model._meta.get_field(column)
    return str(getattr(field, "verbose_name", column))


def _kind(slug: str) -> ReferenceKind:
    if slug not in KINDS:
        raise Http404(gettext("Liste inconnue"))
    return KINDS[slug]


@access.role_required(access.MANAGEMENT)
def reference_index(request: HttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    lists = [
        (
            kind,
            [
                (item, [getattr(item, column) for column in kind.columns])
                for item in kind.model._default_manager.filter(organisation=organisation)
            ],
            [_verbose_name(kind.model, column) for column in kind.columns],
        )
        for kind in KINDS.values()
    ]
    return render(request, "mystery/reference.html", {"organisation": organisation, "lists": lists})


@access.role_required(access.MANAGEMENT)
def reference_edit(request: HttpRequest, kind: str, pk: int | None = None) -> HttpResponse:
    reference = _kind(kind)
    organisation = _organisation(request)
    item = (
        get_object_or_404(reference.model, pk=pk, organisation=organisation)
        if pk is not None
        else None
    )
    form = reference.form(request.POST or None, instance=item, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
        messages.success(request, gettext("« %(item)s » est enregistré.") % {"item": form.instance})
        return redirect("mystery:reference")
    return render(
        request,
        "mystery/reference_form.html",
        {"form": form, "kind": reference, "item": item},
        status=400 if form.is_bound and form.errors else 200,
    )


@access.role_required(access.MANAGEMENT)
@require_POST
def reference_delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    reference = _kind(kind)
    item = get_object_or_404(reference.model, pk=pk, organisation=_organisation(request))
    try:
        with transaction.atomic():
            item.delete()
    except ProtectedError:
        messages.error(
            request,
            gettext(
                "« %(item)s » figure dans des appels ou des courriels : il ne peut pas être "
                "supprimé. Décochez « actif » pour ne plus le proposer."
            )
            % {"item": item},
        )
    else:
        messages.success(request, gettext("« %(item)s » est supprimé.") % {"item": item})
    return redirect("mystery:reference")
