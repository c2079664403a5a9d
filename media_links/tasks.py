import datetime as dt

from celery import shared_task
from django.conf import settings

from paperhub.http import UpstreamBadResponse, UpstreamUnavailable
from paperhub.retries import retry_or_give_up

from . import services
from .models import Video


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def video_fetch_info(self, video_id: int) -> None:
    video = Video.objects.filter(id=video_id).first()
    if video is None:
        return
    try:
        services.video_fetch_info(video=video)
    except UpstreamUnavailable as exc:
        retry_or_give_up(
            self, exc, give_up=lambda reason: services.video_note_check_failed(video_id=video_id, reason=reason)
        )
    except UpstreamBadResponse as exc:
        services.video_note_check_failed(video_id=video_id, reason=str(exc))


@shared_task
def videos_recheck_availability() -> int:
    return services.videos_recheck(older_than=dt.timedelta(days=settings.VIDEO_RECHECK_AFTER_DAYS))
