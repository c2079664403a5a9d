import datetime as dt

from celery import shared_task
from django.conf import settings

from paperhub.http import UpstreamBadResponse
from paperhub.retries import task_outcome

from . import services
from .models import Video


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def video_fetch_info(self, video_id: int) -> None:
    with task_outcome(
        self,
        give_up=lambda reason: services.video_note_check_failed(video_id=video_id, reason=reason),
        permanent=(UpstreamBadResponse,),
    ):
        video = Video.objects.filter(id=video_id).first()
        if video is None:
            return
        services.video_fetch_info(video=video)


@shared_task
def videos_recheck_availability() -> int:
    return services.videos_recheck(older_than=dt.timedelta(days=settings.VIDEO_RECHECK_AFTER_DAYS))
