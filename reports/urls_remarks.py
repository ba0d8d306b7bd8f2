"""URLs of the remarks pages."""

from __future__ import annotations

from django.urls import path

from . import views_remarks as views

urlpatterns = [
    path("campagne/<int:pk>/", views.coding, name="remarks"),
    path("campagne/<int:pk>/tableau/", views.counts, name="remark_counts"),
    path("<int:pk>/coder/", views.code, name="remark_code"),
    path("rubriques/", views.taxonomy, name="remark_taxonomy"),
    path("rubriques/rapport-2016/", views.taxonomy_load, name="remark_taxonomy_load"),
    path("rubriques/<int:pk>/", views.category_edit, name="remark_category_edit"),
    path("rubriques/<int:pk>/deplacer/", views.category_move, name="remark_category_move"),
    path("rubriques/<int:pk>/activer/", views.category_toggle, name="remark_category_toggle"),
    path("rubriques/<int:pk>/supprimer/", views.category_delete, name="remark_category_delete"),
]
