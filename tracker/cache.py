"""The shared cache: Django's Redis cache, minus the one call that would empty Celery's queue."""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache

_SCAN_BATCH = 500


class SharedRedisCache(RedisCache):
    """Django's Redis cache whose `clear()` deletes only this cache's keys.

    The cache lives in the Redis database of REDIS_URL, next to Celery's queued tasks; Django's
    `clear()` is FLUSHDB, which would drop them too. Every key this cache writes starts with its
    KEY_PREFIX, so clearing scans for that prefix instead.
    """

    def clear(self) -> bool:
        if not self.key_prefix:
            raise ValueError("SharedRedisCache needs a KEY_PREFIX to know which keys are its own.")
        client = self._cache.get_client(write=True)
        pattern = _glob_escape(self.key_prefix) + ":*"
        batch: list[bytes] = []
        for key in client.scan_iter(match=pattern, count=_SCAN_BATCH):
            batch.append(key)
            if len(batch) >= _SCAN_BATCH:
                client.delete(*batch)
                batch.clear()
        if batch:
            client.delete(*batch)
        return True


def _glob_escape(text: str) -> str:
    # Redis MATCH patterns are globs: a prefix containing * ? [ ] or \\ must match only itself.
    return "".join("\\" + char if char in "*?[]\\" else char for char in text)
