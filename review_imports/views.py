from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from paperhub.limits import submission_limit_message
from papers.selectors import paper_for_contribution_or_404

from . import selectors, services
from .forms import ForumImportForm
from .models import ForumImport


@login_required
@require_http_methods(["GET", "POST"])
def forum_import_new(request: HttpRequest, doi: str) -> HttpResponse:
    """The paper page's "Import reviews from OpenReview" field posts here; a bad link comes back with its reason."""
    paper = paper_for_contribution_or_404(doi)
    form = ForumImportForm(request.POST or None)
    context = {"paper": paper, "form": form}
    if request.method == "POST" and form.is_valid():
        limited = submission_limit_message(request, group="review-import", what="imports")
        if limited:
            form.add_error(None, limited)
            return render(request, "review_imports/import_form.html", context, status=429)
        try:
            asked = services.forum_import_request(paper=paper, link=form.cleaned_data["url"], user=request.user)
        except ValidationError as exc:
            form.add_error("url", exc.message_dict.get("url", exc.messages))
        else:
            if not asked.created:
                messages.info(request, "This forum was asked for on this paper before: here is its import.")
            return redirect("review_imports:detail", pk=asked.forum_import.pk)
    return render(request, "review_imports/import_form.html", context, status=400 if request.method == "POST" else 200)


def forum_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An import's progress (the page refreshes itself while it runs) and what it brought in."""
    forum_import = get_object_or_404(
        ForumImport.objects.defer("raw_notes").select_related(
            "paper", "requested_by", "requested_by__reviewer_profile"
        ),
        pk=pk,
    )
    user = request.user
    may_see_all = selectors.may_follow(forum_import, user)
    notes = selectors.forum_import_reviews(forum_import, user=user) if forum_import.is_published or may_see_all else []
    for note in notes:
        note.forum_import = forum_import
    return render(
        request,
        "review_imports/import_detail.html",
        {"forum_import": forum_import, "paper": forum_import.paper, "notes": notes, "may_see_all": may_see_all},
    )
