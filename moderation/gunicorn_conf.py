"""Gunicorn settings of ``moderation serve``.

A plain gunicorn configuration file with no imports from the package, so that
``gunicorn -c moderation/gunicorn_conf.py`` serves any WSGI app the same way: the benchmark
runs the framework's ceiling and Isso under this very file.
"""

from __future__ import annotations

import gc
from typing import Any

#: The settings this file makes, for ``moderation serve`` to apply.
SETTINGS = ("worker_class", "threads", "graceful_timeout", "pre_request", "post_worker_init")

worker_class = "gthread"
#: Threads per worker. Two, not more: the threads of a worker share one GIL, and each extra one
#: mostly adds switching (a thread back from the database waits for the GIL while another runs
#: bleach) and makes latency less even. Measured here with wrk at 32 connections, 4 threads against
#: 2: submissions 350-400 against 460-500 req/s, the queue page's p99 110-155 against 80-95 ms;
#: cached thread reads lost 3% (6,900 against 6,700 req/s). One thread left a core idle at times.
threads = 2
graceful_timeout = 10

#: Requests served on one keep-alive connection before the server closes it, as nginx's
#: ``keepalive_requests`` and Apache's ``MaxKeepAliveRequests`` do. Workers share one listening
#: socket, and whichever is awake first accepts: a burst of new connections (a load balancer's
#: pool after a restart, or wrk) can land on one worker and stay there, leaving the others idle
#: while that one is bound by its GIL. Measured here: 1,100 req/s with every connection on one
#: worker against 3,300 req/s spread over two. Closing a connection now and then lets the client
#: reconnect, and the worker that is less busy (its accepting thread waits less for the GIL)
#: tends to take it. Twenty, not nginx's thousand, so that slow endpoints (a queue page of 4 ms)
#: rebalance within a fraction of a second too; a loopback handshake per twenty requests costs
#: under 3% of even the cheapest read.
KEEPALIVE_REQUESTS = 20


def pre_request(worker: Any, req: Any) -> None:
    """Ask gunicorn to close the connection after this response when it has served its share."""
    if req.req_number >= KEEPALIVE_REQUESTS:
        req.must_close = True


def post_worker_init(worker: Any) -> None:
    """Move everything the app allocated at start-up out of the garbage collector's sight.

    A queue page builds a hundred ORM objects, and the collections they trigger walked every
    object of the app as well: measured with 4 moderators' worth of connections, the queue
    page's p99 fell from 77 to 26 ms with this (Instagram's ``gc.freeze()``, for the same reason).
    """
    gc.collect()
    gc.freeze()
