from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from background.health import health
from survey import views as survey_views

handler400 = "config.errors.bad_request"

urlpatterns = [
    path("", survey_views.home, name="home"),
    path("compte/", include("survey.urls_accounts")),
    path("donnees-personnelles/", survey_views.personal_data, name="personal_data"),
    path("saisie/", include("survey.urls")),
    path("mystere/", include("mystery.urls")),
    path("tableau-de-bord/", include("reports.urls")),
    path("rapport/", include("reports.audit.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # For the load balancer (issue 13, point 7): no authentication, ok/fail per check.
    path("sante/", health, name="health"),
    path("healthz", health),
]
