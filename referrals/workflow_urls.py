"""The IOM team's and panel chairs' actions on a referral (referrals/workflow_views.py)."""

from django.urls import path

from referrals import workflow_views

urlpatterns: list = [
    path("<int:pk>/screen/", workflow_views.referral_screen, name="referral-screen"),
    path("<int:pk>/return/", workflow_views.referral_return, name="referral-return"),
    path("<int:pk>/list/", workflow_views.referral_list_for_panel, name="referral-list-for-panel"),
    path("<int:pk>/decide/", workflow_views.referral_decide, name="referral-decide"),
    path("<int:pk>/ratify/", workflow_views.referral_ratify, name="referral-ratify"),
    path("<int:pk>/withdraw/", workflow_views.referral_withdraw, name="referral-withdraw"),
]
