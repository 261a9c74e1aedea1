"""Sanitizing an import's comments: in the importing process for a small batch, in a pool of
processes for a full one.

Sanitizing is two thirds of an import's time (bleach's parse and serialization, some 100 to
600 µs a comment) and each comment's is independent of every other's, so a large export is
cleaned on every core. It is the same function either way (``sanitize.sanitize_comment``), and
``tests/importers/test_writer.py`` holds the two paths equal.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from types import TracebackType

from ..sanitize import sanitize_comment

#: A batch at least this large goes to the pool (a pool's processes take a moment to start).
PARALLEL_FROM = 1000


class Cleaner:
    """Sanitizes batches of bodies, in order; a context manager that ends its pool."""

    def __init__(self, processes: int | None = None) -> None:
        self.processes = processes if processes is not None else (os.cpu_count() or 1)
        self._pool: ProcessPoolExecutor | None = None

    def __call__(self, bodies: list[str]) -> list[str]:
        if self.processes < 2 or len(bodies) < PARALLEL_FROM:
            return [sanitize_comment(body) for body in bodies]
        if self._pool is None:
            # Spawned, not forked: the importing process holds a database connection and
            # threads, neither of which a copy should inherit.
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(self.processes, mp_context=context)
        chunk = max(1, len(bodies) // (4 * self.processes))
        return list(self._pool.map(sanitize_comment, bodies, chunksize=chunk))

    def __enter__(self) -> Cleaner:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
