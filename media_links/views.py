from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from paperhub.limits import attempt_count, attempt_limit_message, video_limits
from papers.models import without_heavy_paper_fields
from papers.selectors import paper_for_contribution_or_404

from . import services
from .forms import VideoForm
from .models import Video


@login_required
@require_http_methods(["GET", "POST"])
def video_new(request: HttpRequest, doi: str) -> HttpResponse:
    paper = paper_for_contribution_or_404(doi)
    form = VideoForm(request.POST or None)
    context = {"paper": paper, "form": form}
    if request.method == "GET":
        return render(request, "media_links/video_form.html", context)
    limited = attempt_limit_message(request, limits=video_limits())
    if limited:
        form.is_valid()  # so the form shows what was sent, with the reason above it
        form.add_error(None, limited)
        return render(request, "media_links/video_form.html", context, status=429)
    if form.is_valid():
        try:
            video = services.video_add(paper=paper, user=request.user, **form.cleaned_data)
        except services.VideoAlreadyLinked as exc:
            form.add_error("url", exc.messages[0])
            context["existing"] = exc.existing
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            attempt_count(request, limits=video_limits(), accepted=True)
            if video.status == "approved":
                messages.success(request, "Video linked. Its title and channel arrive in a moment.")
            else:
                messages.success(request, "Thank you. The video appears here once a moderator approves it.")
            return redirect(paper)
    attempt_count(request, limits=video_limits(), accepted=False)
    return render(request, "media_links/video_form.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def video_delete(request: HttpRequest, pk: int) -> HttpResponse:
    video = get_object_or_404(without_heavy_paper_fields(Video.objects.select_related("paper")), pk=pk)
    if video.added_by_id != request.user.id and not request.user.is_staff:
        raise PermissionDenied("Only the person who linked a video can remove it.")
    if request.method == "POST":
        services.video_remove(video=video, user=request.user)
        messages.success(request, "The video link is removed.")
        return redirect(video.paper)
    return render(request, "media_links/video_confirm_delete.html", {"video": video})
