"""The analysis queue: an article stored by ``POST /articles?wait=false`` (or ``storydiff
ingest --queue``) is analysed later (copy links, story) by ``storydiff worker``
processes, on any number of machines sharing one database and one Redis.

The engine is Dramatiq on the service's Redis: a message is acknowledged only after its
analysis returns; a failed one is retried with exponential backoff (``queue_retries``,
``queue_backoff_ms``), then dead-lettered (kept a week in ``<prefix>:queue:analysis.XQ``);
the messages a dead worker held (``kill -9``) go back to the queue once its heartbeat is
``queue_heartbeat_ms`` old. Chosen over Celery (far more machinery than one job type
needs), RQ (a job is lost with a killed worker: no acknowledgement after the work) and arq
(asyncio only, the analysis is blocking CPU work); procrastinate would need PostgreSQL,
which the default SQLite install does not have.

Delivery is at least once: the analysis (``Runtime.analyse``) is idempotent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import AgeLimit, CurrentMessage, Retries, ShutdownNotifications, TimeLimit

from service.config import Settings
from service.errors import Unavailable, mask_url

log = logging.getLogger(__name__)

QUEUE = "analysis"
ACTOR = "analyse_article"
TIME_LIMIT_MS = 10 * 60_000  # one article's analysis; far above the slowest measured
MAINTENANCE_CHANCE = 50_000  # per million broker commands: how often dead workers' messages are looked for
IDLE_POLL_MS = 100  # an idle worker looks for work at least this often (Dramatiq backs off up to it; its default 1 s was most of a job's queue latency)


class QueueUnavailable(Unavailable):
    """The queue's Redis cannot be reached (or none is configured): nothing was queued."""

    code = "queue_unavailable"


class AnalysisQueue:
    """Where analyses are sent (API, CLI) and taken from (``storydiff worker``).

    ``handler`` (workers only) is called with an article id and ``final``: True on the
    last attempt, when a failure is for good."""

    def __init__(self, settings: Settings, handler: Callable[[int, bool, int], None] | None = None) -> None:
        if settings.redis_url is None:
            raise QueueUnavailable("no queue: set STORYDIFF_REDIS_URL (the analysis queue runs on Redis)")
        self.url = settings.redis_url
        self.retries = settings.queue_retries
        self.heartbeat_ms = settings.queue_heartbeat_ms
        self.broker = RedisBroker(
            url=settings.redis_url,
            namespace=f"{settings.redis_prefix}:queue",
            heartbeat_timeout=settings.queue_heartbeat_ms,
            maintenance_chance=MAINTENANCE_CHANCE,
            middleware=[
                AgeLimit(),
                TimeLimit(time_limit=TIME_LIMIT_MS),
                ShutdownNotifications(),
                Retries(max_retries=settings.queue_retries, min_backoff=settings.queue_backoff_ms, max_backoff=60 * settings.queue_backoff_ms),
                CurrentMessage(),
            ],
        )

        def analyse_article(article_id: int) -> None:
            if handler is None:
                raise RuntimeError("this process only sends analyses; `storydiff worker` runs them")
            message = CurrentMessage.get_current_message()
            attempt = (message.options.get("retries", 0) if message is not None else 0) + 1
            handler(article_id, attempt > self.retries, attempt)

        self.actor = dramatiq.actor(analyse_article, broker=self.broker, actor_name=ACTOR, queue_name=QUEUE)

    def ping(self) -> None:
        """QueueUnavailable unless the queue's Redis answers."""
        try:
            self.broker.client.ping()
        except redis.RedisError as exc:
            raise QueueUnavailable(f"the queue's Redis {mask_url(self.url)} cannot be reached ({type(exc).__name__})") from None

    def send(self, article_id: int) -> None:
        """Queue the analysis of a stored article."""
        try:
            self.actor.send(article_id)
        except redis.RedisError as exc:
            raise QueueUnavailable(f"the queue's Redis {mask_url(self.url)} cannot be reached ({type(exc).__name__})") from None

    def depth(self) -> int:
        """Analyses queued, delayed for a retry or being run."""
        return int(self.broker.do_qsize(QUEUE))

    def dead(self) -> int:
        """Analyses dead-lettered (retries used up) and still kept."""
        return int(self.broker.client.zcard(f"{self.broker.namespace}:{QUEUE}.XQ"))

    def worker(self, *, threads: int) -> dramatiq.Worker:
        """A worker taking this queue's analyses, ``threads`` at a time (started by the caller)."""
        return dramatiq.Worker(self.broker, queues={QUEUE}, worker_threads=threads, worker_timeout=IDLE_POLL_MS)

    def present(self, worker_id: str) -> None:
        """Say that worker ``worker_id`` is alive, for one heartbeat timeout (``workers``)."""
        self.broker.client.set(self._presence(worker_id), b"1", px=self.heartbeat_ms)

    def workers(self) -> int:
        """Worker processes alive now (each refreshes its presence; ``storydiff worker``)."""
        return sum(1 for _ in self.broker.client.scan_iter(match=self._presence("*"), count=1000))

    def _presence(self, worker_id: str) -> str:
        return f"{self.broker.namespace}:workers:{worker_id}"

    def close(self) -> None:
        self.broker.close()
