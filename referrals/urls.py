"""Referral pages under /referrals/: the list, intake (task list, sections, check answers) and the
referral page (referrals/views.py); the IOM team's and panel chairs' actions
(referrals/workflow_views.py); the selection matrix (referrals/matrix_views.py)."""

from django.urls import include, path

urlpatterns: list = [
    path("", include("referrals.workflow_urls")),
    path("selection-matrix/", include("referrals.matrix_urls")),
]
