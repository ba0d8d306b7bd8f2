from __future__ import annotations

from django.urls import path

from . import views, views_campaigns

app_name = "survey"
urlpatterns = [
    path("", views.entry, name="entry"),
    path("questionnaires/<int:pk>/", views.questionnaire_detail, name="questionnaire_detail"),
    path("campagnes/nouvelle/", views_campaigns.campaign_create, name="campaign_create"),
    path("campagnes/<int:pk>/", views_campaigns.campaign_detail, name="campaign_detail"),
    path(
        "campagnes/<int:pk>/statut/",
        views_campaigns.campaign_transition,
        name="campaign_transition",
    ),
]
