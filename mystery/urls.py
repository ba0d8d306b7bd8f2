from __future__ import annotations

from django.urls import include, path

from survey.old_links import moved

from . import views, views_reference

app_name = "mystery"
urlpatterns = [
    path("", views.index, name="index"),
    path("campagne/<int:pk>/", views.campaign_tables, name="tables"),
    path("campagne/<int:pk>/seuils/", views.campaign_thresholds, name="thresholds"),
    path("campagne/<int:pk>/appels/", views.call_list, name="call_list"),
    path(
        "campagne/<int:pk>/appels/nouveau/", views.log_create, {"kind": "call"}, name="call_create"
    ),
    path("appels/<int:pk>/", views.log_update, {"kind": "call"}, name="call_update"),
    path("appels/<int:pk>/supprimer/", views.log_delete, {"kind": "call"}, name="call_delete"),
    path("campagne/<int:pk>/courriels/", views.email_list, name="email_list"),
    path(
        "campagne/<int:pk>/courriels/nouveau/",
        views.log_create,
        {"kind": "email"},
        name="email_create",
    ),
    path("courriels/<int:pk>/", views.log_update, {"kind": "email"}, name="email_update"),
    path("courriels/<int:pk>/supprimer/", views.log_delete, {"kind": "email"}, name="email_delete"),
    path("referentiel/", views_reference.reference_index, name="reference"),
    path(
        "referentiel/<slug:kind>/nouveau/",
        views_reference.reference_edit,
        name="reference_create",
    ),
    path(
        "referentiel/<slug:kind>/<int:pk>/",
        views_reference.reference_edit,
        name="reference_update",
    ),
    path(
        "referentiel/<slug:kind>/<int:pk>/supprimer/",
        views_reference.reference_delete,
        name="reference_delete",
    ),
    path("", include("mystery.urls_exchange")),
    # The paths before issue 15 (point 6), for old links and bookmarks.
    moved("<int:pk>/", "mystery:tables"),
    moved("<int:pk>/seuils/", "mystery:thresholds"),
    moved("<int:pk>/appels/", "mystery:call_list"),
    moved("<int:pk>/appels/nouveau/", "mystery:call_create"),
    moved("<int:pk>/courriels/", "mystery:email_list"),
    moved("<int:pk>/courriels/nouveau/", "mystery:email_create"),
]
