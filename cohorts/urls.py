"""The cohorts app's pages (urlpatterns, at the root) and API endpoints (api_urlpatterns, under
/api/v1/), one group per capability; each group's views are in cohorts/<capability>/views.py and api.py."""

from django.urls import URLPattern, path

from cohorts.deregistration import api as deregistration_api
from cohorts.deregistration import views as deregistration_views
from cohorts.duplicates import views as duplicate_views
from cohorts.events import api as event_api
from cohorts.events import views as event_views
from cohorts.management import api as management_api
from cohorts.management import views as cohort_views
from cohorts.records import api as records_api
from cohorts.records import consent_api
from cohorts.records import views as records_views
from cohorts.report import api as report_api
from cohorts.report import views as report_views
from cohorts.reviews import api as review_api
from cohorts.reviews import views as review_views
from cohorts.tags import api as tag_api
from cohorts.tags import views as tag_views
from cohorts.timeline import api as timeline_api
from cohorts.timeline import views as timeline_views
from cohorts.transitions import api as transition_api
from cohorts.transitions import views as transition_views

urlpatterns: list[URLPattern] = [
    # A person's record: search, record, edit, items, needs, consent, history
    path("people/", records_views.nominal_list, name="nominal-list"),
    path("people/new/", records_views.nominal_new, name="nominal-new"),
    path("people/access-log/", records_views.access_log, name="access-log"),
    path("people/duplicates/", duplicate_views.duplicate_list, name="duplicate-list"),
    path("people/duplicates/<int:pk>/", duplicate_views.duplicate_detail, name="duplicate-detail"),
    path("people/duplicates/<int:pk>/share/", duplicate_views.duplicate_share_view, name="duplicate-share"),
    path("people/duplicates/<int:pk>/merge/", duplicate_views.duplicate_merge_view, name="duplicate-merge"),
    path("people/duplicates/<int:pk>/dismiss/", duplicate_views.duplicate_dismiss_view, name="duplicate-dismiss"),
    path("people/merges/<int:pk>/undo/", duplicate_views.merge_undo_view, name="merge-undo"),
    path("people/<int:pk>/", records_views.nominal_detail, name="nominal-detail"),
    path("people/<int:pk>/sensitive/", records_views.nominal_sensitive_reason, name="nominal-sensitive-reason"),
    path("people/<int:pk>/edit/", records_views.nominal_edit, name="nominal-edit"),
    path("people/<int:pk>/consent/", records_views.nominal_consent, name="nominal-consent"),
    path("people/<int:pk>/history/", records_views.nominal_history, name="nominal-history"),
    path("people/<int:pk>/items/new/", records_views.item_new, name="item-new"),
    path("people/<int:pk>/needs/new/", records_views.need_new, name="need-new"),
    path("people/<int:pk>/items/<int:item_pk>/edit/", records_views.item_edit, name="item-edit"),
    path("people/<int:pk>/items/<int:item_pk>/why/", records_views.item_why, name="item-why"),
    path("people/<int:pk>/rag/", records_views.nominal_rag, name="nominal-rag"),
    path("people/<int:pk>/assignments/<slug:role>/", records_views.nominal_assignment, name="nominal-assignment"),
    path(
        "people/<int:pk>/assignments/<int:assignment_pk>/end/",
        records_views.nominal_assignment_end,
        name="nominal-assignment-end",
    ),
    # Custody and court events, and their import
    path("people/events/import/", event_views.event_import, name="event-import"),
    path("people/events/imports/<int:import_pk>/", event_views.event_import_detail, name="event-import-detail"),
    path("people/<int:pk>/events/", event_views.nominal_events, name="nominal-events"),
    path("people/<int:pk>/events/new/", event_views.custody_event_new, name="custody-event-new"),
    # Supervisor reviews
    path("people/<int:pk>/reviews/", review_views.review_list, name="review-list"),
    path("people/<int:pk>/reviews/new/", review_views.review_new, name="review-new"),
    path("reviews/", review_views.reviews_due_view, name="reviews-due"),
    # The management report
    path("people/<int:pk>/report/", report_views.management_report, name="management-report"),
    path("people/<int:pk>/report/print/", report_views.management_report_print, name="management-report-print"),
    path("people/<int:pk>/report/actions/new/", report_views.plan_action_new, name="plan-action-new"),
    path("people/<int:pk>/report/actions/<int:item_pk>/edit/", report_views.plan_action_edit, name="plan-action-edit"),
    path("people/<int:pk>/report/interventions/new/", report_views.intervention_new, name="intervention-new"),
    path(
        "people/<int:pk>/report/interventions/<int:item_pk>/edit/",
        report_views.intervention_edit,
        name="intervention-edit",
    ),
    path("people/<int:pk>/report/contacts/new/", report_views.contact_new, name="contact-new"),
    path("people/<int:pk>/report/decisions/new/", report_views.decision_new, name="decision-new"),
    path("people/<int:pk>/report/enforcement/new/", report_views.enforcement_new, name="enforcement-new"),
    # GPS tags
    path("people/<int:pk>/tags/", tag_views.tag_list, name="tag-list"),
    path("people/<int:pk>/tags/reason/", tag_views.tag_reason, name="tag-reason"),
    path("people/<int:pk>/tags/new/", tag_views.tag_fit_view, name="tag-fit"),
    path("people/<int:pk>/tags/<int:tag_pk>/remove/", tag_views.tag_remove_view, name="tag-remove"),
    path("people/<int:pk>/tags/<int:tag_pk>/hits/new/", tag_views.tag_hit_new, name="tag-hit-new"),
    path("people/<int:pk>/tags/hits/<int:hit_pk>/outcome/", tag_views.tag_hit_outcome_view, name="tag-hit-outcome"),
    # Transition plans
    path("people/<int:pk>/transition/", transition_views.transition_plan, name="transition-plan"),
    path("people/<int:pk>/transition/start/", transition_views.transition_start, name="transition-start"),
    path("people/<int:pk>/transition/steps/new/", transition_views.transition_step_new, name="transition-step-new"),
    path(
        "people/<int:pk>/transition/steps/<int:step_pk>/done/",
        transition_views.transition_step_done_view,
        name="transition-step-done",
    ),
    path("people/<int:pk>/transition/complete/", transition_views.transition_complete, name="transition-complete"),
    # Deregistration
    path("people/<int:pk>/deregistration/new/", deregistration_views.deregistration_new, name="deregistration-new"),
    path("deregistrations/", deregistration_views.deregistrations_waiting_view, name="deregistrations-waiting"),
    path("deregistrations/<int:pk>/", deregistration_views.deregistration_detail, name="deregistration-detail"),
    path(
        "deregistrations/<int:pk>/withdraw/",
        deregistration_views.deregistration_withdraw_view,
        name="deregistration-withdraw",
    ),
    # The timeline
    path("people/<int:pk>/timeline/", timeline_views.nominal_timeline_view, name="nominal-timeline"),
    # The cohort: everyone on IOM now, and the workload
    path("cohort/", cohort_views.cohort_list_view, name="cohort-list"),
    path("cohort/workload/", cohort_views.workload_view, name="cohort-workload"),
]

api_urlpatterns: list[URLPattern] = [
    # A person's record, consent, custody and court events, RAG rating and assignments
    path("people/", records_api.NominalListView.as_view(), name="api-nominal-list"),
    path("people/<int:pk>/", records_api.NominalDetailView.as_view(), name="api-nominal-detail"),
    path("people/<int:pk>/items/", records_api.ItemCreateView.as_view(), name="api-item-create"),
    path("people/<int:pk>/sensitive/", records_api.SensitiveItemsView.as_view(), name="api-nominal-sensitive"),
    path("people/<int:pk>/items/<int:item_pk>/why/", records_api.ItemWhyView.as_view(), name="api-item-why"),
    path("people/<int:pk>/consent/", consent_api.NominalConsentView.as_view(), name="api-nominal-consent"),
    path("people/<int:pk>/events/", event_api.NominalEventsView.as_view(), name="api-nominal-events"),
    path("people/<int:pk>/rag/", records_api.NominalRagView.as_view(), name="api-nominal-rag"),
    path("people/<int:pk>/assignments/", records_api.NominalAssignmentsView.as_view(), name="api-nominal-assignments"),
    path(
        "people/<int:pk>/assignments/<int:assignment_pk>/end/",
        records_api.AssignmentEndView.as_view(),
        name="api-assignment-end",
    ),
    # Supervisor reviews, and the cohort
    path("people/<int:pk>/reviews/", review_api.NominalReviewsView.as_view(), name="api-nominal-reviews"),
    path("reviews/due/", review_api.ReviewsDueView.as_view(), name="api-reviews-due"),
    path("cohort/", management_api.CohortListView.as_view(), name="api-cohort-list"),
    # The management report
    path("people/<int:pk>/report/", report_api.ManagementReportView.as_view(), name="api-management-report"),
    path("people/<int:pk>/report/actions/", report_api.PlanActionsView.as_view(), name="api-plan-actions"),
    path("people/<int:pk>/report/actions/<int:item_pk>/", report_api.PlanActionView.as_view(), name="api-plan-action"),
    path("people/<int:pk>/report/interventions/", report_api.InterventionsView.as_view(), name="api-interventions"),
    path("people/<int:pk>/report/contacts/", report_api.ContactsView.as_view(), name="api-contacts"),
    path("people/<int:pk>/report/decisions/", report_api.DecisionsView.as_view(), name="api-decisions"),
    path("people/<int:pk>/report/enforcement/", report_api.EnforcementView.as_view(), name="api-enforcement"),
    # GPS tags
    path("people/<int:pk>/tags/", tag_api.NominalTagsView.as_view(), name="api-nominal-tags"),
    path("people/<int:pk>/tags/read/", tag_api.TagsReadView.as_view(), name="api-tags-read"),
    path("people/<int:pk>/tags/<int:tag_pk>/remove/", tag_api.TagRemoveView.as_view(), name="api-tag-remove"),
    path("people/<int:pk>/tags/<int:tag_pk>/hits/", tag_api.TagHitsView.as_view(), name="api-tag-hits"),
    path(
        "people/<int:pk>/tags/hits/<int:hit_pk>/outcome/",
        tag_api.TagHitOutcomeView.as_view(),
        name="api-tag-hit-outcome",
    ),
    # Transition plans
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
    # Deregistration
    path(
        "people/<int:pk>/deregistrations/",
        deregistration_api.NominalDeregistrationsView.as_view(),
        name="api-nominal-deregistrations",
    ),
    path(
        "deregistrations/",
        deregistration_api.DeregistrationsWaitingView.as_view(),
        name="api-deregistrations-waiting",
    ),
    path(
        "deregistrations/<int:pk>/",
        deregistration_api.DeregistrationDetailView.as_view(),
        name="api-deregistration-detail",
    ),
    path(
        "deregistrations/<int:pk>/ratify/",
        deregistration_api.DeregistrationRatifyView.as_view(),
        name="api-deregistration-ratify",
    ),
    path(
        "deregistrations/<int:pk>/not-ratify/",
        deregistration_api.DeregistrationNotRatifyView.as_view(),
        name="api-deregistration-not-ratify",
    ),
    path(
        "deregistrations/<int:pk>/withdraw/",
        deregistration_api.DeregistrationWithdrawView.as_view(),
        name="api-deregistration-withdraw",
    ),
    # The timeline
    path("people/<int:pk>/timeline/", timeline_api.NominalTimelineView.as_view(), name="api-nominal-timeline"),
]
