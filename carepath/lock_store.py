"""``CheckedRedisLockStore``: Rasa's Redis lock store that checks Redis at start.

Rasa's Redis client connects lazily, so a wrong ``REDIS_URL`` or a Redis that
is down would only show as failures on the first messages.  This one pings
Redis when the server starts and stops it with a clear message instead.
"""
from __future__ import annotations

from typing import Any

import redis
from rasa.core.lock_store import RedisLockStore
from rasa.utils.endpoints import EndpointConfig


class RedisUnavailable(RuntimeError):
    """Redis, needed as the lock store, does not answer."""


class CheckedRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig = None, **kwargs: Any) -> None:
        if endpoint_config is not None:  # created from endpoints.yml
            kwargs = {"host": endpoint_config.url, **endpoint_config.kwargs}
        super().__init__(**kwargs)
        host, port = kwargs.get("host", "localhost"), kwargs.get("port", 6379)
        try:
            self.red.ping()
        except redis.exceptions.RedisError as error:
            raise RedisUnavailable(
                f"CarePath cannot start: the Redis lock store at {host}:{port} does not answer ({error}). "
                f"Start Redis, fix REDIS_URL, or unset REDIS_URL to run a single instance without Redis."
            ) from error
