"""The two task queues (settings.CELERY_TASK_QUEUES), as Celery declares them to the broker."""

from django.conf import settings

from paperhub.celery import app


def test_each_queue_is_bound_to_its_own_exchange_and_key():
    # Celery fills in what a Queue leaves out with the defaults ("celery" exchange and key): two queues bound to
    # the same key would each get every message on RabbitMQ, which routes by bindings.
    bindings = {name: (queue.exchange.name, queue.routing_key) for name, queue in app.amqp.queues.items()}
    assert bindings == {"celery": ("celery", "celery"), settings.PAPERHUB_BULK_QUEUE: ("bulk", "bulk")}
    assert app.conf.task_default_queue == "celery"
