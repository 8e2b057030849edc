from csp.constants import UNSAFE_INLINE as CSP_UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from cohorts import api as cohorts_api
from cohorts import api_consent as consent_api
from cohorts import (
    cohort_api,
    deregistration_urls,
    event_api,
    report_urls,
    review_api,
    tag_urls,
    timeline_urls,
    transition_urls,
)
from iom import notification_views, views
from iom.api import MeView
from meetings import urls as meetings_urls
from sharing import api as sharing_api

api_v1: list[URLPattern | URLResolver] = [
    path("me/", MeView.as_view(), name="api-me"),
    path("people/", cohorts_api.NominalListView.as_view(), name="api-nominal-list"),
    path("people/<int:pk>/", cohorts_api.NominalDetailView.as_view(), name="api-nominal-detail"),
    path("people/<int:pk>/items/", cohorts_api.ItemCreateView.as_view(), name="api-item-create"),
    path("people/<int:pk>/sensitive/", cohorts_api.SensitiveItemsView.as_view(), name="api-nominal-sensitive"),
    path("people/<int:pk>/items/<int:item_pk>/why/", cohorts_api.ItemWhyView.as_view(), name="api-item-why"),
    path("people/<int:pk>/consent/", consent_api.NominalConsentView.as_view(), name="api-nominal-consent"),
    # Custody and court events: cohorts/event_api.py.
    path("people/<int:pk>/events/", event_api.NominalEventsView.as_view(), name="api-nominal-events"),
    path("people/<int:pk>/rag/", cohorts_api.NominalRagView.as_view(), name="api-nominal-rag"),
    path("people/<int:pk>/assignments/", cohorts_api.NominalAssignmentsView.as_view(), name="api-nominal-assignments"),
    path(
        "people/<int:pk>/assignments/<int:assignment_pk>/end/",
        cohorts_api.AssignmentEndView.as_view(),
        name="api-assignment-end",
    ),
    # Supervisor reviews: cohorts/review_api.py.
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
    path("", views.home, name="home"),
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    # Notifications and the sweeps that send them: iom/notification_views.py.
    path("notifications/", notification_views.notification_list, name="notification-list"),
    path("notifications/<int:pk>/open/", notification_views.notification_open, name="notification-open"),
    path("notifications/read/", notification_views.notification_all_read, name="notification-all-read"),
    path("notifications/settings/", notification_views.notification_preferences, name="notification-preferences"),
    path("operations/sweeps/", notification_views.sweep_operations, name="sweep-operations"),
    path("", include("cohorts.review_urls")),  # /people/<pk>/reviews/ and /reviews/ (supervisor reviews)
    # The management report, GPS tags, transition plans, deregistration and the timeline.
    path("", include("cohorts.report_urls")),
    path("", include("cohorts.tag_urls")),
    path("", include("cohorts.transition_urls")),
    path("", include("cohorts.deregistration_urls")),
    path("", include("cohorts.timeline_urls")),
    path("people/", include("cohorts.event_urls")),  # custody and court events, and their import
    path("people/", include("cohorts.urls")),
    path("sharing/", include("sharing.urls")),
    path("referrals/", include("referrals.urls")),
    path("cohort/", include("cohorts.cohort_urls")),
    path("meetings/", include(meetings_urls.urlpatterns)),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
]

handler400 = "iom.views.bad_request"
handler403 = "iom.views.permission_denied"
handler404 = "iom.views.page_not_found"
handler500 = "iom.views.server_error"
