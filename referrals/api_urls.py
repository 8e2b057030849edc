"""Referrals under /api/v1/ (referrals/api.py)."""

urlpatterns: list = []
