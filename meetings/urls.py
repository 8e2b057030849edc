"""The meetings pages, under /meetings/ (iom/urls.py), one module per part of the work."""

from django.urls import URLPattern, URLResolver, include, path

from meetings.actions import urls as action_urls
from meetings.agenda import urls as agenda_urls
from meetings.minutes import urls as minutes_urls
from meetings.running import urls as run_urls
from meetings.scheduling import urls as schedule_urls

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
