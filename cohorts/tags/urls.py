"""GPS tags. Pages (urlpatterns, included at the root: cohorts/tags/views.py) and API
endpoints (api_urlpatterns, under /api/v1/: cohorts/tags/api.py)."""

from django.urls import URLPattern, path

from cohorts.tags import api as tag_api
from cohorts.tags import views as tag_views

urlpatterns: list[URLPattern] = [
    path("people/<int:pk>/tags/", tag_views.tag_list, name="tag-list"),
    path("people/<int:pk>/tags/reason/", tag_views.tag_reason, name="tag-reason"),
    path("people/<int:pk>/tags/new/", tag_views.tag_fit_view, name="tag-fit"),
    path("people/<int:pk>/tags/<int:tag_pk>/remove/", tag_views.tag_remove_view, name="tag-remove"),
    path("people/<int:pk>/tags/<int:tag_pk>/hits/new/", tag_views.tag_hit_new, name="tag-hit-new"),
    path("people/<int:pk>/tags/hits/<int:hit_pk>/outcome/", tag_views.tag_hit_outcome_view, name="tag-hit-outcome"),
]
api_urlpatterns: list[URLPattern] = [
    path("people/<int:pk>/tags/", tag_api.NominalTagsView.as_view(), name="api-nominal-tags"),
    path("people/<int:pk>/tags/read/", tag_api.TagsReadView.as_view(), name="api-tags-read"),
    path("people/<int:pk>/tags/<int:tag_pk>/remove/", tag_api.TagRemoveView.as_view(), name="api-tag-remove"),
    path("people/<int:pk>/tags/<int:tag_pk>/hits/", tag_api.TagHitsView.as_view(), name="api-tag-hits"),
    path(
        "people/<int:pk>/tags/hits/<int:hit_pk>/outcome/",
        tag_api.TagHitOutcomeView.as_view(),
        name="api-tag-hit-outcome",
    ),
]
