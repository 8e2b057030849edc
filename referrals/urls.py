"""Referral pages under /referrals/: the list, intake (task list, sections, check answers) and the
referral page (referrals/views.py); the IOM team's and panel chairs' actions
(referrals/workflow_views.py); the selection matrix (referrals/matrix_views.py)."""

from django.urls import include, path

from referrals import views

urlpatterns: list = [
    path("", views.referral_list, name="referral-list"),
    path("new/", views.referral_new, name="referral-new"),
    path("<int:pk>/", views.referral_detail, name="referral-detail"),
    path("<int:pk>/sections/<slug:code>/", views.referral_section, name="referral-section"),
    path("<int:pk>/check/", views.referral_check, name="referral-check"),
    path("", include("referrals.workflow_urls")),
    path("selection-matrix/", include("referrals.matrix_urls")),
]
