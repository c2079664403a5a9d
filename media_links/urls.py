from django.urls import path

from . import views

app_name = "media_links"

urlpatterns = [
    # Before the papers app's catch-all /doi/<path:doi>: a DOI can contain slashes.
    path("doi/<path:doi>/videos/new", views.video_new, name="new"),
    path("videos/<int:pk>/delete", views.video_delete, name="delete"),
]
