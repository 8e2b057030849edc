"""The URLs: each app's pages, the admin, and the API under /api/v1/ with its schema and docs."""

from csp.constants import UNSAFE_INLINE as CSP_UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from cohorts import urls as cohorts_urls
from meetings import urls as meetings_urls
from referrals import urls as referrals_urls
from sharing import urls as sharing_urls
from shell import urls as shell_urls

# Each app has its pages (urlpatterns) and its API endpoints (api_urlpatterns) in its urls.py.
APPS = (shell_urls, cohorts_urls, sharing_urls, referrals_urls, meetings_urls)

api_v1: list[URLPattern | URLResolver] = [
    *(path("", include(app.api_urlpatterns)) for app in APPS),
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
    path("", include(shell_urls.urlpatterns)),
    path("", include("notifications.urls")),
    path("", include(cohorts_urls.urlpatterns)),
    path("sharing/", include(sharing_urls.urlpatterns)),
    path("referrals/", include(referrals_urls.urlpatterns)),
    path("meetings/", include(meetings_urls.urlpatterns)),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
]

handler400 = "shell.views.bad_request"
handler403 = "shell.views.permission_denied"
handler404 = "shell.views.page_not_found"
handler500 = "shell.views.server_error"
