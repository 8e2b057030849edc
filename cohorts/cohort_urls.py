"""The cohort: everyone on IOM now (cohorts/cohort_views.py)."""

from django.urls import path

from cohorts import cohort_views

urlpatterns = [
    path("", cohort_views.cohort_list_view, name="cohort-list"),
    path("workload/", cohort_views.workload_view, name="cohort-workload"),
]
