from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("account/tokens", views.account_tokens, name="account_tokens"),
    path("api/v1/", include("paperhub.api_urls")),
    path("", include("reviews.urls")),
    path("", include("media_links.urls")),
    path("", include("papers.urls")),
]

handler404 = "paperhub.views.page_not_found"
handler500 = "paperhub.views.server_error"
