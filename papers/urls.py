from django.urls import path

from . import views

app_name = "papers"

urlpatterns = [
    path("", views.home, name="home"),
    path("search", views.search, name="search"),
    path("search/suggest", views.search_suggest, name="suggest"),
    path("add", views.paper_add, name="add"),
    path("lookups/<int:pk>", views.lookup_detail, name="lookup"),
    path("doi/<path:doi>/refresh", views.paper_refresh, name="refresh"),
    # DOIs contain slashes, so the whole rest of the path is the DOI.
    path("doi/<path:doi>", views.paper_detail, name="detail"),
]
