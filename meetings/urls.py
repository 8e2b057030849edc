"""The meetings pages, under /meetings/ (iom/urls.py), one module per part of the work."""

from django.urls import URLPattern, URLResolver, include, path

from meetings.actions import urls as action_urls
from meetings.agenda import urls as agenda_urls
from meetings.minutes import urls as minutes_urls
from meetings.running import urls as run_urls
from meetings.scheduling import urls as schedule_urls

# Each part of the work has its pages and its API endpoints, in this order.
PARTS = (schedule_urls, agenda_urls, run_urls, minutes_urls, action_urls)

urlpatterns: list[URLPattern | URLResolver] = [path("", include(part.urlpatterns)) for part in PARTS]

api_urlpatterns: list[URLPattern | URLResolver] = [path("", include(part.api_urlpatterns)) for part in PARTS]
