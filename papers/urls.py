from django.urls import path, re_path

from . import feeds, views

app_name = "papers"

urlpatterns = [
    path("", views.home, name="home"),
    path("search", views.search, name="search"),
    path("search/suggest", views.search_suggest, name="suggest"),
    path("topics/", views.taxonomy, name="taxonomy"),
    re_path(r"^(?P<level>domains|fields|subfields|topics)/(?P<openalex_id>[^/]+)$", views.taxon_detail, name="taxon"),
    path("authors/<str:orcid>", views.author_detail, name="author"),
    path("feeds/papers.atom", feeds.LatestPapersFeed(), name="papers_feed"),
    path("feeds/topics/<str:openalex_id>.atom", feeds.TopicPapersFeed(), name="topic_feed"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("add", views.paper_add, name="add"),
    path("add/token", views.paper_add_token, name="add_token"),
    path("lookups/<int:pk>", views.lookup_detail, name="lookup"),
    path("doi/<path:doi>/refresh", views.paper_refresh, name="refresh"),
    # DOIs contain slashes, so the whole rest of the path is the DOI.
    path("doi/<path:doi>", views.paper_detail, name="detail"),
]
