from csp.constants import UNSAFE_INLINE as CSP_UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from cohorts.deregistration import urls as deregistration_urls
from cohorts.events import api as event_api
from cohorts.management import api as cohort_api
from cohorts.records import api as cohorts_api
from cohorts.records import consent_api
from cohorts.report import urls as report_urls
from cohorts.reviews import api as review_api
from cohorts.tags import urls as tag_urls
from cohorts.timeline import urls as timeline_urls
from cohorts.transitions import urls as transition_urls
from meetings import urls as meetings_urls
from sharing import api as sharing_api
from shell.api import MeView

api_v1: list[URLPattern | URLResolver] = [
    path("me/", MeView.as_view(), name="api-me"),
    path("people/", cohorts_api.NominalListView.as_view(), name="api-nominal-list"),
    path("people/<int:pk>/", cohorts_api.NominalDetailView.as_view(), name="api-nominal-detail"),
    path("people/<int:pk>/items/", cohorts_api.ItemCreateView.as_view(), name="api-item-create"),
    path("people/<int:pk>/sensitive/", cohorts_api.SensitiveItemsView.as_view(), name="api-nominal-sensitive"),
    path("people/<int:pk>/items/<int:item_pk>/why/", cohorts_api.ItemWhyView.as_view(), name="api-item-why"),
    path("people/<int:pk>/consent/", consent_api.NominalConsentView.as_view(), name="api-nominal-consent"),
    # Custody and court events: cohorts/events/api.py.
    path("people/<int:pk>/events/", event_api.NominalEventsView.as_view(), name="api-nominal-events"),
    path("people/<int:pk>/rag/", cohorts_api.NominalRagView.as_view(), name="api-nominal-rag"),
    path("people/<int:pk>/assignments/", cohorts_api.NominalAssignmentsView.as_view(), name="api-nominal-assignments"),
    path(
        "people/<int:pk>/assignments/<int:assignment_pk>/end/",
        cohorts_api.AssignmentEndView.as_view(),
        name="api-assignment-end",
    ),
    # Supervisor reviews: cohorts/reviews/api.py.
    path("people/<int:pk>/reviews/", review_api.NominalReviewsView.as_view(), name="api-nominal-reviews"),
    path("reviews/due/", review_api.ReviewsDueView.as_view(), name="api-reviews-due"),
    path("cohort/", cohort_api.CohortListView.as_view(), name="api-cohort-list"),
    # The management report, GPS tags, transition plans, deregistration and the timeline.
    path("", include(report_urls.api_urlpatterns)),
    path("", include(tag_urls.api_urlpatterns)),
    path("", include(transition_urls.api_urlpatterns)),
    path("", include(deregistration_urls.api_urlpatterns)),
    path("", include(timeline_urls.api_urlpatterns)),
    path("agreements/", sharing_api.AgreementListView.as_view(), name="api-agreement-list"),
    path("agreements/<int:pk>/", sharing_api.AgreementDetailView.as_view(), name="api-agreement-detail"),
    path("agreements/<int:pk>/activate/", sharing_api.AgreementActivateView.as_view(), name="api-agreement-activate"),
    path("agreements/<int:pk>/suspend/", sharing_api.AgreementSuspendView.as_view(), name="api-agreement-suspend"),
    path("agreements/<int:pk>/end/", sharing_api.AgreementEndView.as_view(), name="api-agreement-end"),
    path("", include("referrals.api_urls")),
    path("", include(meetings_urls.api_urlpatterns)),  # meetings
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The docs page is for people: signed out, they are sent to sign in like any other page. Its
    # script is a file of its own (the split view), so the Content-Security-Policy holds; Swagger UI
    # styles its elements inline, which the policy allows on this page alone.
    path(
        "docs/",
        csp_update({"style-src": [CSP_UNSAFE_INLINE]})(
            login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema"))
        ),
        name="api-docs",
    ),
]

urlpatterns = [
    path("", include("shell.urls")),
    path("", include("notifications.urls")),
    path("", include("cohorts.reviews.urls")),  # /people/<pk>/reviews/ and /reviews/ (supervisor reviews)
    # The management report, GPS tags, transition plans, deregistration and the timeline.
    path("", include("cohorts.report.urls")),
    path("", include("cohorts.tags.urls")),
    path("", include("cohorts.transitions.urls")),
    path("", include("cohorts.deregistration.urls")),
    path("", include("cohorts.timeline.urls")),
    path("people/", include("cohorts.events.urls")),  # custody and court events, and their import
    path("people/", include("cohorts.records.urls")),
    path("sharing/", include("sharing.urls")),
    path("referrals/", include("referrals.urls")),
    path("cohort/", include("cohorts.management.urls")),
    path("meetings/", include(meetings_urls.urlpatterns)),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
]

handler400 = "shell.views.bad_request"
handler403 = "shell.views.permission_denied"
handler404 = "shell.views.page_not_found"
handler500 = "shell.views.server_error"
