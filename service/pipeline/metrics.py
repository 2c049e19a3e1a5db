"""Prometheus metrics of this process (prometheus-client, the standard client library):
``GET /metrics`` serves them from an API process, ``storydiff worker --metrics-port``
from a worker. Counters are per process; Prometheus sums them over the targets."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

ARTICLES_STORED = Counter("storydiff_articles_ingested", "Articles stored (new ones; re-posts not counted)")
ARTICLES_ANALYSED = Counter("storydiff_articles_analysed", "Articles whose analysis (copy links, story) ran to the end here")
ANALYSIS_SECONDS = Histogram(
    "storydiff_analysis_seconds",
    "Time to analyse one stored article (copy links, then story)",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
COPY_LINKS = Counter("storydiff_copy_links_found", "Copy links stored by analyses (copies, shared sources, templates)")
ERRORS = Counter("storydiff_errors", "Errors answered or recorded, by stable code", ["code"])
QUEUE_DEPTH = Gauge("storydiff_queue_depth", "Analyses queued, delayed for a retry or running (read at scrape)")
