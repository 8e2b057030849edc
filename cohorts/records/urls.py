from django.urls import path

from cohorts.duplicates import views as duplicate_views
from cohorts.records import views

urlpatterns = [
    path("", views.nominal_list, name="nominal-list"),
    path("new/", views.nominal_new, name="nominal-new"),
    path("access-log/", views.access_log, name="access-log"),
    # Possible duplicates and merges, for the IOM team.
    path("duplicates/", duplicate_views.duplicate_list, name="duplicate-list"),
    path("duplicates/<int:pk>/", duplicate_views.duplicate_detail, name="duplicate-detail"),
    path("duplicates/<int:pk>/share/", duplicate_views.duplicate_share_view, name="duplicate-share"),
    path("duplicates/<int:pk>/merge/", duplicate_views.duplicate_merge_view, name="duplicate-merge"),
    path("duplicates/<int:pk>/dismiss/", duplicate_views.duplicate_dismiss_view, name="duplicate-dismiss"),
    path("merges/<int:pk>/undo/", duplicate_views.merge_undo_view, name="merge-undo"),
    path("<int:pk>/", views.nominal_detail, name="nominal-detail"),
    path("<int:pk>/sensitive/", views.nominal_sensitive_reason, name="nominal-sensitive-reason"),
    path("<int:pk>/edit/", views.nominal_edit, name="nominal-edit"),
    path("<int:pk>/consent/", views.nominal_consent, name="nominal-consent"),
    path("<int:pk>/history/", views.nominal_history, name="nominal-history"),
    path("<int:pk>/items/new/", views.item_new, name="item-new"),
    path("<int:pk>/needs/new/", views.need_new, name="need-new"),
    path("<int:pk>/items/<int:item_pk>/edit/", views.item_edit, name="item-edit"),
    path("<int:pk>/items/<int:item_pk>/why/", views.item_why, name="item-why"),
    # Managing the cohort: the RAG rating, the leads and key workers.
    path("<int:pk>/rag/", views.nominal_rag, name="nominal-rag"),
    path("<int:pk>/assignments/<slug:role>/", views.nominal_assignment, name="nominal-assignment"),
    path("<int:pk>/assignments/<int:assignment_pk>/end/", views.nominal_assignment_end, name="nominal-assignment-end"),
]
