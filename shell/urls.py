"""Home, sign-in and sign-out, kept forms and the health check (pages at the root), and who the
caller is (GET /api/v1/me/)."""

from django.contrib.auth import views as auth_views
from django.urls import URLPattern, path

from shell import views
from shell.api import MeView
from shell.kept.views import kept_form_discard_view

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    # "Discard it" on the page of a form kept while signed out (shell/kept/).
    path("kept-forms/discard/", kept_form_discard_view, name="kept-form-discard"),
]

api_urlpatterns: list[URLPattern] = [
    path("me/", MeView.as_view(), name="api-me"),
]
