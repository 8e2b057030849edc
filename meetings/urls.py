"""The meetings pages, under /meetings/ (iom/urls.py), one module per part of the work."""

from django.urls import URLPattern, URLResolver, include, path

from meetings import action_urls, agenda_urls, minutes_urls, run_urls, schedule_urls

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include(schedule_urls.urlpatterns)),
    path("", include(agenda_urls.urlpatterns)),
    path("", include(run_urls.urlpatterns)),
    path("", include(minutes_urls.urlpatterns)),
    path("", include(action_urls.urlpatterns)),
]

api_urlpatterns: list[URLPattern | URLResolver] = [
    path("", include(schedule_urls.api_urlpatterns)),
    path("", include(agenda_urls.api_urlpatterns)),
    path("", include(run_urls.api_urlpatterns)),
    path("", include(minutes_urls.api_urlpatterns)),
    path("", include(action_urls.api_urlpatterns)),
]
