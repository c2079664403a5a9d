from paperhub.moderation import ModerationStatus

from .models import Video


def videos_for_paper_page(paper) -> list[Video]:
    """The paper page's Videos section: its approved videos, newest first, in one query."""
    return list(Video.objects.filter(paper=paper, status=ModerationStatus.APPROVED).order_by("-created_at"))
