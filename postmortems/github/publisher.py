"""Handing stored deliveries to Celery from a background thread, many ids per message."""

from __future__ import annotations

import logging
import os
import threading
import time

from .. import queue

logger = logging.getLogger(__name__)

# The tasks of `tasks.py` that process deliveries, by name (see `queue.py`).
PROCESS_TASK = "postmortems.process_github_delivery"
BATCH_TASK = "postmortems.process_github_deliveries"


class DeliveryPublisher:
    """Publishes new deliveries to Celery from a background thread, many ids per message.

    Publishing one Celery message costs about as much CPU as the rest of the webhook
    request, so the request only appends the id to a list. The thread wakes when the list
    stops being empty, waits LINGER for more ids to gather, and sends them all (at most
    BATCH per message): under load it wakes a few times a second, not once per request.
    Nothing is lost if an id never reaches the broker (broker down, process killed
    first): the delivery is stored as `pending` and the sweep queues it a minute later.
    In-process mode (no broker: `make run`, tests) processes the delivery directly.
    """

    BATCH = 100
    # One publish costs about 0.6 ms of CPU, whatever its size: at 0.05 s, three web processes
    # publishing ~20 times a second each took a few percent of the intake's CPU (bench/webhook).
    # The worker gains more from a larger batch: a PR's evidence arriving in one batch is
    # recomputed once. At 150 deliveries/s over three web processes, 0.25 s made batches of
    # about 12; a second makes about 50, and the worker needs ~10% less CPU a delivery
    # (bench/burst). A second is still nothing next to what a delivery's effects are for.
    LINGER = 1.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._ids: list[int] = []
        self._sending = 0
        self._wake = threading.Event()

    def submit(self, delivery_pk: int) -> None:
        """Queue one committed delivery; returns at once."""
        if queue.in_process():
            queue.publish(PROCESS_TASK, delivery_pk)
            return
        with self._lock:
            if self._pid != os.getpid():  # first use in this (possibly forked) process
                self._ids, self._sending, self._wake, self._pid = [], 0, threading.Event(), os.getpid()
                threading.Thread(target=self._run, args=(self._wake,), name="webhook-publisher", daemon=True).start()
            self._ids.append(delivery_pk)
            first = len(self._ids) == 1
        if first:
            self._wake.set()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """True once every submitted id was handed to the broker (or given up on); for tests and shutdown."""
        deadline = time.monotonic() + timeout
        while (self._ids or self._sending) and time.monotonic() < deadline:
            time.sleep(0.01)
        return not (self._ids or self._sending)

    def _run(self, wake: threading.Event) -> None:
        while True:
            wake.wait()
            time.sleep(self.LINGER)  # a lone delivery reaches the worker LINGER seconds later, no more
            with self._lock:
                wake.clear()
                # _sending first: wait_idle reads both without the lock and must never see 0 and [].
                self._sending = len(self._ids)
                ids, self._ids = self._ids, []
            for start in range(0, len(ids), self.BATCH):
                # Published by name, never run in this thread; a refused batch is logged and stays pending.
                queue.publish(BATCH_TASK, ids[start : start + self.BATCH])
            with self._lock:
                self._sending = 0


publisher = DeliveryPublisher()
