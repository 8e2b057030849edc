"""The referrals app's pages (urlpatterns, under /referrals/) and API endpoints (api_urlpatterns, under
/api/v1/): the list, intake (task list, sections, check answers) and the referral page
(referrals/views.py); the IOM team's and panel chairs' actions (referrals/workflow_views.py); the
selection matrix (referrals/matrix_views.py); the API (referrals/api.py)."""

from django.urls import URLPattern, path

from referrals import api, matrix_views, views, workflow_views

urlpatterns: list[URLPattern] = [
    path("", views.referral_list, name="referral-list"),
    path("new/", views.referral_new, name="referral-new"),
    path("<int:pk>/", views.referral_detail, name="referral-detail"),
    path("<int:pk>/sections/<slug:code>/", views.referral_section, name="referral-section"),
    path("<int:pk>/check/", views.referral_check, name="referral-check"),
    # The IOM team's and panel chairs' actions
    path("<int:pk>/screen/", workflow_views.referral_screen, name="referral-screen"),
    path("<int:pk>/return/", workflow_views.referral_return, name="referral-return"),
    path("<int:pk>/list/", workflow_views.referral_list_for_panel, name="referral-list-for-panel"),
    path("<int:pk>/decide/", workflow_views.referral_decide, name="referral-decide"),
    path("<int:pk>/ratify/", workflow_views.referral_ratify, name="referral-ratify"),
    path("<int:pk>/withdraw/", workflow_views.referral_withdraw, name="referral-withdraw"),
    # The selection matrix
    path("selection-matrix/", matrix_views.selection_matrix, name="selection-matrix"),
    path("selection-matrix/criteria/new/", matrix_views.criterion_new, name="selection-criterion-new"),
    path("selection-matrix/criteria/<int:pk>/change/", matrix_views.criterion_edit, name="selection-criterion-edit"),
]

api_urlpatterns: list[URLPattern] = [
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
