"""The admin site admits national administrators and quality managers (of their organisation)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class QualityAdminSite(admin.AdminSite):
    site_header = _("Administration des enquêtes qualité")
    site_title = _("Enquêtes qualité")
    index_title = _("Données de référence")

    def has_permission(self, request: HttpRequest) -> bool:
        from survey.models import Membership, Role

        user = request.user
        if not user.is_active:
            return False
        return (
            user.is_superuser
            or Membership.objects.filter(user_id=user.pk, role=Role.QUALITY_MANAGER).exists()
        )


class QualityAdminConfig(AdminConfig):
    default_site = "config.admin.QualityAdminSite"
