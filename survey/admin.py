"""The admin: an organisation's setup (the organisation, its sites, its members, its
campaigns, their questionnaires, sections, questions and choices) and the national
reference data (communes, arrondissements, EPCI, quality frameworks and their
engagements).

Quality managers see and edit their organisations' rows only (another's is a 404), and
nothing of a closed campaign; only national administrators add an organisation, attach a
user to one (memberships) or edit the national reference data, which quality managers
may read."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.forms import ModelChoiceField, ModelForm
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from . import access
from .models import (
    Arrondissement,
    Campaign,
    CampaignClosed,
    Choice,
    Commune,
    Engagement,
    Epci,
    Framework,
    Membership,
    Organisation,
    Question,
    Questionnaire,
    Section,
    Site,
)


class NationalAdmin(admin.ModelAdmin):
    """Readable by quality managers, writable by national administrators only."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


class OpenCampaignForm(ModelForm):
    """Refuses, as a form error, a row that would belong to a closed campaign: its save()
    would raise CampaignClosed, which the admin does not catch (a 500)."""

    def _post_clean(self) -> None:
        # After the instance is built from the form (construct_instance), not in clean():
        # its campaign is then the one the chosen questionnaire or question belongs to.
        super()._post_clean()  # type: ignore[misc]  # not in django-stubs
        owning = getattr(self.instance, "owning_campaign", None)
        if owning is None:
            return
        try:
            owning().check_editable()
        except CampaignClosed as closed:
            self.add_error(None, closed)
        except ObjectDoesNotExist:
            pass  # no questionnaire or question chosen: that field's error says so


class OrganisationScopedAdmin(admin.ModelAdmin):
    """Rows of the quality manager's organisations only; anything else is a 404."""

    form = OpenCampaignForm

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return access.scoped(super().get_queryset(request), request.user, access.MANAGEMENT)

    def _manages(self, request: HttpRequest) -> bool:
        return (
            request.user.is_superuser
            or access.organisation_ids(request.user, access.MANAGEMENT).exists()
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._manages(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._manages(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._manages(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._manages(request) and not _closed(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._manages(request) and not _closed(obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        # One by one, so that each object's delete() refuses a closed campaign and records
        # the questionnaire's new revision; a bulk DELETE would do neither.
        for obj in queryset:
            obj.delete()

    def _get_obj_does_not_exist_redirect(
        self, request: HttpRequest, opts: Any, object_id: str
    ) -> Any:
        # The admin redirects to its index on a missing object; an object of another
        # organisation must not be told apart from one that does not exist: 404, as elsewhere.
        raise Http404(_("Objet introuvable"))

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        related = db_field.related_model
        if (
            field is not None
            and field.queryset is not None
            and hasattr(related, "organisation_path")
        ):
            field.queryset = access.scoped(field.queryset, request.user, access.MANAGEMENT)
        return field


def _closed(obj: Model | None) -> bool:
    """Whether ``obj`` belongs to a closed campaign (read-only everywhere)."""
    if isinstance(obj, Campaign):
        return obj.is_closed
    owning = getattr(obj, "owning_campaign", None)
    return bool(owning and owning().is_closed)


@admin.register(Organisation)
class OrganisationAdmin(OrganisationScopedAdmin):
    list_display = ["name", "departement_code"]
    search_fields = ["name", "departement_code"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


@admin.register(Site)
class SiteAdmin(OrganisationScopedAdmin):
    list_display = ["name", "kind", "organisation", "is_active"]
    list_filter = ["kind", "is_active"]


@admin.register(Membership)
class MembershipAdmin(OrganisationScopedAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["role"]

    # Users are national: only national administrators attach them to an organisation.
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


@admin.register(Campaign)
class CampaignAdmin(OrganisationScopedAdmin):
    list_display = ["title", "organisation", "year", "status", "objective"]
    list_filter = ["status", "year"]
    readonly_fields = ["status", "opened_at", "closed_at"]


@admin.register(Questionnaire)
class QuestionnaireAdmin(OrganisationScopedAdmin):
    list_display = ["title", "campaign", "channel"]
    list_filter = ["channel"]


@admin.register(Section)
class SectionAdmin(OrganisationScopedAdmin):
    list_display = ["title", "questionnaire", "order"]


class ChoiceInline(admin.TabularInline):
    model = Choice
    form = OpenCampaignForm
    extra = 0


@admin.register(Question)
class QuestionAdmin(OrganisationScopedAdmin):
    list_display = ["code", "number", "text", "kind", "questionnaire"]
    list_filter = ["kind", "questionnaire__channel", "counts_in_satisfaction"]
    search_fields = ["code", "text"]
    filter_horizontal = ["engagements"]
    inlines = [ChoiceInline]


@admin.register(Framework)
class FrameworkAdmin(NationalAdmin):
    list_display = ["name", "code", "year"]


@admin.register(Engagement)
class EngagementAdmin(NationalAdmin):
    list_display = ["number", "framework", "text"]
    list_filter = ["framework"]
    search_fields = ["text"]


@admin.register(Commune)
class CommuneAdmin(NationalAdmin):
    list_display = ["name", "insee_code", "arrondissement", "epci"]
    list_filter = ["departement_code", "arrondissement"]
    search_fields = ["name", "search_name", "insee_code"]


admin.site.register(Arrondissement, NationalAdmin)
admin.site.register(Epci, NationalAdmin)
