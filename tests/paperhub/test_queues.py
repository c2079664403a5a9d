"""The two task queues (settings.CELERY_TASK_QUEUES): a message lands in the queue it is sent to, and only there."""

from django.conf import settings

from paperhub.celery import app
from papers import tasks


def test_a_bulk_import_and_any_other_task_each_land_once_in_their_own_queue():
    # The queues as Celery declares them (its defaults filled in), on kombu's in-memory transport, which routes as the
    # Redis and file-system ones do (virtual exchanges and bindings).
    with app.connection_for_write("memory://") as connection:
        queues = [app.amqp.queues[queue.name].bind(connection.default_channel) for queue in settings.CELERY_TASK_QUEUES]
        for queue in queues:
            queue.declare()
            queue.purge()
        tasks.paper_import.apply_async((1,), connection=connection, queue=settings.PAPERHUB_BULK_QUEUE)
        tasks.reference_lookups_request.apply_async(connection=connection)
        counts = {queue.name: queue.queue_declare(passive=True).message_count for queue in queues}
        assert counts == {"celery": 1, "bulk": 1}
        message = queues[1].get(no_ack=True)
        assert message.headers["task"] == "papers.tasks.paper_import"
