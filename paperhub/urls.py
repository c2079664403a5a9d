from django.contrib import admin
from django.contrib.sitemaps.views import index as sitemap_index
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from papers.sitemaps import PaperSitemap

from . import views

SITEMAPS = {"papers": PaperSitemap}

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("sitemap.xml", sitemap_index, {"sitemaps": SITEMAPS}, name="sitemap_index"),
    path("sitemap-<section>.xml", sitemap, {"sitemaps": SITEMAPS}, name="django.contrib.sitemaps.views.sitemap"),
    path("accounts/", include("allauth.urls")),
    path("account/tokens", views.account_tokens, name="account_tokens"),
    path("api/v1/", include("paperhub.api_urls")),
    path("", include("reviews.urls")),
    path("", include("review_imports.urls")),
    path("", include("media_links.urls")),
    path("", include("fulltext.urls")),
    path("", include("entities.urls")),
    path("", include("papers.urls")),
]

handler400 = "paperhub.views.bad_request"
handler403 = "paperhub.views.permission_denied"
handler404 = "paperhub.views.page_not_found"
handler500 = "paperhub.views.server_error"
