"""`GET /metrics`: Prometheus text. Database-side figures (queue depth and ageing, auto and override
rates, job failures: the same whichever API process is scraped) beside this process's own (HTTP
latency, LLM latency and errors, OCR). Workers serve their own with `handoff worker --metrics-port`."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily

from api.deps import Conn
from store import operations as operations_store

router = APIRouter(tags=["operations"])
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class _DatabaseFigures:
    def __init__(self, snapshot: dict[str, list[dict]]):
        self.snapshot = snapshot

    def collect(self):
        depth = GaugeMetricFamily("handoff_review_queue_depth", "Open review items", labels=["unit", "queue", "status"])
        age = GaugeMetricFamily("handoff_review_oldest_ready_age_seconds", "Age of the oldest ready review item",
                                labels=["unit", "queue"])
        breached = GaugeMetricFamily("handoff_review_sla_breached", "Open review items past their SLA",
                                     labels=["unit", "queue"])
        for r in self.snapshot["review_queues"]:
            depth.add_metric([r["unit"], r["queue"], r["status"]], r["n"])
            if r["status"] == "ready":
                age.add_metric([r["unit"], r["queue"]], float(r["oldest_age_s"]))
                breached.add_metric([r["unit"], r["queue"]], r["sla_breached"])
        yield from (depth, age, breached)

        routes = GaugeMetricFamily("handoff_routes_24h", "Routes in the last 24 hours", labels=["unit", "agent", "decision"])
        auto_rate = GaugeMetricFamily("handoff_auto_rate_24h", "Share of routes applied automatically, last 24 hours",
                                      labels=["unit", "agent"])
        totals: dict[tuple[str, str], list[int]] = {}
        for r in self.snapshot["routes_24h"]:
            routes.add_metric([r["unit"], r["agent"], r["decision"]], r["n"])
            t = totals.setdefault((r["unit"], r["agent"]), [0, 0])
            t[0] += r["n"] if r["decision"] == "auto" else 0
            t[1] += r["n"]
        for key, (auto, total) in sorted(totals.items()):
            auto_rate.add_metric(list(key), auto / total if total else 0.0)
        yield from (routes, auto_rate)

        decisions = GaugeMetricFamily("handoff_decisions_24h", "Final reviewer decisions in the last 24 hours",
                                      labels=["unit", "agent", "action"])
        override_rate = GaugeMetricFamily("handoff_override_rate_24h", "Share of final decisions that overrode "
                                          "the suggestion, last 24 hours", labels=["unit", "agent"])
        totals = {}
        for r in self.snapshot["decisions_24h"]:
            decisions.add_metric([r["unit"], r["agent"], r["action"]], r["n"])
            t = totals.setdefault((r["unit"], r["agent"]), [0, 0])
            t[0] += r["n"] if r["action"] == "override" else 0
            t[1] += r["n"]
        for key, (over, total) in sorted(totals.items()):
            override_rate.add_metric(list(key), over / total if total else 0.0)
        yield from (decisions, override_rate)

        jobs = GaugeMetricFamily("handoff_jobs", "Background jobs by status (failed: job failures)",
                                 labels=["queue", "task", "status"])
        for r in self.snapshot["jobs"]:
            jobs.add_metric([r["queue"], r["task"], r["status"]], r["n"])
        yield jobs


@router.get("/metrics", response_class=Response)
def metrics(request: Request, conn: Conn) -> Response:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_DatabaseFigures(operations_store.metrics_snapshot(conn)))
    body = generate_latest(registry) + generate_latest(REGISTRY)
    return Response(content=body, media_type=CONTENT_TYPE)
