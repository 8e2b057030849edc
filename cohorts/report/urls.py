"""The management report (cohorts/report/views.py, cohorts/report/api.py): pages (urlpatterns,
included at the root) and API endpoints (api_urlpatterns, under /api/v1/)."""

from django.urls import URLPattern, path

from cohorts.report import api as report_api
from cohorts.report import views as report_views

urlpatterns: list[URLPattern] = [
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
]
api_urlpatterns: list[URLPattern] = [
    path("people/<int:pk>/report/", report_api.ManagementReportView.as_view(), name="api-management-report"),
    path("people/<int:pk>/report/actions/", report_api.PlanActionsView.as_view(), name="api-plan-actions"),
    path("people/<int:pk>/report/actions/<int:item_pk>/", report_api.PlanActionView.as_view(), name="api-plan-action"),
    path("people/<int:pk>/report/interventions/", report_api.InterventionsView.as_view(), name="api-interventions"),
    path("people/<int:pk>/report/contacts/", report_api.ContactsView.as_view(), name="api-contacts"),
    path("people/<int:pk>/report/decisions/", report_api.DecisionsView.as_view(), name="api-decisions"),
    path("people/<int:pk>/report/enforcement/", report_api.EnforcementView.as_view(), name="api-enforcement"),
]
