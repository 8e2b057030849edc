"""Home, sign-in and sign-out, and the health check; included at the root from iom/urls.py."""

from django.contrib.auth import views as auth_views
from django.urls import path

from shell import views

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
]
