"""Operator signals shared by every layer: Prometheus metrics of work this process does (LLM and OCR
calls, jobs) and OpenTelemetry spans around LLM and OCR calls.

Spans and metrics carry names, models, counts, outcomes and durations, never document text or PHI.
Tracing is off unless `configure_tracing` installs an exporter (HANDOFF_OTEL_EXPORTER); without one
the OpenTelemetry API's spans cost next to nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import trace
from prometheus_client import Counter, Histogram

log = logging.getLogger(__name__)
_tracer = trace.get_tracer("handoff")

LLM_SECONDS = Histogram("handoff_llm_call_seconds", "Duration of LLM calls", ["prompt", "outcome"],
                        buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 60))
LLM_ERRORS = Counter("handoff_llm_errors", "LLM calls that failed (the local fallback took over)", ["prompt", "error"])
OCR_SECONDS = Histogram("handoff_ocr_document_seconds", "Duration of OCR of one document", ["outcome"],
                        buckets=(0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300))
OCR_PAGES = Counter("handoff_ocr_pages", "Pages read by OCR")
JOB_SECONDS = Histogram("handoff_job_seconds", "Duration of background jobs run by this process", ["task", "outcome"],
                        buckets=(0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300))


@contextmanager
def span(name: str, **attributes: str | int | float | bool) -> Iterator[trace.Span]:
    """An OpenTelemetry span (a no-op without an exporter). Attributes must never hold PHI."""
    with _tracer.start_as_current_span(name, attributes=attributes) as s:
        yield s


@contextmanager
def timed_llm_call(prompt: str, model: str | None) -> Iterator[dict]:
    """Time one LLM call into LLM_SECONDS/LLM_ERRORS and a `llm.call` span. The caller sets
    result["error"] to an exception class name when the call failed without raising."""
    result: dict = {}
    started = time.perf_counter()
    with span("llm.call", **{"llm.prompt": prompt, "llm.model": model or "?"}) as s:
        try:
            yield result
        except Exception as exc:
            result.setdefault("error", exc.__class__.__name__)
            raise
        finally:
            error = result.get("error")
            outcome = "error" if error else "ok"
            s.set_attribute("llm.outcome", outcome)
            if error:
                s.set_attribute("llm.error", error)
                LLM_ERRORS.labels(prompt=prompt, error=error).inc()
            LLM_SECONDS.labels(prompt=prompt, outcome=outcome).observe(time.perf_counter() - started)


_configured: str | None = None


def configure_tracing(exporter: str, *, service_name: str = "handoff", endpoint: str | None = None) -> None:
    """Install an exporter for spans: "none" (default), "console" (JSON lines on stderr) or "otlp"
    (an OpenTelemetry collector at `endpoint`; needs the opentelemetry-exporter-otlp package)."""
    global _configured
    if exporter == "none" or _configured == exporter:
        return
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

    if exporter == "console":
        span_exporter = ConsoleSpanExporter()
    elif exporter == "otlp":
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        except ImportError:
            raise RuntimeError("HANDOFF_OTEL_EXPORTER=otlp needs the opentelemetry-exporter-otlp-proto-http "
                               "package: pip install opentelemetry-exporter-otlp-proto-http") from None
        span_exporter = OTLPSpanExporter(endpoint=endpoint) if endpoint else OTLPSpanExporter()
    else:
        raise ValueError(f"unknown OpenTelemetry exporter {exporter!r}: use none, console or otlp")
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    provider.add_span_processor(BatchSpanProcessor(span_exporter))
    trace.set_tracer_provider(provider)
    _configured = exporter
