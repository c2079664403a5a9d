from django.urls import path

from . import views

app_name = "review_imports"

urlpatterns = [
    # Before the papers app's catch-all /doi/<path:doi>: a DOI can contain slashes.
    path("doi/<path:doi>/review-imports/new", views.forum_import_new, name="new"),
    path("review-imports/<int:pk>", views.forum_import_detail, name="detail"),
]
