"""The survey room, under /saisie/: a campaign's pages live under ``campagne/<pk>/``, like
in every room; the old ``campagnes/…`` paths redirect there (``old_links.moved``)."""

from __future__ import annotations

from django.urls import include, path

from . import api, views, views_campaigns
from .old_links import moved

app_name = "survey"
urlpatterns = [
    path("", include("survey.urls_entry")),
    path("", include("survey.urls_exchange")),
    path("", include("survey.urls_responses")),
    path("questionnaires/<int:pk>/", views.questionnaire_detail, name="questionnaire_detail"),
    path("api/questionnaires/<int:pk>/", api.questionnaire_definition, name="api_questionnaire"),
    path("api/communes/", api.communes, name="api_communes"),
    path("api/reponses/", api.submit, name="api_submit"),
    path("campagne/nouvelle/", views_campaigns.campaign_create, name="campaign_create"),
    path("campagne/<int:pk>/", views_campaigns.campaign_detail, name="campaign_detail"),
    path("campagne/<int:pk>/delai/", views_campaigns.campaign_grace, name="campaign_grace"),
    path(
        "campagne/<int:pk>/statut/",
        views_campaigns.campaign_transition,
        name="campaign_transition",
    ),
    # The paths before issue 15 (point 6), for old links and bookmarks.
    moved("campagnes/nouvelle/", "survey:campaign_create"),
    moved("campagnes/<int:pk>/", "survey:campaign_detail"),
    moved("campagnes/<int:pk>/delai/", "survey:campaign_grace"),
    moved("campagnes/<int:pk>/statut/", "survey:campaign_transition"),
]
