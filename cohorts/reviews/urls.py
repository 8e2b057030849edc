"""Supervisor review pages (cohorts/reviews/views.py): a person's reviews, under /people/<pk>/reviews/,
and a supervisor's reviews due, at /reviews/. Included at the root from iom/urls.py."""

from django.urls import path

from cohorts.reviews import views as review_views

urlpatterns = [
    path("people/<int:pk>/reviews/", review_views.review_list, name="review-list"),
    path("people/<int:pk>/reviews/new/", review_views.review_new, name="review-new"),
    path("reviews/", review_views.reviews_due_view, name="reviews-due"),
]
