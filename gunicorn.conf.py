"""gunicorn settings, read automatically from the working directory; each can be overridden by environment."""

import os

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
# Web processes are stateless: scale them with workers here, or with more containers behind a load balancer.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# One request at a time per process: pages are CPU-bound Python (no upstream calls happen in a request), and
# threads only queued requests behind the GIL. Measured with bench/serve_bench.py on 2 cores: sync 3x1 held p99
# under 80 ms in four runs of five, where gthread 3x2 reached 135-670 ms. Sync workers expect a buffering proxy
# or load balancer in front for slow clients, as gunicorn's docs advise.
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycling guards against slow leaks; each restart stalls the worker's connections, so not too often.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
# Workers fork from a loaded app: a recycled worker is serving again at once.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() == "true"
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
