"""Facts read from an account's cloud (a role's trust, its policies), kept for a few seconds.

A burst of deployments through one role would otherwise read the same role from IAM for every one of them.
IAM itself is eventually consistent: AWS documents that a change to a role or a policy takes seconds to reach
every endpoint, so a read that is `seconds` old is no staler than a call against AWS may see. Only what was
read successfully is kept.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")

FRESH_SECONDS = 5.0
LIMIT = 1024


class Recent(Generic[Value]):
    """Values by key, each for `seconds` after it was put; the oldest go once there are `limit`."""

    def __init__(self, seconds: float = FRESH_SECONDS, limit: int = LIMIT) -> None:
        self.seconds = seconds
        self.limit = limit
        self._values: dict[Hashable, tuple[float, Value]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Value | None:
        found = self._values.get(key)
        if found is None or time.monotonic() - found[0] > self.seconds:
            return None
        return found[1]

    def put(self, key: Hashable, value: Value) -> None:
        with self._lock:
            self._values.pop(key, None)
            while len(self._values) >= self.limit:
                self._values.pop(next(iter(self._values)))
            self._values[key] = (time.monotonic(), value)
