"""Per-sender rate limit for the channels (a sliding window in memory).

``CAREPATH_RATE_LIMIT`` is "MESSAGES/SECONDS" (default "20/60"): a sender
who sends more gets a polite "please wait" (HTTP 429 on REST) and the message
is not processed.  Each Rasa instance counts its own messages.
"""
from __future__ import annotations

import os
import time
from collections import OrderedDict, deque
from typing import Deque, Optional, Text, Tuple

DEFAULT = "20/60"
MAX_SENDERS = 100_000


def parse(setting: Optional[str]) -> Tuple[int, float]:
    try:
        count, seconds = (setting or DEFAULT).split("/")
        return max(1, int(count)), max(0.001, float(seconds))
    except ValueError as error:
        raise ValueError(f"CAREPATH_RATE_LIMIT must look like 20/60 (messages/seconds), not {setting!r}") from error


class RateLimiter:
    def __init__(self, limit: int, seconds: float) -> None:
        self.limit, self.seconds = limit, seconds
        self._seen: "OrderedDict[Text, Deque[float]]" = OrderedDict()

    @classmethod
    def from_environment(cls) -> "RateLimiter":
        return cls(*parse(os.environ.get("CAREPATH_RATE_LIMIT")))

    def allow(self, sender: Text, now: Optional[float] = None) -> bool:
        now = time.monotonic() if now is None else now
        times = self._seen.pop(sender, None) or deque()
        while times and now - times[0] >= self.seconds:
            times.popleft()
        allowed = len(times) < self.limit
        if allowed:
            times.append(now)
        self._seen[sender] = times  # most recent last
        while len(self._seen) > MAX_SENDERS:
            self._seen.popitem(last=False)
        return allowed
