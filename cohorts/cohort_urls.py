"""The cohort: everyone on IOM now (cohorts/cohort_views.py)."""

urlpatterns: list = []
