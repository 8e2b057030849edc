from django.urls import path

from cohorts import views

urlpatterns = [
    path("", views.nominal_list, name="nominal-list"),
    path("new/", views.nominal_new, name="nominal-new"),
    path("<int:pk>/", views.nominal_detail, name="nominal-detail"),
    path("<int:pk>/sensitive/", views.nominal_sensitive_reason, name="nominal-sensitive-reason"),
    path("<int:pk>/items/new/", views.item_new, name="item-new"),
    path("<int:pk>/items/<int:item_pk>/why/", views.item_why, name="item-why"),
]
