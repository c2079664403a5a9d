from django.urls import path

from . import feeds, views

app_name = "reviews"

urlpatterns = [
    # Before the papers app's catch-all /doi/<path:doi>: a DOI can contain slashes.
    path("doi/<path:doi>/reviews/new", views.review_new, name="new"),
    path("reviews/mine", views.review_list_mine, name="mine"),
    path("feeds/reviews.atom", feeds.LatestReviewsFeed(), name="feed"),
    path("feeds/reviews/<path:doi>.atom", feeds.PaperReviewsFeed(), name="paper_feed"),
    path("reviews/<int:pk>", views.review_detail, name="detail"),
    path("reviews/<int:pk>/edit", views.review_edit, name="edit"),
    path("reviews/<int:pk>/delete", views.review_delete, name="delete"),
]
