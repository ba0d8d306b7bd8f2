"""URLs of the remarks pages, under /tableau-de-bord/: a campaign's under
``campagne/<pk>/remarques/`` like every campaign page, the rest under ``remarques/``."""

from __future__ import annotations

from django.urls import path

from survey.old_links import moved

from . import views_remarks as views

urlpatterns = [
    path("campagne/<int:pk>/remarques/", views.coding, name="remarks"),
    path("campagne/<int:pk>/remarques/tableau/", views.counts, name="remark_counts"),
    path("remarques/<int:pk>/coder/", views.code, name="remark_code"),
    path("remarques/rubriques/", views.taxonomy, name="remark_taxonomy"),
    path("remarques/rubriques/rapport-2016/", views.taxonomy_load, name="remark_taxonomy_load"),
    path("remarques/rubriques/<int:pk>/", views.category_edit, name="remark_category_edit"),
    path(
        "remarques/rubriques/<int:pk>/deplacer/", views.category_move, name="remark_category_move"
    ),
    path(
        "remarques/rubriques/<int:pk>/activer/",
        views.category_toggle,
        name="remark_category_toggle",
    ),
    path(
        "remarques/rubriques/<int:pk>/supprimer/",
        views.category_delete,
        name="remark_category_delete",
    ),
    # The paths before issue 15 (point 6), for old links and bookmarks.
    moved("remarques/campagne/<int:pk>/", "reports:remarks"),
    moved("remarques/campagne/<int:pk>/tableau/", "reports:remark_counts"),
]
