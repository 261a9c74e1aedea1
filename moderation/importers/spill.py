"""Records set aside until an import's stream ends (comments whose article comes later, past
decisions), in a temporary file, so memory does not grow with them."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from typing import IO, Any

from .records import Record


class Spill:
    """Records set aside until the stream ends, in a temporary file, not in memory."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self.count = 0

    def add(self, record: Record) -> None:
        pickle.dump(record, self.file, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += 1

    def drain(self) -> Iterator[Any]:
        self.file.seek(0)
        for _ in range(self.count):
            yield pickle.load(self.file)
