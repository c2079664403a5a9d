from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from paperhub.limits import submission_limit_message
from paperhub.moderation import contributor_display_name
from papers.models import without_heavy_paper_fields
from papers.selectors import paper_for_contribution_or_404

from . import selectors, services
from .forms import ReviewForm
from .models import Review

# The next full-text sync would undo any change; staff can hide or remove one in the admin.
JOURNAL_REVIEW_READ_ONLY = "The journal published this review with the paper; it cannot be changed here."
# Likewise the forum's next refresh from OpenReview.
IMPORTED_REVIEW_READ_ONLY = "This review was imported from OpenReview and follows it there; it cannot be changed here."
# Likewise the next check of Crossref.
CROSSREF_REVIEW_READ_ONLY = (
    "The journal registered this review with Crossref, and PaperHub follows that record; it cannot be changed here."
)


@login_required
@require_http_methods(["GET", "POST"])
def review_new(request: HttpRequest, doi: str) -> HttpResponse:
    paper = paper_for_contribution_or_404(doi)
    form = ReviewForm(request.POST or None, initial={"reviewer_name": contributor_display_name(request.user)})
    context = {"paper": paper, "form": form, "mode": "new"}
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            context["preview_html"] = services.review_preview_html(body=form.cleaned_data["body"])
            return render(request, "reviews/review_form.html", context)
        limited = submission_limit_message(request, group="review-submit")
        if limited:
            form.add_error(None, limited)
            return render(request, "reviews/review_form.html", context, status=429)
        try:
            submission = services.review_submit(paper=paper, author=request.user, data=form.content)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            review = submission.review
            if not submission.created:
                messages.info(
                    request,
                    "You had already submitted this review (same paper and link); "
                    + ("it now has the text you sent." if submission.changed else "it is stored once."),
                )
            elif review.is_published:
                messages.success(request, "Your review is published.")
            else:
                messages.success(request, "Thank you. Your review is waiting for moderation; only you can see it.")
            return redirect(review)
    status = 400 if request.method == "POST" else 200
    return render(request, "reviews/review_form.html", context, status=status)


def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(selectors.reviews_visible_to(user=request.user), pk=pk)
    is_author = request.user.is_authenticated and review.author_id == request.user.id
    # An imported review's history is OpenReview's public edits of it: everyone may see it.
    show_history = is_author or request.user.is_staff or review.is_imported
    revisions = review.revisions.order_by("-created_at") if show_history else []
    return render(
        request, "reviews/review_detail.html", {"review": review, "is_author": is_author, "revisions": revisions}
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_edit(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(without_heavy_paper_fields(Review.objects.select_related("paper")), pk=pk)
    if review.is_from_journal:
        raise PermissionDenied(JOURNAL_REVIEW_READ_ONLY)
    if review.is_imported:
        raise PermissionDenied(IMPORTED_REVIEW_READ_ONLY)
    if review.is_from_crossref:
        raise PermissionDenied(CROSSREF_REVIEW_READ_ONLY)
    if review.author_id != request.user.id:
        raise PermissionDenied("Only the author of a review can edit it.")
    # An edit still waiting for moderation is what the author continues from.
    source = (review.revisions.filter(status="pending").first() if review.is_published else None) or review
    initial = {name: getattr(source, name) for name in services.EDITABLE_FIELDS}
    form = ReviewForm(request.POST or None, instance=review, initial={**initial, "attest": True})
    context = {"paper": review.paper, "form": form, "mode": "edit", "review": review}
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            context["preview_html"] = services.review_preview_html(body=form.cleaned_data["body"])
            return render(request, "reviews/review_form.html", context)
        services.review_update(review=review, editor=request.user, data=form.content)
        review.refresh_from_db()
        if review.is_published and review.revisions.filter(status="pending").exists():
            messages.success(request, "Your edit is waiting for moderation; the published version stays up meanwhile.")
        else:
            messages.success(request, "Your review is updated.")
        return redirect(review)
    return render(request, "reviews/review_form.html", context, status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def review_delete(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(without_heavy_paper_fields(Review.objects.select_related("paper")), pk=pk)
    if review.is_from_journal:
        raise PermissionDenied(JOURNAL_REVIEW_READ_ONLY)
    if review.is_imported:
        raise PermissionDenied(IMPORTED_REVIEW_READ_ONLY)
    if review.is_from_crossref:
        raise PermissionDenied(CROSSREF_REVIEW_READ_ONLY)
    if review.author_id != request.user.id and not request.user.is_staff:
        raise PermissionDenied("Only the author of a review can delete it.")
    if request.method == "POST":
        paper = review.paper
        services.review_delete(review=review, user=request.user)
        messages.success(request, "Your review is deleted.")
        return redirect(paper)
    return render(request, "reviews/review_confirm_delete.html", {"review": review})


@login_required
def review_list_mine(request: HttpRequest) -> HttpResponse:
    return render(request, "reviews/review_list_mine.html", {"reviews": selectors.reviews_of_user(user=request.user)})
