"""The cohort: everyone on IOM now (cohorts/management/views.py)."""

from django.urls import path

from cohorts.management import views as cohort_views

urlpatterns = [
    path("", cohort_views.cohort_list_view, name="cohort-list"),
    path("workload/", cohort_views.workload_view, name="cohort-workload"),
]
