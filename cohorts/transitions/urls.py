"""Transition plans. Pages (urlpatterns, included at the root: cohorts/transitions/views.py)
and API endpoints (api_urlpatterns, under /api/v1/: cohorts/transitions/api.py)."""

from django.urls import URLPattern, path

from cohorts.transitions import api as transition_api
from cohorts.transitions import views as transition_views

urlpatterns: list[URLPattern] = [
    path("people/<int:pk>/transition/", transition_views.transition_plan, name="transition-plan"),
    path("people/<int:pk>/transition/start/", transition_views.transition_start, name="transition-start"),
    path("people/<int:pk>/transition/steps/new/", transition_views.transition_step_new, name="transition-step-new"),
    path(
        "people/<int:pk>/transition/steps/<int:step_pk>/done/",
        transition_views.transition_step_done_view,
        name="transition-step-done",
    ),
    path("people/<int:pk>/transition/complete/", transition_views.transition_complete, name="transition-complete"),
]
api_urlpatterns: list[URLPattern] = [
    path("people/<int:pk>/transition/", transition_api.NominalTransitionView.as_view(), name="api-nominal-transition"),
    path(
        "people/<int:pk>/transition/steps/", transition_api.TransitionStepsView.as_view(), name="api-transition-steps"
    ),
    path(
        "people/<int:pk>/transition/steps/<int:step_pk>/done/",
        transition_api.TransitionStepDoneView.as_view(),
        name="api-transition-step-done",
    ),
    path(
        "people/<int:pk>/transition/complete/",
        transition_api.TransitionCompleteView.as_view(),
        name="api-transition-complete",
    ),
]
