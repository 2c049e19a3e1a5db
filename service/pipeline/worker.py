"""``storydiff worker``: one process taking analyses from the queue until it is stopped.

Any number of workers, on any number of machines, share one database and one Redis. A
worker never migrates the schema (a database behind its code is refused: SchemaOutdated),
takes ``concurrency`` analyses at a time (threads sharing one model), says it is alive
(``AnalysisQueue.present``) and serves its metrics on ``metrics_port`` when given.
"""

from __future__ import annotations

import logging
import threading
import uuid

from prometheus_client import start_http_server

from service.config import Settings
from service.pipeline.queue import AnalysisQueue
from service.pipeline.runtime import Runtime

log = logging.getLogger(__name__)


def run_worker(settings: Settings, *, concurrency: int = 1, stop: threading.Event, metrics_port: int | None = None) -> None:
    """Run until ``stop`` is set, then finish the analyses in hand and return. Raises
    QueueUnavailable (no Redis) or SchemaOutdated before taking any job."""
    queue = AnalysisQueue(settings, handler=lambda article_id, final, attempt: runtime.analyse(article_id, final=final, attempt=attempt))
    queue.ping()  # no Redis: said before anything else is opened
    runtime = Runtime.open(settings, migrate=False)
    try:
        runtime.desk.docs.encoder  # load the model before the first job
        if metrics_port is not None:
            start_http_server(metrics_port)
        worker_id = uuid.uuid4().hex
        worker = queue.worker(threads=concurrency)
        worker.start()
        log.info("worker %s: %d at a time", worker_id, concurrency)
        try:
            while True:
                queue.present(worker_id)
                if stop.wait(settings.queue_heartbeat_ms / 3000):
                    break
        finally:
            worker.stop()
    finally:
        queue.close()
        runtime.close()
