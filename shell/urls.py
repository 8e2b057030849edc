"""Home, sign-in and sign-out, the session's timeout warning, kept forms and the health check (pages
at the root), and who the caller is (GET /api/v1/me/)."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, path

from shell import views
from shell.api import MeView
from shell.kept.views import kept_form_discard_view

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("sign-in/", views.SignInView.as_view(), name="login"),
    # Open to the signed out: "Sign out" on a page whose session has expired leads to sign-in, not
    # to sign-in and then back to the sign-out address.
    path("sign-out/", login_not_required(auth_views.LogoutView.as_view()), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    # The session's timeout warning: how long is left (not renewing it), and "Stay signed in".
    path("session/time-left/", views.session_time_left, name="session-time-left"),
    path("session/stay-signed-in/", views.session_stay_signed_in, name="session-renew"),
    # "Discard it" on the page of a form kept while signed out (shell/kept/).
    path("kept-forms/discard/", kept_form_discard_view, name="kept-form-discard"),
]

api_urlpatterns: list[URLPattern] = [
    path("me/", MeView.as_view(), name="api-me"),
]
