from __future__ import annotations

from django.urls import include, path

from . import api, views, views_campaigns

app_name = "survey"
urlpatterns = [
    path("", include("survey.urls_entry")),
    path("", include("survey.urls_exchange")),
    path("", include("survey.urls_responses")),
    path("questionnaires/<int:pk>/", views.questionnaire_detail, name="questionnaire_detail"),
    path("api/questionnaires/<int:pk>/", api.questionnaire_definition, name="api_questionnaire"),
    path("api/communes/", api.communes, name="api_communes"),
    path("api/reponses/", api.submit, name="api_submit"),
    path("campagnes/nouvelle/", views_campaigns.campaign_create, name="campaign_create"),
    path("campagnes/<int:pk>/", views_campaigns.campaign_detail, name="campaign_detail"),
    path("campagnes/<int:pk>/delai/", views_campaigns.campaign_grace, name="campaign_grace"),
    path(
        "campagnes/<int:pk>/statut/",
        views_campaigns.campaign_transition,
        name="campaign_transition",
    ),
]
