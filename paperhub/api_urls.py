"""/api/v1/: every endpoint, listed explicitly because DOIs contain slashes (the longer paths come first)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from entities.api import views as entity_views
from fulltext.api import views as fulltext_views
from media_links.api import views as video_views
from paperhub.views import page_not_found
from papers.api import views as paper_views
from review_imports.api import views as review_import_views
from reviews.api import views as review_views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("papers/", paper_views.PaperListCreate.as_view(), name="paper-list"),
    path("papers/<path:doi>/references/", paper_views.PaperReferences.as_view(), name="paper-references"),
    path("papers/<path:doi>/citations/", paper_views.PaperCitations.as_view(), name="paper-citations"),
    path("papers/<path:doi>/reviews/", review_views.PaperReviews.as_view(), name="paper-reviews"),
    path(
        "papers/<path:doi>/review-imports/<int:id>/",
        review_import_views.ReviewImportDetail.as_view(),
        name="paper-review-import",
    ),
    path(
        "papers/<path:doi>/review-imports/",
        review_import_views.PaperReviewImports.as_view(),
        name="paper-review-imports",
    ),
    path("papers/<path:doi>/videos/", video_views.PaperVideos.as_view(), name="paper-videos"),
    path("papers/<path:doi>/fulltext/", fulltext_views.PaperFullText.as_view(), name="paper-fulltext"),
    path("papers/<path:doi>/entities/", entity_views.PaperEntities.as_view(), name="paper-entities"),
    path("papers/<path:doi>/", paper_views.PaperDetail.as_view(), name="paper-detail"),
    path("reviews/<int:pk>/", review_views.ReviewDetail.as_view(), name="review-detail"),
    path("videos/<int:pk>/", video_views.VideoDetail.as_view(), name="video-detail"),
    path("entities/<str:type>/<path:identifier>/", entity_views.EntityDetail.as_view(), name="entity-detail"),
    path("topics/", paper_views.TopicList.as_view(), name="topic-list"),
    path("topics/<str:id>/", paper_views.TopicDetail.as_view(), name="topic-detail"),
    # Any other address ending in a slash: the JSON 404 even with DEBUG on (a local install), where Django would
    # answer its HTML debug page. Addresses without the slash still get APPEND_SLASH's redirect first.
    re_path(r"^(?:.*/)?$", page_not_found),
]
