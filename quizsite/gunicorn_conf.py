"""Production server settings for gunicorn (bin/serve): sync Django views on threads."""

import multiprocessing
import os

bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# gthread with gunicorn's usual 2 × cores + 1 processes of 2 threads each: the processes
# share the CPUs without fighting over one GIL (bench/README.md: 5 × 2 answered more per
# second than 2 × 8 on 2 cores), and the threads overlap waiting on the database.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 2))
# gthread, plus one thread per process for /livez and /healthz that no request waiting on
# the database can hold up (quizsite/probe_worker.py).
worker_class = "quizsite.probe_worker.ProbeThreadWorker"
# One pooled database connection per thread, never more: PostgreSQL's max_connections must
# exceed workers × threads on every app server together (100 by default).
os.environ.setdefault("DATABASE_POOL_SIZE", str(threads))
timeout = 30
# The control socket has one fixed path per user, so two servers on one machine would clash.
control_socket_disable = True
graceful_timeout = 20
keepalive = 5
max_requests = 5000  # recycle workers now and then; jitter keeps them from restarting together
max_requests_jitter = 500
accesslog = "-"
errorlog = "-"
STDOUT = {"class": "logging.StreamHandler", "stream": "ext://sys.stdout"}
# JSON lines on stdout like the app's own logs (quizsite.logs), access lines included: the
# logger class hands their fields to the same formatter.
logger_class = "quizsite.logs.GunicornLogger"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "quizsite.logs.JsonFormatter"}},
    "handlers": {"stdout": {**STDOUT, "formatter": "json"}},
    "root": {"handlers": ["stdout"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
    },
}
