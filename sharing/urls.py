"""Information sharing agreements: pages (urlpatterns, under /sharing/; sharing/views.py) and API
endpoints (api_urlpatterns, under /api/v1/; sharing/api.py)."""

from django.urls import URLPattern, path

from sharing import api, views

urlpatterns: list[URLPattern] = [
    path("agreements/", views.agreement_list, name="agreement-list"),
    path("agreements/new/", views.agreement_new, name="agreement-new"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement-detail"),
    path("agreements/<int:pk>/document/", views.agreement_document, name="agreement-document"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="agreement-edit"),
    path("agreements/<int:pk>/upload/", views.agreement_upload, name="agreement-upload"),
    path("agreements/<int:pk>/<slug:action>/", views.agreement_action, name="agreement-action"),
]

api_urlpatterns: list[URLPattern] = [
    path("agreements/", api.AgreementListView.as_view(), name="api-agreement-list"),
    path("agreements/<int:pk>/", api.AgreementDetailView.as_view(), name="api-agreement-detail"),
    path("agreements/<int:pk>/activate/", api.AgreementActivateView.as_view(), name="api-agreement-activate"),
    path("agreements/<int:pk>/suspend/", api.AgreementSuspendView.as_view(), name="api-agreement-suspend"),
    path("agreements/<int:pk>/end/", api.AgreementEndView.as_view(), name="api-agreement-end"),
]
