"""The quality manager's pages on filled questionnaires. Included by survey/urls.py."""

from __future__ import annotations

from django.urls import path

from . import views_responses
from .old_links import moved

urlpatterns = [
    path(
        "campagne/<int:pk>/questionnaires-recueillis/",
        views_responses.response_list,
        name="response_list",
    ),
    path(
        "questionnaires-recueillis/<int:pk>/",
        views_responses.response_detail,
        name="response_detail",
    ),
    path(
        "questionnaires-recueillis/<int:pk>/corriger/",
        views_responses.response_correct,
        name="response_correct",
    ),
    path(
        "questionnaires-recueillis/<int:pk>/annuler/",
        views_responses.response_void,
        name="response_void",
    ),
    path(
        "questionnaires-recueillis/<int:pk>/retablir/",
        views_responses.response_restore,
        name="response_restore",
    ),
    moved("campagnes/<int:pk>/questionnaires-recueillis/", "survey:response_list"),
]
