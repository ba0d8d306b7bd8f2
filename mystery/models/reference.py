"""The reference data of mystery tests, per organisation: the services called, the themes
and mailboxes of the e-mails; the quality manager edits them (``mystery.views_reference``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from survey.models import Organisation


class ReferenceItem(models.Model):
    """An entry of an organisation's list that the quality manager edits.

    An item used by a log cannot be deleted (PROTECT): it is deactivated instead, which
    takes it out of the entry forms and keeps it in the tables.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    is_active = models.BooleanField(
        _("actif"), default=True, help_text=_("Proposé dans les formulaires de saisie.")
    )

    organisation_path = "organisation"

    class Meta:
        abstract = True
        ordering = ["order", "pk"]


class MysteryService(ReferenceItem):
    """A service whose phone line is tested and to which e-mails are addressed."""

    name = models.CharField(_("nom"), max_length=200)
    phone_number = models.CharField(_("numéro"), max_length=30, blank=True)
    opening_hours = models.CharField(
        _("horaires d'ouverture"),
        max_length=200,
        blank=True,
        help_text=_("Par exemple : du lundi au vendredi, 9 h – 12 h et 13 h 30 – 16 h."),
    )

    class Meta(ReferenceItem.Meta):
        verbose_name = _("service testé")
        verbose_name_plural = _("services testés")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                name="mystery_service_unique_name",
                violation_error_message=_("Ce service existe déjà."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class EmailTheme(ReferenceItem):
    name = models.CharField(_("thème"), max_length=200)

    class Meta(ReferenceItem.Meta):
        verbose_name = _("thème de courriel")
        verbose_name_plural = _("thèmes de courriel")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                name="email_theme_unique_name",
                violation_error_message=_("Ce thème existe déjà."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Mailbox(ReferenceItem):
    """An address from which mystery e-mails are sent (it must not look like the state's)."""

    address = models.EmailField(_("adresse"))
    label = models.CharField(_("libellé"), max_length=200, blank=True)

    class Meta(ReferenceItem.Meta):
        verbose_name = _("boîte d'envoi")
        verbose_name_plural = _("boîtes d'envoi")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "address"],
                name="mailbox_unique_address",
                violation_error_message=_("Cette adresse existe déjà."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} <{self.address}>" if self.label else self.address
