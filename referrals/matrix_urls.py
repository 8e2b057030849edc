"""The selection matrix pages (referrals/matrix_views.py)."""

from django.urls import path

from referrals import matrix_views

urlpatterns: list = [
    path("", matrix_views.selection_matrix, name="selection-matrix"),
    path("criteria/new/", matrix_views.criterion_new, name="selection-criterion-new"),
    path("criteria/<int:pk>/change/", matrix_views.criterion_edit, name="selection-criterion-edit"),
]
