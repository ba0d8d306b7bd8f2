"""The quality manager's lists behind the mystery logs: services, e-mail themes, mailboxes.

Each page names the organisation it works on: the lists and a new item, the organisation
the address names or the one in force; an existing item, its own. A national
administrator (who holds no role) reaches every organisation's lists this way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import ProtectedError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
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
    """The organisation whose lists the page shows: the one the address names
    (``?organisation=``) if the user manages it, a national administrator any; else the
    organisation in force. Either way the page names it."""
    raw = request.GET.get("organisation", "")
    if raw:
        pk = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else 0
        if not access.holds_role(request.user, pk, access.MANAGEMENT):
            raise Http404(gettext("Organisation introuvable"))
        return get_object_or_404(Organisation, pk=pk)
    organisation = access.work_organisation(request, access.MANAGEMENT)
    if organisation is None:
        raise Http404(gettext("Aucune organisation"))
    return organisation


def _item(request: HttpRequest, reference: ReferenceKind, pk: int) -> ReferenceItem:
    """An item of any organisation the user manages (a national administrator: any), read
    through the access helper; its own organisation is then the one in force."""
    return access.get_scoped_or_404(
        reference.model._default_manager.select_related("organisation"),
        request.user,
        access.MANAGEMENT,
        pk=pk,
    )


def _lists_of(organisation: Organisation) -> HttpResponse:
    """Back to the lists, of the organisation just worked on."""
    return redirect(f"{reverse('mystery:reference')}?organisation={organisation.pk}")


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
    return render(
        request,
        "mystery/reference.html",
        {
            "organisation": organisation,
            "lists": lists,
            "organisations": access.organisation_ids(request.user, access.MANAGEMENT).order_by(
                "name"
            ),
        },
    )


@access.role_required(access.MANAGEMENT)
def reference_edit(request: HttpRequest, kind: str, pk: int | None = None) -> HttpResponse:
    reference = _kind(kind)
    item = _item(request, reference, pk) if pk is not None else None
    organisation = item.organisation if item is not None else _organisation(request)
    form = reference.form(request.POST or None, instance=item, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
        messages.success(request, gettext("« %(item)s » est enregistré.") % {"item": form.instance})
        return _lists_of(organisation)
    return render(
        request,
        "mystery/reference_form.html",
        {"form": form, "kind": reference, "item": item, "organisation": organisation},
        status=400 if form.is_bound and form.errors else 200,
    )


@access.role_required(access.MANAGEMENT)
@require_POST
def reference_delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    reference = _kind(kind)
    item = _item(request, reference, pk)
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
    return _lists_of(item.organisation)
