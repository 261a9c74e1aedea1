"""Gunicorn settings of ``moderation serve``.

A plain gunicorn configuration file, so that ``gunicorn -c moderation/gunicorn_conf.py APP``
serves any WSGI app the same way: the benchmark runs the framework's ceiling and Isso under this
very file. The worker is the front of ``front.py`` (uvicorn's event loop reading and writing
every request whole, the app in a small thread pool), named by its path, so the file itself
imports nothing of the package.
"""

from __future__ import annotations

import gc
from typing import Any

#: The settings this file makes, for ``moderation serve`` to apply.
SETTINGS = ("worker_class", "threads", "keepalive", "graceful_timeout", "post_worker_init")

worker_class = "moderation.front.FrontWorker"
#: Threads per worker, that run the app on whole requests. Two, not more: the threads of a worker
#: share one GIL, and each extra one mostly adds switching (a thread back from the database waits
#: for the GIL while another runs bleach) and makes latency less even. Measured here with wrk at 32
#: connections, 4 threads against 2: submissions 350-400 against 460-500 req/s, the queue page's
#: p99 110-155 against 80-95 ms; cached thread reads lost 3%. One thread left a core idle at times.
threads = 2
#: Seconds an idle keep-alive connection stays open between requests.
keepalive = 5
graceful_timeout = 10


def post_worker_init(worker: Any) -> None:
    """Move everything the app allocated at start-up out of the garbage collector's sight.

    A queue page builds a hundred ORM objects, and the collections they trigger walked every
    object of the app as well: measured with 4 moderators' worth of connections, the queue
    page's p99 fell from 77 to 26 ms with this (Instagram's ``gc.freeze()``, for the same reason).
    """
    gc.collect()
    gc.freeze()
