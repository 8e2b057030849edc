from django.urls import path

from sharing import views

urlpatterns = [
    path("agreements/", views.agreement_list, name="agreement-list"),
    path("agreements/new/", views.agreement_new, name="agreement-new"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement-detail"),
    path("agreements/<int:pk>/document/", views.agreement_document, name="agreement-document"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="agreement-edit"),
    path("agreements/<int:pk>/upload/", views.agreement_upload, name="agreement-upload"),
    path("agreements/<int:pk>/<slug:action>/", views.agreement_action, name="agreement-action"),
]
