"""The selection matrix pages (referrals/matrix_views.py)."""

urlpatterns: list = []
