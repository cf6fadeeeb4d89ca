"""Per-sender rate limit for the channels (a sliding window).

``CAREPATH_RATE_LIMIT`` is "MESSAGES/SECONDS" (default "20/60"): a sender
who sends more gets a polite "please wait" (HTTP 429 on REST) and the message
is not processed.

With ``REDIS_URL`` set (several Rasa instances share a Redis lock store) the
window lives in Redis, so the limit holds across instances however a load
balancer spreads a sender's messages; without it, each instance counts in
memory.  If Redis stops answering, messages are let through (and a warning is
logged): a visitor is never refused because the limiter is down.
"""
from __future__ import annotations

import logging
import os
import time
import uuid
from collections import OrderedDict, deque
from typing import Deque, Optional, Text, Tuple

logger = logging.getLogger(__name__)

DEFAULT = "20/60"
MAX_SENDERS = 100_000
KEY_PREFIX = "carepath:rate:"


def parse(setting: Optional[str]) -> Tuple[int, float]:
    try:
        count, seconds = (setting or DEFAULT).split("/")
        return max(1, int(count)), max(0.001, float(seconds))
    except ValueError as error:
        raise ValueError(f"CAREPATH_RATE_LIMIT must look like 20/60 (messages/seconds), not {setting!r}") from error


class RateLimiter:
    """In-memory sliding window, per instance."""

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit, self.seconds = limit, seconds
        self._seen: "OrderedDict[Text, Deque[float]]" = OrderedDict()

    @classmethod
    def from_environment(cls) -> "RateLimiter":
        limit, seconds = parse(os.environ.get("CAREPATH_RATE_LIMIT"))
        redis_url = os.environ.get("REDIS_URL")
        if redis_url:
            return RedisRateLimiter(limit, seconds, redis_url)
        return cls(limit, seconds)

    async def allow(self, sender: Text, now: Optional[float] = None) -> bool:
        return self.allow_now(sender, now)

    def allow_now(self, sender: Text, now: Optional[float] = None) -> bool:
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


class RedisRateLimiter(RateLimiter):
    """The same window in a Redis sorted set per sender, shared by every instance."""

    def __init__(self, limit: int, seconds: float, url: str) -> None:
        super().__init__(limit, seconds)
        from redis import asyncio as redis_asyncio

        self.redis = redis_asyncio.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    async def allow(self, sender: Text, now: Optional[float] = None) -> bool:
        now = time.time() if now is None else now
        key, member = KEY_PREFIX + sender, f"{now:.6f}:{uuid.uuid4().hex[:8]}"
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.zremrangebyscore(key, 0, now - self.seconds)
                pipe.zadd(key, {member: now})
                pipe.zcard(key)
                pipe.expire(key, int(self.seconds) + 1)
                _, _, count, _ = await pipe.execute()
            if count <= self.limit:
                return True
            await self.redis.zrem(key, member)  # a refused message doesn't count
            return False
        except Exception as error:  # noqa: BLE001 - never refuse a visitor because Redis is down
            logger.warning("Rate limit not checked (Redis: %s); letting the message through.", error)
            return True
