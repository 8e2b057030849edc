"""Referrals under /api/v1/ (referrals/api.py)."""

from django.urls import path

from referrals import api

urlpatterns: list = [
    path("referrals/", api.ReferralListView.as_view(), name="api-referral-list"),
    path("referrals/<int:pk>/", api.ReferralDetailView.as_view(), name="api-referral-detail"),
    path("referrals/<int:pk>/sections/<slug:code>/", api.ReferralSectionView.as_view(), name="api-referral-section"),
    path("referrals/<int:pk>/submit/", api.ReferralSubmitView.as_view(), name="api-referral-submit"),
    path("referrals/<int:pk>/screen/", api.ReferralScreenView.as_view(), name="api-referral-screen"),
    path("referrals/<int:pk>/return/", api.ReferralReturnView.as_view(), name="api-referral-return"),
    path(
        "referrals/<int:pk>/list-for-panel/", api.ReferralListForPanelView.as_view(), name="api-referral-list-for-panel"
    ),
    path("referrals/<int:pk>/decide/", api.ReferralDecideView.as_view(), name="api-referral-decide"),
    path("referrals/<int:pk>/ratify/", api.ReferralRatifyView.as_view(), name="api-referral-ratify"),
    path("referrals/<int:pk>/withdraw/", api.ReferralWithdrawView.as_view(), name="api-referral-withdraw"),
    path("selection-criteria/", api.SelectionCriteriaView.as_view(), name="api-selection-criteria"),
    path("selection-criteria/<int:pk>/", api.SelectionCriterionView.as_view(), name="api-selection-criterion"),
]
