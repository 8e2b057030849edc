"""The IOM team's and panel chairs' actions on a referral (referrals/workflow_views.py)."""

urlpatterns: list = []
