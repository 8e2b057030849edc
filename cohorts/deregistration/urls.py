"""Deregistration (cohorts/deregistration/views.py, cohorts/deregistration/api.py): proposing from the
person page, the proposals waiting for a panel chair, and a proposal's decision. Pages (urlpatterns,
included at the root) and API endpoints (api_urlpatterns, under /api/v1/)."""

from django.urls import URLPattern, path

from cohorts.deregistration import api as deregistration_api
from cohorts.deregistration import views as deregistration_views

urlpatterns: list[URLPattern] = [
    path("people/<int:pk>/deregistration/new/", deregistration_views.deregistration_new, name="deregistration-new"),
    path("deregistrations/", deregistration_views.deregistrations_waiting_view, name="deregistrations-waiting"),
    path("deregistrations/<int:pk>/", deregistration_views.deregistration_detail, name="deregistration-detail"),
    path(
        "deregistrations/<int:pk>/withdraw/",
        deregistration_views.deregistration_withdraw_view,
        name="deregistration-withdraw",
    ),
]
api_urlpatterns: list[URLPattern] = [
    path(
        "people/<int:pk>/deregistrations/",
        deregistration_api.NominalDeregistrationsView.as_view(),
        name="api-nominal-deregistrations",
    ),
    path(
        "deregistrations/",
        deregistration_api.DeregistrationsWaitingView.as_view(),
        name="api-deregistrations-waiting",
    ),
    path(
        "deregistrations/<int:pk>/",
        deregistration_api.DeregistrationDetailView.as_view(),
        name="api-deregistration-detail",
    ),
    path(
        "deregistrations/<int:pk>/ratify/",
        deregistration_api.DeregistrationRatifyView.as_view(),
        name="api-deregistration-ratify",
    ),
    path(
        "deregistrations/<int:pk>/not-ratify/",
        deregistration_api.DeregistrationNotRatifyView.as_view(),
        name="api-deregistration-not-ratify",
    ),
    path(
        "deregistrations/<int:pk>/withdraw/",
        deregistration_api.DeregistrationWithdrawView.as_view(),
        name="api-deregistration-withdraw",
    ),
]
